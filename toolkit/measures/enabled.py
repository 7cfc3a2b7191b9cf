"""Enabled contribution: jobs and GVA of the organisations an anchor houses, and its assets.

A community anchor that lets space to businesses and groups *enables* their jobs and their
gross value added (GVA). This module adds up, from the workbook's optional ``tenants`` sheet,
the full-time-equivalent (FTE) jobs and the GVA of those tenants, and from the optional
``assets`` sheet how much its buildings and spaces are used.

Figures are **gross**: they count every tenant job and every £ of tenant GVA, including what
would exist anyway or elsewhere. A net figure multiplies the gross by the additionality setting
(``enabled.additionality``: the share that would *not* exist anyway or elsewhere), shown with
its low-to-high span beside the gross. Additionality is an assumption, labelled so.

GVA is the tenant's own figure where it gives one; otherwise turnover times a GVA-to-turnover
ratio for its sector, from a table the user can see (:func:`gva_ratio_table`) and replace
(setting ``enabled.gva_ratios``, a CSV of ``sector,gva_to_turnover``). The table shipped with
the toolkit is illustrative, not from a published source, and every figure estimated from it
says so. GVA estimated from ratios is labelled **estimated**, never evidenced (``gva_basis``).

Each tenant's GVA per job (GVA / FTE) is checked against a plausible band, the settings
``enabled.gva_per_job_low`` and ``enabled.gva_per_job_high`` (assumed, about a third of to
twice the UK's GVA per filled job as the ONS reports it); a tenant outside the band is flagged
with its row, since a turnover in thousands, a wrong FTE or a ratio that does not fit the
tenant gives such a figure.

Workbooks made before these sheets existed still read: the measures are then "not evidenced".

References
----------
Locality (2017), *Powerful Communities, Strong Economies*, with NEF Consulting: "positive and
productive use of local assets"; 10 Locality members enabled about 1,400 jobs and £120m of GVA
through the organisations they house (METHODS §6).
CLES, community wealth building: "socially productive use of land and property" (METHODS §6).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.inputs.errors import InputError, Report
from toolkit.inputs.schema import TENANT_SECTORS
from toolkit.resources import data_file

ILLUSTRATIVE_RATIOS_FILE = data_file("gva_ratios_illustrative.csv")
ILLUSTRATIVE_LABEL = "illustrative ratio (not from a published source)"
NOT_EVIDENCED = "not evidenced"
PARTLY_EVIDENCED = "partly evidenced"
EVIDENCED = "evidenced"
GROSS_LABEL = "gross (before additionality: includes what would exist anyway or elsewhere)"
CHARACTERISTIC = "positive and productive use of local assets"

GVA_OWN = "tenant's own GVA figure"
GVA_NONE = "not estimated"
ESTIMATED = "estimated"
PARTLY_ESTIMATED = "partly estimated"
ESTIMATED_LABEL = "estimated from GVA-to-turnover ratios, not evidenced"


# --------------------------------------------------------------------------- ratios


def gva_ratio_table(settings=None, path: str | Path | None = None) -> pd.DataFrame:
    """Return the GVA-to-turnover ratios by sector, with where each comes from.

    Parameters
    ----------
    settings : Settings, optional
        Its ``enabled.gva_ratios`` names the user's own CSV file; blank uses the
        illustrative table shipped with the toolkit.
    path : path-like, optional
        A ratio file to use instead of the setting.

    Returns
    -------
    pandas.DataFrame
        Columns ``sector``, ``gva_to_turnover`` (a fraction, 0 to 1), ``source`` (text that
        says "illustrative" for the shipped table, or names the user's file). The frame's
        ``attrs["file"]`` is the file read and ``attrs["illustrative"]`` whether it is the
        shipped illustrative table.

    Raises
    ------
    InputError
        If the user's file is missing, lacks a column, names an unknown sector, repeats a
        sector or gives a ratio that is not a number from 0 to 1. The message names the
        file, row and column.

    References
    ----------
    Locality (2017) with NEF Consulting, enabled GVA (METHODS §6).
    """
    if path is None and settings is not None:
        path = _setting_or_none(settings, "enabled.gva_ratios")
    if path is None:
        table = _read_ratio_file(ILLUSTRATIVE_RATIOS_FILE, illustrative=True)
        table.attrs.update(file=str(ILLUSTRATIVE_RATIOS_FILE), illustrative=True)
        return table
    path = _resolve_user_path(path, settings)
    table = _read_ratio_file(path, illustrative=False)
    table.attrs.update(file=str(path), illustrative=False)
    return table


def _setting_or_none(settings, key: str) -> Any:
    try:
        return settings.value(key)
    except KeyError:
        return None


def _resolve_user_path(path: str | Path, settings) -> Path:
    """Find a user's file: as given, else beside the last settings file that was read."""
    candidate = Path(path)
    if candidate.exists() or candidate.is_absolute():
        return candidate
    for settings_file in reversed(getattr(settings, "files", []) or []):
        beside = Path(settings_file).parent / candidate
        if beside.exists():
            return beside
    return candidate


def _read_ratio_file(path: Path, illustrative: bool) -> pd.DataFrame:
    """Read and check a ratio CSV (sector, gva_to_turnover[, source])."""
    if not Path(path).exists():
        raise InputError(f"{path}: the GVA-to-turnover ratio file (setting enabled.gva_ratios) "
                         "does not exist.")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    raw.columns = [str(c).strip().casefold() for c in raw.columns]
    for column in ("sector", "gva_to_turnover"):
        if column not in raw.columns:
            raise InputError(f"{path}: the ratio file needs a column '{column}' "
                             "(columns sector,gva_to_turnover).")
    sectors = {s.casefold(): s for s in TENANT_SECTORS}
    rows, seen = [], set()
    for i, record in enumerate(raw.to_dict("records")):
        line = i + 2
        sector = sectors.get(record["sector"].strip().casefold())
        if sector is None:
            raise InputError(f"{path}, row {line}, column 'sector': unknown sector "
                             f"{record['sector']!r}. Expected one of: {', '.join(TENANT_SECTORS)}.")
        if sector in seen:
            raise InputError(f"{path}, row {line}, column 'sector': {sector!r} appears twice.")
        seen.add(sector)
        ratio = _ratio_value(record["gva_to_turnover"], path, line)
        source = ILLUSTRATIVE_LABEL if illustrative else f"your ratio file ({Path(path).name})"
        rows.append({"sector": sector, "gva_to_turnover": ratio, "source": source})
    return pd.DataFrame(rows, columns=["sector", "gva_to_turnover", "source"])


def _ratio_value(text: str, path: Path, line: int) -> float:
    cleaned = str(text).strip()
    percent = cleaned.endswith("%")
    try:
        value = float(cleaned.rstrip("%")) / (100.0 if percent else 1.0)
    except ValueError:
        value = math.nan
    if not (0.0 <= value <= 1.0):
        raise InputError(f"{path}, row {line}, column 'gva_to_turnover': {text!r} is not a "
                         "share from 0 to 1 (GVA cannot exceed turnover).")
    return value


# --------------------------------------------------------------------------- tenants


@dataclass
class EnabledResult:
    """Jobs and GVA enabled through tenants, gross and net, with labels.

    Attributes
    ----------
    status : str
        "evidenced", "partly evidenced" (some tenants lack FTE or GVA) or "not evidenced"
        (no Tenants sheet, or no rows in it).
    reason : str
        Why, in plain English, when not fully evidenced.
    tenants : pandas.DataFrame
        One row per tenant: ``organisation``, ``sector``, ``local``, ``fte``, ``turnover``,
        ``gva_given``, ``gva_to_turnover``, ``gva`` (used), ``gva_source``, ``note``, ``row``.
    gross_fte, gross_gva : float or None
        Sums over tenants that give them (``None`` when not evidenced).
    net_fte, net_gva : dict or None
        ``{"value", "low", "high"}``: gross times the additionality setting and its span.
    additionality : dict
        ``{"value", "low", "high"}`` from ``enabled.additionality`` (assumed).
    by_local : pandas.DataFrame
        Gross FTE and GVA split by whether the tenant is local (yes, no, not known).
    gva_own, gva_estimated : float
        Parts of gross GVA from tenants' own figures and from turnover times a ratio.
    ratios : pandas.DataFrame
        The ratio table used (see :func:`gva_ratio_table`).
    ratios_illustrative : bool
        Whether any estimated GVA used the illustrative table.
    problems : Report
        Warnings about tenants (no FTE and no turnover, sector missing from the ratio table,
        GVA per job outside the plausible band).
    gva_basis : str
        "evidenced" (every GVA the tenant's own figure), "estimated" (every GVA from
        turnover times a ratio), "partly estimated", or "not evidenced".
    gva_per_job : float or None
        Gross GVA over gross FTE, for tenants giving both (£ a year per FTE).
    gva_per_job_band : dict
        ``{"low", "high", "settings"}``: the plausible band used for the check.
    implausible : list of dict
        Tenants outside the band: ``row``, ``organisation``, ``gva_per_fte``, ``gva_source``.
    """

    status: str
    reason: str = ""
    tenants: pd.DataFrame = field(default_factory=pd.DataFrame)
    gross_fte: float | None = None
    gross_gva: float | None = None
    net_fte: dict | None = None
    net_gva: dict | None = None
    additionality: dict = field(default_factory=dict)
    by_local: pd.DataFrame = field(default_factory=pd.DataFrame)
    gva_own: float = 0.0
    gva_estimated: float = 0.0
    ratios: pd.DataFrame = field(default_factory=pd.DataFrame)
    ratios_illustrative: bool = False
    problems: Report = field(default_factory=Report)
    gva_basis: str = NOT_EVIDENCED
    gva_per_job: float | None = None
    gva_per_job_band: dict = field(default_factory=dict)
    implausible: list = field(default_factory=list)

    @property
    def evidenced(self) -> bool:
        """Whether there is at least one tenant to count."""
        return self.status != NOT_EVIDENCED

    @property
    def tenants_without_fte(self) -> int:
        """Tenants that give no FTE (left out of enabled jobs)."""
        return int(self.tenants["fte"].isna().sum()) if len(self.tenants) else 0

    @property
    def tenants_without_gva(self) -> int:
        """Tenants whose GVA is neither given nor estimated (left out of enabled GVA)."""
        return int(self.tenants["gva"].isna().sum()) if len(self.tenants) else 0

    def summary_table(self) -> pd.DataFrame:
        """Return the pack's table: gross and net (with span) for jobs and GVA, labelled.

        Returns
        -------
        pandas.DataFrame
            Columns ``measure``, ``gross``, ``net``, ``net_low``, ``net_high``, ``unit``,
            ``label``, ``basis`` ("evidenced", "estimated", "partly estimated" or "not
            evidenced"). When not evidenced, one row per measure with ``label`` "not
            evidenced" and empty figures.
        """
        rows = []
        for measure, unit, gross, net, missing, basis in (
            ("Enabled jobs", "FTE", self.gross_fte, self.net_fte, self.tenants_without_fte,
             EVIDENCED if self.gross_fte is not None else NOT_EVIDENCED),
            ("Enabled GVA", "£ a year", self.gross_gva, self.net_gva, self.tenants_without_gva,
             self.gva_basis),
        ):
            if gross is None:
                rows.append({"measure": measure, "gross": None, "net": None, "net_low": None,
                             "net_high": None, "unit": unit, "label": NOT_EVIDENCED,
                             "basis": NOT_EVIDENCED})
                continue
            label = GROSS_LABEL + "; net uses assumed additionality " + _span_text(
                self.additionality)
            if missing:
                label += f"; leaves out {missing} tenant(s) with no figure"
            if measure == "Enabled GVA" and self.gva_estimated:
                label += "; " + _estimated_text(self)
            if measure == "Enabled GVA" and self.implausible:
                label += (f"; {len(self.implausible)} tenant(s) with GVA per job outside "
                          f"the plausible band {_band_text(self.gva_per_job_band)}")
            rows.append({"measure": measure, "gross": gross, "net": net["value"],
                         "net_low": net["low"], "net_high": net["high"], "unit": unit,
                         "label": label, "basis": basis})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """Return the result as plain data for JSON (no NaN: missing figures are ``None``)."""
        return {
            "status": self.status,
            "reason": self.reason,
            "gross_label": GROSS_LABEL,
            "gross_fte": self.gross_fte,
            "gross_gva": self.gross_gva,
            "net_fte": self.net_fte,
            "net_gva": self.net_gva,
            "additionality": {**self.additionality, "assumed": True,
                              "setting": "enabled.additionality"},
            "gva_own": self.gva_own,
            "gva_estimated": self.gva_estimated,
            "ratios_illustrative": self.ratios_illustrative,
            "gva_basis": self.gva_basis,
            "gva_per_job": self.gva_per_job,
            "gva_per_job_band": dict(self.gva_per_job_band),
            "implausible_tenants": [{k: _plain(v) for k, v in item.items()}
                                    for item in self.implausible],
            "tenants_without_fte": self.tenants_without_fte,
            "tenants_without_gva": self.tenants_without_gva,
            "by_local": _records(self.by_local),
            "tenants": _records(self.tenants),
            "ratios": _records(self.ratios),
            "problems": self.problems.to_list(),
        }


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    """Return a JSON-safe scalar: NaN and NA become ``None``, numpy scalars Python ones."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _estimated_text(result: EnabledResult) -> str:
    """Say how much of gross GVA is estimated, and from which ratios."""
    share = result.gva_estimated / result.gross_gva if result.gross_gva else 0.0
    which = "illustrative ratios" if result.ratios_illustrative else "your ratios"
    if result.gva_basis == ESTIMATED:
        return f"all {ESTIMATED_LABEL} ({which})"
    return f"{share:.0%} {ESTIMATED_LABEL} ({which})"


def _band_text(band: dict) -> str:
    return f"£{band['low']:,.0f} to £{band['high']:,.0f} a year per FTE"


def gva_per_job_band(settings) -> dict:
    """Return the plausible band of GVA per job (FTE) from the settings.

    Parameters
    ----------
    settings : Settings
        ``enabled.gva_per_job_low`` and ``enabled.gva_per_job_high`` (£ a year per FTE).

    Returns
    -------
    dict
        ``{"low", "high", "settings"}``.

    Raises
    ------
    InputError
        When the low end is above the high end.

    References
    ----------
    ONS, labour productivity (GVA per filled job), as the settings' source says (METHODS §6).
    """
    low = float(settings.value("enabled.gva_per_job_low"))
    high = float(settings.value("enabled.gva_per_job_high"))
    if low > high:
        raise InputError(f"The setting enabled.gva_per_job_low (£{low:,.0f}) is above "
                         f"enabled.gva_per_job_high (£{high:,.0f}).")
    return {"low": low, "high": high,
            "settings": "enabled.gva_per_job_low, enabled.gva_per_job_high"}


def implausible_gva_per_job(table: pd.DataFrame, band: dict, report: Report,
                            file: str | None = None) -> list[dict]:
    """Flag tenants whose GVA per FTE lies outside the plausible band.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`tenant_table`.
    band : dict
        From :func:`gva_per_job_band`.
    report : Report
        Receives one warning per tenant outside the band, with its row.
    file : str, optional
        The workbook's path, for the warnings.

    Returns
    -------
    list of dict
        ``row``, ``organisation``, ``gva_per_fte``, ``gva_source``.
    """
    flagged = []
    for rec in table.to_dict("records"):
        per = rec.get("gva_per_fte")
        if per is None or pd.isna(per) or band["low"] <= per <= band["high"]:
            continue
        flagged.append({"row": rec["row"], "organisation": rec["organisation"],
                        "gva_per_fte": float(per), "gva_source": rec["gva_source"]})
        side = "below" if per < band["low"] else "above"
        report.warning(
            f"Tenant {rec['organisation']!r}: GVA per job works out at £{per:,.0f} a year per "
            f"FTE ({rec['gva_source']}), {side} the plausible band {_band_text(band)} "
            f"(settings {band['settings']}). Check its turnover, GVA and FTE.",
            file=file, sheet="Tenants", row=rec["row"], column="FTE employed")
    return flagged


def _span_text(span: dict) -> str:
    return f"{span['value']:.0%} (range {span['low']:.0%} to {span['high']:.0%})"


def additionality_span(settings) -> dict:
    """Return the additionality setting as ``{"value", "low", "high"}`` fractions.

    Parameters
    ----------
    settings : Settings
        Holds ``enabled.additionality``.

    Returns
    -------
    dict
        The share of tenants' jobs and GVA that would not exist anyway or elsewhere.
    """
    low, high = settings.span("enabled.additionality")
    return {"value": settings.central("enabled.additionality"), "low": low, "high": high}


def net_of_additionality(gross: float, span: dict) -> dict:
    """Return gross times additionality, at its central value and at both ends of its span.

    Parameters
    ----------
    gross : float
        A gross figure (FTE or £).
    span : dict
        ``{"value", "low", "high"}`` additionality shares.

    Returns
    -------
    dict
        ``{"value", "low", "high"}``.
    """
    return {key: gross * span[key] for key in ("value", "low", "high")}


def _cell(value: Any) -> float | None:
    """Return a number, or ``None`` for a blank cell."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return None
    return float(value)


def _tenant_gva(record: dict, ratios: dict, ratio_source: dict) -> tuple:
    """Return (gva, ratio, source, note) for one tenant."""
    given, turnover = _cell(record.get("gva")), _cell(record.get("turnover"))
    if given is not None:
        return given, None, GVA_OWN, ""
    if turnover is None:
        return None, None, GVA_NONE, "no GVA and no turnover given"
    sector = record.get("sector")
    if sector not in ratios:
        return None, None, GVA_NONE, f"no GVA-to-turnover ratio for sector {sector!r}"
    ratio = ratios[sector]
    return turnover * ratio, ratio, f"turnover × {ratio:.2f} ({ratio_source[sector]})", ""


def tenant_table(tenants: pd.DataFrame, ratios: pd.DataFrame, report: Report,
                 file: str | None = None) -> pd.DataFrame:
    """Return one row per tenant with the GVA used and where it came from.

    Parameters
    ----------
    tenants : pandas.DataFrame
        The workbook's ``tenants`` table (columns ``organisation``, ``sector``, ``fte``,
        ``turnover``, ``gva``, ``local``, ``row``).
    ratios : pandas.DataFrame
        From :func:`gva_ratio_table`.
    report : Report
        Receives a warning for each tenant with no FTE and no turnover or GVA, and for each
        tenant whose sector has no ratio.
    file : str, optional
        The workbook's path, for the warnings.

    Returns
    -------
    pandas.DataFrame
        Columns ``organisation``, ``sector``, ``local``, ``fte``, ``turnover``,
        ``gva_given``, ``gva_to_turnover``, ``gva``, ``gva_source``, ``note``, ``row``,
        ``gva_per_fte`` (blank where FTE is blank or 0). No tenant is dropped; figures that
        cannot be found are NaN with a ``note``.
    """
    ratio_of = dict(zip(ratios["sector"], ratios["gva_to_turnover"], strict=True))
    source_of = dict(zip(ratios["sector"], ratios["source"], strict=True))
    rows = []
    for record in tenants.to_dict("records"):
        fte = _cell(record.get("fte"))
        gva, ratio, source, note = _tenant_gva(record, ratio_of, source_of)
        where = {"file": file, "sheet": "Tenants", "row": _row(record)}
        if fte is None and gva is None and _cell(record.get("turnover")) is None:
            note = "no FTE, turnover or GVA given: listed, but adds nothing"
            report.warning(f"Tenant {record.get('organisation')!r} gives no FTE, turnover or "
                           "GVA; it is listed but adds nothing to enabled jobs or GVA.",
                           column="FTE employed", **where)
        elif gva is None and _cell(record.get("turnover")) is not None:
            report.warning(f"Tenant {record.get('organisation')!r}: {note}; its GVA is left "
                           "out. Add the sector to your ratio file or give the tenant's GVA.",
                           column="Sector", value=str(record.get("sector")), **where)
        elif fte is None:
            note = "; ".join(n for n in (note, "no FTE given: left out of enabled jobs") if n)
        rows.append({
            "organisation": record.get("organisation"), "sector": record.get("sector"),
            "local": _yesno(record.get("local")), "fte": fte,
            "turnover": _cell(record.get("turnover")), "gva_given": _cell(record.get("gva")),
            "gva_to_turnover": ratio, "gva": gva, "gva_source": source, "note": note,
            "row": _row(record),
        })
    columns = ["organisation", "sector", "local", "fte", "turnover", "gva_given",
               "gva_to_turnover", "gva", "gva_source", "note", "row"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("fte", "turnover", "gva_given", "gva_to_turnover", "gva"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    usable = frame["fte"] > 0
    frame["gva_per_fte"] = (frame["gva"] / frame["fte"]).where(usable)
    return frame


def _row(record: dict) -> int | None:
    value = _cell(record.get("row"))
    return None if value is None else int(value)


def _yesno(value: Any) -> bool | None:
    if value is None or (not isinstance(value, bool) and pd.isna(value)):
        return None
    return bool(value)


def _by_local(table: pd.DataFrame) -> pd.DataFrame:
    """Gross FTE and GVA by whether the tenant is local."""
    labels = {True: "local", False: "not local", None: "not known"}
    rows = []
    for key, label in labels.items():
        part = table[table["local"].map(lambda v, k=key: v is k)]
        rows.append({"tenants": label, "count": len(part), "fte": float(part["fte"].sum()),
                     "gva": float(part["gva"].sum())})
    return pd.DataFrame(rows)


def enabled_contribution(wb, settings, ratios: pd.DataFrame | None = None) -> EnabledResult:
    """Return the jobs and GVA enabled through tenants: gross, and net of additionality.

    Parameters
    ----------
    wb : Workbook
        The organisation's workbook (``wb.has("tenants")``, ``wb.table("tenants")``).
    settings : Settings
        ``enabled.additionality`` (assumed, with span) and ``enabled.gva_ratios``.
    ratios : pandas.DataFrame, optional
        A ratio table to use instead of the setting (columns ``sector``,
        ``gva_to_turnover``, ``source``), for example one edited in a notebook.

    Returns
    -------
    EnabledResult
        Status "not evidenced" (figures ``None``) when the workbook has no Tenants sheet or
        no tenants in it.

    References
    ----------
    Locality (2017), *Powerful Communities, Strong Economies*, with NEF Consulting: jobs and
    GVA enabled through the organisations community anchors house (METHODS §6).
    """
    span = additionality_span(settings)
    ratio_table = gva_ratio_table(settings) if ratios is None else _checked_ratios(ratios)
    if not wb.has("tenants"):
        return EnabledResult(NOT_EVIDENCED, "The workbook has no Tenants sheet (it may have "
                             "been made before that sheet existed).", additionality=span,
                             ratios=ratio_table)
    tenants = wb.table("tenants")
    if tenants.empty:
        return EnabledResult(NOT_EVIDENCED, "The Tenants sheet lists no organisations.",
                             additionality=span, ratios=ratio_table)
    report = Report()
    table = tenant_table(tenants, ratio_table, report, file=_path(wb))
    band = gva_per_job_band(settings)
    flagged = implausible_gva_per_job(table, band, report, file=_path(wb))
    result = _result_from_table(table, ratio_table, span, report)
    result.gva_per_job_band, result.implausible = band, flagged
    return result


def _path(wb) -> str | None:
    path = getattr(wb, "path", None)
    return None if path is None else str(path)


def _checked_ratios(ratios: pd.DataFrame) -> pd.DataFrame:
    """Check a ratio table given in code (a notebook's edited copy)."""
    frame = ratios.copy()
    if "source" not in frame.columns:
        frame["source"] = "ratio given in the notebook"
    for i, value in enumerate(frame["gva_to_turnover"]):
        if isinstance(value, bool) or not (isinstance(value, numbers.Real)
                                           and 0.0 <= float(value) <= 1.0):
            raise InputError(f"GVA-to-turnover ratio table, row {i + 1} "
                             f"({frame['sector'].iloc[i]!r}): {value!r} is not a share "
                             "from 0 to 1.")
    frame.attrs.setdefault("illustrative", frame["source"].astype(str).str.contains(
        "illustrative").any())
    return frame


def _net_or_none(gross: float | None, span: dict) -> dict | None:
    return None if gross is None else net_of_additionality(gross, span)


def _result_from_table(table: pd.DataFrame, ratios: pd.DataFrame, span: dict,
                       report: Report) -> EnabledResult:
    gross_fte = float(table["fte"].sum()) if table["fte"].notna().any() else None
    gross_gva = float(table["gva"].sum()) if table["gva"].notna().any() else None
    estimated = table["gva"].notna() & table["gva_given"].isna()
    used_illustrative = bool(table.loc[estimated, "gva_source"].astype(str)
                             .str.contains("illustrative").any())
    missing = int(table["fte"].isna().sum() + table["gva"].isna().sum())
    status = PARTLY_EVIDENCED if missing else EVIDENCED
    reason = ""
    if missing:
        reason = (f"{int(table['fte'].isna().sum())} tenant(s) give no FTE and "
                  f"{int(table['gva'].isna().sum())} have no GVA (given or estimated); "
                  "totals leave them out.")
    both = table["gva_per_fte"].notna()
    per_job = (float(table.loc[both, "gva"].sum() / table.loc[both, "fte"].sum())
               if both.any() else None)
    return EnabledResult(
        gva_basis=_gva_basis(table), gva_per_job=per_job,
        status=status, reason=reason, tenants=table, gross_fte=gross_fte,
        gross_gva=gross_gva, net_fte=_net_or_none(gross_fte, span),
        net_gva=_net_or_none(gross_gva, span), additionality=span,
        by_local=_by_local(table), gva_own=float(table["gva_given"].sum()),
        gva_estimated=float(table.loc[estimated, "gva"].sum()), ratios=ratios,
        ratios_illustrative=used_illustrative, problems=report,
    )


def _gva_basis(table: pd.DataFrame) -> str:
    """Return "evidenced", "estimated", "partly estimated" or "not evidenced" for GVA."""
    used = table["gva"].notna()
    if not used.any():
        return NOT_EVIDENCED
    estimated = used & table["gva_given"].isna()
    if not estimated.any():
        return EVIDENCED
    return ESTIMATED if estimated.sum() == used.sum() else PARTLY_ESTIMATED


# --------------------------------------------------------------------------- assets

ASSET_COLUMNS = ["asset", "floor_area", "hours_in_use", "visits", "visits_per_m2", "row"]


def assets_summary(wb, total: bool = True) -> pd.DataFrame:
    """Return the buildings and spaces with their use, and a total row.

    Parameters
    ----------
    wb : Workbook
        The organisation's workbook; its optional ``assets`` table is read.
    total : bool
        Whether to end with a "Total" row (sums; ``row`` blank).

    Returns
    -------
    pandas.DataFrame
        Columns ``asset``, ``floor_area`` (m²), ``hours_in_use`` (hours a week),
        ``visits`` (a year), ``visits_per_m2`` (visits a year per m², blank where floor area
        is blank or zero), ``row``. ``attrs["status"]`` is "evidenced" or "not evidenced"
        (no Assets sheet, or no rows). The total of ``hours_in_use`` is space-hours a week.

    References
    ----------
    Locality (2017): "positive and productive use of local assets" (METHODS §6).
    """
    if not wb.has("assets") or wb.table("assets").empty:
        frame = pd.DataFrame(columns=ASSET_COLUMNS)
        frame.attrs["status"] = NOT_EVIDENCED
        return frame
    assets = wb.table("assets")
    frame = pd.DataFrame({
        "asset": assets["asset"].astype(str),
        "floor_area": pd.to_numeric(assets["floor_area"], errors="coerce").astype(float),
        "hours_in_use": pd.to_numeric(assets["hours_in_use"], errors="coerce").astype(float),
        "visits": pd.to_numeric(assets["visits"], errors="coerce").astype(float),
        "row": assets["row"],
    })
    frame["visits_per_m2"] = _per_m2(frame["visits"], frame["floor_area"])
    if total:
        sums = {c: frame[c].sum(min_count=1) for c in ("floor_area", "hours_in_use", "visits")}
        both = frame["visits"].notna() & (frame["floor_area"] > 0)
        per_m2 = (frame.loc[both, "visits"].sum() / frame.loc[both, "floor_area"].sum()
                  if both.any() else math.nan)
        frame = pd.concat([frame, pd.DataFrame([{"asset": "Total", **sums,
                                                 "visits_per_m2": per_m2, "row": None}])],
                          ignore_index=True)
    frame = frame[ASSET_COLUMNS]
    frame.attrs["status"] = EVIDENCED
    return frame


def _per_m2(visits: pd.Series, area: pd.Series) -> pd.Series:
    """Visits per m², blank (NaN) where area is blank or zero: never a division by zero."""
    usable = area.notna() & (area > 0) & visits.notna()
    out = pd.Series(math.nan, index=visits.index, dtype=float)
    out[usable] = visits[usable] / area[usable]
    return out


def assets_indicators(wb, settings=None) -> dict:
    """Return indicators of "positive and productive use of local assets" for the profile.

    Parameters
    ----------
    wb : Workbook
        The organisation's workbook (optional ``assets`` and ``tenants`` tables).
    settings : Settings, optional
        Used for enabled GVA (ratios) and additionality; defaults when not given.

    Returns
    -------
    dict
        ``{"characteristic": "positive and productive use of local assets",
        "status": "evidenced" | "partly evidenced" | "not evidenced",
        "indicators": [ {"key", "label", "value", "unit", "status", "note"} ...],
        "notes": [str, ...]}``. Keys of the indicators, in order: ``assets`` (count),
        ``floor_area_m2``, ``space_hours_a_week``, ``visits_a_year``,
        ``visits_per_m2_a_year``, ``tenants`` (count), ``enabled_fte_gross``,
        ``enabled_gva_gross``, ``enabled_fte_net``, ``enabled_gva_net``. An indicator that
        cannot be worked out has ``value`` ``None`` and ``status`` "not evidenced". Net
        values are the central figure; their ``note`` gives the span.

    References
    ----------
    Locality (2017), *Powerful Communities, Strong Economies* (METHODS §6).
    """
    if settings is None:
        from toolkit.inputs.settings import load_settings
        settings = load_settings()
    assets = assets_summary(wb, total=True)
    enabled = enabled_contribution(wb, settings)
    indicators = _asset_indicators(assets) + _enabled_indicators(enabled)
    statuses = {item["status"] for item in indicators}
    if enabled.status == PARTLY_EVIDENCED:
        statuses.add(NOT_EVIDENCED)
    if statuses == {NOT_EVIDENCED}:
        status = NOT_EVIDENCED
    elif statuses == {EVIDENCED}:
        status = EVIDENCED
    else:
        status = PARTLY_EVIDENCED
    notes = []
    if assets.attrs["status"] == NOT_EVIDENCED:
        notes.append("No Assets sheet (or no rows): use of buildings is not evidenced.")
    if not enabled.evidenced:
        notes.append(f"Enabled jobs and GVA not evidenced: {enabled.reason}")
    elif enabled.reason:
        notes.append(enabled.reason)
    return {"characteristic": CHARACTERISTIC, "status": status, "indicators": indicators,
            "notes": notes}


def _indicator(key: str, label: str, value: Any, unit: str, note: str = "",
               basis: str = EVIDENCED) -> dict:
    value = _plain(value)
    return {"key": key, "label": label, "value": value, "unit": unit,
            "status": NOT_EVIDENCED if value is None else basis, "note": note}


def _asset_indicators(assets: pd.DataFrame) -> list[dict]:
    if assets.attrs["status"] == NOT_EVIDENCED:
        total: dict = {}
        count = None
    else:
        total = assets.iloc[-1].to_dict()
        count = len(assets) - 1
    return [
        _indicator("assets", "Buildings and spaces run", count, "count"),
        _indicator("floor_area_m2", "Floor area", total.get("floor_area"), "m²"),
        _indicator("space_hours_a_week", "Hours in use, summed over spaces",
                   total.get("hours_in_use"), "space-hours a week"),
        _indicator("visits_a_year", "Users or visits", total.get("visits"), "a year"),
        _indicator("visits_per_m2_a_year", "Visits per m² of floor area",
                   total.get("visits_per_m2"), "visits a year per m²",
                   "over spaces that give both visits and floor area"),
    ]


def _enabled_indicators(enabled: EnabledResult) -> list[dict]:
    count = len(enabled.tenants) if enabled.evidenced else None
    net_fte = enabled.net_fte or {}
    net_gva = enabled.net_gva or {}
    span = _span_text(enabled.additionality) if enabled.additionality else ""
    gva_basis = EVIDENCED if enabled.gva_basis == NOT_EVIDENCED else enabled.gva_basis
    return [
        _indicator("tenants", "Organisations housed", count, "count"),
        _indicator("enabled_fte_gross", "Enabled jobs (gross)", enabled.gross_fte, "FTE",
                   GROSS_LABEL),
        _indicator("enabled_gva_gross", "Enabled GVA (gross)", enabled.gross_gva, "£ a year",
                   GROSS_LABEL + ("; " + _estimated_text(enabled)
                                  if enabled.gva_estimated else ""), gva_basis),
        _indicator("enabled_fte_net", "Enabled jobs (net, assumed additionality)",
                   net_fte.get("value"), "FTE",
                   f"assumed additionality {span}: {net_fte.get('low'):,.1f} to "
                   f"{net_fte.get('high'):,.1f} FTE" if net_fte else ""),
        _indicator("enabled_gva_net", "Enabled GVA (net, assumed additionality)",
                   net_gva.get("value"), "£ a year",
                   f"assumed additionality {span}: £{net_gva.get('low'):,.0f} to "
                   f"£{net_gva.get('high'):,.0f}" if net_gva else "", gva_basis),
    ]


__all__ = [
    "EnabledResult",
    "additionality_span",
    "assets_indicators",
    "assets_summary",
    "enabled_contribution",
    "gva_per_job_band",
    "gva_ratio_table",
    "implausible_gva_per_job",
    "net_of_additionality",
    "tenant_table",
]
