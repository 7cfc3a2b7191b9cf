"""One way to tell that two supplier names written differently name the same supplier.

A supplier is written "The Acme Co. Limited" in a council's payments file, "ACME CO LTD" in
an anchor's ledger and "Acme Co" in a survey reply. Every match the toolkit makes between
files (a spending file and a supplier list, a survey reply and the spending table, a ledger
and a contacts export) goes through :func:`supplier_key`, so all of them forgive the same
differences and no others. CLES's spend analysis places each supplier by matching it to a
list the council keeps (METHODS.md §2: the CLES spend analysis; Preston City Council's
guide); the sources do not fix how names are compared, so the rules here are the toolkit's
own, written down and tested: case, punctuation, "&" against "and" and a company's legal
form are not part of the name.
"""

from __future__ import annotations

import re

_LEGAL_SUFFIXES = {"LTD", "PLC", "LLP", "INC", "LP", "CIC"}
_WORD_MAP = {"LIMITED": "LTD", "COMPANY": "CO", "AND": "&", "CENTRE": "CENTER"}


def supplier_key(name) -> str:
    """Return a supplier name normalised for matching.

    Case, punctuation and spacing are ignored; "Limited" is "Ltd", "and" is "&"; a leading
    "The", a trailing legal form (Ltd, PLC, LLP, CIC) and a trailing "& Co" are dropped. So
    "The Acme Co. Limited" and "ACME CO LTD" give the same key, "ACME CO", while "Acme
    Services" and "Acme" stay apart. A name that is only a legal form keeps it.

    Parameters
    ----------
    name : str or None
        A supplier name as written.

    Returns
    -------
    str
        The key; "" for a blank name or None.

    Examples
    --------
    >>> supplier_key("The Mill & Co Ltd") == supplier_key("mill and co limited")
    True
    """
    if name is None:
        return ""
    text = str(name).upper().replace("&", " & ").replace("'", "").replace("\u2019", "")
    words = [_WORD_MAP.get(w, w) for w in re.sub(r"[^A-Z0-9&]+", " ", text).split()]
    if len(words) > 2 and words[-3:] == ["PUBLIC", "LTD", "CO"]:
        words = [*words[:-3], "PLC"]
    if len(words) > 2 and words[-3:] == ["COMMUNITY", "INTEREST", "CO"]:
        words = [*words[:-3], "CIC"]
    if len(words) > 1 and words[0] == "THE":
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words = words[:-1]
    if len(words) > 1 and words[-1] == "CO" and words[-2] == "&":
        words = words[:-2]
    return " ".join(words)
