"""Sliders that tell the truth on a static web page (the course site, an HTML copy).

A web page built from a notebook keeps its widgets but runs no Python, so a slider whose
figure is computed by a Python callback shows its starting figure wherever it is moved.
A *stepped slider* avoids that: every position's figure is computed when the page is
built, by the same toolkit function a live notebook would call, and put in an
``ipywidgets.Stack``. The slider's position is linked to the stack in the browser
(``ipywidgets.jslink``), so moving it shows that position's own, precomputed figure, with
or without a kernel.

One slider moves one assumption; the rest stay fixed and are said in words, not offered
as sliders. A slider has at most :data:`MAX_POSITIONS` positions, so a page stays small.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: The most positions a stepped slider may have (each is a precomputed figure).
MAX_POSITIONS = 25
#: The CSS class of each position's figure (the browser tests read it).
FIGURE_CLASS = "stepped-figure"


@dataclass(frozen=True)
class Position:
    """One position of a stepped slider.

    Attributes
    ----------
    label : str
        What the slider's readout shows there, such as ``"60%"``.
    html : str
        The figure shown there, as HTML (any text from an input already escaped).
    """

    label: str
    html: str


def steps(low: float, high: float, step: float) -> list[float]:
    """Return the values from ``low`` to ``high`` inclusive, ``step`` apart, rounded.

    Parameters
    ----------
    low, high, step : float
        The range and the distance between positions (``step`` > 0).

    Returns
    -------
    list of float
        Rounded to 10 decimal places, so ``0.1 * 3`` is ``0.3``.

    Raises
    ------
    ValueError
        When the range would give more than :data:`MAX_POSITIONS` positions.
    """
    count = int(round((high - low) / step)) + 1
    if count > MAX_POSITIONS:
        raise ValueError(f"{count} positions from {low} to {high}; at most {MAX_POSITIONS}.")
    return [round(low + i * step, 10) for i in range(count)]


def positions_over(values: Sequence[float], readout: Callable[[float], str],
                   figure: Callable[[float], str]) -> list[Position]:
    """Return one :class:`Position` per value: its readout and its figure.

    Parameters
    ----------
    values : sequence of float
        The slider's values, in order.
    readout : callable
        Value to the readout's words (``lambda v: f"{v:.0%}"``).
    figure : callable
        Value to the figure's HTML there; a toolkit call, so the page shows what the
        toolkit computes.

    Returns
    -------
    list of Position
    """
    return [Position(readout(v), figure(v)) for v in values]


def sentence(text: str) -> str:
    """Return plain text as an escaped HTML paragraph (a figure in words)."""
    return f"<p>{html.escape(text)}</p>"


def stepped_slider(description: str, positions: Sequence[Position], start: int = 0,
                   fixed: str = ""):
    """Return a slider and the figure at its position, linked in the browser.

    Parameters
    ----------
    description : str
        What the slider moves, in words (also the slider's accessible name).
    positions : sequence of Position
        From :func:`positions_over`; at most :data:`MAX_POSITIONS`.
    start : int
        The starting position's index.
    fixed : str
        Optional words on what stays fixed while this slider moves.

    Returns
    -------
    ipywidgets.VBox
        Its ``slider`` and ``stack`` attributes are the two widgets, ``link`` the link
        between them (run by the browser).

    Raises
    ------
    ValueError
        With no positions, too many, repeated readouts, or ``start`` out of range.
    """
    import ipywidgets as widgets

    labels = [p.label for p in positions]
    if not labels or len(labels) > MAX_POSITIONS:
        raise ValueError(f"A stepped slider needs 1 to {MAX_POSITIONS} positions, "
                         f"not {len(labels)}.")
    if len(set(labels)) != len(labels):
        raise ValueError(f"Each position needs its own readout; got {labels}.")
    if not 0 <= start < len(labels):
        raise ValueError(f"start {start} is not a position (0 to {len(labels) - 1}).")
    slider = widgets.SelectionSlider(
        options=labels, index=start, description=description, continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="100%", max_width="46em"))
    stack = widgets.Stack(
        [widgets.HTML(f"<div class='{FIGURE_CLASS}'>{p.html}</div>") for p in positions],
        selected_index=start)
    link = widgets.jslink((slider, "index"), (stack, "selected_index"))
    parts = [slider, stack]
    if fixed:
        parts.insert(0, widgets.HTML(sentence(fixed)))
    box = widgets.VBox(parts, layout=widgets.Layout(width="100%"))
    box.add_class("stepped-slider")
    box.slider, box.stack, box.link = slider, stack, link
    return box
