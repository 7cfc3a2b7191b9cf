"""Small helpers that pack notebooks call to show figures, tables and charts.

A pack notebook holds no logic: it calls the toolkit and shows what comes back. These
helpers do the showing, the same way in every pack:

- money and shares formatted for a reader (:func:`money`, :func:`share`);
- every piece of text from an input escaped before it reaches HTML (:func:`escape`), with
  bidirectional controls (such as the right-to-left override U+202E) shown as their code
  so that they cannot reverse the text around them;
- a headline table where each figure carries its range and whether it is evidenced,
  assumed or unchecked (:class:`Headline`, :func:`show_headlines`), and the same figures
  as plain-English sentences for the one-page summary (:func:`show_summary`);
- figures about fewer people than the small-group threshold suppressed, with a note
  saying why (:func:`suppress_small`, :func:`count_or_suppressed`);
- tables shown as escaped HTML and written as CSV beside the pack (:func:`show_table`);
- charts embedded as PNG with alt text (:func:`show_chart`);
- a first page that stands on its own: key figures in large type, the one chart, what
  the figures mean and do not claim, the boundary, and labelled comparisons
  (:class:`FirstPage`, :func:`show_first_page`).

The pack runner (``toolkit.packs.plan``) calls :func:`start_pack` through the notebook's
parameters, so that tables land as ``<slug>__<table>.csv`` in the pack's output folder.

References
----------
METHODS.md §1 (figures evidenced or assumed), DESIGN.md "Outputs" (aggregates only).
Unicode Technical Report #36, "Unicode Security Considerations" §2.4 (bidirectional text
spoofing); W3C WCAG 2.2 (text alternatives, info and relationships).
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.cell_safety import write_csv

#: Fewer people than this, and a figure about them is suppressed (the settings file's
#: ``checks.small_group_threshold`` overrides it per pack).
SMALL_GROUP_THRESHOLD = 5

#: How each basis is written in a pack.
BASIS_LABELS = {
    "evidenced": "evidenced",
    "assumed": "assumed",
    "unchecked": "unchecked",
    "mixed": "partly assumed",
    "suppressed": "suppressed",
    "not evidenced": "not evidenced",
}

#: Key of the display metadata through which a pack tells the runner about itself.
PACK_METADATA_KEY = "keepitlocal"

_state: dict[str, Any] = {"slug": None, "tables_dir": None, "threshold": SMALL_GROUP_THRESHOLD}


# ---------------------------------------------------------------------------- formatting


#: Bidirectional embedding, override and isolate controls (U+202A to U+202E, U+2066 to
#: U+2069). From an input, one could reverse the text that follows it in a pack.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def neutralise_bidi(text: str) -> str:
    """Return ``text`` with each bidirectional control shown as its code, such as ``[U+202E]``.

    Parameters
    ----------
    text : str
        Text from an input.

    Returns
    -------
    str
        The same text, which now reads in the order it was typed.

    References
    ----------
    Unicode Technical Report #36, §2.4 (bidirectional text spoofing).
    """
    return BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


#: Words longer than this (a name typed without spaces) get places where a line may break.
LONGEST_UNBROKEN = 30


def wrappable(text: str) -> str:
    """Return ``text`` with a zero-width space every 20 characters inside very long words.

    A table's first column keeps its words whole (so headers do not break inside words); a
    name of hundreds of letters without a space would then push the table off the page.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return re.sub(rf"\S{{{LONGEST_UNBROKEN + 1},}}",
                  lambda m: "\u200b".join(re.findall(r"\S{1,20}", m.group())), text)


def escape(text: Any) -> str:
    """Return ``text`` as HTML-safe text (``<script>`` shows as text, never runs).

    Bidirectional controls are shown as their codes (:func:`neutralise_bidi`), so that a
    right-to-left override in a name cannot reverse the text of a pack.

    Parameters
    ----------
    text : object
        Anything; ``None`` gives an empty string.

    Returns
    -------
    str
    """
    return "" if text is None else html.escape(neutralise_bidi(str(text)), quote=True)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def money(value: float | None, decimals: int | None = None) -> str:
    """Return an amount in pounds, such as ``£1,234`` or ``-£56.70``.

    Parameters
    ----------
    value : float or None
        Pounds. ``None`` or NaN gives "not available".
    decimals : int, optional
        Digits after the point; by default none from £100 up and two below.

    Returns
    -------
    str
    """
    if _missing(value):
        return "not available"
    value = float(value)
    if decimals is None:
        decimals = 0 if abs(value) >= 100 else 2
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.{decimals}f}"


def share(value: float | None, decimals: int = 0) -> str:
    """Return a share from 0 to 1 as a percentage, such as ``42%``.

    Parameters
    ----------
    value : float or None
        A fraction; ``None`` or NaN gives "not available".
    decimals : int
        Digits after the point.

    Returns
    -------
    str
    """
    if _missing(value):
        return "not available"
    return f"{float(value) * 100:.{decimals}f}%"


def ratio(value: float | None, decimals: int = 2) -> str:
    """Return a ratio in pounds per pound, such as ``£1.74``.

    Parameters
    ----------
    value : float or None
        The ratio; ``None`` or NaN gives "not available".
    decimals : int
        Digits after the point.

    Returns
    -------
    str
    """
    if _missing(value):
        return "not available"
    return f"£{float(value):,.{decimals}f}"


def number(value: float | None, decimals: int = 0) -> str:
    """Return a count or quantity with thousands separators, such as ``1,250``.

    Parameters
    ----------
    value : float or None
        The number; ``None`` or NaN gives "not available".
    decimals : int
        Digits after the point.

    Returns
    -------
    str
    """
    if _missing(value):
        return "not available"
    return f"{float(value):,.{decimals}f}"


def pence(value: float | None) -> str:
    """Return pence with one decimal, such as ``11.1p``.

    Parameters
    ----------
    value : float or None
        Pence; ``None`` or NaN gives "not available".

    Returns
    -------
    str
    """
    if _missing(value):
        return "not available"
    return f"{float(value):,.1f}p"


def auto_number(value: Any) -> Any:
    """Return a number as short text (whole numbers with separators, others to 2 places).

    Anything that is not a number comes back unchanged; booleans become "yes" or "no".

    Parameters
    ----------
    value : object
        The value to show.

    Returns
    -------
    object
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _missing(value):
        return ""
    if not isinstance(value, int | float) or not finite(value):
        return value
    value = float(value)
    if value.is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


#: How a value is shown for each unit that toolkit tables give in a ``unit`` column.
UNIT_KINDS = {"£": "money", "£ a year": "money", "share": "share", "pence": "pence",
              "£ per £1 received": "ratio"}


def format_by_unit(frame: pd.DataFrame, value: str = "value", unit: str = "unit"
                   ) -> pd.DataFrame:
    """Return a copy of ``frame`` with its value column shown according to its unit column.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table of measures with a value column and a unit column.
    value, unit : str
        The columns' names. Every column other than ``unit`` holding numbers (several
        years side by side) is formatted the same way.

    Returns
    -------
    pandas.DataFrame
    """
    shown = frame.copy().astype(object)
    columns = [value] if value in shown else [
        c for c in shown.columns if c != unit and pd.api.types.is_numeric_dtype(frame[c])]
    for column in columns:
        shown[column] = [
            format_value(v, UNIT_KINDS[u]) if u in UNIT_KINDS and not _missing(v)
            else auto_number(v) for v, u in zip(frame[column], frame[unit], strict=True)]
    return shown


def months(value: float | None) -> str:
    """Return a number of months with one decimal, such as ``1.8 months``.

    Parameters
    ----------
    value : float or None
        Months; ``None`` or NaN gives "not available".

    Returns
    -------
    str
    """
    if _missing(value):
        return "not available"
    return f"{float(value):,.1f} months"


FORMATTERS = {"money": money, "share": share, "share_to_tenth": lambda v: share(v, 1),
              "ratio": ratio, "number": number, "pence": pence,
              "months": months, "decimal": lambda v: number(v, 3),
              "one_decimal": lambda v: number(v, 1), "two_decimals": lambda v: number(v, 2),
              "pounds": lambda v: money(v, 0),
              "count": number, "text": lambda v: "not available" if _missing(v) else str(v)}


def format_value(value: Any, kind: str) -> str:
    """Return ``value`` formatted as ``kind`` (money, share, ratio, number, count or text).

    Parameters
    ----------
    value : object
        The value to show or convert.
    kind : str
        How to format it.

    Returns
    -------
    str
    """
    try:
        return FORMATTERS[kind](value)
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(FORMATTERS)}") from None


# ---------------------------------------------------------------------------- headlines


#: What LM3 measures, said once in each organisation pack and by ``keepitlocal lm3``
#: (METHODS §1: turnover through the area, not value added; not to be added to SROI or GVA).
LM3_MEANING = (
    "LM3 measures turnover passing through the area over three rounds, not value added or "
    "new income: do not add LM3 pounds to SROI pounds or to GVA."
)

@dataclass(frozen=True)
class Headline:
    """One headline figure of a pack, with its range and basis.

    Parameters
    ----------
    label : str
        What the figure is, in plain words ("Local multiplier (LM3)").
    value : float or None
        The central figure; ``None`` when it cannot be given.
    kind : str
        How to format it: ``money``, ``share``, ``ratio``, ``number`` or ``count``.
    low, high : float or None
        The range, when there is one.
    basis : str
        ``evidenced``, ``assumed``, ``unchecked``, ``mixed``, ``not evidenced`` or
        ``suppressed``.
    note : str
        One sentence on where it comes from or why it is missing.
    range_label : str
        What the range is, in words (``"range"``, or ``"full range"`` for LM3).
    """

    label: str
    value: float | None
    kind: str = "number"
    low: float | None = None
    high: float | None = None
    basis: str = "evidenced"
    note: str = ""
    range_label: str = "range"

    def __post_init__(self):
        if self.basis not in BASIS_LABELS:
            raise ValueError(f"basis must be one of {', '.join(BASIS_LABELS)}, not {self.basis!r}")
        format_value(None, self.kind)
        if _missing(self.value) and self.basis not in ("suppressed", "not evidenced"):
            # A figure that cannot be given is never called evidenced or assumed.
            object.__setattr__(self, "basis", "not evidenced")

    @property
    def value_text(self) -> str:
        """The central figure, formatted (or "suppressed")."""
        if self.basis == "suppressed":
            return "suppressed"
        return format_value(self.value, self.kind)

    @property
    def range_text(self) -> str:
        """The range as "low to high", or an empty string when there is none."""
        if self.basis == "suppressed" or _missing(self.low) or _missing(self.high):
            return ""
        return f"{format_value(self.low, self.kind)} to {format_value(self.high, self.kind)}"

    @property
    def labelled_range(self) -> str:
        """The range with its label when it is not a plain range ("full range: 1.8 to 2.1")."""
        if not self.range_text or self.range_label == "range":
            return self.range_text
        return f"{self.range_label}: {self.range_text}"

    @property
    def basis_text(self) -> str:
        """The basis as written in a pack."""
        return BASIS_LABELS[self.basis]

    def sentence(self, with_note: bool = False) -> str:
        """Return the figure as one plain-English sentence (not yet escaped).

        Parameters
        ----------
        with_note : bool
            Whether to add the note (a suppressed or missing figure always says why).

        Returns
        -------
        str
        """
        if self.basis in ("suppressed", "not evidenced"):
            return f"{self.label}: {self.basis_text}. {self.note.rstrip('.')}.".replace(" .", "")
        text = f"{self.label}: {self.value_text}"
        if self.range_text:
            text += f" ({self.range_label} {self.range_text})"
        text += f", {self.basis_text}."
        if self.note and with_note:
            text += f" {self.note.rstrip('.')}."
        return text


def headlines_frame(headlines: Sequence[Headline]) -> pd.DataFrame:
    """Return headlines as a table: figure, value, range, basis and note.

    Parameters
    ----------
    headlines : sequence of Headline
        The headline figures, in the order shown.

    Returns
    -------
    pandas.DataFrame
    """
    rows = [{"figure": h.label, "value": h.value_text, "range": h.labelled_range,
             "basis": h.basis_text, "note": h.note} for h in headlines]
    return pd.DataFrame(rows, columns=["figure", "value", "range", "basis", "note"])


def headlines_html(headlines: Sequence[Headline]) -> str:
    """Return the headline table as escaped HTML, each basis labelled with a CSS class.

    Parameters
    ----------
    headlines : sequence of Headline
        The headline figures, in the order shown.

    Returns
    -------
    str
    """
    head = "".join(f"<th scope='col'>{t}</th>" for t in
                   ("Figure", "Central figure", "Range", "Evidenced or assumed", "Note"))
    body = []
    for h in headlines:
        css = "basis-" + re.sub(r"[^a-z]+", "-", h.basis)
        body.append(
            f"<tr><th scope='row'>{escape(h.label)}</th><td class='num'>{escape(h.value_text)}"
            f"</td><td class='num'>{escape(h.labelled_range)}</td><td class='{css}'>"
            f"{escape(h.basis_text)}</td><td>{escape(h.note)}</td></tr>"
        )
    return (f"<table class='headlines'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def summary_html(headlines: Sequence[Headline], intro: str = "") -> str:
    """Return the one-page summary: an optional paragraph, then one line per figure.

    Parameters
    ----------
    headlines : sequence of Headline
        The headline figures, in the order shown.
    intro : str
        Plain text put before the figures (escaped).

    Returns
    -------
    str
    """
    items = "".join(f"<li>{escape(h.sentence())}</li>" for h in headlines)
    lead = f"<p>{escape(intro)}</p>" if intro else ""
    return f"<div class='summary'>{lead}<ul class='headline-sentences'>{items}</ul></div>"


# ---------------------------------------------------------------------------- privacy


def set_small_group_threshold(threshold: int) -> None:
    """Set the number of people below which figures are suppressed in this pack.

    Parameters
    ----------
    threshold : int
        Usually the settings' ``checks.small_group_threshold``; at least 1.
    """
    if int(threshold) < 1:
        raise ValueError(f"the small-group threshold must be at least 1, not {threshold!r}")
    _state["threshold"] = int(threshold)


def small_group_threshold() -> int:
    """Return the current small-group threshold."""
    return int(_state["threshold"])


def is_small_group(people: int | None) -> bool:
    """Return whether a figure about ``people`` people must be suppressed.

    Parameters
    ----------
    people : int or None
        How many people (staff or respondents) the figure is about. ``None`` (unknown)
        counts as small: a figure is shown only when it is known to be safe.

    Returns
    -------
    bool
    """
    return _missing(people) or int(people) < small_group_threshold()


def suppression_note(people: int | None, what: str = "people") -> str:
    """Return the note printed in place of a suppressed figure.

    Parameters
    ----------
    people : int or None
        How many people the figure is about.
    what : str
        Who they are ("staff", "survey respondents").

    Returns
    -------
    str
    """
    return (f"Suppressed: this figure is about fewer than {small_group_threshold()} {what}, "
            "so showing it could identify someone.")


def suppress_small(headline: Headline, people: int | None, what: str = "people") -> Headline:
    """Return ``headline``, or a suppressed copy when it is about too few people.

    Parameters
    ----------
    headline : Headline
        The figure to check.
    people : int or None
        How many people the figure is about.
    what : str
        Who they are, for the note.

    Returns
    -------
    Headline
    """
    if not is_small_group(people):
        return headline
    return Headline(headline.label, None, headline.kind, basis="suppressed",
                    note=suppression_note(people, what))


def count_or_suppressed(people: int | None, what: str = "people") -> str:
    """Return a count of people, or the word "fewer than N" when it is small.

    Parameters
    ----------
    people : int or None
        How many people the figure is about; ``None`` when unknown.
    what : str
        Who they are ("staff", "survey respondents").

    Returns
    -------
    str
    """
    if is_small_group(people):
        return f"fewer than {small_group_threshold()} {what}"
    return f"{int(people):,} {what}"


# ---------------------------------------------------------------------------- output


def start_pack(slug: str | None = None, tables_dir: str | Path | None = None,
               threshold: int = SMALL_GROUP_THRESHOLD) -> None:
    """Say where this pack's tables go; called once at the top of every pack notebook.

    Parameters
    ----------
    slug : str or None
        The pack's slug; CSV files are named ``<slug>__<table>.csv``.
    tables_dir : path-like or None
        Folder for the CSV files; ``None`` writes none (a notebook run by hand).
    threshold : int
        Small-group threshold for suppression.
    """
    _state["slug"] = slug
    _state["tables_dir"] = Path(tables_dir) if tables_dir else None
    set_small_group_threshold(threshold)
    if _state["tables_dir"] is not None:
        _state["tables_dir"].mkdir(parents=True, exist_ok=True)


def table_slug(name: str) -> str:
    """Return a file-safe name for a table, such as ``top-suppliers``.

    Parameters
    ----------
    name : str
        The table's name.

    Returns
    -------
    str
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    if not slug:
        raise ValueError(f"a table name needs letters or digits, not {name!r}")
    return slug


def write_table_csv(frame: pd.DataFrame, name: str) -> Path | None:
    """Write ``frame`` as ``<slug>__<name>.csv`` in the pack's tables folder, if set.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (aggregates only).
    name : str
        The table's name; made file-safe with :func:`table_slug`.

    Returns
    -------
    pathlib.Path or None
        The file written, or ``None`` when no tables folder is set.
    """
    folder = _state["tables_dir"]
    if folder is None:
        return None
    stem = f"{_state['slug'] or 'pack'}__{table_slug(name)}"
    # Text that a spreadsheet could run as a formula is written with a quote in front.
    return write_csv(frame, folder / f"{stem}.csv")


def show_html(markup: str) -> None:
    """Show HTML made by this module's ``*_html`` functions (already escaped).

    Parameters
    ----------
    markup : str
        HTML whose text from inputs has been escaped.
    """
    _display_html(markup)


def _display_html(markup: str, metadata: dict | None = None) -> None:
    from IPython.display import HTML, display

    display(HTML(markup), metadata=metadata or {})


#: A table of this many rows or fewer is kept on one page (class ``short``), so that its
#: caption is never left alone at the foot of a page.
SHORT_TABLE_ROWS = 15

#: A table with this many columns or more is set smaller (class ``wide``) so that its
#: headers fit an A4 page without breaking inside words.
WIDE_TABLE_COLUMNS = 9


def frame_html(frame: pd.DataFrame, caption: str = "",
               formats: dict[str, str] | None = None, css_class: str = "") -> str:
    """Return a table as escaped HTML, formatting columns named in ``formats``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (aggregates only).
    caption : str
        Shown above the table (escaped).
    formats : dict, optional
        Column name to kind (``money``, ``share``, ``ratio``, ``number``, ``count``).
    css_class : str, optional
        A class of the pack stylesheet for this table's own layout (letters, digits and
        hyphens), such as ``"named-assumptions"``.

    Returns
    -------
    str
    """
    if css_class and not re.fullmatch(r"[a-z0-9-]+", css_class):
        raise ValueError(f"not a stylesheet class: {css_class!r}")
    shown = frame.copy().astype(object)
    for column in shown.columns:
        kind = (formats or {}).get(column)
        shown[column] = [format_value(v, kind) if kind and not _missing(v) else auto_number(v)
                         for v in shown[column]]
        shown[column] = [wrappable(neutralise_bidi(v)) if isinstance(v, str) else v
                         for v in shown[column]]
    shown.columns = [neutralise_bidi(str(c)) for c in shown.columns]
    classes = (["data-table"] + (["wide"] if len(shown.columns) >= WIDE_TABLE_COLUMNS else [])
               + (["short"] if len(shown) <= SHORT_TABLE_ROWS else [])
               + ([css_class] if css_class else []))
    markup = shown.to_html(index=False, escape=True, na_rep="", border=0, classes=classes)
    if caption:
        markup = markup.replace(">", f"><caption>{escape(caption)}</caption>", 1)
    return markup


def show_table(frame: pd.DataFrame, name: str, caption: str = "",
               formats: dict[str, str] | None = None, css_class: str = "") -> None:
    """Show a table in the pack and write it as CSV beside the pack.

    Parameters
    ----------
    frame : pandas.DataFrame
        Aggregates only: never rows about a person.
    name : str
        The table's name, used in the CSV file's name.
    caption : str
        Shown above the table.
    formats : dict, optional
        Column name to kind, for display only (the CSV keeps the raw numbers).
    css_class : str, optional
        A class of the pack stylesheet for this table's own layout (see :func:`frame_html`).
    """
    write_table_csv(frame, name)
    _display_html(frame_html(frame, caption, formats, css_class))


def yes_no(value: Any, missing: str = "not known") -> str:
    """Return a true or false answer as "yes" or "no", and a missing one as ``missing``.

    Parameters
    ----------
    value : object
        ``True``, ``False``, or ``None`` / NaN when the answer is not known.
    missing : str
        The words for a missing answer.

    Returns
    -------
    str
    """
    if _missing(value):
        return missing
    return "yes" if bool(value) else "no"


#: The sections of the methods reference that settings and notes cite as "METHODS §N".
METHODS_SECTIONS = {1: "LM3", 2: "spend analysis", 3: "social value and SROI",
                    4: "volunteering", 5: "financial resilience",
                    6: "economic resilience framing", 7: "input-output multipliers",
                    8: "options appraisal"}


def methods_in_words(text: str) -> str:
    """Return ``text`` with each "METHODS §N" said in words, for a reader of the course.

    Parameters
    ----------
    text : str
        Text that may cite the methods reference, such as "METHODS §1 (toolkit rule)".

    Returns
    -------
    str
        "the Methods chapter, section 1: LM3 (toolkit rule)" and so on; an unknown section
        keeps its number only.
    """
    def words(match: re.Match) -> str:
        number = int(match.group(1))
        topic = METHODS_SECTIONS.get(number)
        return f"the Methods chapter, section {number}" + (f": {topic}" if topic else "")

    return re.sub(r"METHODS §(\d+)", words, text)


def _plain_cell(value: Any, kind: str | None, missing: str) -> Any:
    if _missing(value):
        return missing
    if kind == "yes_no":
        return yes_no(value, missing)
    return format_value(value, kind) if kind else auto_number(value)


def plain_table_html(frame: pd.DataFrame, columns: dict[str, str],
                     formats: dict[str, str] | None = None, caption: str = "",
                     missing: str = "not known") -> str:
    """Return chosen columns of a table under plain-word headings, each value formatted.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, as the toolkit gives it.
    columns : dict
        Column name to its heading for the reader, in the order shown; columns not named
        are left out.
    formats : dict, optional
        Column name (the toolkit's) to kind: those of :func:`format_value`, or ``yes_no``.
    caption : str
        Shown above the table (escaped).
    missing : str
        The words shown for a missing value (never ``None`` or ``NaN``).

    Returns
    -------
    str
    """
    kinds = formats or {}
    shown = pd.DataFrame({heading: [_plain_cell(v, kinds.get(name), missing)
                                    for v in frame[name]]
                          for name, heading in columns.items()})
    return frame_html(shown, caption)


def show_plain_table(frame: pd.DataFrame, columns: dict[str, str],
                     formats: dict[str, str] | None = None, caption: str = "",
                     missing: str = "not known") -> None:
    """Show chosen columns of a table under plain-word headings (see :func:`plain_table_html`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, as the toolkit gives it.
    columns : dict
        Column name to its heading for the reader, in the order shown.
    formats : dict, optional
        Column name to kind (``money``, ``share``, ``ratio``, ``number``, ``yes_no``...).
    caption : str
        Shown above the table.
    missing : str
        The words shown for a missing value.
    """
    _display_html(plain_table_html(frame, columns, formats, caption, missing))


def show_headlines(headlines: Sequence[Headline], name: str = "headlines") -> None:
    """Show the headline table and write it as CSV.

    Parameters
    ----------
    headlines : sequence of Headline
        The headline figures, in the order shown.
    name : str
        The CSV table's name.
    """
    write_table_csv(headlines_frame(headlines), name)
    _display_html(headlines_html(headlines))


def show_summary(headlines: Sequence[Headline], intro: str = "") -> None:
    """Show the summary as sentences, each figure with its range and basis.

    Parameters
    ----------
    headlines : sequence of Headline
        The headline figures, in the order shown.
    intro : str
        A plain-text paragraph before the figures.
    """
    _display_html(summary_html(headlines, intro))


def show_text(text: str, css_class: str = "") -> None:
    """Show a paragraph of plain text (escaped), such as a name or a message.

    Parameters
    ----------
    text : str
        The text.
    css_class : str
        ``note``, ``warning`` or empty.
    """
    cls = f" class='{escape(css_class)}'" if css_class else ""
    _display_html(f"<p{cls}>{escape(text)}</p>")


def show_list(items: Iterable[str], css_class: str = "") -> None:
    """Show plain-text items as a bulleted list (each escaped, repeats left out; none: nothing).

    Parameters
    ----------
    items : iterable of str
        The items, as plain text.
    css_class : str
        A CSS class such as ``note`` or ``warning``, or empty.
    """
    cls = f" class='{escape(css_class)}'" if css_class else ""
    unique = list(dict.fromkeys(str(item) for item in items if item))
    if unique:
        _display_html(f"<ul{cls}>{''.join(f'<li>{escape(i)}</li>' for i in unique)}</ul>")


def show_title(title: str, subtitle: str = "", fictional: bool = False,
               kind: str = "organisation") -> None:
    """Show the pack's title and tell the runner its title and whether it is fictional.

    Parameters
    ----------
    title : str
        Usually an organisation's or an authority's name (escaped).
    subtitle : str
        Such as "Evidence pack, 2024-25".
    fictional : bool
        Whether the pack is made from fictional sample data; the runner then puts a
        banner on every page.
    kind : str
        The kind of pack, for the runner's index.
    """
    banner = (f"<p class='fictional-inline'>{escape(FICTIONAL_TEXT)}</p>" if fictional else "")
    sub = f"<p class='subtitle'>{escape(subtitle)}</p>" if subtitle else ""
    meta = {PACK_METADATA_KEY: {"title": str(title), "subtitle": str(subtitle),
                                "fictional": bool(fictional), "kind": kind}}
    _display_html(f"<h1 class='pack-title'>{escape(title)}</h1>{sub}{banner}", meta)


#: Words of the banner on every page of a pack made from fictional sample data.
FICTIONAL_TEXT = ("Fictional sample data, made up for training: the organisations and figures "
                  "are not real.")


def chart_png(figure: Any, dpi: int = 110) -> bytes:
    """Return a matplotlib figure as PNG bytes.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A matplotlib figure.
    dpi : int
        Dots per inch.

    Returns
    -------
    bytes
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def chart_html(figure: Any, alt: str, caption: str = "") -> str:
    """Return a chart as an ``<img>`` with alt text (and a caption), embedded as PNG.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A matplotlib figure.
    alt : str
        What the chart shows, for readers who cannot see it. Required.
    caption : str
        Shown under the chart (escaped).

    Returns
    -------
    str
    """
    if not str(alt).strip():
        raise ValueError("every chart needs alt text saying what it shows")
    data = base64.b64encode(chart_png(figure)).decode("ascii")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (f"<figure class='chart'><img src='data:image/png;base64,{data}' "
            f"alt='{escape(alt)}'/>{cap}</figure>")


def show_chart(figure: Any, alt: str | None = None, caption: str = "") -> None:
    """Show a chart with alt text, then close it so it is not shown twice.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A matplotlib figure.
    alt : str, optional
        Alt text; by default the figure's ``alt_text`` attribute, if the chart
        function set one.
    caption : str
        Shown under the chart (escaped).
    """
    import matplotlib.pyplot as plt

    alt = alt or getattr(figure, "alt_text", None) or ""
    markup = chart_html(figure, alt, caption)
    plt.close(figure)
    _display_html(markup)


def finite(value: Any) -> bool:
    """Return whether ``value`` is a finite number (not None, NaN or infinite).

    Parameters
    ----------
    value : object
        The value to show or convert.

    Returns
    -------
    bool
    """
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def assumptions_html(frame: pd.DataFrame) -> str:
    """Return the assumptions table: each setting's meaning, value and source, compactly.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :meth:`toolkit.inputs.settings.Settings.assumptions` (``setting``, ``value``,
        ``meaning``, ``source``, ``checked``, ``changed``).

    Returns
    -------
    str
    """
    rows = []
    for rec in frame.to_dict("records"):
        changed = " <span class='changed'>(changed from the default)</span>" \
            if rec.get("changed") else ""
        source = escape(rec.get("source"))
        css = "" if rec.get("checked", True) else " class='basis-unchecked'"
        rows.append(f"<tr><td>{escape(rec.get('meaning'))}<br><code>{escape(rec.get('setting'))}"
                    f"</code></td><td>{escape(rec.get('value'))}{changed}</td>"
                    f"<td{css}>{source}</td></tr>")
    return ("<table class='assumptions'><caption>Assumptions</caption><colgroup>"
            "<col style='width:48%'><col style='width:22%'><col style='width:30%'></colgroup>"
            "<thead><tr><th>Assumption</th><th>Value</th><th>Source</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def show_assumptions(frame: pd.DataFrame) -> None:
    """Show the assumptions table and write it as CSV (``<slug>__assumptions.csv``).

    Parameters
    ----------
    frame : pandas.DataFrame
        From :meth:`toolkit.inputs.settings.Settings.assumptions`.
    """
    write_table_csv(frame, "assumptions")
    _display_html(assumptions_html(frame))


def end_summary() -> None:
    """End the one-page summary: in print, what follows starts on a new page."""
    _display_html("<div class='summary-end'></div>")


# ---------------------------------------------------------------------------- first page


@dataclass(frozen=True)
class Comparison:
    """A figure that makes a headline meaningful, with where it comes from.

    Parameters
    ----------
    label : str
        What is compared ("The same £1 with a typical non-local provider").
    figure : Headline
        The figure, with its range and basis.
    source : str
        Where it comes from (a setting's name and source, or a workbook).
    """

    label: str
    figure: Headline
    source: str


@dataclass(frozen=True)
class FirstPage:
    """What a pack's first page shows, every figure from the toolkit's own functions.

    Parameters
    ----------
    figures : sequence of Headline
        Three to five key figures, shown in large type with range and basis.
    chart : matplotlib.figure.Figure or None
        The one chart that tells the story (with ``alt_text``).
    meaning : str
        One sentence of what the figures mean.
    not_claimed : str
        One sentence of what they do not claim.
    boundary : str
        The boundary "local" was measured against.
    comparisons : sequence of Comparison
        Labelled comparisons, each with its source.
    """

    figures: Sequence[Headline]
    chart: Any
    meaning: str
    not_claimed: str
    boundary: str
    comparisons: Sequence[Comparison] = ()


def key_figure_html(headline: Headline) -> str:
    """Return one key figure as a list item: value in large type, label, range, basis.

    Parameters
    ----------
    headline : Headline

    Returns
    -------
    str
    """
    css = "basis-" + re.sub(r"[^a-z]+", "-", headline.basis)
    spread = (f"<span class='key-range'>{escape(headline.range_label)} "
              f"{escape(headline.range_text)}</span>" if headline.range_text
              else "<span class='key-range'>no range</span>")
    return (f"<li class='key-figure'><span class='key-value'>{escape(headline.value_text)}"
            f"</span> <span class='key-label'>{escape(headline.label)}</span> {spread} "
            f"<span class='key-basis {css}'>{escape(headline.basis_text)}</span></li>")


def _with_range(headline: Headline) -> str:
    spread = headline.range_text
    return (f"{headline.value_text} ({headline.range_label} {spread})" if spread
            else headline.value_text)


def comparisons_html(comparisons: Sequence[Comparison]) -> str:
    """Return the comparisons as a table: what, the figure with its range and basis, source.

    Parameters
    ----------
    comparisons : sequence of Comparison

    Returns
    -------
    str
        Empty when there are none.
    """
    if not comparisons:
        return ""
    rows = "".join(
        f"<tr><th scope='row'>{escape(c.label)}</th><td class='num'>"
        f"{escape(_with_range(c.figure))}</td><td>{escape(c.figure.basis_text)}</td>"
        f"<td>{escape(c.source)}</td></tr>" for c in comparisons)
    head = "".join(f"<th scope='col'>{t}</th>" for t in
                   ("Compared with", "Figure", "Evidenced or assumed", "Source"))
    return (f"<table class='comparisons'><caption>What the figure compares with</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def first_page_html(page: FirstPage) -> str:
    """Return a pack's first page: key figures, chart, meaning, boundary, comparisons.

    The page ends with a page break; the contents list (made by the renderer) starts the
    next page.

    Parameters
    ----------
    page : FirstPage

    Returns
    -------
    str
    """
    if page.chart is not None:
        alt = getattr(page.chart, "alt_text", None) or ""
        chart = chart_html(page.chart, alt)
    else:
        chart = ""
    figures = "".join(key_figure_html(h) for h in page.figures)
    return (
        "<section class='first-page' aria-labelledby='at-a-glance'>"
        "<h2 id='at-a-glance'>At a glance</h2>"
        f"<p class='boundary'><strong>Local means:</strong> {escape(page.boundary)}</p>"
        f"<ul class='key-figures'>{figures}</ul>{chart}"
        f"<p class='means'><strong>What it means:</strong> {escape(page.meaning)}</p>"
        f"<p class='not-claimed'><strong>What it does not claim:</strong> "
        f"{escape(page.not_claimed)}</p>{comparisons_html(page.comparisons)}</section>"
        "<div class='summary-end'></div><div class='contents-here'></div>")


def show_first_page(page: FirstPage) -> None:
    """Show a pack's first page, then close its chart.

    Parameters
    ----------
    page : FirstPage
    """
    markup = first_page_html(page)
    if page.chart is not None:
        import matplotlib.pyplot as plt

        plt.close(page.chart)
    _display_html(markup)
