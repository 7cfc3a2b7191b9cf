"""Payroll summaries and survey replies, read into the Staff and survey tables.

Personal data: a payroll export often names people. Names are read only to know which
column to leave alone: they are never written to the workbook (role only), and a full
home postcode is cut to its district (the part before the space), with a notice
(DESIGN.md, "Personal data").

Survey replies come from form tools as free text ("About 60%", "70", "most of it - maybe
90%", "not sure"). :func:`parse_share_answer` reads an answer only when one reading is
plain; every other answer is returned unread with the reason, listed for the user to
settle, and never written to the workbook as a guess.

References
----------
METHODS.md §1 (LM3 round 3: staff and supplier surveys, replies weighted by pay band
midpoints). DESIGN.md, "Inputs" (personal data).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from toolkit.imports.formats import (
    FileSummary,
    ImportResult,
    Unsettled,
    describe_top_rows,
    find_header,
    fold_header,
    mapped_header,
    parse_money,
    read_rows,
)
from toolkit.inputs import cells, geography
from toolkit.inputs.errors import InputError
from toolkit.inputs.schema import PAY_BANDS

#: Column roles of a payroll file, for ``--map``.
PAYROLL_ROLES = ("role", "name", "fte", "hours", "pay", "hourly_rate", "postcode",
                 "living_wage")

PAYROLL_ALIASES: dict[str, tuple[str, ...]] = {
    "role": ("Role", "Job title", "Job Title", "Position", "Post", "Job"),
    "name": ("Name", "Employee", "Employee name", "Full name", "Surname", "Last name",
             "First name", "Forename"),
    "fte": ("FTE", "Full-time equivalent", "FTE (full time = 1)"),
    "hours": ("Hours per week", "Weekly hours", "Contracted hours", "Hours a week", "Hours"),
    "pay": ("Annual salary", "Salary", "Gross pay", "Annual pay", "Pay", "Gross salary",
            "Pay (£)", "Salary (£)", "Gross pay (£)"),
    "hourly_rate": ("Hourly rate", "Rate per hour", "Hourly pay", "Rate"),
    "postcode": ("Home postcode", "Postcode", "Post code", "Home post code",
                 "Home postcode district"),
    "living_wage": ("Living wage", "Paid real Living Wage", "Real Living Wage"),
}

SURVEY_ROLES = ("pay_band", "local_share", "supplier", "lives_locally", "home_district",
                "spending_local", "wages_local", "staff_cost_share")

#: The workbook columns each survey's import writes, in sheet order (METHODS §1).
SURVEY_COLUMNS = {
    "staff_survey": ("pay_band", "local_share", "lives_locally", "home_district"),
    "supplier_survey": ("supplier", "spending_local", "wages_local", "staff_cost_share",
                        "local_share"),
}

#: Shares a supplier reply may give: nef's two answers and its cost split, or one combined.
_SUPPLIER_SHARES = ("spending_local", "wages_local", "staff_cost_share", "local_share")

_WEEKS_NOTE = "weeks of pay a year"
_HOURS_NOTE = "hours a week of a full-time post"


# ----------------------------------------------------------------------------- payroll


_HOURLY_RE = re.compile(r"/\s*h(ou)?r|per hour|an hour|hourly|p/h|\bph\b|\bhrs?\b")


def _is_hourly(text: str) -> bool:
    return _HOURLY_RE.search(text.casefold()) is not None


def _money_in(text: str) -> float | None:
    """Return the first amount of money in text such as '£12.60 per hour' (ValueError if none)."""
    match = re.search(r"[-(]?£?\s*\d[\d,]*(\.\d+)?\)?", text)
    if not match:
        raise ValueError(f"'{text}' holds no amount of money")
    return parse_money(match.group(0))


def read_payroll(path: str | Path, result: ImportResult, mapping: dict[str, str] | None = None,
                 full_time_hours: float = 37.5, weeks_per_year: float = 52.0) -> pd.DataFrame:
    """Read a payroll summary into Staff rows: role, FTE, gross pay, home district.

    Pay may be a year's pay ("£24,100") or an hourly rate (a column of hourly rates, or
    "£12.60 per hour" in the pay column); an hourly rate is turned into a year's pay as
    rate x hours a week x ``weeks_per_year``. FTE is taken as given, or worked out as hours
    a week / ``full_time_hours``. Both figures are assumptions, listed in the summary.

    Parameters
    ----------
    path : path-like
        The payroll export (CSV or Excel).
    result : ImportResult
        Collects the summary, problems and lines the user must settle.
    mapping : dict of str to str, optional
        Role to header text (roles: :data:`PAYROLL_ROLES`).
    full_time_hours : float
        Hours a week of a full-time post (assumed; default 37.5).
    weeks_per_year : float
        Paid weeks a year, to turn an hourly rate into a year's pay (assumed; default 52).

    Returns
    -------
    DataFrame
        The schema's Staff keys: ``role``, ``fte``, ``gross_pay``, ``home_district``,
        ``living_wage``. Names are never included. A line whose pay is missing or cannot be
        worked out is not returned: it is reported as an error naming its row.
    """
    if not (full_time_hours > 0 and weeks_per_year > 0):
        raise InputError("--full-time-hours and --weeks-per-year must be more than 0.")
    path = Path(path)
    rows = read_rows(path)
    if mapping:
        header = mapped_header(rows, mapping, PAYROLL_ROLES, path.name, "payroll")
    else:
        header = find_header(rows, PAYROLL_ALIASES, (("role",), ("pay", "hourly_rate")))
    if header is None:
        raise InputError(f"{path.name}: no header row with a role (job title) column and a "
                         f"pay column was found. The file starts:\n{describe_top_rows(rows)}"
                         '\nName its columns with --map "payroll: role=Job,pay=Salary,'
                         'hours=Hours,postcode=Home postcode".')
    summary = FileSummary(path.name, "payroll", "payroll", "payroll summary", header.row)
    result.files.append(summary)
    if "name" in header.columns:
        result.report.notice(f"The column '{header.names['name']}' holds names: it was not "
                             "read into the workbook (roles only).", file=path.name)
    records, cut = [], 0
    for index in range(header.row, len(rows)):
        cells = rows[index]
        if not any(cells) or fold_header(next(c for c in cells if c)).startswith("total"):
            continue
        summary.lines += 1
        record, was_cut = _staff_record(cells, header, index + 1, path.name, result,
                                        full_time_hours, weeks_per_year)
        cut += was_cut
        if record is None:
            summary.left_out += 1
            continue
        records.append(record)
        summary.used += 1
    if cut:
        result.report.notice(f"{cut} full home postcode(s) were cut to their district (the "
                             "part before the space), so no one's address is kept.",
                             file=path.name, column=header.names.get("postcode"))
    frame = pd.DataFrame(records, columns=["role", "fte", "gross_pay", "home_district",
                                           "living_wage"])
    summary.included_total = round(float(frame["gross_pay"].sum()), 2) if len(frame) else 0.0
    return frame


def _staff_record(cells, header, row, file, result, full_time_hours, weeks_per_year):
    get = header.get
    role = get(cells, "role") or "(role not given)"
    if not get(cells, "role"):
        result.report.warning("No role on this line; it is written as '(role not given)'.",
                              file=file, row=row, column=header.names.get("role"))
    district, cut = _home_district(get(cells, "postcode"), row, file, header, result)
    try:
        hours = _number(get(cells, "hours"))
        fte = _number(get(cells, "fte"))
    except ValueError as exc:
        return _payroll_error(result, file, row, f"FTE or hours could not be read ({exc})",
                              None), cut
    if fte is None and hours is not None:
        fte = round(hours / full_time_hours, 4)
        _note_assumption(result, f"{_HOURS_NOTE}: {full_time_hours:g} (assumed; change "
                         "with --full-time-hours)")
    pay, problem = _annual_pay(cells, header, hours, fte, full_time_hours, weeks_per_year,
                               result, {"file": file, "row": row,
                                        "column": header.names.get("pay")})
    if problem:
        return _payroll_error(result, file, row, problem, header.names.get("pay")), cut
    if fte is None:
        return _payroll_error(result, file, row, "no FTE or hours a week on this line",
                              header.names.get("fte")), cut
    if fte > 1.5:
        result.report.warning(f"FTE {fte:g} is more than 1.5 (the Staff sheet's limit): "
                              "check the hours or FTE.", file=file, row=row,
                              column=header.names.get("fte") or header.names.get("hours"))
    living = get(cells, "living_wage").strip().casefold()
    living_wage = {"yes": True, "y": True, "no": False, "n": False}.get(living)
    return {"role": role, "fte": fte, "gross_pay": round(pay, 2),
            "home_district": district, "living_wage": living_wage}, cut


def _payroll_error(result, file, row, message, column):
    result.report.error(f"Payroll line not imported: {message}. Add it to the export (or "
                        "to the Staff sheet) and import again.", file=file, row=row,
                        column=column)
    result.unsettled.append(Unsettled(file, row, column or "pay", "", message))
    return None


def _note_assumption(result: ImportResult, text: str) -> None:
    if text not in result.notes:
        result.notes.append(text)


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    return float(text.replace(",", ""))


def _annual_pay(cells, header, hours, fte, full_time_hours, weeks_per_year, result,
                where=None):
    """Return (a year's gross pay, problem text or "").

    A stated year's gross pay always wins over one worked out from an hourly rate (rate x
    hours a week x weeks a year); when both are on a line and they differ, a warning names
    both figures (METHODS §1: staff pay is taken from the payroll as paid).
    """
    pay_text = header.get(cells, "pay")
    rate_text = header.get(cells, "hourly_rate")
    stated = pay_text and not _is_hourly(pay_text)
    try:
        if stated:
            annual = parse_money(pay_text)
            if rate_text:
                _compare_with_rate(annual, _money_in(rate_text), hours, fte, full_time_hours,
                                   weeks_per_year, result, where or {})
            return annual, ""
        hourly = _money_in(rate_text or pay_text) if (rate_text or pay_text) else None
    except ValueError as exc:
        return None, f"the pay could not be read ({exc})"
    if hourly is None:
        return None, "no pay on this line"
    return _pay_from_rate(hourly, hours, fte, full_time_hours, weeks_per_year, result)


def _pay_from_rate(hourly, hours, fte, full_time_hours, weeks_per_year, result):
    """Return (rate x hours a week x weeks a year, problem text or "")."""
    if hours is None and fte is not None:
        hours = fte * full_time_hours
        _note_assumption(result, f"{_HOURS_NOTE}: {full_time_hours:g} (assumed; change "
                         "with --full-time-hours)")
    if hours is None:
        return None, (f"an hourly rate (£{hourly:,.2f}) with no hours a week or FTE, so a "
                      "year's pay cannot be worked out")
    _note_assumption(result, f"{_WEEKS_NOTE}: {weeks_per_year:g} (assumed; change with "
                     "--weeks-per-year)")
    return hourly * hours * weeks_per_year, ""


def _compare_with_rate(annual, hourly, hours, fte, full_time_hours, weeks_per_year, result,
                       where):
    """Warn when a stated year's pay and one worked out from the hourly rate differ."""
    if hours is None and fte is None:
        return
    if hours is None:
        hours = fte * full_time_hours
    worked = round(hourly * hours * weeks_per_year, 2)
    if abs(worked - annual) >= 0.005:
        result.report.warning(
            f"The stated gross pay (£{annual:,.2f}) was used; the hourly rate gives "
            f"£{worked:,.2f} (£{hourly:,.2f} x {hours:g} hours x {weeks_per_year:g} weeks), "
            f"£{worked - annual:+,.2f} different.", **where)


def _home_district(text, row, file, header, result) -> tuple[str | None, int]:
    if not text.strip():
        return None, 0
    postcode = geography.normalise_postcode(text, partial=True)
    if postcode is None or postcode.district is None:
        result.report.warning("This home postcode is not a UK postcode or district; it is "
                              "left blank.", file=file, row=row,
                              column=header.names.get("postcode"), value=text)
        return None, 0
    return postcode.district, int(postcode.kind in {"full", "sector"})


# ------------------------------------------------------------------- survey answers

_NOT_A_FIGURE = ("not sure", "unsure", "don't know", "dont know", "do not know", "dunno",
                 "no idea", "n/a", "na", "prefer not", "can't say", "cant say", "unknown",
                 "?", "varies", "it depends", "depends")
_WORD_SHARES = {
    "all": 1.0, "all of it": 1.0, "everything": 1.0, "100 percent": 1.0,
    "none": 0.0, "none of it": 0.0, "nothing": 0.0,
    "half": 0.5, "half of it": 0.5, "about half": 0.5, "around half": 0.5,
    "roughly half": 0.5,
    "a quarter": 0.25, "quarter": 0.25, "about a quarter": 0.25,
    "three quarters": 0.75, "about three quarters": 0.75,
}
_HEDGES = ("about", "around", "roughly", "approx", "approximately", "maybe", "perhaps",
           "probably", "circa", "c.", "~", "nearly", "almost", "just under", "just over",
           "i think", "i guess", "guess", "estimate")
_NUMBER = r"\d+(?:\.\d+)?"


def parse_share_answer(text: object) -> tuple[float | None, str]:
    """Read a free-text survey answer as a share from 0 to 1, only when it is unambiguous.

    Parameters
    ----------
    text : str, float or None
        The answer as the form tool exported it: "About 60%", "70", "most of it - maybe
        90%", "3/4", "half", "not sure", "60-70%", "120%".

    Returns
    -------
    fraction : float or None
        The share (0.6 for "About 60%"); ``None`` when the answer cannot be read.
    reason : str
        How it was read, or why not (for the user to settle).

    Notes
    -----
    Read: one number with a percent sign; one whole number from 2 to 100 (a percent); a
    fraction such as "3/4"; the words all, none, half, a quarter, three quarters. Words
    such as "about", "maybe" or "most of it" around a single figure do not change it.
    Not read (returned as ``None``): blank answers, "not sure" and the like, ranges
    ("60-70%"), several figures, figures over 100%, negative figures, 0 to 1 written as
    a decimal or "1" (a share or a percent?), and words with no figure ("most of it").

    Examples
    --------
    >>> parse_share_answer("About 60%")
    (0.6, "read as 60%")
    >>> parse_share_answer("not sure")[0] is None
    True
    """
    if text is None or (isinstance(text, float) and text != text):
        return None, "no answer"
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = f"{text:g}"
    raw = " ".join(str(text).split())
    folded = raw.casefold().strip(" .!")
    if not folded:
        return None, "no answer"
    if any(folded == w or folded.startswith(w + " ") or folded.startswith(w + ",")
           for w in _NOT_A_FIGURE):
        return None, "not a figure: the respondent did not give a share"
    word = _word_share(folded)
    if word is not None:
        return word, f"read as {word * 100:g}%"
    return _numeric_share(folded)


def _word_share(folded: str) -> float | None:
    cleaned = folded
    for hedge in _HEDGES:
        if cleaned.startswith(hedge + " "):
            cleaned = cleaned[len(hedge) + 1:]
    return _WORD_SHARES.get(cleaned.strip())


def _numeric_share(folded: str) -> tuple[float | None, str]:
    if re.search(r"£|\bpounds?\b|\bper (week|month)\b|\ba (week|month)\b", folded):
        return None, "an amount of money, not a share: ask for the share of pay"
    if re.search(rf"{_NUMBER}\s*(%|percent|per cent)?\s*(-|–|to)\s*{_NUMBER}", folded):
        return None, "a range: settle on one figure"
    fraction = re.fullmatch(r"(?:.*\D)?(\d+)\s*/\s*(\d+)(?:\D.*)?", folded)
    if fraction and "%" not in folded:
        top, bottom = int(fraction.group(1)), int(fraction.group(2))
        if bottom > 10:
            return None, "more than one figure: settle on one"
        if bottom == 0 or top > bottom:
            return None, "a fraction that is not a share from 0 to 1"
        return top / bottom, f"read {top}/{bottom} as {top / bottom * 100:g}%"
    numbers = re.findall(rf"-?{_NUMBER}", folded)
    if not numbers:
        return None, "no figure in the answer"
    if len(numbers) > 1:
        return None, "more than one figure: settle on one"
    value = float(numbers[0])
    has_percent = bool(re.search(r"%|percent|per cent", folded))
    if value < 0:
        return None, "a negative figure"
    if value > 100:
        return None, f"over 100% ({value:g}%)"
    if has_percent:
        return round(value / 100, 6), f"read as {value:g}%"
    if value <= 1:
        return None, (f"'{numbers[0]}' could be a share ({value:g} of 1) or a percent "
                      f"({value:g}%): settle which")
    return round(value / 100, 6), f"a number without a % sign, read as {value:g}%"


# ------------------------------------------------------------------------- pay bands

_BAND_BOUNDS = [(0.0, 10_000.0), (10_000.0, 20_000.0), (20_000.0, 30_000.0),
                (30_000.0, 40_000.0), (40_000.0, 50_000.0), (50_000.0, float("inf"))]


def _amounts_in(text: str) -> list[float]:
    values = []
    for number, thousand in re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*(k\b)?", text.casefold()):
        value = float(number.replace(",", ""))
        values.append(value * 1000 if thousand else value)
    return values


def parse_pay_band(text: object) -> tuple[str | None, str]:
    """Read a survey's pay band answer as one of the schema's :data:`PAY_BANDS`.

    Accepts the band as written in the schema (any case, "-" or "to"), a band written with
    "k" ("£20k-£29,999", "£50k+"), "under £10k", or one yearly figure ("£24,000"), which
    falls in exactly one band. Anything else ("prefer not to say", a range across bands,
    an hourly figure) is returned unread with the reason.

    Returns
    -------
    band : str or None
    reason : str
    """
    if text is None or (isinstance(text, float) and text != text):
        return None, "no answer"
    raw = " ".join(str(text).split())
    folded = raw.casefold().replace("–", "-").replace(" to ", "-")
    if not folded:
        return None, "no answer"
    for band in PAY_BANDS:
        if folded.replace(" ", "") == band.casefold().replace(" to ", "-").replace(" ", ""):
            return band, f"read as {band}"
    if "prefer not" in folded or "not say" in folded:
        return None, "the respondent preferred not to say"
    if _is_hourly(folded) or "week" in folded or "month" in folded:
        return None, "not a yearly figure: settle the band"
    amounts = _amounts_in(folded)
    if not amounts:
        return None, "no figure in the answer"
    if "under" in folded or "less than" in folded or "below" in folded:
        return (PAY_BANDS[0], f"read as {PAY_BANDS[0]}") if amounts[0] <= 10_000 else (
            None, "an 'under' figure that does not match a band")
    if len(amounts) == 1 or (len(amounts) == 2 and amounts[1] <= amounts[0]):
        return _band_of(amounts[0])
    low, high = amounts[0], amounts[1]
    band, _ = _band_of(low)
    index = PAY_BANDS.index(band) if band else -1
    if band and low == _BAND_BOUNDS[index][0] and high <= _BAND_BOUNDS[index][1]:
        return band, f"read as {band}"
    return None, "a range that does not fit one band: settle the band"


def _band_of(amount: float) -> tuple[str | None, str]:
    if amount < 1000:
        return None, f"£{amount:,.0f} is too small for a year's pay: settle the band"
    for band, (low, high) in zip(PAY_BANDS, _BAND_BOUNDS, strict=True):
        if low <= amount < high:
            return band, f"£{amount:,.0f} a year read as {band}"
    return None, "no band fits"


# --------------------------------------------------------------------------- surveys


_SHARE_WORDS = ("%", "share", "proportion", "how much", "percent", "what part")
_COMBINED_WORDS = ("pay you", "we pay", "income", "receive", "payments")


def _supplier_role(folded: str) -> str | None:
    """Return which of nef's supplier questions a header asks, or None."""
    if "wage" in folded or "payroll" in folded:
        return "wages_local"
    if "cost" in folded and "staff" in folded and "local" not in folded:
        return "staff_cost_share"
    if "local" in folded and any(w in folded for w in ("goods", "businesses", "purchases")) \
            and not any(w in folded for w in _COMBINED_WORDS):
        return "spending_local"
    return None


def _staff_role(folded: str) -> str | None:
    """Return the staff question a header asks (pay band, where they live), or None."""
    if "postcode" in folded or "post code" in folded:
        return "home_district"
    if any(w in folded for w in ("do you live", "live in", "lives in", "resident",
                                 "live locally")):
        return "lives_locally"
    if "pay" in folded and any(w in folded for w in ("band", "salary", "earn", "range")):
        return "pay_band"
    return None


def _survey_columns(headers: list[str], kind: str) -> dict[str, int]:
    """Guess a form's question columns from their wording (see :data:`SURVEY_COLUMNS`)."""
    found: dict[str, int] = {}
    for index, text in enumerate(headers):
        folded = fold_header(text)
        if kind == "supplier_survey":
            role = _supplier_role(folded)
            if role is None and "supplier" not in found and any(
                    w in folded for w in ("organisation", "organization", "business",
                                          "company", "supplier")) and not any(
                    w in folded for w in _SHARE_WORDS):
                role = "supplier"
        else:
            role = _staff_role(folded)
        if role is None and "local" in folded and any(w in folded for w in _SHARE_WORDS):
            role = "local_share"
        if role is not None and role not in found:
            found[role] = index
    return found


def _survey_found(columns: dict[str, int], kind: str) -> bool:
    """Return whether a header has the questions a reply needs."""
    if kind == "staff_survey":
        return "local_share" in columns
    answers = "local_share" in columns or {"spending_local", "wages_local"} <= set(columns)
    return "supplier" in columns and answers


def read_survey(path: str | Path, kind: str, result: ImportResult,
                mapping: dict[str, str] | None = None) -> pd.DataFrame:
    """Read a form tool's export of staff or supplier survey replies.

    The question columns are found by their wording, or named with a mapping. Staff: the
    share spent "locally" (needed), and, when asked, the pay band, whether they live in the
    area, and their postcode district. Suppliers: the business's name with nef's two
    questions (spending with local businesses, wage bill to local staff) and its staff-cost
    share, or one combined share. Each answer is read with :func:`parse_share_answer`,
    :func:`parse_pay_band` and the workbook's yes/no and district rules; a reply with an
    answer that cannot be read is not written, and each such answer is listed in
    ``result.unsettled`` for the user to settle.

    Parameters
    ----------
    path : path-like
    kind : {"staff_survey", "supplier_survey"}
    result : ImportResult
    mapping : dict of str to str, optional
        Role to header text (roles: :data:`SURVEY_ROLES`).

    Returns
    -------
    DataFrame
        The schema's keys for the table (:data:`SURVEY_COLUMNS`); a question not asked is
        blank.

    References
    ----------
    METHODS §1 (the staff and supplier questions).
    """
    path = Path(path)
    rows = read_rows(path)
    if mapping:
        header = mapped_header(rows, mapping, SURVEY_ROLES, path.name, kind)
        columns = dict(header.columns)
    else:
        header, columns = None, {}
        for index, cells in enumerate(rows[:10]):
            columns = _survey_columns(cells, kind)
            if _survey_found(columns, kind):
                header = index + 1
                break
        if header is None:
            needed = ("local_share" if kind == "staff_survey"
                      else "supplier and local_share (or spending_local and wages_local)")
            raise InputError(f"{path.name}: no question columns for {needed} were found. The "
                             f"file starts:\n{describe_top_rows(rows, 3)}\n"
                             f'Name them with --map "{kind}: '
                             + ("local_share=Question text" if kind == "staff_survey" else
                                "supplier=Question text,local_share=Question text") + '".')
    header_row = header if isinstance(header, int) else header.row
    if not _survey_found(columns, kind):
        raise InputError(f"{path.name}: the mapping gives no column for the share spent "
                         f"locally{' or the supplier' if kind == 'supplier_survey' else ''}.")
    names = {role: rows[header_row - 1][i] for role, i in columns.items()}
    summary = FileSummary(path.name, kind, "form export", "survey replies", header_row)
    result.files.append(summary)
    records = []
    for index in range(header_row, len(rows)):
        cells = rows[index]
        if not any(cells):
            continue
        summary.lines += 1
        record = _survey_record(cells, columns, names, kind, path.name, index + 1, result)
        if record is None:
            summary.left_out += 1
        else:
            records.append(record)
            summary.used += 1
    return pd.DataFrame(records, columns=list(SURVEY_COLUMNS[kind]))


def _survey_record(cells, columns, names, kind, file, row, result) -> dict | None:
    """Return one reply as a workbook row, or None (its unreadable answers listed)."""
    def cell(role):
        i = columns.get(role)
        return cells[i] if i is not None and i < len(cells) else ""

    def unsettled(role, reason, answer=None):
        result.unsettled.append(Unsettled(file, row, names[role],
                                          cell(role) if answer is None else answer, reason))

    record: dict = {}
    settled = _survey_shares(cell, columns, kind, record, unsettled)
    if kind == "staff_survey":
        settled &= _staff_extras(cell, columns, record, unsettled)
    else:
        supplier = cell("supplier").strip()
        if not supplier:
            unsettled("supplier", "no supplier named", "")
            settled = False
        record["supplier"] = supplier
    return record if settled else None


def _survey_shares(cell, columns, kind, record, unsettled) -> bool:
    """Read the reply's shares into ``record``; return whether it has a usable answer."""
    roles = ("local_share",) if kind == "staff_survey" else _SUPPLIER_SHARES
    reasons = {}
    for role in roles:
        if role not in columns:
            continue
        share, reason = parse_share_answer(cell(role))
        record[role] = share
        if share is None:
            reasons[role] = reason
    if kind == "staff_survey":
        needed = [("local_share",)]
    else:
        needed = [("spending_local", "wages_local"), ("local_share",)]
    usable = any(all(record.get(r) is not None for r in group) for group in needed)
    if not usable:
        for role, reason in reasons.items():
            if role != "staff_cost_share":
                unsettled(role, reason)
    elif "staff_cost_share" in reasons and reasons["staff_cost_share"] != "no answer":
        unsettled("staff_cost_share", reasons["staff_cost_share"])
        return False
    return usable


def _staff_extras(cell, columns, record, unsettled) -> bool:
    """Read pay band (when asked), lives in the area and postcode district into ``record``."""
    settled = True
    if "pay_band" in columns:
        band, why = parse_pay_band(cell("pay_band"))
        if band is None:
            unsettled("pay_band", why)
            settled = False
        record["pay_band"] = band
    if "lives_locally" in columns:
        parsed = cells.parse_yesno(cell("lives_locally"))
        if parsed.error:
            unsettled("lives_locally", "not yes or no")
            settled = False
        record["lives_locally"] = parsed.value if parsed.ok else None
    if "home_district" in columns:
        parsed = cells.parse_district(cell("home_district"))
        if parsed.error:
            unsettled("home_district", parsed.error, "")  # never keep what was written
            settled = False
        record["home_district"] = parsed.value if parsed.ok else None
    return settled
