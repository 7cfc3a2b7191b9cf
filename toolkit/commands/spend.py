"""``keepitlocal spend FILE [FILE ...]``: where a council's payments go (CLES spend analysis).

JSON output (``--json``): money in pounds as numbers with 2 decimal places (``total``,
``local`` ...) and exactly in integer pence (``total_pence``, ``local_pence`` ...); shares as
fractions of 1, spend-weighted. See :meth:`toolkit.spend.analysis.SpendResult.summary`.
"""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.commands._options import add_authority_arguments, positive_int
from toolkit.inputs.errors import InputError
from toolkit.spend import DEFAULT_TOP

NAME = "spend"
HELP = ("Analyse council payments files: local, non-local and unknown spend within each "
        "boundary, years compared, VCSE and SME spend, top suppliers, by month and category "
        "(CLES method).")


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="payments file(s), CSV or Excel (.xlsx); several are read as one")
    parser.add_argument("--local-postcodes", metavar="CODES",
                        help='what "local" means: postcode areas, districts, sectors or '
                             'postcodes, such as "BD1 BD2 HX BD7 1"')
    parser.add_argument("--local-name", default=None, metavar="NAME",
                        help="name of the local boundary, as results should state it (default "
                             "'Local area', or the councils' official names)")
    parser.add_argument("--wider-postcodes", metavar="CODES",
                        help="a wider boundary (county, region) reported as well")
    parser.add_argument("--wider-name", default="Wider area", metavar="NAME",
                        help="name of the wider boundary")
    parser.add_argument("--postcode-lookup", metavar="CSV",
                        help="postcode to local authority lookup (ONS Postcode Directory or "
                             "similar) to place full postcodes exactly")
    add_authority_arguments(parser, centre_help="the council's (or organisation's)")
    parser.add_argument("--suppliers", metavar="LIST.csv",
                        help="your supplier list: name, postcode, type (supplier id optional)")
    parser.add_argument("--unplaced-out", metavar="FILE",
                        help="write the suppliers not placed, largest first, as a CSV to fill "
                             "in and pass back with --suppliers")
    parser.add_argument("--use-name-postcodes", action="store_true",
                        help="place suppliers by a postcode written inside their name (low "
                             "confidence: often the council's own premises)")
    for role in ("amount", "supplier", "postcode", "category", "date"):
        parser.add_argument(f"--{role}-column", metavar="NAME",
                            help=f"name of the {role} column, if not found by itself")
    parser.add_argument("--top", type=positive_int, default=None, metavar="N",
                        help="number of top suppliers to consider (default: the setting "
                             f"spend.top_suppliers, {DEFAULT_TOP} as CLES)")
    parser.add_argument("--basis", metavar="BASIS", default=None,
                        help="what the headline shares are computed over: 'all' spending (the "
                             "default: the setting spend.basis), or 'top:N', the payments to "
                             "the N largest suppliers (CLES: top:300; Greater Manchester "
                             "benchmark: top:30)")
    parser.add_argument("--settings", action="append", default=[], metavar="FILE",
                        help="a settings file of your own (may be given more than once)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def boundary_from_args(args):
    """Return the Boundary or NestedBoundaries the arguments describe, or None."""
    from toolkit.commands._options import authority_boundaries
    from toolkit.inputs.geography import Boundary, NestedBoundaries, PostcodeLookup

    lookup = PostcodeLookup.from_csv(args.postcode_lookup) if args.postcode_lookup else None
    la_codes = (args.local_authorities or "").replace(",", " ").split() if lookup else []
    if not lookup and not args.local_postcodes and (args.local_authorities or args.within):
        if args.wider_postcodes:
            raise InputError("--wider-postcodes goes with --local-postcodes; with "
                             "--local-authorities give --wider-authorities.")
        chosen = authority_boundaries(args, args.local_name)
        return chosen[0] if len(chosen) == 1 else NestedBoundaries(chosen)
    if not args.local_postcodes and not la_codes:
        if args.wider_postcodes:
            raise InputError("--wider-postcodes needs --local-postcodes (the inner boundary).")
        return None
    local = Boundary.from_codes(args.local_name or "Local area", args.local_postcodes or "",
                                la_codes=la_codes, lookup=lookup)
    if not args.wider_postcodes:
        return local
    wider = Boundary.from_codes(args.wider_name, args.wider_postcodes)
    return NestedBoundaries([local, wider])


def run(args) -> int:
    """Analyse the files and print the results, as text or JSON."""
    from toolkit.inputs.settings import load_settings
    from toolkit.spend.analysis import analyse_spending

    columns = {role: getattr(args, f"{role}_column") for role in
               ("amount", "supplier", "postcode", "category", "date")}
    for path in args.files:
        if not Path(path).exists():
            raise InputError(f"{path}: file not found.")
    settings = load_settings(*args.settings)
    top = args.top or int(settings.value("spend.top_suppliers"))
    basis = _basis(args.basis if args.basis is not None else settings.value("spend.basis"))
    result = analyse_spending(args.files, boundary_from_args(args), args.suppliers,
                              use_name_postcodes=args.use_name_postcodes, columns=columns,
                              top_n=top, basis=basis,
                              max_payment=float(settings.value("spend.max_payment")))
    if args.unplaced_out:
        result.write_unplaced(args.unplaced_out)
    if args.json:
        summary = result.summary()
        print(json.dumps(summary, indent=2, allow_nan=False, ensure_ascii=False))
        return 0
    print("\n".join(text_lines(result, args.unplaced_out)))
    return 0


def _basis(text):
    """Return the basis the option or setting names, or a plain message."""
    from toolkit.spend.periods import parse_basis

    try:
        return parse_basis(text)
    except ValueError as exc:
        raise InputError(f"--basis: {exc}.") from None


def _pct(value) -> str:
    """Return a share as a percentage, or 'n/a'."""
    return "n/a" if value is None else f"{value:.1%}"


def _not_counted_lines(s: dict) -> list[str]:
    """Return lines showing the money on records not used, apart from the total."""
    lines = []
    if s.get("unattributed_rows"):
        lines.append(f"Not counted: £{s['unattributed_total']:,.2f} on "
                     f"{s['unattributed_rows']:,} line(s) with an amount but no supplier and "
                     "no date (not sums of the rows above): check them below")
    totals = sum(v["total_pence"] for k, v in s.get("not_used", {}).items()
                 if k in ("total_line", "total_sum"))
    rows = sum(v["rows"] for k, v in s.get("not_used", {}).items()
               if k in ("total_line", "total_sum"))
    if rows:
        lines.append(f"Total and subtotal lines, not payments: {rows:,} (£{totals / 100:,.2f}, "
                     "not counted)")
    return lines


def text_lines(result, unplaced_out=None) -> list[str]:
    """Return the results as lines of plain text."""
    s = result.summary()
    lines = [f"Payments: {s['rows']:,} records in {len(s['files'])} file(s); "
             f"{s['used_rows']:,} used, {s['rejected_count']:,} not used.",
             f"Boundary: {s['boundary'] or 'none given: every supplier is unknown'}", "",
             f"Total            £{s['total']:,.2f}",
             f"  local          £{s['local']:,.2f}",
             f"  non-local      £{s['non_local']:,.2f}",
             f"  unknown        £{s['unknown']:,.2f}",
             *_not_counted_lines(s),
             f"Local share (spend-weighted): {_pct(s['local_share_low'])} (unknown counted "
             f"non-local) to {_pct(s['local_share_high'])} (unknown counted local)",
             *_headline_lines(s),
             f"Procurement only (without marked payments, £{s['procurement_total']:,.2f}): "
             f"{_pct(s['procurement_local_share_low'])} to "
             f"{_pct(s['procurement_local_share_high'])}", "",
             "Marked payments (kept in the total):"]
    for mark, info in s["marks"].items():
        lines.append(f"  {mark.replace('_', ' '):16} {info['rows']:>7,} rows  "
                     f"£{info['total']:,.2f}")
    lines += [f"VCSE spend: £{s['vcse_total']:,.2f} (supplier list, the file's charity or "
              f"VCSE columns, or expense type); probable from names only (low confidence): "
              f"£{s['vcse_probable_total']:,.2f}",
              *_vcse_lines(s), *_sme_lines(s),
              f"Spend whose only postcode is inside the supplier's name: "
              f"£{s['name_postcode_total']:,.2f}", "",
              f"Top suppliers (of {s['suppliers']:,}; top {s['top_suppliers_n']} "
              f"£{s['top_suppliers_total']:,.2f}, local £{s['top_suppliers_local']:,.2f}, local "
              f"share {_pct(s['top_suppliers_local_share_low'])} to "
              f"{_pct(s['top_suppliers_local_share_high'])}):"]
    for _, row in result.top_suppliers(10).iterrows():
        lines.append(f"  {row['rank']:>3}. {str(row['supplier'])[:45]:45} £{row['total']:>14,.2f}"
                     f"  {row['location']:10} ({row['rule']})")
    lines += _period_lines(s) + _table_lines("By month", s["by_month"], "month", 24)
    lines += _table_lines("By category (largest first)", s["by_category"], "category", 10)
    if s["rejected_rows"]:
        lines += ["", "Records not used:"]
        lines += [f"  {r['file']} line {r['line']}: {r['reason']} ({r['value']!r})"
                  for r in s["rejected_rows"][:20]]
        if len(s["rejected_rows"]) > 20:
            lines.append(f"  ... and {len(s['rejected_rows']) - 20} more (see --json)")
    if unplaced_out:
        lines += ["", f"Unplaced suppliers written to {unplaced_out}."]
    lines += ["", "Notes:"] + [f"- {n}" for n in s["notes"]]
    lines += [f"- {p.text()}" for p in result.report.problems]
    return lines


def _headline_lines(s: dict) -> list[str]:
    """The headline on its basis, and the £ and share within each boundary (cumulative)."""
    from toolkit.spend.analysis import share_range_words

    head = s["headline"]
    lines = ["", f"Headline, over {head['basis_words']} (£{head['total']:,.2f}):"]
    for row in head["boundaries"]:
        lines.append(f"  within {row['name'][:24]:<24} £{row['inside']:>16,.2f}  "
                     f"{share_range_words(row['share_low'], row['share_high'])}")
    if len(head["boundaries"]) > 1:
        lines.append("  (each wider boundary includes the ones inside it, as CLES reports)")
    for entry in s.get("boundaries", []):
        if entry.get("partly_local"):
            lines.append(f"  {entry['name']}: central share of all payments "
                         f"{entry['share_central']:.1%}, counting £{entry['partly_local']:,.2f} "
                         f"inside from postcode districts that straddle it (by the "
                         f"{entry['partial_label']}; unknown at the ends of the range)")
    return lines


def _period_lines(s: dict) -> list[str]:
    """Each period's figures, and the change from one to the next, when there are several."""
    from toolkit.spend.analysis import share_range_words

    if len(s["periods"]) < 2:
        return []
    lines = ["", f"By period (over {s['headline']['basis_words']}):"]
    for p in s["periods"]:
        shares = "; ".join(f"{b['name']} {share_range_words(b['share_low'], b['share_high'])}"
                           for b in p["boundaries"])
        lines.append(f"  {p['period']:<10} {p['months']:>2} month(s)  £{p['total']:>16,.2f}  "
                     f"{shares}")
    for c in s["period_changes"]:
        for b in c["boundaries"]:
            points = ("n/a" if b["points_low"] is None else
                      f"{b['points_low']:+.1f}" if b["points_low"] == b["points_high"] or
                      b["points_high"] is None else
                      f"{b['points_low']:+.1f} to {b['points_high']:+.1f}")
            lines.append(f"  {c['from']} to {c['to']}, within {b['name']}: "
                         f"£{b['inside_change']:+,.2f} ({points} points)")
    return lines


def _table_lines(title: str, rows: list[dict], key: str, most: int) -> list[str]:
    """A short table of spend by month or category: £, local £, local share range."""
    from toolkit.spend.analysis import share_range_words

    if not rows:
        return []
    lines = ["", f"{title}:"]
    for row in rows[:most]:
        lines.append(f"  {str(row[key])[:40]:40} £{row['total']:>15,.2f}  local "
                     f"£{row['local']:>14,.2f}  "
                     f"{share_range_words(row['local_share_low'], row['local_share_high'])}")
    if len(rows) > most:
        lines.append(f"  ... and {len(rows) - most} more (see --json)")
    return lines


def _vcse_lines(s: dict) -> list[str]:
    """VCSE spend by source, each counted apart."""
    words = {"supplier_list_type": "supplier list's type",
             "file_columns": "file's charity registration or VCSE column",
             "expense_type": "expense type",
             "name_signs_low_confidence": "name signs only (low confidence)"}
    return [f"  VCSE by {words[k]}: £{v['total']:,.2f} ({v['suppliers']} supplier(s))"
            for k, v in s["vcse_sources"].items()]


def _sme_lines(s: dict) -> list[str]:
    """SME spend from the supplier list's size column; unknown stays unknown."""
    sme = s["sme"]
    if not sme["sme_total_pence"] and not sme["large_total_pence"]:
        return ["SME spend: not known (give a size column in the supplier list)."]
    return [f"SME spend: £{sme['sme_total']:,.2f}; large £{sme['large_total']:,.2f}; size not "
            f"known £{sme['size_unknown_total']:,.2f} (SME share {_pct(sme['sme_share_low'])} "
            f"to {_pct(sme['sme_share_high'])})"]
