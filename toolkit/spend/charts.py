"""Charts of a spend analysis: each a matplotlib Figure with title, axis labels and units.

Every function returns the Figure and sets ``fig.alt_text`` (a plain-English description for
screen readers); :func:`alt_text` reads it back. Unknown spending is always drawn, in grey,
never folded into "non-local".

References
----------
METHODS.md §2 (CLES spend analysis: unknown shown as unknown; local share as a range).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

COLOURS = {"local": "#1b7837", "wider": "#7fbf7b", "rest_of_uk": "#9970ab",
           "outside_uk": "#40004b", "unknown": "#bdbdbd"}
LABELS = {"local": "Local", "wider": "Wider area", "rest_of_uk": "Rest of UK",
          "outside_uk": "Outside UK", "unknown": "Unknown"}


def alt_text(fig: Figure) -> str:
    """Return the alt text set on a chart made here."""
    return getattr(fig, "alt_text", "")


def _label(name: str) -> str:
    """Return a location label for the legend."""
    return LABELS.get(name, name)


def _colour(name: str, index: int) -> str:
    """Return a location's colour."""
    return COLOURS.get(name, plt.cm.Greens(0.4 + 0.1 * index))


def chart_locations(result) -> Figure:
    """Return a bar chart of spend by supplier location (£ million), unknown in grey.

    Parameters
    ----------
    result : SpendResult

    Returns
    -------
    Figure
        With ``fig.alt_text``.
    """
    totals = result.location_totals()
    names = list(totals)
    values = [totals[n] / 100 / 1e6 for n in names]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar([_label(n) for n in names], values,
           color=[_colour(n, i) for i, n in enumerate(names)])
    ax.set_title("Spending by where the supplier is based")
    ax.set_xlabel("Supplier location")
    ax.set_ylabel("Spending (£ million)")
    summary = result.summary()
    low, high = summary["local_share_low"], summary["local_share_high"]
    share = "no share (total not above zero)" if low is None else \
        f"local share between {low:.0%} and {high:.0%}"
    fig.alt_text = (
        "Bar chart of spending by supplier location: "
        + "; ".join(f"{_label(n)} £{v:,.2f} million" for n, v in zip(names, values, strict=True))
        + f". Total £{summary['total'] / 1e6:,.2f} million; {share}.")
    fig.tight_layout()
    return fig


def chart_by_month(result) -> Figure:
    """Return stacked monthly bars of spend (£ thousand) by supplier location."""
    table = result.payments.pivot_table(index="month", columns="location",
                                        values="amount_pence", aggfunc="sum", fill_value=0,
                                        observed=False)
    table = table.reindex(columns=result.categories, fill_value=0) / 100 / 1e3
    fig, ax = plt.subplots(figsize=(8, 4))
    bottom = None
    for i, name in enumerate(table.columns):
        ax.bar(table.index.astype(str), table[name], bottom=bottom, label=_label(name),
               color=_colour(name, i))
        bottom = table[name] if bottom is None else bottom + table[name]
    ax.set_title("Spending by month and supplier location")
    ax.set_xlabel("Month")
    ax.set_ylabel("Spending (£ thousand)")
    ax.legend(fontsize="small")
    ax.tick_params(axis="x", labelrotation=45)
    months = ", ".join(f"{m} £{v:,.1f}k" for m, v in table.sum(axis=1).items())
    fig.alt_text = ("Stacked bar chart of spending by month, split by supplier location "
                    f"(local, elsewhere, unknown). Monthly totals: {months}.")
    fig.tight_layout()
    return fig


def chart_top_suppliers(result, n: int = 20) -> Figure:
    """Return horizontal bars of the ``n`` largest suppliers (£ thousand), coloured by location."""
    top = result.top_suppliers(n).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, max(3, 0.3 * len(top) + 1)))
    names = [str(s)[:40] for s in top["supplier"]]
    ax.barh(names, top["total"] / 1e3,
            color=[_colour(loc, 0) for loc in top["location"]])
    handles = [plt.Rectangle((0, 0), 1, 1, color=_colour(loc, 0))
               for loc in dict.fromkeys(top["location"])]
    ax.legend(handles, [_label(loc) for loc in dict.fromkeys(top["location"])],
              fontsize="small", loc="lower right")
    ax.set_title(f"The {len(top)} largest suppliers")
    ax.set_xlabel("Spending (£ thousand)")
    ax.set_ylabel("Supplier")
    listed = "; ".join(f"{s} £{t / 1e3:,.1f}k ({_label(loc)})" for s, t, loc in
                       zip(top["supplier"][::-1], top["total"][::-1], top["location"][::-1],
                           strict=True))
    fig.alt_text = f"Horizontal bar chart of the {len(top)} largest suppliers: {listed}."
    fig.tight_layout()
    return fig


def chart_periods(result) -> Figure:
    """Return the local share within each boundary, period by period, with its range.

    Each boundary is a line of markers at the low share (unknown counted not local), with a bar
    up to the high share (unknown counted local). One period gives one point per boundary.

    Parameters
    ----------
    result : SpendResult

    Returns
    -------
    Figure
        With ``fig.alt_text`` naming each period's shares.
    """
    periods = result.summary()["periods"]
    names = [p["period"] for p in periods]
    fig, ax = plt.subplots(figsize=(7, 4))
    words = []
    for index, boundary in enumerate(periods[0]["boundaries"] if periods else []):
        low = [100 * (p["boundaries"][index]["share_low"] or 0) for p in periods]
        high = [100 * (p["boundaries"][index]["share_high"] or 0) for p in periods]
        colour = _colour(boundary["label"], index)
        ax.vlines(names, low, high, colors=colour, linewidth=6, alpha=0.35)
        ax.plot(names, low, marker="o", color=colour, label=f"within {boundary['name']}")
        words.append(f"within {boundary['name']}: " + ", ".join(
            f"{n} {lo:.1f}%" + (f" to {hi:.1f}%" if f"{hi:.1f}" != f"{lo:.1f}" else "")
            for n, lo, hi in zip(names, low, high, strict=True)))
    ax.set_title("Local share of spending by period")
    ax.set_xlabel("Period (financial year, or file where undated)")
    ax.set_ylabel("Share of spending (%)")
    ax.set_ylim(0, 100)
    if words:
        ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    fig.alt_text = ("Local share of spending by period, with its range where suppliers of "
                    "unknown location could go either way. " + "; ".join(words) + ".")
    return fig
