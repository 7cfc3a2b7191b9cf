"""Proxy values for social outcomes, and uprating them to the analysis year.

The toolkit ships a small library of proxy values (``toolkit/data/proxy_values.csv``)
holding only values whose source, price year and licence allow it; every row says where
it comes from, its unit, its price year, its licence and whether it was checked against
the original. The National TOMs and the HACT Social Value Bank are licensed CC BY-NC-ND
and are not shipped. Users add their own values in a CSV file of their own
(setting ``social_value.proxy_values_file``); workbook outcomes refer to either by id.

Values are uprated from their price year to the analysis year with a price index that
the user can see and change (setting ``social_value.price_index``). The index shipped
with the toolkit is illustrative, and is labelled so wherever it is used.

References
----------
METHODS §3 (Social value and SROI): proxy values, licences, prices.
HM Treasury (2021), *Wellbeing Guidance for Appraisal* (the WELLBY value, seen in
secondary summaries only).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toolkit.inputs.errors import InputError, Report
from toolkit.resources import data_file

LIBRARY_FILE = data_file("proxy_values.csv")
ILLUSTRATIVE_INDEX_FILE = data_file("price_index_illustrative.csv")

#: Columns of a proxy value file; those in ``REQUIRED_PROXY_COLUMNS`` must be filled.
PROXY_COLUMNS = ("id", "name", "unit", "value", "low", "high", "price_year", "wellbeing",
                 "source", "licence", "checked", "notes")
REQUIRED_PROXY_COLUMNS = ("id", "unit", "value", "price_year", "source")
#: Licence terms that forbid shipping a value with the toolkit (METHODS §3), compared as
#: upper-case words, or with spaces and hyphens removed.
FORBIDDEN_LICENCE_WORDS = ("NC", "ND")
FORBIDDEN_LICENCE_PHRASES = ("NONCOMMERCIAL", "NODERIVATIVES", "NODERIVS")
ILLUSTRATIVE_LABEL = ("ILLUSTRATIVE price index (made up for teaching, not an official "
                      "statistic): replace it before using the figures for real")
WELLBY_ID = "wellby"


@dataclass(frozen=True)
class PriceIndex:
    """A price index by calendar year, and whether it is the illustrative one.

    Parameters
    ----------
    values : dict of int to float
        Index level by year.
    file : str
        Where it was read from.
    illustrative : bool
        Whether the index is illustrative (made up), which every output must say.
    """

    values: dict[int, float]
    file: str
    illustrative: bool

    @property
    def label(self) -> str:
        """One line naming the index, saying so when it is illustrative."""
        if self.illustrative:
            return f"{ILLUSTRATIVE_LABEL} ({Path(self.file).name})"
        return f"price index from {self.file}"

    def factor(self, from_year: int, to_year: int) -> float:
        """Return the uprating factor from one year's prices to another's.

        Parameters
        ----------
        from_year, to_year : int
            Price year of the value, and the year it is uprated to.

        Returns
        -------
        float
            ``index[to_year] / index[from_year]``.

        Raises
        ------
        InputError
            When the index has no level for either year.
        """
        for year in (from_year, to_year):
            if year not in self.values:
                span = f"{min(self.values)} to {max(self.values)}" if self.values else "none"
                raise InputError(
                    f"{self.file}: the price index has no figure for {year} (it covers "
                    f"{span}). Add that year to the index, or use a value priced in a year "
                    "it covers.")
        return self.values[to_year] / self.values[from_year]


def read_price_index(path: str | Path | None = None) -> PriceIndex:
    """Read a price index CSV with columns ``year`` and ``index`` (lines starting # are notes).

    Parameters
    ----------
    path : path-like, optional
        The user's index; ``None`` reads the illustrative index shipped with the toolkit.

    Returns
    -------
    PriceIndex

    Raises
    ------
    InputError
        When the file lacks the columns, a year repeats, or a level is not a positive number.
    """
    file = Path(path) if path is not None else ILLUSTRATIVE_INDEX_FILE
    table = _read_csv(file)
    missing = {"year", "index"} - set(table.columns)
    if missing:
        raise InputError(f"{file}: the price index needs the columns year and index; "
                         f"missing {', '.join(sorted(missing))}.")
    values: dict[int, float] = {}
    for i, rec in table.iterrows():
        line = _line_number(file, i)
        try:
            year, level = int(float(rec["year"])), float(rec["index"])
        except (TypeError, ValueError):
            raise InputError(f"{file}, line {line}: year and index must be numbers; found "
                             f"{rec['year']!r}, {rec['index']!r}.") from None
        if not level > 0:
            raise InputError(f"{file}, line {line}: the index must be above zero; found {level}.")
        if year in values:
            raise InputError(f"{file}, line {line}: the year {year} appears twice.")
        values[year] = level
    if not values:
        raise InputError(f"{file}: the price index has no rows.")
    illustrative = path is None or (
        "status" in table.columns
        and table["status"].astype(str).str.contains("illustrative", case=False).any())
    return PriceIndex(values, str(file), bool(illustrative))


def read_proxy_file(path: str | Path, shipped: bool = False) -> pd.DataFrame:
    """Read and check a file of proxy values.

    Parameters
    ----------
    path : path-like
        A CSV with the columns of :data:`PROXY_COLUMNS` (``low``, ``high``, ``name``,
        ``wellbeing``, ``licence``, ``checked`` and ``notes`` may be left blank in a user's
        own file). Lines starting with ``#`` are notes.
    shipped : bool
        Whether this is the toolkit's own library: then every row must name its licence,
        and no licence may forbid commercial use or derivatives (METHODS §3).

    Returns
    -------
    pandas.DataFrame
        One row per value, indexed by ``id``, with an ``origin`` column (the file).

    Raises
    ------
    InputError
        Listing every problem found (file, line, column).
    """
    file = Path(path)
    table = _read_csv(file)
    report = Report()
    missing = [c for c in REQUIRED_PROXY_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"{file}: a proxy value file needs the columns "
                         f"{', '.join(REQUIRED_PROXY_COLUMNS)}; missing {', '.join(missing)}.")
    for col in PROXY_COLUMNS:
        if col not in table.columns:
            table[col] = None
    table = table[list(PROXY_COLUMNS)].copy()
    required = list(REQUIRED_PROXY_COLUMNS) + (["licence", "checked"] if shipped else [])
    seen: set[str] = set()
    for i, rec in table.iterrows():
        where = {"file": str(file), "row": _line_number(file, i)}
        for col in required:
            if _blank(rec[col]):
                report.error("This column must be filled in.", column=col, **where)
        _check_numbers(rec, report, where)
        ident = str(rec["id"]).strip()
        if ident in seen:
            report.error("This id appears more than once.", column="id", value=ident, **where)
        seen.add(ident)
        licence = "" if _blank(rec["licence"]) else str(rec["licence"])
        if shipped and licence_forbids_shipping(licence):
            report.error("This licence does not allow the toolkit to ship the value.",
                         column="licence", value=licence, **where)
    report.raise_if_errors(f"The proxy value file {file}")
    table["id"] = table["id"].astype(str).str.strip()
    for col in ("value", "low", "high", "price_year"):
        table[col] = pd.to_numeric(table[col])
    table["price_year"] = table["price_year"].astype(int)
    table["wellbeing"] = table["wellbeing"].map(_yes)
    table["licence"] = table["licence"].where(~table["licence"].map(_blank), "(not given)")
    table["checked"] = table["checked"].where(~table["checked"].map(_blank),
                                              "not stated (user's own value)")
    table["origin"] = "toolkit library" if shipped else str(file)
    return table.set_index("id", drop=False)


def proxy_library(user_file: str | Path | None = None, wellby: dict | None = None,
                  wellby_price_year: int | None = None) -> pd.DataFrame:
    """Return the shipped proxy values with the user's own added.

    Parameters
    ----------
    user_file : path-like, optional
        The user's own proxy value file (setting ``social_value.proxy_values_file``).
    wellby : dict, optional
        ``{"value", "low", "high"}`` of one WELLBY (setting ``social_value.wellby``); when
        given it replaces the ``wellby`` row's figures, since the user sets that value.
    wellby_price_year : int, optional
        Price year of ``wellby`` (setting ``social_value.wellby_price_year``).

    Returns
    -------
    pandas.DataFrame
        Indexed by id; see :func:`read_proxy_file`.

    Raises
    ------
    InputError
        When the user's file repeats an id of the shipped library.
    """
    library = read_proxy_file(LIBRARY_FILE, shipped=True)
    if wellby is not None and WELLBY_ID in library.index:
        for part in ("value", "low", "high"):
            library.loc[WELLBY_ID, part] = float(wellby[part])
        if wellby_price_year is not None:
            library.loc[WELLBY_ID, "price_year"] = int(wellby_price_year)
        library.loc[WELLBY_ID, "origin"] = "toolkit library; figures from settings"
    if user_file is None:
        return library
    own = read_proxy_file(user_file)
    clash = sorted(set(own.index) & set(library.index))
    if clash:
        raise InputError(f"{user_file}: the id(s) {', '.join(clash)} are already in the "
                         "toolkit's library. Give your own values ids of their own.")
    return pd.concat([library, own])


def proxy_library_from_settings(settings) -> pd.DataFrame:
    """Return :func:`proxy_library` for the settings' user file and WELLBY value.

    Parameters
    ----------
    settings : toolkit.inputs.settings.Settings
        Merged settings (keys ``social_value.proxy_values_file``, ``social_value.wellby``,
        ``social_value.wellby_price_year``).

    Returns
    -------
    pandas.DataFrame
    """
    user_file = settings_path(settings, "social_value.proxy_values_file")
    return proxy_library(user_file, settings.value("social_value.wellby"),
                         int(settings.value("social_value.wellby_price_year")))


def price_index_from_settings(settings) -> PriceIndex:
    """Return the price index the settings name, or the illustrative one when blank.

    Parameters
    ----------
    settings : toolkit.inputs.settings.Settings
        Merged settings (key ``social_value.price_index``).
    """
    return read_price_index(settings_path(settings, "social_value.price_index"))


def settings_path(settings, key: str) -> Path | None:
    """Return a file named in the settings, relative to the settings file that named it.

    Parameters
    ----------
    settings : toolkit.inputs.settings.Settings
        Merged settings; their ``files`` say where relative paths start.
    key : str
        Dotted setting path, such as ``"social_value.price_index"``.

    Returns
    -------
    pathlib.Path or None
        ``None`` when the setting is blank. A relative path is looked for next to the
        last settings file first, then in the working directory.
    """
    value = settings.value(key)
    if value in (None, ""):
        return None
    path = Path(str(value)).expanduser()
    if not path.is_absolute():
        for file in reversed(getattr(settings, "files", []) or []):
            candidate = Path(file).parent / path
            if candidate.exists():
                return candidate
    if not path.exists():
        raise InputError(f"Setting {key}: the file {value} does not exist.")
    return path


def find_proxy(library: pd.DataFrame, proxy_id: str) -> pd.Series:
    """Return one proxy value by id.

    Raises
    ------
    InputError
        When the id is in neither library, suggesting near matches.
    """
    key = str(proxy_id).strip()
    if key in library.index:
        return library.loc[key]
    raise InputError(unknown_proxy_message(library, key))


def unknown_proxy_message(library: pd.DataFrame, proxy_id: str) -> str:
    """Return the message for a proxy id that is in no library, with near matches."""
    near = difflib.get_close_matches(proxy_id, list(library.index), n=3)
    hint = f" Did you mean {', '.join(near)}?" if near else ""
    return (f"No proxy value has the id {proxy_id!r} (known ids: "
            f"{', '.join(library.index) or 'none'}).{hint} Add it to your own proxy value "
            "file (setting social_value.proxy_values_file), or give your own value and price "
            "year in the outcome's row.")


def licence_forbids_shipping(licence: str) -> bool:
    """Return whether a licence forbids commercial use or derivatives (so no shipping).

    Parameters
    ----------
    licence : str
        Such as ``"Open Government Licence v3.0"`` or ``"CC BY-NC-ND 4.0"``.

    References
    ----------
    METHODS §3: the National TOMs and HACT values are CC BY-NC-ND and must not be shipped.
    """
    upper = licence.upper()
    words = set(re.split(r"[^A-Z]+", upper))
    squashed = re.sub(r"[^A-Z]", "", upper)
    return bool(words & set(FORBIDDEN_LICENCE_WORDS)) or any(
        phrase in squashed for phrase in FORBIDDEN_LICENCE_PHRASES)


def _read_csv(file: Path) -> pd.DataFrame:
    if not file.exists():
        raise InputError(f"{file}: the file does not exist.")
    try:
        table = pd.read_csv(file, comment="#", dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: the file cannot be read as CSV ({exc}).") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


def _line_number(file: Path, position: int) -> int:
    """Return the file line of the data row at ``position`` (after notes and the header)."""
    lines = file.read_text(encoding="utf-8").splitlines()
    data_lines = [n for n, text in enumerate(lines, start=1)
                  if text.strip() and not text.lstrip().startswith("#")]
    return data_lines[position + 1] if position + 1 < len(data_lines) else position + 2


def _check_numbers(rec: pd.Series, report: Report, where: dict) -> None:
    for col in ("value", "low", "high", "price_year"):
        if _blank(rec[col]):
            continue
        try:
            number = float(rec[col])
        except ValueError:
            report.error("Must be a number.", column=col, value=str(rec[col]), **where)
            continue
        if number < 0:
            report.error("Must not be negative.", column=col, value=str(rec[col]), **where)
    try:
        low = float(rec["low"]) if not _blank(rec["low"]) else None
        high = float(rec["high"]) if not _blank(rec["high"]) else None
        value = float(rec["value"])
    except ValueError:
        return
    if (low is not None and low > value) or (high is not None and high < value):
        report.error("Low, value and high must be in that order.", column="low/high", **where)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(
        value).strip() == ""


def _yes(value) -> bool:
    return not _blank(value) and str(value).strip().lower() in {"yes", "y", "true", "1"}
