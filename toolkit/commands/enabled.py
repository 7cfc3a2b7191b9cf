"""``keepitlocal enabled WORKBOOK``: jobs and GVA enabled through tenants, and use of assets."""

from __future__ import annotations

import json

NAME = "enabled"
HELP = ("Enabled jobs and GVA of the organisations you house (gross, and net of an assumed "
        "additionality), and how your buildings are used.")


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("workbook", metavar="WORKBOOK", help="workbook (.xlsx) or CSV folder")
    parser.add_argument("--settings", action="append", default=[], metavar="FILE",
                        help="a settings file of your own (may be given more than once)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args) -> int:
    """Print enabled jobs and GVA, gross and net, and the assets summary."""
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.enabled import assets_indicators, enabled_contribution

    settings = load_settings(*args.settings)
    wb = load_workbook(args.workbook)
    result = enabled_contribution(wb, settings)
    if args.json:
        out = {"workbook": str(args.workbook), "organisation": wb.name,
               "enabled": result.to_dict(), "assets": assets_indicators(wb, settings)}
        print(json.dumps(out, indent=2, allow_nan=False))
        return 0
    status = ("jobs evidenced" if result.status == "evidenced" else result.status)
    basis = "" if not result.evidenced else f"; GVA {result.gva_basis}"
    print(f"{wb.name}: enabled contribution ({status}{basis})")
    for line in _enabled_lines(result):
        print(line)
    print()
    print(_assets_text(wb))
    return 0


def _enabled_lines(result) -> list[str]:
    from toolkit.measures.enabled import GROSS_LABEL

    if not result.evidenced:
        return [f"  Not evidenced: {result.reason}"]
    lines = [f"  Figures are {GROSS_LABEL}."]
    for row in result.summary_table().to_dict("records"):
        if row["gross"] is None:
            lines.append(f"  {row['measure']}: not evidenced")
            continue
        fmt = (lambda v: f"{v:,.2f} FTE") if row["unit"] == "FTE" else (lambda v: f"£{v:,.0f}")
        lines.append(f"  {row['measure']}: {fmt(row['gross'])} gross; net {fmt(row['net'])} "
                     f"(range {fmt(row['net_low'])} to {fmt(row['net_high'])}).")
        lines.append(f"    ({row['label'].removeprefix(GROSS_LABEL + '; ')})")
    if result.reason:
        lines.append(f"  {result.reason}")
    lines.extend(f"  {p.text()}" for p in result.problems.problems)
    return lines


def _assets_text(wb) -> str:
    from toolkit.measures.enabled import assets_summary

    frame = assets_summary(wb)
    if frame.attrs["status"] != "evidenced":
        return "Assets: not evidenced (no Assets sheet, or no rows in it)."
    shown = frame.drop(columns=["row"]).rename(columns={
        "asset": "Building or space", "floor_area": "Floor area (m²)",
        "hours_in_use": "Hours a week", "visits": "Visits a year",
        "visits_per_m2": "Visits a year per m²"})
    return "Assets:\n" + shown.to_string(index=False, na_rep="-", float_format="{:,.1f}".format)
