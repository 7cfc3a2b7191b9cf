"""``keepitlocal appraise SCENARIO.yml``: an options appraisal for a commissioner."""

from __future__ import annotations

import json

NAME = "appraise"
HELP = ("Appraise commissioning options from a scenario file: LM3, local value, local jobs, "
        "break-even premiums (by a weight on local value and by tender scoring), scores.")


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (.yml)")
    parser.add_argument("--settings", action="append", default=[], metavar="FILE",
                        help="a settings file of your own (may be given more than once)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args) -> int:
    """Print the appraisal, as text or as JSON."""
    from toolkit.appraisal.appraise import appraise, load_scenario
    from toolkit.inputs.settings import load_settings

    settings = load_settings(*args.settings)
    result = appraise(load_scenario(args.scenario), settings)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False, ensure_ascii=False))
        return 0
    print("\n".join(text_lines(result)))
    return 0


def text_lines(result) -> list[str]:
    """Return the appraisal as lines of plain text."""
    from toolkit.appraisal.appraise import LAWFUL_ROUTE
    from toolkit.appraisal.report import money

    s = result.scenario
    lines = [f"Options appraisal: {s.service} ({s.years} year(s); {s.path})", ""]
    for _, r in result.options.iterrows():
        jobs = ("not estimated" if r["local_jobs_fte"] is None or r["local_jobs_fte"] != r[
            "local_jobs_fte"] else f"{r['local_jobs_fte']:,.1f} FTE a year")
        lines.append(
            f"  {r['name']} ({'local' if r['local_provider'] else 'not local'}; "
            f"{r['behaviour']}): price {money(r['price'])}, LM3 {r['lm3']:.2f} "
            f"({r['lm3_low']:.2f} to {r['lm3_high']:.2f}), local income "
            f"{money(r['local_value'])} (present value; £{r['local_income_per_pound']:.3f} "
            f"per £1, surplus kept £{r['surplus_per_pound']:.3f} per £1), local jobs {jobs}, "
            f"score "
            f"{r['total_score']:.1f}/100 (rank {r['rank']})")
    lines += ["", f"Appraised option: {result.appraised}; cheapest other option: "
              f"{result.comparator}.", ""]
    h = result.headline
    ratio = h["value_per_extra_pound"]
    lines += [f"Extra cost {money(h['extra_cost_pv'])} (present value; "
              f"{money(h['extra_cost_per_year'])} a year); extra local income "
              f"{money(h['extra_local_value'])} (present value; "
              f"{money(h['extra_local_value_per_year'])} a year); ratio "
              f"{'undefined (not dearer)' if ratio is None else f'£{ratio:,.2f} per £1'}.",
              f"v_0 (local income per £1 of what the premium would otherwise buy): "
              f"{s.other_spending.value:.3f} ({s.other_spending.source}).", ""]
    lines += [f"- {sentence}" for sentence in result.summary()]
    if len(result.sensitivity):
        top = result.sensitivity.iloc[0]
        where = "" if top["option"].startswith("(") else f" of {top['option']}"
        lines += ["", f"Moves the break-even premium most: {top['assumption']}{where} "
                  f"({top['low']:g} to {top['high']:g})."]
    lines += ["", "Notes:"] + [f"- {n}" for n in result.notes]
    lines += ["", LAWFUL_ROUTE]
    return lines
