"""Words, checklist and charts of an options appraisal.

References
----------
METHODS §8 (label which break-even method each figure uses; say in words when there is
none; the law on local benefit in tenders, with a note that this is not legal advice).
METHODS §6 (Keep it Local principles for councils, Keep it Local Network).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

#: How local benefit may lawfully enter a tender (METHODS §8). Not legal advice.
LAWFUL_ROUTE = (
    "Award criteria must relate to the subject of the contract and must not discriminate "
    "by where a bidder is based. Local benefit enters a tender as commitments about "
    "delivering this contract (for example the share of the contract's spending on staff "
    "and suppliers in the area, local jobs, a local supply chain), scored in the social "
    "value criterion and written into the contract so that they can be monitored; never as "
    "a preference for bidders based locally. Any provider, local or not, can make and be "
    "held to such commitments. This is not legal advice: take your own legal and "
    "procurement advice before designing a tender."
)

#: The Keep it Local principles for councils (Keep it Local Network; METHODS §6), each
#: with a question for the commissioner to answer about every option.
PRINCIPLES: tuple[tuple[str, str, str], ...] = (
    ("whole_system", "Think about the whole system, not service silos",
     "Does the option join up with other services and local organisations, or stand "
     "alone?"),
    ("neighbourhood", "Coordinate services at neighbourhood level",
     "Will the service be organised and delivered in and with neighbourhoods?"),
    ("local_spend", "Increase local spend to invest in the local economy",
     "How much of the contract stays local (see local value and LM3), and is it committed "
     "in the bid?"),
    ("prevention", "Focus on prevention now to save costs later",
     "Does the option reach people early and reduce later demand on services?"),
    ("community", "Commit to your community and support local organisations",
     "Does the option build up local organisations and community assets, or draw on them?"),
    ("commission_simply", "Commission simply and collaboratively so services are local by "
     "default",
     "Could local organisations, alone or as a consortium, bid and deliver? Is the process "
     "proportionate?"),
)

TO_COMPLETE = "(to complete)"


def checklist(scenario) -> pd.DataFrame:
    """Return the Keep it Local checklist for the commissioner to complete.

    Parameters
    ----------
    scenario : toolkit.appraisal.scenario.Scenario
        Its ``checklist`` mapping (principle key to a mapping of option name to answer)
        fills in answers already given; the rest read "(to complete)".

    Returns
    -------
    pandas.DataFrame
        ``Principle``, ``Question``, then one column per option. Qualitative: the
        toolkit scores nothing here.

    References
    ----------
    METHODS §6: Keep it Local principles for councils (Keep it Local Network).
    """
    given = scenario.checklist if isinstance(scenario.checklist, dict) else {}
    rows = []
    for key, principle, question in PRINCIPLES:
        answers = given.get(key) or {}
        row = {"Principle": principle, "Question": question}
        for option in scenario.options:
            answer = answers.get(option.name) if isinstance(answers, dict) else None
            row[option.name] = str(answer) if answer not in (None, "") else TO_COMPLETE
        rows.append(row)
    return pd.DataFrame(rows)


def money(value: float | None) -> str:
    """Return pounds as text, such as £1,234,567 (or "none")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def value_ratio_words(row, other, ratio: float | None) -> str:
    """Say the extra local income per £ of extra cost, or why it is undefined (METHODS §8)."""
    if ratio is None:
        return (f"{row['name']} is not dearer than {other['name']} (the cheapest other "
                f"option), so extra local income per £ of extra cost is undefined: it gives "
                f"{money(row['local_value'] - other['local_value'])} of local income "
                f"(present value) more for {money(row['price_pv'] - other['price_pv'])} of "
                "extra cost.")
    return (f"Against {other['name']} (the cheapest other option), {row['name']} costs "
            f"{money(row['price_pv'] - other['price_pv'])} more (present value; "
            f"{money((row['price'] - other['price']) / _years(row))} a year) and brings "
            f"{money(row['local_value'] - other['local_value'])} more local income (rounds "
            f"2 and 3 of LM3, plus any surplus kept locally): £{ratio:,.2f} of extra local "
            "income per £1 of extra cost.")


def _years(row) -> float:
    return row["price"] / row["price_per_year"]


def weight_words(row, other, weight: float, price: float | None, v_zero: float = 0.0) -> str:
    """Say the break-even premium by a weight on local income, or why there is none.

    References
    ----------
    METHODS §8, method 1: no break-even while lambda (v_L - v_0) >= 1 or lambda (v_N - v_0)
    >= 1; said in words (and null in JSON), never infinity.
    """
    label = (f"By a weight on local income (lambda = {weight:g}: £{weight:,.2f} of budget per "
             f"£1 of local income; v_0 = {v_zero:.3f} per £1 of what the premium would "
             "otherwise buy)")
    m, m_other = row["local_value_per_pound"], other["local_value_per_pound"]
    if price is None and weight * (m - v_zero) >= 1:
        return (f"{label}, there is no break-even premium for {row['name']}: each £1 paid to "
                f"it brings lambda × (local income − v_0) of {weight * (m - v_zero):.2f}, at "
                "least £1, so under this weight it is preferred at any price. That says more "
                "about the weight than about the option: check lambda.")
    if price is None:
        return (f"{label}, there is no break-even premium for {row['name']}: each £1 paid to "
                f"{other['name']} already brings lambda × (local income − v_0) of "
                f"{weight * (m_other - v_zero):.2f}, at least £1, so {row['name']} does not "
                "match it at any price.")
    premium = price / other["price"] - 1
    if premium >= 0:
        size = f"a premium of {premium:.1%} over"
    else:
        size = f"{-premium:.1%} below the price of"
    return (f"{label}, {row['name']} gives the same net value (lambda × (local income − v_0 "
            f"× price) − price) as {other['name']} at a price of {money(price)}, {size} "
            f"{other['name']} ({money(other['price'])}); below that price it gives more net "
            "value, above it less.")


def switching_words(row, other, switching: float | None, v_zero: float, extra_cost: float,
                    extra_income: float) -> str:
    """Say the switching value of lambda, or why there is none (METHODS §8).

    lambda* = (P_L - P_N) / ((V_L - V_N) - v_0 (P_L - P_N)), at the options' actual prices.
    """
    name, rival = row["name"], other["name"]
    if extra_cost <= 0:
        return (f"Switching value of lambda: none. {name} is not dearer than {rival}, so no "
                "weight on local income is needed to justify its price.")
    if switching is None:
        return (f"Switching value of lambda: none. {name}'s extra local income "
                f"({money(extra_income)}) is no more than what its extra cost would create "
                f"elsewhere (v_0 {v_zero:.3f} × {money(extra_cost)}), so no weight on local "
                "income justifies its price.")
    return (f"Switching value of lambda: {switching:.3f}. At their actual prices {name} and "
            f"{rival} tie when £1 of local income is worth £{switching:,.3f} of budget; a "
            f"commissioner who values it more prefers {name}, one who values it less, "
            f"{rival}.")


def scoring_words(row, other, result, weights: dict) -> str:
    """Say the break-even premium under tender scoring, or why there is none."""
    label = (f"By tender scoring (price {weights['price']:.0%}, quality "
             f"{weights['quality']:.0%}, social value {weights['social_value']:.0%})")
    name = row["name"]
    if result.reason == "price carries no weight":
        return f"{label}, price carries no weight, so no price makes the scores equal."
    if result.reason == "wins at any price":
        return (f"{label}, there is no break-even price: {name}'s quality and social value "
                "scores alone reach the best other bid's total, so it scores at least as "
                "high at any price.")
    if result.reason == "loses at any price":
        return (f"{label}, there is no break-even price: even at a price near zero, "
                f"{name} scores lower than the best other bid.")
    premium = result.price / other["price"] - 1
    where = (f"a premium of {premium:.1%} over" if premium >= 0
             else f"{-premium:.1%} below")
    cheapest = (" (it is then the cheapest bid, so its own price sets the top price score)"
                if result.regime == "cheapest" else "")
    return (f"{label}, {name}'s total score equals the best other bid's at a price of "
            f"{money(result.price)}, {where} the cheapest other bid ({other['name']}, "
            f"{money(other['price'])}){cheapest}; below that price it scores higher.")


def _finish(fig, alt: str):
    fig.alt_text = alt
    fig.set_label(alt)
    fig.tight_layout()
    return fig


def local_value_chart(appraisal, ax=None):
    """Return a bar chart of each option's price and local income (present values, £).

    Parameters
    ----------
    appraisal : toolkit.appraisal.appraise.Appraisal
        The appraisal to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when not given.

    Returns
    -------
    matplotlib.figure.Figure
        With a title, labelled axes with units, and alt text in ``fig.alt_text``.
    """
    frame = appraisal.options
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4))
    else:
        fig = ax.figure
    x = range(len(frame))
    width = 0.38
    ax.bar([i - width / 2 for i in x], frame["price_pv"] / 1e3, width, label="Price",
           color="#7f7f7f")
    ax.bar([i + width / 2 for i in x], frame["local_value"] / 1e3, width,
           label="Local income", color="#1b7837")
    ax.set_xticks(list(x), [str(n) for n in frame["name"]])
    ax.set_ylabel("£ thousand (present value over the contract)")
    ax.set_xlabel("Option")
    ax.set_title(f"Price and local income of each option, {appraisal.scenario.service}")
    ax.legend()
    parts = "; ".join(f"{r['name']}: price {money(r['price_pv'])}, local income "
                      f"{money(r['local_value'])} (LM3 {r['lm3']:.2f})"
                      for _, r in frame.iterrows())
    return _finish(fig, f"Bar chart of price and local income by option. {parts}.")


def scores_chart(appraisal, ax=None):
    """Return a stacked bar chart of each option's tender score (points out of 100).

    Parameters
    ----------
    appraisal : toolkit.appraisal.appraise.Appraisal
        The appraisal to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when not given.

    Returns
    -------
    matplotlib.figure.Figure
        With a title, labelled axes with units, and alt text in ``fig.alt_text``.
    """
    frame = appraisal.options
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.6 * len(frame) + 2.5))
    else:
        fig = ax.figure
    names = [str(n) for n in frame["name"]]
    left = pd.Series(0.0, index=frame.index)
    for column, label, colour in (("price_score", "Price", "#7f7f7f"),
                                  ("quality_score", "Quality", "#2166ac"),
                                  ("social_value_score", "Social value", "#1b7837")):
        ax.barh(names, frame[column], left=left, label=label, color=colour)
        left = left + frame[column]
    ax.set_xlabel("Score (points out of 100)")
    ax.set_ylabel("Option")
    ax.set_xlim(0, 100)
    ax.set_title("Tender scores under the scenario's weights")
    # Below the axes, so that it covers no bar (a bar may reach 100).
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False)
    parts = "; ".join(f"{r['name']}: {r['total_score']:.1f} points (price "
                      f"{r['price_score']:.1f}, quality {r['quality_score']:.1f}, social value "
                      f"{r['social_value_score']:.1f})" for _, r in frame.iterrows())
    return _finish(fig, f"Stacked bar chart of tender scores by option. {parts}.")


def sensitivity_chart(appraisal, top: int = 8, ax=None):
    """Return a tornado chart of the break-even premium (by the weight on local value).

    Each bar runs from the premium with one assumption at the low end of its span to the
    premium at the high end, all else central; the assumptions that move it most are at
    the top. An end at which no break-even exists is drawn to the edge and labelled.

    Parameters
    ----------
    appraisal : toolkit.appraisal.appraise.Appraisal
        The appraisal to draw (its ``sensitivity`` table).
    top : int
        How many assumptions to show.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when not given.

    Returns
    -------
    matplotlib.figure.Figure
        With a title, labelled axes with units, and alt text in ``fig.alt_text``.

    References
    ----------
    METHODS §3 (a tornado chart of each assumption's effect); METHODS §8.
    """
    table = appraisal.sensitivity.head(top).iloc[::-1]
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.65 * max(len(table), 1) + 2))
    else:
        fig = ax.figure
    central = appraisal.headline["break_even_premium"]
    known = [v for c in ("premium_low", "premium_high") for v in table[c] if _is_number(v)]
    known += [central] if central is not None else []
    edge_low = (min(known) if known else 0.0) * 100 - 10
    edge_high = (max(known) if known else 0.0) * 100 + 10
    labels = []
    for i, (_, r) in enumerate(table.iterrows()):
        labels.append(f"{_assumption_label(r)}\n{_short(r['low'])} to {_short(r['high'])}")
        for end, colour in (("premium_low", "#92c5de"), ("premium_high", "#f4a582")):
            value = r[end]
            base = central * 100 if central is not None else 0.0
            if _is_number(value):
                ax.barh(i, value * 100 - base, left=base, color=colour, height=0.6)
            else:
                edge = edge_high if end == "premium_high" else edge_low
                ax.barh(i, edge - base, left=base, color=colour, height=0.6, hatch="//")
                ax.text(edge, i, " none", va="center", ha="left" if edge > base else "right",
                        fontsize=8)
    ax.set_yticks(range(len(labels)), labels)
    if central is not None:
        ax.axvline(central * 100, color="black", linewidth=1)
    ax.set_xlabel("Break-even premium by the weight on local value (% over the cheapest "
                  "other option)")
    ax.set_ylabel("Assumption (low to high)")
    ax.set_title(f"What moves the break-even premium of {appraisal.appraised} most")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="#92c5de", label="assumption at its low end"),
                       Patch(color="#f4a582", label="assumption at its high end")],
              loc="best", fontsize=8)
    alt = (f"Tornado chart of the break-even premium of {appraisal.appraised} against "
           f"{appraisal.comparator}, central "
           f"{'none' if central is None else f'{central:.1%}'}. ")
    if len(table):
        first = appraisal.sensitivity.iloc[0]
        alt += (f"The assumption that moves it most is {_assumption_label(first)}: from "
                f"{_pct(first['premium_low'])} at "
                f"{_short(first['low'])} to {_pct(first['premium_high'])} at "
                f"{_short(first['high'])}.")
    return _finish(fig, alt)


def _assumption_label(row) -> str:
    """Return "local staff share, National provider" (or "lambda" for the weight)."""
    if row["assumption"] == "local_value_weight":
        return "lambda (weight on local income)"
    if row["assumption"] == "other_spending_local_income":
        return "v_0 (local income of other spending)"
    if row["assumption"] == "inflation":
        return "inflation (cash to real prices)"
    return f"{str(row['assumption']).replace('_', ' ')}, {row['option']}"


def _is_number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _short(value) -> str:
    if not _is_number(value):
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def _pct(value) -> str:
    return f"{value:.1%}" if _is_number(value) else "no break-even"


# ------------------------------------------------------------------- tables for a reader

#: Display formats (``toolkit.present`` kinds) of the reader's tables below; columns not
#: named here are already text or rounded numbers.
FORMATS = {
    "Price (£)": "money", "Price (£, present value)": "money", "LM3": "ratio",
    "LM3 low": "ratio", "LM3 high": "ratio", "Local value (£, present value)": "money",
    "Local value a year (£)": "money", "Commitment (share local)": "share",
    "Net value (£)": "money", "Extra cost a year (£)": "money",
    "Extra local value a year (£)": "money", "Extra cost (£, present value)": "money",
    "Extra local value (£, present value)": "money",
    "Extra local value at low end (£)": "money", "Extra local value at high end (£)": "money",
}


def _text(values, kind: str, missing: str) -> list[str]:
    """Format numbers for a reader, writing ``missing`` where there is none."""
    out = []
    for v in values:
        if not _is_number(v):
            out.append(missing)
        elif kind == "share":
            out.append(f"{v:.1%}")
        elif kind == "money":
            out.append(money(v))
        else:
            out.append(f"£{v:,.2f}")
    return out


def _rounded(values, digits: int = 1) -> list[str]:
    return [f"{float(v):,.{digits}f}" if _is_number(v) else "" for v in values]


def options_table(appraisal) -> pd.DataFrame:
    """Return each option's price, LM3, local value and local jobs, for a reader."""
    f = appraisal.options
    return pd.DataFrame({
        "Option": f["name"],
        "Provider": ["local" if v else "not local" for v in f["local_provider"]],
        "How known": f["behaviour"],
        "Price (£)": f["price"],
        "Price (£, present value)": f["price_pv"],
        "LM3": f["lm3"], "LM3 low": f["lm3_low"], "LM3 high": f["lm3_high"],
        "Local income per £1 (LM3 - 1)": [f"£{v:,.3f}" for v in f["local_income_per_pound"]],
        "Surplus kept per £1": [f"£{v:,.3f}" for v in f["surplus_per_pound"]],
        "Local value (£, present value)": f["local_value"],
        "Local value a year (£)": f["local_value_per_year"],
        "Local jobs (FTE a year)": _text_jobs(f["local_jobs_fte"]),
    })


def _text_jobs(values) -> list[str]:
    return [f"{v:,.1f}" if _is_number(v) else "not estimated" for v in values]


def scores_table(appraisal) -> pd.DataFrame:
    """Return each option's tender scores and net value under lambda, for a reader."""
    f = appraisal.options
    return pd.DataFrame({
        "Option": f["name"], "Commitment (share local)": f["commitment"],
        "Price score": _rounded(f["price_score"]),
        "Quality score": _rounded(f["quality_score"]),
        "Social value score": _rounded(f["social_value_score"]),
        "Total score (of 100)": _rounded(f["total_score"]), "Rank": f["rank"],
        "Net value (£)": f["net_value"],
    })


def comparisons_table(appraisal) -> pd.DataFrame:
    """Return each option against the cheapest other option, both methods labelled."""
    c = appraisal.comparisons
    return pd.DataFrame({
        "Option": c["name"], "Against": c["comparator"],
        "Extra cost a year (£)": c["extra_cost_per_year"],
        "Extra local value a year (£)": c["extra_local_value_per_year"],
        "Extra cost (£, present value)": c["extra_cost_pv"],
        "Extra local value (£, present value)": c["extra_local_value"],
        "Extra local income per £1 of extra cost": _text(
            c["value_per_extra_pound"], "ratio", "undefined (not dearer)"),
        "Break-even price, weight on local value (£)": _text(
            c["break_even_price"], "money", "none"),
        "Break-even premium, weight on local value": _text(
            c["break_even_premium"], "share", "none"),
        "Break-even price, tender scoring (£)": _text(
            c["break_even_price_scoring"], "money", "none"),
        "Break-even premium, tender scoring": _text(
            c["break_even_premium_scoring"], "share", "none"),
        "Switching value of lambda": [f"{v:.3f}" if _is_number(v) else "none"
                                      for v in c["switching_lambda"]],
    })


def sensitivity_display(appraisal) -> pd.DataFrame:
    """Return the sensitivity table with a reader's headers."""
    s = appraisal.sensitivity
    if s.empty:
        return s
    return pd.DataFrame({
        "Assumption": s["assumption"], "Option": s["option"],
        "Low": [_short(v) for v in s["low"]], "Central": [_short(v) for v in s["central"]],
        "High": [_short(v) for v in s["high"]],
        "Premium at low end": _text(s["premium_low"], "share", "none"),
        "Premium, central": _text(s["premium_central"], "share", "none"),
        "Premium at high end": _text(s["premium_high"], "share", "none"),
        "Extra local value at low end (£)": s["extra_value_low"],
        "Extra local value at high end (£)": s["extra_value_high"],
    })


def assumptions_display(appraisal) -> pd.DataFrame:
    """Return the named assumptions with a reader's headers and rounded values."""
    a = appraisal.assumptions
    return pd.DataFrame({
        "Option": a["option"], "Assumption": a["assumption"], "Meaning": a["meaning"],
        "Value": [_short(v) for v in a["value"]], "Low": [_short(v) for v in a["low"]],
        "High": [_short(v) for v in a["high"]], "Source": a["source"],
    })
