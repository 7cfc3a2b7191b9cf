"""Run an import: read every export, merge the tables into a workbook, and summarise.

:func:`import_exports` reads the files named in :class:`ImportOptions` into an
:class:`~toolkit.imports.formats.ImportResult`; :func:`merge_into_workbook` writes the tables into
a new or existing workbook (an existing table with rows is refused unless the user asks to
replace or append); :func:`summary_dict` and :func:`summary_text` say what went where.

References
----------
docs/importing.md (the user guide).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.imports.formats import ImportResult, financial_year_span, format_money
from toolkit.imports.ledger import (
    CategoryMap,
    read_category_map,
    read_contacts,
    read_transactions,
    spending_table,
)
from toolkit.imports.people import read_payroll, read_survey
from toolkit.inputs.errors import InputError
from toolkit.inputs.names import supplier_key
from toolkit.inputs.schema import TABLES, table


@dataclass
class ImportOptions:
    """What to import and how.

    Attributes
    ----------
    transactions, contacts, payroll, staff_survey, supplier_survey : list of Path
        Files of each kind.
    mapping : dict
        Kind to a dict of role to header text (from ``--map`` and ``--map-file``).
    layout : str
        ``auto`` or a layout name for the transactions files.
    category_map : Path or None
        A user's category map, read before the shipped one.
    period : (date, date) or None
        The year studied; transaction lines dated outside it are left out.
    full_time_hours, weeks_per_year : float
        Assumptions for payroll lines given in hours or hourly rates.
    """

    transactions: list[Path] = field(default_factory=list)
    contacts: list[Path] = field(default_factory=list)
    payroll: list[Path] = field(default_factory=list)
    staff_survey: list[Path] = field(default_factory=list)
    supplier_survey: list[Path] = field(default_factory=list)
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)
    layout: str = "auto"
    category_map: Path | None = None
    period: tuple[dt.date, dt.date] | None = None
    full_time_hours: float = 37.5
    weeks_per_year: float = 52.0


def import_exports(options: ImportOptions) -> ImportResult:
    """Read every export named in ``options`` into workbook tables and a summary.

    Parameters
    ----------
    options : ImportOptions

    Returns
    -------
    ImportResult
        ``tables`` holds ``spending``, ``staff``, ``staff_survey`` and ``supplier_survey``
        for the kinds of file given.

    Raises
    ------
    InputError
        When a file cannot be read at all (unknown layout, no header row, bad mapping).
    """
    result = ImportResult()
    if not any([options.transactions, options.payroll, options.staff_survey,
                options.supplier_survey]):
        raise InputError("Nothing to import: give --transactions, --payroll, "
                         "--staff-survey or --supplier-survey (see docs/importing.md).")
    if options.contacts and not options.transactions:
        raise InputError("--contacts gives postcodes for the suppliers of a transactions "
                         "export: give --transactions too.")
    if options.transactions:
        _import_spending(options, result)
    if options.payroll:
        frames = [read_payroll(p, result, options.mapping.get("payroll"),
                               options.full_time_hours, options.weeks_per_year)
                  for p in options.payroll]
        result.tables["staff"] = pd.concat(frames, ignore_index=True)
    for kind in ("staff_survey", "supplier_survey"):
        files = getattr(options, kind)
        if files:
            frames = [read_survey(p, kind, result, options.mapping.get(kind)) for p in files]
            result.tables[kind] = pd.concat(frames, ignore_index=True)
    _check_survey_suppliers(result)
    return result


def _check_survey_suppliers(result: ImportResult) -> None:
    """Warn about supplier survey replies naming a supplier not in the imported spending."""
    survey, spending = result.tables.get("supplier_survey"), result.tables.get("spending")
    if survey is None or spending is None:
        return
    known = {supplier_key(name) for name in spending["supplier"]}
    for name in survey["supplier"]:
        if supplier_key(name) not in known:
            result.report.warning("This supplier survey reply names a supplier not found in "
                                  "the imported spending; use the same name in both sheets.",
                                  sheet="Supplier survey", value=name)


def _import_spending(options: ImportOptions, result: ImportResult) -> None:
    categories = CategoryMap()
    if options.category_map:
        categories.user_rules = read_category_map(options.category_map)
    lines = []
    for path in options.transactions:
        lines += read_transactions(path, result, categories, options.mapping.get(
            "transactions"), options.layout, options.period)
    contacts = []
    for path in options.contacts:
        contacts += read_contacts(path, result, options.mapping.get("contacts"))
    result.tables["spending"] = spending_table(lines, contacts, result)
    result.category_rules = sorted(categories.used.values(),
                                   key=lambda r: (r["category"], r["account"]))
    unmatched = [r["account"] or r["account_code"] for r in result.category_rules
                 if r["source"] == "default" and (r["account"] or r["account_code"])]
    if unmatched:
        result.report.warning(
            "No rule in the category map fits these accounts, so their lines were put under "
            f"'other': {', '.join(unmatched)}. Add a line for each to a map of your own "
            "(--category-map) to place them.")
    if options.period is None:
        result.report.notice("No year was given (--year or the workbook's financial year), "
                             "so every dated line was kept.")


def period_from(year: str | None, start: str | None, end: str | None,
                workbook_year: str | None) -> tuple[dt.date, dt.date] | None:
    """Return the year studied from ``--from``/``--to``, ``--year`` or the workbook's year."""
    if start or end:
        if not (start and end):
            raise InputError("Give both --from and --to (such as --from 2024-01-01 "
                             "--to 2024-12-31).")
        try:
            first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        except ValueError:
            raise InputError("--from and --to take dates such as 2024-04-01.") from None
        if last < first:
            raise InputError("--to comes before --from.")
        return first, last
    if year:
        return financial_year_span(year)
    if workbook_year:
        return financial_year_span(workbook_year)
    return None


# --------------------------------------------------------------------- the workbook


def existing_tables(path: Path) -> tuple[dict[str, pd.DataFrame], str | None]:
    """Read an existing workbook's tables for rewriting, refusing if any cell would be lost.

    Returns
    -------
    tables : dict of str to DataFrame
        Every table present, in the schema's keys (without the ``row`` column).
    financial_year : str or None

    Raises
    ------
    InputError
        When the workbook holds cells that could not be read: rewriting it would lose them.
    """
    from toolkit.inputs.workbook import read_workbook

    if path.is_dir():
        raise InputError(f"{path}: import writes an Excel workbook (.xlsx); this is a folder "
                         "of CSV files. Give a .xlsx path, or import into a new workbook.")
    workbook = read_workbook(path)
    unreadable = [p for p in workbook.report.errors if p.value not in (None, "")]
    if unreadable:
        body = "\n".join(p.text() for p in unreadable)
        raise InputError(f"{path.name}: these cells could not be read, and rewriting the "
                         f"workbook would lose them. Fix them first:\n{body}")
    tables = {}
    for spec in TABLES:
        if workbook.has(spec.key):
            tables[spec.key] = workbook.table(spec.key).drop(columns="row", errors="ignore")
    return tables, workbook.financial_year


def merge_into_workbook(path: str | Path, result: ImportResult, mode: str = "refuse",
                        about: dict | None = None) -> dict[str, dict]:
    """Write the imported tables into a new or existing workbook.

    Parameters
    ----------
    path : path-like
        The workbook (``.xlsx``). When it exists, it is read, a copy is kept beside it
        (``NAME.before-import.xlsx``), and it is written back with the imported tables.
    result : ImportResult
    mode : {"refuse", "replace", "append"}
        What to do when a table being imported already has rows: stop with a message
        (default), replace those rows, or add to them.
    about : dict, optional
        About-sheet values for a new workbook (name, org_id, la_code, financial_year).

    Returns
    -------
    dict
        Table key to ``{"rows": n, "action": "written" | "replaced" | "appended",
        "before": n}``.

    Raises
    ------
    InputError
        When a table already has rows and ``mode`` is "refuse".
    """
    from toolkit.inputs.workbook import write_workbook

    path = Path(path)
    if path.suffix.casefold() not in {".xlsx", ".xlsm"}:
        raise InputError(f"{path.name}: the workbook must be an Excel file ending .xlsx.")
    tables, _ = existing_tables(path) if path.exists() else ({}, None)
    if about and not path.exists():
        tables["about"] = pd.DataFrame([about])
    elif about:
        result.report.notice("--name, --org-id, --la-code and --year only fill the About "
                             "sheet of a new workbook; this workbook's About sheet was kept.",
                             file=path.name, sheet="About")
    actions = {}
    clashes = [key for key, new in result.tables.items()
               if key in tables and len(tables[key]) and mode == "refuse"]
    if clashes:
        listed = ", ".join(f"'{table(k).sheet}' ({len(tables[k])} rows)" for k in clashes)
        raise InputError(f"{path.name} already has rows in {listed}. Nothing was written. "
                         "Run again with --replace to replace those rows with the imported "
                         "ones, or --append to add the imported rows after them.")
    for key, new in result.tables.items():
        before = len(tables.get(key, []))
        if mode == "append" and before:
            tables[key] = pd.concat([tables[key], new], ignore_index=True)
            action = "appended"
        else:
            tables[key] = new
            action = "replaced" if before else "written"
        actions[key] = {"rows": len(new), "action": action, "before": before}
    if path.exists():
        shutil.copy2(path, path.with_name(f"{path.stem}.before-import{path.suffix}"))
    write_workbook(path, {k: _writable(v) for k, v in tables.items()})
    return actions


def _writable(frame: pd.DataFrame) -> list[dict]:
    records = frame.astype(object).where(pd.notna(frame), None).to_dict("records")
    return [{k: v for k, v in rec.items() if k != "row"} for rec in records]


# ------------------------------------------------------------------------- the summary


def summary_dict(result: ImportResult, workbook: str | None = None,
                 actions: dict | None = None) -> dict:
    """Return the import's summary as plain data, for ``--json``.

    Keys: ``workbook``, ``written``, ``tables`` (rows and action per table), ``files`` (per
    file: layout, header row, lines used and left out, totals and whether they reconcile),
    ``spending`` (total, by category), ``staff`` (rows, gross pay), ``excluded`` (each
    line and its reason), ``excluded_by_reason``, ``category_rules``,
    ``suppliers_without_postcode``, ``unsettled``, ``assumptions``, ``problems``.
    """
    spending = result.tables.get("spending")
    excluded_by_reason: dict[str, dict] = {}
    for line in result.excluded:
        entry = excluded_by_reason.setdefault(line.reason, {"lines": 0, "total": 0.0})
        entry["lines"] += 1
        entry["total"] = round(entry["total"] + line.amount, 2)
    staff = result.tables.get("staff")
    return {
        "workbook": workbook,
        "written": bool(actions),
        "tables": actions or {k: {"rows": len(v), "action": "would be written"}
                              for k, v in result.tables.items()},
        "files": [vars(f) for f in result.files],
        "spending": None if spending is None else {
            "rows": len(spending),
            "rows_written": spending.astype(object).where(pd.notna(spending), None).to_dict(
                "records"),
            "total": round(float(spending["amount"].sum()), 2),
            "by_category": {k: round(float(v), 2) for k, v in
                            spending.groupby("category")["amount"].sum().items()},
        },
        "staff": None if staff is None else {
            "rows": len(staff), "gross_pay": round(float(staff["gross_pay"].sum()), 2)},
        "excluded": [vars(e) for e in result.excluded],
        "excluded_by_reason": excluded_by_reason,
        "category_rules": result.category_rules,
        "suppliers_without_postcode": result.suppliers_without_postcode,
        "unsettled": [vars(u) for u in result.unsettled],
        "assumptions": result.notes,
        "problems": result.report.to_list(),
    }


def summary_text(result: ImportResult, workbook: str | None = None,
                 actions: dict | None = None) -> str:
    """Return the import's summary as plain text for the terminal."""
    data = summary_dict(result, workbook, actions)
    out: list[str] = []
    out += _files_text(data)
    out += _tables_text(data, workbook)
    out += _excluded_text(data)
    out += _rules_text(data)
    if data["suppliers_without_postcode"]:
        out += ["", f"Suppliers with no postcode ({len(data['suppliers_without_postcode'])}),"
                " left blank:"]
        out += [f"  {name}" for name in data["suppliers_without_postcode"]]
    if data["unsettled"]:
        out += ["", f"To settle ({len(data['unsettled'])}): answers and lines not read, "
                "and not written. Put your reading in the workbook, or fix the export:"]
        out += [f"  {u['file']}, row {u['row']}, '{u['column']}': {u['answer']!r} - "
                f"{u['reason']}" for u in data["unsettled"]]
    if data["assumptions"]:
        out += ["", "Assumptions used (assumed figures, change them with the options named):"]
        out += [f"  {note}" for note in data["assumptions"]]
    if result.report.problems:
        out += ["", "Problems:", result.report.text()]
    return "\n".join(out)


def _files_text(data: dict) -> list[str]:
    out = ["Files read:"]
    for f in data["files"]:
        out.append(f"  {f['file']} ({f['kind']}, layout: {f['layout']}, header on row "
                   f"{f['header_row']}): {f['lines']} line(s), {f['used']} used, "
                   f"{f['left_out']} left out.")
        if f["kind"] == "transactions":
            out.append(f"    Layout evidence: {f['layout_note']}.")
            out.append(f"    Included {format_money(f['included_total'])} + excluded "
                       f"{format_money(f['excluded_total'])} = "
                       f"{format_money(f['lines_total'])}; {f['reconcile_note']}. "
                       f"Reconciles: {'yes' if f['reconciles'] else 'NO'}.")
            if f["subtotals_checked"]:
                bad = len(f["subtotal_mismatches"])
                out.append(f"    Subtotals checked: {f['subtotals_checked']}, "
                           f"{'all agree' if not bad else f'{bad} disagree'}.")
        if f["skipped_rows"]:
            listed = ", ".join(f"{n} {what}" for what, n in f["skipped_rows"].items())
            out.append(f"    Not transaction lines, skipped: {listed}.")
    return out


def _tables_text(data: dict, workbook: str | None) -> list[str]:
    where = workbook or "the workbook"
    out = ["", f"What went where ({where}):" if data["written"] else
           "What would go where (nothing written):"]
    for key, info in data["tables"].items():
        before = f", replacing {info['before']} row(s)" if info.get("action") == "replaced" \
            else ""
        out.append(f"  {table(key).sheet}: {info['rows']} row(s) {info['action']}{before}.")
    if data["spending"]:
        out.append(f"  Spending total: {format_money(data['spending']['total'])}, by category:")
        out += [f"    {cat}: {format_money(v)}" for cat, v in
                sorted(data["spending"]["by_category"].items(), key=lambda kv: -kv[1])]
    if data["spending"]:
        out.append("  Spending by supplier and category:")
        out += [f"    {r['supplier']} | {r['supplier_postcode'] or 'no postcode'} | "
                f"{r['category']} | {format_money(r['amount'])}"
                for r in data["spending"]["rows_written"]]
    if data["staff"]:
        out.append(f"  Staff: gross pay {format_money(data['staff']['gross_pay'])} a year "
                   "(names not written; postcodes cut to districts).")
    return out


def _excluded_text(data: dict) -> list[str]:
    if not data["excluded"]:
        return []
    total = sum(e["amount"] for e in data["excluded"])
    out = ["", f"Excluded lines ({len(data['excluded'])}, {format_money(total)}), by reason:"]
    for reason, info in data["excluded_by_reason"].items():
        out.append(f"  {reason}: {info['lines']} line(s), {format_money(info['total'])}")
    out.append("  Each line:")
    for e in data["excluded"]:
        out.append(f"    {e['file']}, row {e['row']}: {e['supplier'] or '-'} | "
                   f"{e['account'] or '-'} | {format_money(e['amount'])} | {e['reason']}")
    return out


def _rules_text(data: dict) -> list[str]:
    if not data["category_rules"]:
        return []
    out = ["", "Category mapping used (account -> category, rule, from):"]
    for r in data["category_rules"]:
        account = r["account"] or f"code {r['account_code']}"
        if r["account"] and r["account_code"]:
            account += f" ({r['account_code']})"
        out.append(f"  {account} -> {r['category']} ('{r['rule']}', {r['source']})")
    return out
