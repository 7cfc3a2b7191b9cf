"""Authority and network packs: organisations' figures combined, and the council's spending.

Every combined share says how it was combined: spend-weighted (the sum of local money over
the sum of money) or an average of shares, never one passed off as the other (METHODS.md
§2, "Be exact about averages").

References
----------
METHODS.md §1 (LM3), §2 (CLES spend analysis: weighted shares, top suppliers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit import present
from toolkit.packs.inputs import AuthorityInputs, Missing, attempt, cached
from toolkit.packs.sections import show_missing
from toolkit.present import Headline


@dataclass
class OrganisationFigures:
    """One organisation's figures inside an authority or network pack."""

    org_id: str
    name: str
    year: str
    lm3: Any
    jobs: Any


def organisation_figures(inputs: AuthorityInputs) -> list[OrganisationFigures]:
    """Return LM3 (for the innermost boundary) and jobs for each organisation included.

    Parameters
    ----------
    inputs : AuthorityInputs

    Returns
    -------
    list of OrganisationFigures
    """
    from toolkit.measures.jobs import jobs_from_workbook
    from toolkit.measures.lm3 import lm3_from_workbook

    boundary = inputs.local
    out = []
    for org_id, wb in inputs.workbooks.items():
        out.append(OrganisationFigures(
            org_id, str(wb.name), str(wb.financial_year or ""),
            attempt(lm3_from_workbook, wb, inputs.settings, boundary),
            attempt(jobs_from_workbook, wb, inputs.settings, boundary)))
    return out


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom > 0 else None


def combine_lm3(figures: Sequence[OrganisationFigures]) -> dict:
    """Combine organisations' LM3: income-weighted, and as an average of scores.

    The income-weighted score is all organisations' rounds 1 to 3 over all their round 1
    (each £1 counts the same); the average gives each organisation the same weight. Local
    share of spending likewise: spend-weighted (pounds over pounds) and an average of
    shares. Packs say which is which.

    Parameters
    ----------
    figures : sequence of OrganisationFigures

    Returns
    -------
    dict
        ``count``, ``income``, ``lm3_weighted`` with ``lm3_weighted_low`` and ``_high``
        (income-weighted averages of each survey interval's ends) and
        ``lm3_weighted_full_low`` and ``_full_high`` (the same of each full range), ``lm3_average``,
        ``share_weighted``, ``share_average``, ``assumed`` (any rate assumed).
    """
    done = [f.lm3 for f in figures if not isinstance(f.lm3, Missing)]
    r1 = sum(r.r1 for r in done)
    spend = sum(r.spending_total for r in done)
    return {
        "count": len(done), "income": r1,
        "lm3_weighted": _ratio(sum(r.r1 + r.r2 + r.r3 for r in done), r1),
        "lm3_weighted_low": _ratio(sum(r.r1 * r.lm3_low for r in done), r1),
        "lm3_weighted_high": _ratio(sum(r.r1 * r.lm3_high for r in done), r1),
        "lm3_weighted_full_low": _ratio(sum(r.r1 * _full(r, "low") for r in done), r1),
        "lm3_weighted_full_high": _ratio(sum(r.r1 * _full(r, "high") for r in done), r1),
        "lm3_average": sum(r.lm3 for r in done) / len(done) if done else None,
        "share_weighted": _ratio(sum(r.spending_local for r in done), spend),
        "share_average": (sum(r.local_share_of_spending for r in done) / len(done)
                          if done else None),
        "assumed": any(r.assumed for r in done),
    }


def _full(result: Any, end: str) -> float:
    """Return one end of an LM3 result's full range (its survey interval when it has none)."""
    value = getattr(result, f"full_{end}", None)
    return getattr(result, f"lm3_{end}") if value is None else value


def _combined_range_note(both: dict) -> str:
    """Say what the combined headline's range is, with the survey interval beside it."""
    note = ("All rounds over all income; range: income-weighted ends of each full range "
            "(unknown locations, take-home share, assumed rates and survey sampling)")
    if both["lm3_weighted_low"] is not None:
        note += (f"; survey intervals alone {both['lm3_weighted_low']:.2f} to "
                 f"{both['lm3_weighted_high']:.2f}")
    return note


def combined_table(figures: Sequence[OrganisationFigures]) -> pd.DataFrame:
    """Return one row per organisation, then the income-weighted and the average rows.

    Parameters
    ----------
    figures : sequence of OrganisationFigures

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for f in figures:
        lm3 = None if isinstance(f.lm3, Missing) else f.lm3
        if isinstance(f.jobs, Missing):
            fte = "not evidenced"
        elif present.is_small_group(f.jobs.staff_count):
            fte = f"not shown: {present.count_or_suppressed(f.jobs.staff_count, 'staff')}"
        else:
            fte = present.number(f.jobs.fte, 1)
        rows.append({"Organisation": f.name, "Year": f.year,
                     "Income studied (£)": lm3.r1 if lm3 else None,
                     "LM3": lm3.lm3 if lm3 else None,
                     "LM3 interval": (f"£{lm3.lm3_low:.2f} to £{lm3.lm3_high:.2f}"
                                      if lm3 else "not evidenced"),
                     "LM3 full range": (f"£{_full(lm3, 'low'):.2f} to "
                                        f"£{_full(lm3, 'high'):.2f}" if lm3 else
                                        "not evidenced"),
                     "Local share of spending": lm3.local_share_of_spending if lm3 else None,
                     "Jobs (FTE)": fte,
                     "Basis": ("not evidenced: " + f.lm3.reason if not lm3 else
                               "partly assumed" if lm3.assumed else "evidenced")})
    both = combine_lm3(figures)
    rows.append({"Organisation": "All: income-weighted (each £1 counts the same)",
                 "Income studied (£)": both["income"], "LM3": both["lm3_weighted"],
                 "Local share of spending": both["share_weighted"],
                 "Basis": "LM3 weighted by income; share weighted by spending"})
    rows.append({"Organisation": "All: average (each organisation counts the same)",
                 "LM3": both["lm3_average"], "Local share of spending": both["share_average"],
                 "Basis": "average of scores; average of shares"})
    return pd.DataFrame(rows)


COMBINED_FORMATS = {"Income studied (£)": "money", "LM3": "ratio",
                    "Local share of spending": "share"}


def combined_headlines(figures: Sequence[OrganisationFigures], where: str) -> list[Headline]:
    """Return the combined headlines: income-weighted LM3, average LM3, local shares, jobs.

    Parameters
    ----------
    figures : sequence of OrganisationFigures
    where : str
        The area's name, for the labels.

    Returns
    -------
    list of Headline
    """
    both = combine_lm3(figures)
    basis = "mixed" if both["assumed"] else "evidenced"
    jobs = [f.jobs for f in figures if not isinstance(f.jobs, Missing)]
    fte = Headline("Jobs (full-time equivalent), all organisations",
                   sum(j.fte for j in jobs) if jobs else None, "number", basis="evidenced",
                   note="Organisations with fewer staff than the threshold show no FTE of "
                        "their own above, but count here")
    return [
        Headline(f"Organisations included, {where}", both["count"], "count"),
        Headline("Income studied, all organisations", both["income"], "money"),
        Headline("LM3, income-weighted across organisations", both["lm3_weighted"], "ratio",
                 both["lm3_weighted_full_low"], both["lm3_weighted_full_high"], basis,
                 _combined_range_note(both), range_label="full range"),
        Headline("LM3, average of organisations' scores", both["lm3_average"], "ratio",
                 basis=basis, note="Each organisation counts the same, whatever its size"),
        Headline("Local share of spending, spend-weighted", both["share_weighted"], "share",
                 basis="evidenced", note="All local spending over all spending"),
        Headline("Local share of spending, average of shares", both["share_average"], "share",
                 basis="evidenced", note="Each organisation counts the same"),
        present.suppress_small(fte, sum(j.staff_count for j in jobs), "staff") if jobs
        else fte,
    ]


def authority_headlines(figures: Sequence[OrganisationFigures], spending: Any,
                        name: str) -> list[Headline]:
    """Return an authority pack's headlines: its organisations combined, then the council's.

    Parameters
    ----------
    figures : sequence of OrganisationFigures
    spending : toolkit.spend.analysis.SpendResult or Missing
    name : str
        The authority's name.

    Returns
    -------
    list of Headline
    """
    if not figures:  # a council's spending alone: no organisation figures to stand empty
        return [spending_headline(spending, name), *council_payment_headlines(spending)]
    return [*combined_headlines(figures, name), spending_headline(spending, name)]


def council_payment_headlines(result: Any) -> list[Headline]:
    """Return what a council's payments cover: the money analysed and the suppliers paid.

    Parameters
    ----------
    result : toolkit.spend.analysis.SpendResult or Missing

    Returns
    -------
    list of Headline
        Empty when the payments could not be analysed (the share's headline says why).
    """
    if isinstance(result, Missing):
        return []
    head = result.summary()["headline"]
    return [Headline(f"Payments analysed ({head['basis_words']})", head["total"], "money",
                     basis="evidenced", note="Every row used, to the penny; rows not used are "
                     "listed with their reasons"),
            Headline("Suppliers paid", head["suppliers"], "count", basis="evidenced"),
            Headline("Paid to suppliers whose location is not known", head["unknown"], "money",
                     basis="evidenced", note="The gap between the low and the high share")]


def authority_subtitle(figures: Sequence[OrganisationFigures]) -> str:
    """Return the authority pack's subtitle: its anchors and spending, or its spending alone.

    Parameters
    ----------
    figures : sequence of OrganisationFigures
        Empty for a pack of a council's spending alone (``keepitlocal pack --payments``).
    """
    if not figures:
        return "Local authority evidence pack: the council's own spending"
    return ("Local authority evidence pack: its community anchors together and the council's "
            "own spending")


def summary_words(figures: Sequence[OrganisationFigures]) -> str:
    """Return the summary's opening paragraph, for anchors and spending or spending alone.

    Parameters
    ----------
    figures : sequence of OrganisationFigures
    """
    spending = "how much of the council's own spending goes to local suppliers"
    if not figures:
        return (f"This pack shows {spending}: it has no community organisations' workbooks. "
                "Each figure says whether it is evidenced or assumed.")
    return ("What the community anchor organisations in this area add to the local economy "
            f"together, and {spending}. Where figures are combined across organisations, "
            "each says how: income-weighted or spend-weighted (every £1 counts the same, so "
            "large organisations count for more) or an average (every organisation counts "
            "the same). Each figure says whether it is evidenced or assumed.")


def show_organisations(figures: Sequence[OrganisationFigures]) -> None:
    """Show the organisations' table, or say in words that the pack has none.

    Parameters
    ----------
    figures : sequence of OrganisationFigures
        Empty for a pack of a council's spending alone (``keepitlocal pack --payments``).
    """
    if not figures:
        present.show_text("This pack is of the council's spending alone: it has no "
                          "organisations' workbooks, so it gives no organisation's local "
                          "multiplier (LM3) or jobs.")
        return
    present.show_table(combined_table(figures), "organisations",
                       "Organisations' LM3 and local share of spending", COMBINED_FORMATS)


def _spender_label(result: Any, name: str) -> str:
    """The headline label's subject: the registry's spender, else "<name> Council"."""
    return getattr(result, "spender", None) or f"{name} Council"


def show_excluded(excluded: Sequence[tuple[str, str]]) -> None:
    """Say which organisations were left out and why.

    Parameters
    ----------
    excluded : sequence of (str, str)
        Organisation id and reason.
    """
    if excluded:
        present.show_text("Left out of the figures below:", "warning")
        present.show_list(f"{org_id}: {reason}" for org_id, reason in excluded)


# ---------------------------------------------------------------------------- council spending


def council_spending(inputs: AuthorityInputs) -> Any:
    """Return the council's spend analysis, or :class:`Missing` when no file is listed.

    Parameters
    ----------
    inputs : AuthorityInputs

    Returns
    -------
    toolkit.spend.analysis.SpendResult or Missing
    """
    authority = inputs.authority
    files = list(authority.spending_files)
    if not files:
        return Missing("The registry lists no spending file for this council.")
    from toolkit.measures.lm3 import as_boundary
    from toolkit.spend.analysis import analyse_spending

    boundaries = [as_boundary(b) for b in authority.boundaries]
    extra = repr([(b.name, tuple(b.postcodes), tuple(b.local_authorities), b.within)
                  for b in authority.boundaries])
    supplier = [authority.supplier_list] if authority.supplier_list else []

    basis = spending_basis(inputs)
    extra += f" basis={basis}"

    def compute() -> Any:
        return attempt(analyse_spending, files, boundaries, authority.supplier_list,
                       top_n=int(inputs.settings.value("spend.top_suppliers")), basis=basis)

    result = cached("spending", files + supplier, compute, extra)
    if not isinstance(result, Missing):
        result.spender = authority.spender_name  # "Calderdale Council", or as the registry says
    return result


def spending_basis(inputs: AuthorityInputs) -> str:
    """Return the basis of an authority's headline spending shares (METHODS §2).

    The registry's ``spending_basis`` for the authority, else the setting ``spend.basis``
    (``all`` spending, or ``top:N`` suppliers as CLES analyses the top 300).
    """
    return inputs.authority.spending_basis or str(inputs.settings.value("spend.basis"))


def spending_headline(result: Any, name: str) -> Headline:
    """Return the council's local share of spending as a range (unknown locations).

    Parameters
    ----------
    result : toolkit.spend.analysis.SpendResult or Missing
    name : str
        The council's name.

    Returns
    -------
    Headline
    """
    label = f"{_spender_label(result, name)} spending with local suppliers"
    if isinstance(result, Missing):
        return Headline(label, None, "share_to_tenth", basis="not evidenced",
                        note=result.reason)
    head = result.summary()["headline"]
    inner = head["boundaries"][0]["name"] if head["boundaries"] else "the boundary"
    return Headline(f"{label}, within {inner}", head["local_share_low"], "share_to_tenth",
                    head["local_share_low"], head["local_share_high"], "evidenced",
                    f"Spend-weighted, over {head['basis_words']} (£{head['total']:,.0f}). "
                    "Low: suppliers of unknown location counted as not local; high: counted "
                    "as local")


def spending_table(result: Any) -> pd.DataFrame:
    """Return the council spend analysis's totals as a table of measures.

    Parameters
    ----------
    result : toolkit.spend.analysis.SpendResult

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``value``, ``unit``.
    """
    s = result.summary()
    rows = [("Payments used", s["used_rows"], "rows"),
            ("Payments not used", s["rejected_count"], "rows"),
            ("Total spending", s["total"], "£"), ("Local", s["local"], "£"),
            ("Not local", s["non_local"], "£"), ("Location unknown", s["unknown"], "£"),
            ("Local share, low (unknown counted not local)", s["local_share_low"], "share"),
            ("Local share, high (unknown counted local)", s["local_share_high"], "share"),
            ("Procurement spending", s["procurement_total"], "£"),
            ("Procurement local share, low", s["procurement_local_share_low"], "share"),
            ("Procurement local share, high", s["procurement_local_share_high"], "share"),
            ("With voluntary and community organisations (supplier list, the file's "
             "charity or VCSE columns, expense type)", s["vcse_total"], "£"),
            ("With organisations whose names suggest a VCSE (low confidence)",
             s["vcse_probable_total"], "£"),
            ("With SMEs (from the supplier list's size)", s["sme"]["sme_total"], "£"),
            ("Size of supplier not known", s["sme"]["size_unknown_total"], "£"),
            ("Suppliers", s["suppliers"], "suppliers"),
            ("Suppliers placed", s["suppliers_placed"], "suppliers")]
    return pd.DataFrame(rows, columns=["measure", "value", "unit"])


def boundaries_table(result: Any) -> pd.DataFrame:
    """Return the £ and share of spending within each boundary, as CLES reports them.

    Cumulative: the wider boundary includes the inner ("79.2% in Lancashire" includes
    Preston). Over the headline's basis (all spending, or the top N suppliers).

    Parameters
    ----------
    result : toolkit.spend.analysis.SpendResult

    Returns
    -------
    pandas.DataFrame
    """
    head = result.summary()["headline"]
    return pd.DataFrame([{"Within": b["name"], "Spending inside (£)": b["inside"],
                          "Share, low": b["share_low"], "Share, high": b["share_high"]}
                         for b in head["boundaries"]])


def periods_table(result: Any) -> pd.DataFrame:
    """Return each period's total and share within each boundary (empty for one period).

    Parameters
    ----------
    result : toolkit.spend.analysis.SpendResult

    Returns
    -------
    pandas.DataFrame
    """
    periods = result.summary()["periods"]
    if len(periods) < 2:
        return pd.DataFrame()
    rows = []
    for p in periods:
        row = {"Period": p["period"], "Months": p["months"], "Spending (£)": p["total"]}
        for b in p["boundaries"]:
            row[f"Within {b['name']} (£)"] = b["inside"]
            row[f"Within {b['name']}, share"] = b["share_low"]
        rows.append(row)
    return pd.DataFrame(rows)


def _table_formats(frame: pd.DataFrame) -> dict[str, str]:
    """Formats for a spending table's columns: £ as money, shares to 0.1 point."""
    return {c: "money" if "(£)" in c else "share_to_tenth" if "share" in c.lower() else "count"
            for c in frame.columns if c not in ("Within", "Period")}


#: Top-supplier columns a pack shows.
SUPPLIER_COLUMNS = {"rank": "Rank", "supplier": "Supplier", "total": "Spending (£)",
                    "share": "Share of all", "location": "Location", "type": "Type"}


def top_suppliers_table(result: Any, n: int = 20) -> pd.DataFrame:
    """Return the largest suppliers, with payments to individuals grouped, not named.

    Parameters
    ----------
    result : toolkit.spend.analysis.SpendResult
    n : int
        How many suppliers.

    Returns
    -------
    pandas.DataFrame
    """
    top = result.top_suppliers(n).copy()
    personal = top["marks"].astype(str).str.contains("personal_budget|redacted")
    top.loc[personal, "supplier"] = "(payments to individuals or redacted: not named)"
    return top[list(SUPPLIER_COLUMNS)].rename(columns=SUPPLIER_COLUMNS)


def show_council_spending(result: Any) -> None:
    """Show the council's spend analysis: totals, a chart by location, top suppliers.

    Parameters
    ----------
    result : toolkit.spend.analysis.SpendResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    from toolkit.spend.charts import chart_locations

    table = spending_table(result)
    present.write_table_csv(table, "council-spending")
    head = result.summary()["headline"]
    present.show_html(present.frame_html(present.format_by_unit(table),
                                         f"{_spender_label(result, 'The council')}: spending"))
    within = boundaries_table(result)
    present.show_table(within, "spending-by-boundary",
                       f"Spending within each boundary, over {head['basis_words']} (each wider "
                       "boundary includes the inner ones, as CLES reports)",
                       _table_formats(within))
    periods = periods_table(result)
    if not periods.empty:
        from toolkit.spend.charts import chart_periods

        present.show_table(periods, "spending-by-period", "Spending by period (financial "
                           "year, or file where undated)", _table_formats(periods))
        present.show_chart(chart_periods(result))
    present.show_chart(chart_locations(result))
    present.show_table(top_suppliers_table(result), "council-top-suppliers",
                       "Largest suppliers", {"Spending (£)": "money", "Share of all": "share"})
    present.show_list(result.summary()["notes"])


# ---------------------------------------------------------------------------- network


@dataclass
class AreaFigures:
    """One authority's figures inside the network pack."""

    area: AuthorityInputs
    organisations: list
    spending: Any


def network_threshold(areas: Sequence[AuthorityInputs]) -> int:
    """Return the largest small-group threshold of the authorities (the safest).

    Parameters
    ----------
    areas : sequence of AuthorityInputs

    Returns
    -------
    int
    """
    return max([a.small_group_threshold for a in areas] or [present.SMALL_GROUP_THRESHOLD])


def network_fictional(areas: Sequence[AuthorityInputs]) -> bool:
    """Return whether any authority's data is fictional.

    Parameters
    ----------
    areas : sequence of AuthorityInputs

    Returns
    -------
    bool
    """
    return any(a.fictional for a in areas)


def network_excluded(areas: Sequence[AuthorityInputs]) -> list[tuple[str, str]]:
    """Return every organisation left out, across authorities.

    Parameters
    ----------
    areas : sequence of AuthorityInputs

    Returns
    -------
    list of (str, str)
    """
    return [(f"{a.authority.name}, {org}", why) for a in areas for org, why in a.excluded]


def network_figures(areas: Sequence[AuthorityInputs]) -> list[AreaFigures]:
    """Return each authority's organisations' figures and its council spend analysis.

    Parameters
    ----------
    areas : sequence of AuthorityInputs

    Returns
    -------
    list of AreaFigures
    """
    return [AreaFigures(a, organisation_figures(a), council_spending(a)) for a in areas]


def network_table(network: Sequence[AreaFigures]) -> pd.DataFrame:
    """Return one row per authority: its organisations combined, and its council's spending.

    Parameters
    ----------
    network : sequence of AreaFigures

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    with_organisations = any(item.organisations or item.area.excluded for item in network)
    for item in network:
        row = {"Authority": item.area.name}
        if with_organisations:  # a network of councils alone shows no empty organisation rows
            both = combine_lm3(item.organisations)
            row.update({
                "Organisations": both["count"], "Left out": len(item.area.excluded),
                "Income studied (£)": both["income"],
                "LM3, income-weighted": both["lm3_weighted"],
                "LM3, average of organisations": both["lm3_average"],
                "Local share of spending, spend-weighted": both["share_weighted"]})
        head = None if isinstance(item.spending, Missing) else item.spending.summary()["headline"]
        row.update({"Council spending (£)": head["total"] if head else None,
                    "Council spending, local (£)": head["local"] if head else None,
                    "Council local share, low": head["local_share_low"] if head else None,
                    "Council local share, high": head["local_share_high"] if head else None,
                    "Basis": head["basis_words"] if head else "no spending file"})
        rows.append(row)
    return pd.DataFrame(rows)


NETWORK_FORMATS = {"Income studied (£)": "money", "LM3, income-weighted": "ratio",
                   "LM3, average of organisations": "ratio",
                   "Local share of spending, spend-weighted": "share",
                   "Council spending (£)": "money", "Council spending, local (£)": "money",
                   "Council local share, low": "share_to_tenth",
                   "Council local share, high": "share_to_tenth"}


def network_headlines(network: Sequence[AreaFigures]) -> list[Headline]:
    """Return the network's headlines: every organisation combined, and council spending.

    Parameters
    ----------
    network : sequence of AreaFigures

    Returns
    -------
    list of Headline
    """
    everyone = [f for item in network for f in item.organisations]
    headlines = (combined_headlines(everyone, f"{len(network)} authorities")
                 if everyone or any(item.area.excluded for item in network) else [])
    return headlines + council_spending_headlines(network)


def council_spending_headlines(network: Sequence[AreaFigures]) -> list[Headline]:
    """Return the councils' spending combined: spend-weighted, and the average of shares.

    Each council's figures are over its own basis (all spending, or its top N suppliers);
    the combination is :func:`toolkit.spend.periods.combine_councils`.

    Parameters
    ----------
    network : sequence of AreaFigures

    Returns
    -------
    list of Headline
    """
    from toolkit.spend.periods import combine_councils

    heads = {item.area.name: item.spending.summary()["headline"] for item in network
             if not isinstance(item.spending, Missing)}
    if not heads:
        return []
    both = combine_councils(heads)
    bases = sorted({h["basis_words"] for h in heads.values()})
    over = f"over {bases[0]}" if len(bases) == 1 else "each over its own basis"
    out = []
    if both["total_pence"] > 0:
        out.append(Headline(
            f"Council spending with local suppliers, {len(heads)} councils together, "
            "spend-weighted", both["share_weighted_low"], "share_to_tenth",
            both["share_weighted_low"], both["share_weighted_high"], "evidenced",
            f"{both['share_weighted_label'].capitalize()} (£{both['local']:,.0f} of "
            f"£{both['total']:,.0f}), {over}; range from suppliers of unknown location"))
    if both["share_average_low"] is not None:
        out.append(Headline(
            "Council spending with local suppliers, average of councils' shares",
            both["share_average_low"], "share_to_tenth", basis="evidenced",
            note=f"{both['share_average_label'].capitalize()}, {over}; unknown locations "
                 "counted not local"))
    return out

