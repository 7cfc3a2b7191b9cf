"""``keepitlocal value WORKBOOK``: social value (SROI) and volunteering, with workings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.measures.sroi import SroiResult
    from toolkit.measures.volunteering import VolunteeringResult


import json

NAME = "value"
HELP = ("Social value (SROI) with its sensitivity, and volunteers' time at replacement cost, "
        "for one workbook.")


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("workbook", metavar="WORKBOOK",
                        help="organisation workbook (.xlsx) or folder of CSV files")
    parser.add_argument("--settings", metavar="FILE", help="your settings file (YAML)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args) -> int:
    """Compute SROI and volunteering and print them."""
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.sroi import sroi_from_workbook
    from toolkit.measures.volunteering import volunteering_value

    settings = load_settings(args.settings)
    wb = load_workbook(args.workbook)
    volunteering = volunteering_value(wb, settings)
    has_outcomes = wb.has("outcomes") and not wb.table("outcomes").empty
    result = sroi_from_workbook(wb, settings) if has_outcomes else None
    missing = ("Social value: not evidenced by this workbook (it records no outcomes)."
               if result is None else None)
    if args.json:
        data = {"workbook": str(args.workbook), "organisation": wb.name,
                "financial_year": wb.financial_year, "fictional": wb.fictional,
                "sroi": result.to_dict() if result else None, "sroi_note": missing,
                "volunteering": volunteering.to_dict()}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"Social value for {wb.name}, {wb.financial_year or 'year not given'}")
    if wb.fictional:
        print("(Fictional sample data: made up for training.)")
    print()
    print(missing or describe_sroi(result))
    print()
    print(describe_volunteering(volunteering))
    return 0


def _money(value) -> str:
    if value is None:
        return "n/a"
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def describe_sroi(result: SroiResult) -> str:
    """Return an SROI result as plain text: headline, outcomes, inputs, sensitivity, notes."""
    ratio = ("not defined (inputs are £0)" if result.ratio is None
             else f"£{result.ratio:.2f} of social value per £1 of inputs")
    lines = [f"SROI ({result.analysis_year} prices)",
             f"  Present value      {_money(result.present_value):>14}",
             f"  Inputs             {_money(result.inputs_value):>14}",
             f"  Net present value  {_money(result.net_present_value):>14}",
             f"  Ratio              {ratio}", "", "  Outcomes (workings):"]
    for rec in result.outcomes.to_dict("records"):
        source = rec["proxy_id"] or "own value"
        lines.append(
            f"  - row {rec['row']}: {rec['outcome']} ({rec['stakeholder']}): "
            f"{rec['quantity']:g} x £{rec['unit_value']:,.2f} ({source}, "
            f"£{rec['value_as_given']:,.2f} in {rec['price_year']} prices x "
            f"{rec['uprating_factor']:.3f}); deadweight {rec['deadweight']:.0%}, displacement "
            f"{rec['displacement']:.0%}, attribution {rec['attribution']:.0%}, drop-off "
            f"{rec['drop_off']:.0%}, {rec['benefit_period']} year(s); year 1 "
            f"{_money(rec['year1_impact'])}; present value {_money(rec['present_value'])} "
            f"({rec['discounting']})")
    lines.append("  Inputs:")
    for rec in result.inputs.to_dict("records"):
        lines.append(f"  - {rec['item']}: {_money(rec['amount'])} ({rec['status']}; "
                     f"{rec['source']})")
    lines.append("  Sensitivity (each assumption moved on its own, largest effect first):")
    for rec in result.sensitivity.to_dict("records"):
        if result.ratio is None:
            span = f"PV {_money(rec['pv_down'])} to {_money(rec['pv_up'])}"
        else:
            span = f"ratio {rec['ratio_down']:.2f} to {rec['ratio_up']:.2f}"
        lines.append(f"  - {rec['assumption']}: {span} ({rec['down']} / {rec['up']})")
    lines.append("  Evidenced or assumed:")
    for rec in result.evidence.to_dict("records"):
        lines.append(f"  - {rec['figure']}: {rec['status']}")
    for problem in result.report.problems:
        lines.append(f"  {problem.text()}")
    for note in result.notes:
        lines.append(f"  Note: {note}")
    return "\n".join(lines)


def describe_volunteering(result: VolunteeringResult) -> str:
    """Return volunteering at replacement cost as plain text, with the wage shown."""
    lines = [f"Volunteering: {result.total_hours:,.0f} hours, worth "
             f"{_money(result.total_value)} at replacement cost"]
    for rec in result.table.to_dict("records"):
        lines.append(f"  - {rec['activity']}: {rec['hours']:,.0f} hours x "
                     f"£{rec['hourly_wage']:,.2f} an hour ({rec['wage_source']}) = "
                     f"{_money(rec['value'])}")
    lines.append("  At other hourly rates:")
    for rec in result.comparison.to_dict("records"):
        lines.append(f"  - £{rec['hourly_wage']:,.2f}: {_money(rec['value'])} ({rec['rate']}; "
                     f"{rec['checked']})")
    lines.extend(f"  Note: {note}" for note in result.notes)
    return "\n".join(lines)
