"""Personal details typed into free text: found, and taken out before anything is shown.

A workbook's free-text cells (a volunteering activity, an outcome, a job title) sometimes
carry a person's details: "Mary Brown, 12 Acacia Ave, HX1 4RT". Names cannot be told from
other words, but the details that make a person findable can: a full postcode (a unit
postcode covers about 15 addresses), an email address and a phone number. In free-text
columns only (not the postcodes of suppliers or organisations, which are meant to be
there), the reader replaces the whole cell with :data:`REDACTED_TEXT` (the words around a
postcode are usually a name and a street) and adds a warning naming the cell, never its
content, so packs, logs and the manifest never print them.

References
----------
ICO, "What is personal data?" (UK GDPR Article 4(1): information from which a person can
be identified directly or indirectly). ONS, "Postcode products" (a unit postcode covers
about 15 addresses). Ofcom, "The National Telephone Numbering Plan" (UK numbers: 0 then
9 or 10 digits; +44 without the leading 0).
"""

from __future__ import annotations

import re

#: Each kind of personal detail looked for, and its pattern.
PATTERNS = (
    ("an email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("a phone number",
     re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\w)")),
    ("a full postcode",
     re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)),
)

#: What a free-text cell holding personal details is shown as, everywhere.
REDACTED_TEXT = "[text removed: it held personal details]"


def personal_details(text: object) -> list[str]:
    """Return the kinds of personal detail found in ``text`` (empty when none).

    Parameters
    ----------
    text : object
        A free-text cell's value; anything but text holds none.

    Returns
    -------
    list of str
        Such as ``["a full postcode", "a phone number"]``, in the order of :data:`PATTERNS`.
    """
    if not isinstance(text, str):
        return []
    return [kind for kind, pattern in PATTERNS if pattern.search(text)]


def redacted(text: str) -> str:
    """Return what packs show instead of free text holding personal details: a marker.

    The whole cell is replaced, not only the postcode, email or phone number: the words
    around them are usually the person's name and street.

    Parameters
    ----------
    text : str
        A free-text cell's value.

    Returns
    -------
    str
        :data:`REDACTED_TEXT` when ``text`` holds personal details, else ``text``.
    """
    return REDACTED_TEXT if personal_details(text) else text
