"""The first page of every pack: the figures a commissioner reads in a minute.

Each kind of pack (organisation, authority, network, appraisal) gets a
:class:`toolkit.present.FirstPage`: three to five key figures, each with its range and
whether it is evidenced or assumed, the one chart that tells the story, one sentence of what
the figures mean and one of what they do not claim, the boundary "local" was measured
against, and comparisons each labelled with its source. Every figure comes from the
toolkit's own headline functions (:mod:`toolkit.packs.sections`,
:mod:`toolkit.packs.combined`) or the appraisal's results; none is written here.

References
----------
METHODS.md §1 (LM3: what it measures and what it is not; local is the user's choice and
results state it), §2 (local share as a range; weighted or averaged, labelled), §8 (options
appraisal: local income, lambda).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolkit import present
from toolkit.packs import combined, sections
from toolkit.packs.inputs import Missing, attempt
from toolkit.present import Comparison, FirstPage, Headline

#: Postcodes named on a first page before "and N more".
POSTCODES_SHOWN = 12

#: The setting that holds the LM3 of a typical non-local provider.
NON_LOCAL_SETTING = "comparison.non_local_lm3"

#: What LM3 does not claim (METHODS §1, "What LM3 measures").
LM3_NOT_CLAIMED = ("LM3 counts money passing through {where} over three rounds: it is not "
                   "value added, not new income for the area, and it is not added to the "
                   "social value or jobs figures.")


def boundary_text(name: str, postcodes: Sequence[str]) -> str:
    """Return a boundary as a reader needs it: its name and the postcodes it counts as local.

    Parameters
    ----------
    name : str
        The boundary's name.
    postcodes : sequence of str
        Postcode areas, districts or sectors.

    Returns
    -------
    str
    """
    codes = [str(c) for c in postcodes]
    if not codes:
        return str(name)
    shown = ", ".join(codes[:POSTCODES_SHOWN])
    more = len(codes) - POSTCODES_SHOWN
    return f"{name} (postcodes {shown}{f' and {more} more' if more > 0 else ''})"


def innermost_postcodes(inputs: Any) -> list[str]:
    """Return the postcodes of a pack's innermost boundary (the registry's first).

    Parameters
    ----------
    inputs : toolkit.packs.inputs.OrganisationInputs or AuthorityInputs

    Returns
    -------
    list of str
    """
    boundaries = list(inputs.authority.boundaries)
    return list(boundaries[0].postcodes) if boundaries else []


def pick(headlines: Sequence[Headline], *starts: str) -> list[Headline]:
    """Return the headlines whose labels begin with each of ``starts``, in that order.

    Parameters
    ----------
    headlines : sequence of Headline
        From the pack's own headline function.
    *starts : str
        The beginnings of the labels wanted.

    Returns
    -------
    list of Headline
        One per start that matches (the first match), never a figure made up here.
    """
    chosen = []
    for start in starts:
        found = next((h for h in headlines if h.label.startswith(start)), None)
        if found is not None and found not in chosen:
            chosen.append(found)
    return chosen


def non_local_comparison(settings: Any) -> Comparison:
    """Return the LM3 of the same £1 spent with a typical non-local provider (a setting).

    Parameters
    ----------
    settings : toolkit.inputs.settings.Settings

    Returns
    -------
    Comparison
        Labelled assumed, its source the setting's own.
    """
    spec = settings.value(NON_LOCAL_SETTING)
    figure = Headline("LM3, typical non-local provider", spec["value"], "ratio",
                      spec["low"], spec["high"], "assumed")
    return Comparison("The same £1 with a typical non-local provider", figure,
                      f"setting {NON_LOCAL_SETTING}: illustrative, not measured (its source "
                      "is in the assumptions table)")


def last_year_comparison(pack: Any) -> list[Comparison]:
    """Return the organisation's own LM3 for the year before, when it has two workbooks.

    Parameters
    ----------
    pack : toolkit.packs.inputs.OrganisationInputs

    Returns
    -------
    list of Comparison
        Empty with one year; otherwise the earlier year's LM3 (or why it is missing).
    """
    if len(pack.workbooks) < 2:
        return []
    from toolkit.measures.lm3 import lm3_from_workbook

    earlier = pack.workbooks[-2]
    year = str(earlier.financial_year or earlier.path.stem)
    result = attempt(lm3_from_workbook, earlier, pack.settings, pack.local)
    figure = (Headline("LM3", None, "ratio", note=result.reason)
              if isinstance(result, Missing) else sections.lm3_headline(result))
    return [Comparison(f"This organisation the year before ({year})", figure,
                       f"its {year} workbook ({earlier.path.name}), same boundary")]


# ---------------------------------------------------------------------------- charts


def local_share_chart(rows: Sequence[tuple[str, float, float]], title: str) -> Any:
    """Draw each row's local share as a bar, with the part whose location is unknown.

    Parameters
    ----------
    rows : sequence of (str, float, float)
        Name, low share (unknown counted not local) and high share (unknown counted
        local); equal ends when nothing is unknown.
    title : str
        The chart's title.

    Returns
    -------
    matplotlib.figure.Figure
        With labelled axes and ``figure.alt_text``.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 0.5 + 0.42 * max(len(rows), 2)))
    axes = figure.subplots()
    names = [name for name, _, _ in rows][::-1]
    lows = [100 * low for _, low, _ in rows][::-1]
    spans = [100 * (high - low) for _, low, high in rows][::-1]
    axes.barh(names, lows, color="#2f6f5e", label="local")
    axes.barh(names, spans, left=lows, color="#c9ddd5", hatch="//", edgecolor="#2f6f5e",
              label="location unknown (local at the high end)")
    axes.set_xlim(0, 100)
    axes.set_xlabel("Local share of spending (%)")
    axes.set_title(title)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, fontsize="small")
    figure.tight_layout()
    parts = "; ".join(f"{name} {present.share(low)}"
                      + (f" to {present.share(high)}" if high > low else "")
                      for name, low, high in rows)
    figure.alt_text = f"Horizontal bar chart. {title}: {parts}."
    return figure


def _spending_range(spending: Any) -> tuple[float, float] | None:
    if isinstance(spending, Missing):
        return None
    summary = spending.summary()
    low, high = summary["local_share_low"], summary["local_share_high"]
    return None if low is None or high is None else (low, high)


# ---------------------------------------------------------------------------- organisation


def organisation_first_page(pack: Any, lm3: Sequence[Any], jobs: Any) -> FirstPage:
    """Return an organisation pack's first page: where each £1 goes and how much stays.

    Parameters
    ----------
    pack : toolkit.packs.inputs.OrganisationInputs
    lm3 : sequence of toolkit.measures.lm3.Lm3Result
        One per boundary, innermost first.
    jobs : toolkit.measures.jobs.JobsResult or Missing

    Returns
    -------
    FirstPage
    """
    from toolkit.measures.leakage import leakage, rounds_chart

    inner = lm3[0]
    figures = [sections.lm3_headline(inner), sections.round_two_headline(inner),
               sections.income_headline(pack.workbook), *sections.jobs_headlines(jobs)[:1]]
    trail = attempt(leakage, pack.workbook, pack.settings, pack.local, result=inner)
    chart = None if isinstance(trail, Missing) else rounds_chart(trail)
    where = inner.boundary_name
    kept = sections.round_two_headline(inner)
    meaning = (f"Each £1 {pack.name} receives is worth {present.ratio(inner.lm3)} to {where} "
               f"over three rounds: {kept.value_text} of it is spent there on staff and "
               "suppliers, and part of that is spent there again.")
    return FirstPage(figures, chart, meaning, LM3_NOT_CLAIMED.format(where=where),
                     boundary_text(where, innermost_postcodes(pack)),
                     [non_local_comparison(pack.settings), *last_year_comparison(pack)])


# ---------------------------------------------------------------------------- authority


def authority_first_page(area: Any, figures: Sequence[Any], spending: Any,
                         headlines: Sequence[Headline]) -> FirstPage:
    """Return an authority pack's first page: its anchors together and the council's share.

    Parameters
    ----------
    area : toolkit.packs.inputs.AuthorityInputs
    figures : sequence of toolkit.packs.combined.OrganisationFigures
    spending : toolkit.spend.analysis.SpendResult or Missing
    headlines : sequence of Headline
        From :func:`toolkit.packs.combined.authority_headlines`.

    Returns
    -------
    FirstPage
    """
    if not figures:
        return council_only_first_page(area, spending, headlines)
    chosen = pick(headlines, "LM3, income-weighted", "Local share of spending, spend-weighted",
                  combined.spending_headline(spending, area.name).label, "Income studied",
                  "Organisations included")
    rows = [(f.name, f.lm3.local_share_of_spending, f.lm3.local_share_of_spending)
            for f in figures if not isinstance(f.lm3, Missing)]
    council = _spending_range(spending)
    if council:
        rows.append((f"{area.name} council's payments", *council))
    where = area.local.name
    both = combined.combine_lm3(figures)
    meaning = (f"Of every £1 the {both['count']} organisations spend, "
               f"{present.share(both['share_weighted'])} is spent in {where} (spend-weighted)"
               + (f"; of the council's own payments, {present.share(council[0], 1)} to "
                  f"{present.share(council[1], 1)} go to suppliers based there." if council
                  else "."))
    chart = local_share_chart(rows, f"Local share of spending, {where}") if rows else None
    not_claimed = ("These figures describe the organisations listed and the council's "
                   "published payments, not the whole local economy; "
                   + LM3_NOT_CLAIMED.format(where=where))
    return FirstPage(chosen, chart, meaning, not_claimed,
                     boundary_text(where, innermost_postcodes(area)),
                     [non_local_comparison(area.settings)])


def council_only_first_page(area: Any, spending: Any,
                            headlines: Sequence[Headline]) -> FirstPage:
    """Return the first page of a pack of a council's spending alone (no organisations).

    Parameters
    ----------
    area : toolkit.packs.inputs.AuthorityInputs
    spending : toolkit.spend.analysis.SpendResult or Missing
    headlines : sequence of Headline
        From :func:`toolkit.packs.combined.authority_headlines` (the council's alone).

    Returns
    -------
    FirstPage
        No LM3 comparison: the pack has no organisation whose LM3 it would compare with.
    """
    where = area.local.name
    council = _spending_range(spending)
    if council:
        meaning = (f"Of the council's own payments, {present.share(council[0], 1)} to "
                   f"{present.share(council[1], 1)} go to suppliers based in {where}: the low "
                   "end counts suppliers whose location is not known as outside, the high end "
                   "as inside.")
        chart = local_share_chart([(f"{area.name} council's payments", *council)],
                                  f"Local share of spending, {where}")
    else:
        meaning, chart = "The council's payments could not be analysed: see below.", None
    not_claimed = ("These figures describe the council's published payments only: where its "
                   "suppliers are based, not where they spend the money again, and not the "
                   "whole local economy.")
    return FirstPage(list(headlines), chart, meaning, not_claimed,
                     boundary_text(where, innermost_postcodes(area)), [])


# ---------------------------------------------------------------------------- network


def network_first_page(network: Sequence[Any], headlines: Sequence[Headline],
                       settings: Any) -> FirstPage:
    """Return the network pack's first page: every authority together, share by council.

    Parameters
    ----------
    network : sequence of toolkit.packs.combined.AreaFigures
    headlines : sequence of Headline
        From :func:`toolkit.packs.combined.network_headlines`.
    settings : toolkit.inputs.settings.Settings
        For the comparison.

    Returns
    -------
    FirstPage
    """
    chosen = pick(headlines, "LM3, income-weighted", "Local share of spending, spend-weighted",
                  "Council spending with local suppliers,", "Income studied",
                  "Organisations included")
    rows = [(item.area.name, *spread) for item in network
            if (spread := _spending_range(item.spending))]
    chart = (local_share_chart(rows, "Council spending with local suppliers, by council")
             if rows else None)
    everyone = [f for item in network for f in item.organisations]
    both = combined.combine_lm3(everyone)
    lows = ", ".join(f"{name} {present.share(low)}" for name, low, _ in rows)
    meaning = (f"Of every £1 the {both['count']} organisations spend, "
               f"{present.share(both['share_weighted'])} is spent in their own authority's "
               f"area (spend-weighted); councils' own local shares differ: {lows}.")
    not_claimed = ("Each authority is measured against its own boundary, so the figures add "
                   "up areas that differ in size; they describe the organisations and "
                   "payments listed, not whole economies, and LM3 is not value added.")
    names = "; ".join(f"{item.area.local.name} ({len(innermost_postcodes(item.area))} "
                      "postcodes)" for item in network)
    return FirstPage(chosen, chart, meaning, not_claimed,
                     f"each authority's innermost boundary in the registry: {names}",
                     [non_local_comparison(settings)])


# ---------------------------------------------------------------------------- appraisal


def appraisal_headlines(result: Any) -> list[Headline]:
    """Return an appraisal's key figures: the headline option's LM3, price and local income.

    Parameters
    ----------
    result : toolkit.appraisal.appraise.Appraisal

    Returns
    -------
    list of Headline
        LM3, local income and price of the appraised option; extra local income per £1 of
        extra cost; the break-even premium by the weight on local income (assumed: the weight
        is the commissioner's judgement).
    """
    row = result.options.set_index("name").loc[result.appraised]
    basis = "evidenced" if str(row["behaviour"]).startswith("evidenced") else "assumed"
    h = result.headline
    name = result.appraised
    return [
        Headline(f"LM3, {name}", row["lm3"], "ratio", row["lm3_low"], row["lm3_high"], basis),
        Headline(f"Local income, {name} (present value)", row["local_value"], "money",
                 basis=basis, note="Rounds 2 and 3 of LM3, plus any surplus kept locally"),
        Headline(f"Price, {name} (present value)", row["price_pv"], "money",
                 basis="evidenced", note="The bid price in the scenario"),
        Headline(f"Extra local income per £1 of extra cost, against {result.comparator}",
                 h.get("value_per_extra_pound"), "ratio", basis="mixed"),
        Headline("Break-even premium by the weight on local income",
                 h.get("break_even_premium"), "share", basis="assumed",
                 note=h.get("break_even_words", "")),
    ]


def appraisal_first_page(result: Any, settings: Any) -> FirstPage:
    """Return an appraisal pack's first page: each option's local income against its price.

    Parameters
    ----------
    result : toolkit.appraisal.appraise.Appraisal
    settings : toolkit.inputs.settings.Settings
        For the comparison with a typical non-local provider.

    Returns
    -------
    FirstPage
    """
    from toolkit.appraisal.report import local_value_chart

    scenario = result.scenario
    spec = scenario.boundary or {"name": settings.value("boundary.name") or "not stated",
                                 "postcodes": settings.value("boundary.postcodes") or []}
    other = result.options.set_index("name").loc[result.comparator]
    other_basis = "evidenced" if str(other["behaviour"]).startswith("evidenced") else "assumed"
    figure = Headline("LM3", other["lm3"], "ratio", other["lm3_low"], other["lm3_high"],
                      other_basis)
    comparator = Comparison(f"{result.comparator}, the cheapest other option", figure,
                            f"the scenario ({Path(str(scenario.path)).name}), "
                            f"{other['behaviour']}")
    not_claimed = ("It does not say which option to choose, nor that a bid may be preferred "
                   "for its address; local income is money passing through the area in "
                   "rounds 2 and 3, not value added, and it is never added to the price.")
    return FirstPage(appraisal_headlines(result), local_value_chart(result),
                     str(result.headline.get("value_ratio_words", "")), not_claimed,
                     boundary_text(spec["name"], spec.get("postcodes") or []),
                     [comparator, non_local_comparison(settings)])
