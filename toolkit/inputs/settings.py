"""Assumptions as data: the settings file, its documented defaults, and its checks.

The defaults live in ``toolkit/data/settings_defaults.yml``. A user's own YAML file
(only the keys they change) is merged over them and checked like a workbook: every
problem names the file and the key. :data:`SETTINGS_DOCS` says what each assumption
means, where its default comes from and whether that source was checked, so that every
pack can print an assumptions table a reviewer can read without reading code.

References
----------
HM Treasury (2022), *The Green Book*, declining long-term discount rates (METHODS §3).
HM Treasury (2021), *Wellbeing Guidance for Appraisal* (METHODS §3).
Living Wage Foundation, real Living Wage rates (UK and London).
New Economics Foundation (2002), *The Money Trail* (METHODS §1).
Charity Commission, CC19 *Charity reserves: building resilience* (METHODS §5).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from toolkit.inputs import yaml_files
from toolkit.inputs.errors import InputError, Report
from toolkit.resources import data_file

DEFAULTS_FILE = data_file("settings_defaults.yml")


@dataclass(frozen=True)
class SettingDoc:
    """What one setting means and where its default comes from.

    Parameters
    ----------
    meaning : str
        Plain-English meaning, as printed in an assumptions table.
    source : str
        Where the default comes from (a METHODS section, a publication, or "toolkit choice").
    checked : bool
        Whether the default was checked against its original source. Unchecked figures are
        labelled so wherever they are shown.
    kind : str
        ``share`` (0 to 1), ``range`` (a mapping of value, low and high shares), ``money``,
        ``count``, ``year``, ``flag``, ``text``, ``list``, ``path``, ``schedule``, ``rates``,
        ``range_money``, ``range_ratio`` (value, low and high, any positive number).
    """

    meaning: str
    source: str
    checked: bool
    kind: str


SETTINGS_DOCS: dict[str, SettingDoc] = {
    "analysis_year": SettingDoc(
        "Year that prices and the analysis refer to", "user's choice", True, "year"),
    "boundary.name": SettingDoc(
        "Name of the local area", "user's choice", True, "text"),
    "boundary.postcodes": SettingDoc(
        "Postcode areas, districts or sectors counted as local", "user's choice", True, "list"),
    "checks.expenditure_tolerance": SettingDoc(
        "Largest gap allowed between spending plus staff costs and reported expenditure",
        "toolkit choice", True, "share"),
    "checks.thin_survey_threshold": SettingDoc(
        "Fewer survey respondents than this makes a survey thin; assumed rates are used",
        "METHODS §1 (toolkit rule)", True, "count"),
    "checks.small_group_threshold": SettingDoc(
        "Figures about fewer people than this are suppressed in packs (privacy)",
        "toolkit choice", True, "count"),
    "lm3.confidence": SettingDoc(
        "Confidence level of LM3's survey intervals", "toolkit choice", True, "share"),
    "lm3.bootstrap_samples": SettingDoc(
        "Number of bootstrap resamples (LM3's interval no longer resamples: kept so that "
        "settings files giving it still load)", "toolkit choice", True, "count"),
    "lm3.seed": SettingDoc(
        "Random seed (LM3's interval no longer draws random numbers: kept so that settings "
        "files giving it still load)", "toolkit choice",
        True, "count"),
    "lm3.take_home_share": SettingDoc(
        "Take-home pay as a share of gross pay (tax and National Insurance are not spent "
        "locally)", "assumed; no published source checked", False, "range"),
    "lm3.assumed_respend_staff": SettingDoc(
        "Share of take-home pay staff re-spend locally, used when the staff survey is thin",
        "assumed; no published source checked", False, "range"),
    "lm3.assumed_respend_suppliers": SettingDoc(
        "Share of their income local suppliers re-spend locally, used when the supplier "
        "survey is thin", "assumed; no published source checked", False, "range"),
    "lm3.top_pay_band_midpoint": SettingDoc(
        "Pay given to the open-ended top pay band when weighting staff replies",
        "toolkit choice", True, "money"),
    "lm3.employer_on_cost_rate": SettingDoc(
        "Employer costs (employer National Insurance and pension) as a share of gross pay, "
        "counted in round 2's denominator and none of them local, when the Balance sheet's "
        "staff costs do not give them",
        "assumed: about employer NI at 13.8% above £9,100 and a 3% auto-enrolment pension on "
        "a £25,000 salary in 2024-25 (METHODS §1); not checked against a published average",
        False, "share"),
    "lm3.supplier_staff_cost_share": SettingDoc(
        "Staff costs as a share of a supplier's costs, combining nef's two supplier questions "
        "when the supplier does not give it",
        "assumed; no published source checked (METHODS §1)", False, "range"),
    "social_value.discount_schedule": SettingDoc(
        "Declining discount rates by year, applied as a cumulative factor",
        "HM Treasury Green Book (METHODS §3)", True, "schedule"),
    "social_value.wellbeing_discount_rate": SettingDoc(
        "Discount rate for health and wellbeing (WELLBY) outcomes",
        "Green Book wellbeing guidance (METHODS §3)", True, "share"),
    "social_value.discount_year_one": SettingDoc(
        "Whether year 1 is discounted (a convention; false counts year 1 at full value)",
        "toolkit choice, documented (METHODS §3)", True, "flag"),
    "social_value.wellby": SettingDoc(
        "Value of one WELLBY (£, with low and high)",
        "Green Book wellbeing guidance 2021, seen in secondary summaries only", False,
        "range_money"),
    "social_value.wellby_price_year": SettingDoc(
        "Price year of the WELLBY value", "Green Book wellbeing guidance 2021", False, "year"),
    "social_value.benefit_period_warning_years": SettingDoc(
        "Benefit periods longer than this get a warning", "METHODS §3", True, "count"),
    "social_value.benefit_period_max_years": SettingDoc(
        "Benefit periods longer than this are errors unless allowed", "METHODS §3", True,
        "count"),
    "social_value.allow_long_benefit_period": SettingDoc(
        "Allow benefit periods beyond the maximum", "user's choice", True, "flag"),
    "social_value.price_index": SettingDoc(
        "Price index file used to uprate values to the analysis year",
        "illustrative index shipped with the toolkit unless the user gives one", False, "path"),
    "social_value.proxy_values_file": SettingDoc(
        "The user's own proxy values, added to the shipped library", "user's file", True,
        "path"),
    "social_value.inputs_value": SettingDoc(
        "Value of the inputs (£) for the SROI ratio; blank uses the income studied",
        "user's choice", True, "money"),
    "social_value.include_volunteer_time": SettingDoc(
        "Count volunteers' time (at replacement cost) as an input of the SROI ratio",
        "SROI guide (Cabinet Office 2009): volunteer time is an input", True, "flag"),
    "social_value.sensitivity_points": SettingDoc(
        "Sensitivity: each adjustment moved down and up by this many points (0.10 = 10)",
        "toolkit choice", True, "share"),
    "social_value.sensitivity_value_share": SettingDoc(
        "Sensitivity: proxy values without a low and high, and volunteer time, moved down "
        "and up by this share", "toolkit choice", True, "share"),
    "social_value.sensitivity_rate_points": SettingDoc(
        "Sensitivity: every discount rate moved down and up by this much (0.01 = 1 point)",
        "toolkit choice", True, "share"),
    "social_value.sensitivity_years": SettingDoc(
        "Sensitivity: every benefit period shortened and lengthened by this many years",
        "toolkit choice", True, "count"),
    "volunteering.default_hourly_wage": SettingDoc(
        "Hourly wage used to value volunteer time where the workbook gives none",
        "real Living Wage 2024-25 (UK), not checked against source here", False, "money"),
    "living_wage": SettingDoc(
        "Real Living Wage hourly rates by financial year, UK and London",
        "Living Wage Foundation announcements, not checked against source here", False,
        "rates"),
    "jobs.full_time_hours_a_week": SettingDoc(
        "Hours a week of one full-time equivalent, to check 'yes' answers to the real Living "
        "Wage: gross pay / (FTE x hours x 52 weeks) below the rate flags the row",
        "toolkit choice: 37.5 hours is a common full-time week in the sector (35 to 37.5); "
        "the longer week gives the lower hourly pay, so no doubtful answer is missed", True,
        "count"),
    "finance.reserves_months_low": SettingDoc(
        "Months of reserves below which a pack says reserves are low (a setting, not a rule)",
        "common practice; CC19 sets no single right level", True, "count"),
    "finance.reserves_months_high": SettingDoc(
        "Months of reserves above which a pack says reserves are high (a setting, not a rule)",
        "common practice; CC19 sets no single right level", True, "count"),
    "finance.concentration_high": SettingDoc(
        "Income concentration (HHI) above which income is called concentrated",
        "toolkit choice", True, "share"),
    "finance.largest_payer_high": SettingDoc(
        "Largest payer's share above which dependence is flagged", "toolkit choice", True,
        "share"),
    "enabled.additionality": SettingDoc(
        "Share of tenants' jobs and GVA that would not exist anyway or elsewhere",
        "assumed; no published source checked", False, "range"),
    "enabled.gva_ratios": SettingDoc(
        "GVA-to-turnover ratios by sector", "illustrative table unless the user gives one",
        False, "path"),
    "enabled.gva_per_job_low": SettingDoc(
        "A tenant's GVA per FTE below this (£ a year) is flagged as implausible",
        "assumed: about a third of the UK's GVA per filled job (ONS labour productivity, "
        "about £60,000 a year in 2022, seen in secondary summaries only)", False, "money"),
    "enabled.gva_per_job_high": SettingDoc(
        "A tenant's GVA per FTE above this (£ a year) is flagged as implausible",
        "assumed: about twice the UK's GVA per filled job (ONS labour productivity, about "
        "£60,000 a year in 2022, seen in secondary summaries only)", False, "money"),
    "comparison.non_local_lm3": SettingDoc(
        "LM3 of the same £1 spent with a typical non-local provider, the comparison on each "
        "pack's first page (with low and high)",
        "illustrative: METHODS §8 worked example (1.36) and §1's low-local-share example "
        "(1.24); not a measurement, put your own", False, "range_ratio"),
    "spend.top_suppliers": SettingDoc(
        "Number of top suppliers listed in a spend analysis", "CLES uses the top 300 (METHODS §2)",
        True, "count"),
    "spend.basis": SettingDoc(
        "Spending the headline shares are computed over: 'all' (the default), or 'top:N', the "
        "payments to the N largest suppliers by value (CLES analyses the top 300, the Greater "
        "Manchester benchmark the top 30)", "toolkit choice; CLES (METHODS §2) for top:N",
        True, "basis"),
    "spend.max_payment": SettingDoc(
        "Largest single payment believed (£); a row above it, either way, is not used and is "
        "listed as implausible (a typing or export error such as 1e17)",
        "toolkit choice: far above any council payment in the real files (METHODS §2)", True,
        "money"),
    "app.max_upload_mb": SettingDoc(
        "Largest file the app takes, in MB; the server's websocket and body limits follow it",
        "toolkit choice", True, "count"),
    "app.idle_minutes": SettingDoc(
        "Minutes a session of the app may sit idle before it is ended and its folder removed",
        "toolkit choice", True, "count"),
    "app.preheated_kernels": SettingDoc(
        "Sessions of the app kept started and waiting, so that a page opens at once",
        "toolkit choice", True, "count"),
    "app.room_sessions": SettingDoc(
        "For a training room: sessions of the organisation page started, and the page run, "
        "before the room arrives (the people in the room and a couple spare; 0 for one "
        "person). Each takes about 110 MB of memory waiting and 210 MB in use",
        "toolkit choice, measured in benchmarks/bench_app.py (issue 19)", True, "count"),
}


class Settings(dict):
    """Merged, checked settings: a nested dictionary with a few helpers.

    Attributes
    ----------
    files : list of str
        The settings files merged over the defaults, in order.
    """

    files: list[str]

    def value(self, path: str) -> Any:
        """Return the setting at a dotted path, such as ``"lm3.seed"``.

        For a range setting this is the whole mapping; use :meth:`central` for its value.
        """
        node: Any = self
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"no setting {path!r}")
            node = node[part]
        return node

    def central(self, path: str) -> float:
        """Return the central value of a range setting (or the value of a plain one)."""
        node = self.value(path)
        return float(node["value"]) if isinstance(node, dict) else float(node)

    def span(self, path: str) -> tuple[float, float]:
        """Return ``(low, high)`` of a range setting."""
        node = self.value(path)
        return float(node["low"]), float(node["high"])

    def assumptions(self, boundaries=None) -> pd.DataFrame:
        """Return every documented setting as an assumptions table.

        Parameters
        ----------
        boundaries : list of toolkit.inputs.geography.Boundary, optional
            The boundaries the pack used (from the registry, say). When given, a first row
            ``boundary`` states them as chosen (name, codes, directory release), and the
            ``boundary.*`` settings they replace say so instead of "(not set)".

        Returns
        -------
        pandas.DataFrame
            Columns ``setting``, ``value``, ``meaning``, ``source``, ``checked``,
            ``changed`` (whether a user file changed the default).
        """
        defaults = read_yaml_mapping(DEFAULTS_FILE, Report())
        rows = []
        for path, doc in SETTINGS_DOCS.items():
            value = self.value(path)
            rows.append(
                {
                    "setting": path,
                    "value": format_setting(value),
                    "meaning": doc.meaning,
                    "source": doc.source if doc.checked else f"{doc.source} (unchecked)",
                    "checked": doc.checked,
                    "changed": value != _get(defaults, path),
                }
            )
        if boundaries:
            rows = _boundary_rows(rows, list(boundaries))
        return pd.DataFrame(rows)


def _boundary_rows(rows: list[dict], boundaries: list) -> list[dict]:
    """Put the boundaries used first, and say so in the ``boundary.*`` rows left unset."""
    from toolkit.inputs.directory import SOURCE

    uses_directory = any(getattr(b, "directory", None) is not None for b in boundaries)
    first = {"setting": "boundary", "value": "; ".join(
        b.describe() if hasattr(b, "describe") else str(b) for b in boundaries),
        "meaning": "The areas called local, innermost first, as chosen",
        "source": "user's choice" + (f"; postcodes placed with the {SOURCE}"
                                      if uses_directory else ""),
        "checked": True, "changed": True}
    for row in rows:
        if row["setting"].startswith("boundary.") and row["value"] == "(not set)":
            row["value"] = "(not used: see boundary)"
    return [first, *rows]


def format_setting(value: Any) -> str:
    """Return a setting as short readable text for an assumptions table."""
    if isinstance(value, dict) and {"value", "low", "high"} <= set(value):
        return f"{value['value']} (range {value['low']} to {value['high']})"
    if isinstance(value, list) and value and isinstance(value[0], dict) and "rate" in value[0]:
        return "; ".join(
            f"years {r['from_year']}-{r['to_year'] or 'on'}: {r['rate']:.1%}" for r in value
        )
    if isinstance(value, dict):
        return "; ".join(f"{k}: {format_setting(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if value is None:
        return "(not set)"
    return str(value)


def _get(tree: dict, path: str) -> Any:
    node: Any = tree
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def not_utf8_message(path: Path, exc: UnicodeDecodeError, what: str) -> str:
    """Return what to do about a text file saved in another encoding than UTF-8.

    Parameters
    ----------
    path : path-like
        The file.
    exc : UnicodeDecodeError
        The decoding failure (its byte).
    what : str
        How to name the file, such as "settings file".

    Returns
    -------
    str
    """
    byte = exc.object[exc.start:exc.start + 1].hex().upper() if exc.object else "?"
    return (f"The {what} is not saved as UTF-8 text (byte 0x{byte} is not UTF-8; Windows "
            "editors often save as 'ANSI' or 'Windows-1252'). Save it again with the "
            "encoding UTF-8 (in Notepad: File, Save as, Encoding: UTF-8).")


def _line_of_byte(path: Path, offset: int) -> int | None:
    """Return the line number holding byte ``offset`` of a file."""
    try:
        return Path(path).read_bytes()[:offset].count(b"\n") + 1
    except OSError:
        return None


def read_yaml_mapping(path: Path, report: Report, what: str = "settings file") -> dict:
    """Read a YAML file that must hold a mapping; problems go to ``report``, not raised.

    Used for settings, scenario and registry files alike, so each gets the same messages:
    a missing file, YAML that does not parse (with its line), or a file that is not keys
    and values.

    Parameters
    ----------
    path : path-like
        The YAML file.
    report : Report
        Where problems are added.
    what : str
        How to name the file in messages, such as "scenario file".

    Returns
    -------
    dict
        The mapping; empty when the file is empty or could not be read.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml_files.safe_load(handle)
    except FileNotFoundError:
        report.error(f"The {what} does not exist.", file=str(path))
        return {}
    except IsADirectoryError:
        report.error(f"This is a folder, not a {what}: give the YAML file itself.",
                     file=str(path))
        return {}
    except UnicodeDecodeError as exc:
        report.error(not_utf8_message(path, exc, what), file=str(path),
                     row=_line_of_byte(path, exc.start))
        return {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report.error(f"The {what} is not valid YAML: {getattr(exc, 'problem', exc)}.",
                     file=str(path), row=mark.line + 1 if mark else None)
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        report.error(f"The {what} must hold keys and values (a YAML mapping).",
                     file=str(path))
        return {}
    return data


def _merge(base: dict, extra: dict, file: str, report: Report, prefix: str = "") -> None:
    """Merge ``extra`` into ``base`` in place; unknown keys are errors naming the key."""
    for key, value in extra.items():
        path = f"{prefix}{key}"
        if key not in base:
            report.error("Unknown setting.", file=file, column=path,
                         expected=f"one of {', '.join(sorted(map(str, base)))}")
        elif isinstance(base[key], dict) and isinstance(value, dict) and key != "living_wage":
            _merge(base[key], value, file, report, prefix=f"{path}.")
        elif isinstance(base[key], dict) and not isinstance(value, dict) and _is_range(base[key]):
            base[key] = {**base[key], "value": value}
        else:
            base[key] = value


def _is_range(node: Any) -> bool:
    return isinstance(node, dict) and {"value", "low", "high"} <= set(node)


def _check_number(value: Any, path: str, file: str, report: Report,
                  low: float | None = None, high: float | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        report.error("Must be a number.", file=file, column=path, value=str(value))
        return
    if (low is not None and value < low) or (high is not None and value > high):
        report.error("Out of range.", file=file, column=path, value=str(value),
                     expected=f"a number from {low} to {high}")


def _check_setting(path: str, doc: SettingDoc, value: Any, file: str, report: Report) -> None:
    """Check one setting against its kind."""
    if doc.kind == "share":
        _check_number(value, path, file, report, 0.0, 1.0)
    elif doc.kind in {"range", "range_money", "range_ratio"}:
        if not _is_range(value):
            report.error("Must give value, low and high.", file=file, column=path,
                         value=str(value))
            return
        top = 1.0 if doc.kind == "range" else None
        for part in ("value", "low", "high"):
            _check_number(value[part], f"{path}.{part}", file, report, 0.0, top)
        if all(isinstance(value[p], int | float) for p in ("value", "low", "high")) and not (
            value["low"] <= value["value"] <= value["high"]
        ):
            report.error("Low, value and high must be in that order.", file=file, column=path,
                         value=format_setting(value), expected="low <= value <= high")
    elif doc.kind in {"money", "count"}:
        if value is not None or doc.kind == "count":
            _check_number(value, path, file, report, 0.0, None)
    elif doc.kind == "year":
        _check_number(value, path, file, report, 1900, 2200)
    elif doc.kind == "flag" and not isinstance(value, bool):
        report.error("Must be true or false.", file=file, column=path, value=str(value))
    elif doc.kind == "list" and not isinstance(value, list):
        report.error("Must be a list.", file=file, column=path, value=str(value))
    elif doc.kind == "basis" and not is_basis(value):
        report.error("Must be 'all' or 'top:N' with N a whole number above 0.", file=file,
                     column=path, value=str(value), expected="all, or top:300 (for example)")
    elif doc.kind == "schedule":
        _check_schedule(value, path, file, report)
    elif doc.kind == "rates":
        _check_rates(value, path, file, report)


def is_basis(value: Any) -> bool:
    """Whether ``value`` reads as a spend basis: ``all`` or ``top:N`` (N above 0)."""
    text = str(value).strip().lower()
    match = re.fullmatch(r"top\s*[:=]?\s*(\d+)", text)
    return text == "all" or (match is not None and int(match.group(1)) > 0)


def _check_schedule(value: Any, path: str, file: str, report: Report) -> None:
    if not isinstance(value, list) or not value:
        report.error("Must be a list of from_year, to_year and rate.", file=file, column=path)
        return
    expected_from = 1
    for i, step in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(step, dict) or not {"from_year", "to_year", "rate"} <= set(step):
            report.error("Each step needs from_year, to_year and rate.", file=file, column=where)
            return
        _check_number(step["rate"], f"{where}.rate", file, report, 0.0, 1.0)
        if step["from_year"] != expected_from:
            report.error("Steps must follow on from each other with no gap.", file=file,
                         column=where, value=str(step["from_year"]),
                         expected=f"from_year {expected_from}")
            return
        if step["to_year"] is None:
            if i != len(value) - 1:
                report.error("Only the last step may be open-ended.", file=file, column=where)
            return
        expected_from = int(step["to_year"]) + 1
    report.error("The last step must be open-ended (to_year: null).", file=file, column=path)


def _check_rates(value: Any, path: str, file: str, report: Report) -> None:
    if not isinstance(value, dict):
        report.error("Must map financial years to uk and london rates.", file=file, column=path)
        return
    for year, rates in value.items():
        if not isinstance(rates, dict) or not {"uk", "london"} <= set(rates):
            report.error("Each year needs uk and london rates.", file=file,
                         column=f"{path}.{year}")
            continue
        for area in ("uk", "london"):
            _check_number(rates[area], f"{path}.{year}.{area}", file, report, 0.0, 1000.0)


def load_settings(*files: str | Path | None, overrides: dict | None = None,
                  report: Report | None = None) -> Settings:
    """Read the defaults, merge each user file (and ``overrides``) over them, and check.

    Parameters
    ----------
    *files : path-like or None
        Settings files of the user's, merged in order; ``None`` entries are skipped.
    overrides : dict, optional
        Settings given in code (for example ``{"boundary": {"postcodes": ["BD1"]}}``).
    report : Report, optional
        Where to add problems; when not given, errors raise :class:`InputError`.

    Returns
    -------
    Settings
    """
    own_report = report is None
    report = report if report is not None else Report()
    merged = copy.deepcopy(read_yaml_mapping(DEFAULTS_FILE, report))
    used = []
    for file in files:
        if file is None:
            continue
        used.append(str(file))
        _merge(merged, read_yaml_mapping(Path(file), report), str(file), report)
    if overrides:
        _merge(merged, overrides, "(settings given in code)", report)
    where = used[-1] if used else str(DEFAULTS_FILE)
    for path, doc in SETTINGS_DOCS.items():
        _check_setting(path, doc, _get(merged, path), where, report)
    settings = Settings(merged)
    settings.files = used
    if own_report:
        report.raise_if_errors("The settings")
    return settings


def living_wage(settings: Settings, financial_year: str, london: bool) -> float | None:
    """Return the real Living Wage hourly rate for a financial year, or ``None`` if unknown.

    Parameters
    ----------
    settings : Settings
    financial_year : str
        Such as ``"2024-25"``.
    london : bool
        Whether the London rate applies (London boroughs).
    """
    rates = settings.value("living_wage").get(financial_year)
    if rates is None:
        return None
    return float(rates["london" if london else "uk"])


__all__ = ["Settings", "SETTINGS_DOCS", "load_settings", "living_wage", "InputError"]
