"""Live sliders for an options appraisal in JupyterLab (ipywidgets, imported lazily).

Moving a slider sets one assumption and runs :func:`toolkit.appraisal.appraise.appraise` again
(without re-reading workbooks and without the sensitivity table), so the results table
and the break-even sentences follow the slider. Everything a slider changes is an
assumption already named in the appraisal; nothing is computed here that the appraisal
does not compute.

References
----------
METHODS §8 (lambda, both break-even methods); METHODS §1 (assumed LM3 rounds).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from toolkit.appraisal.appraise import Appraisal, appraise, delivery_scale, gather_evidence
from toolkit.appraisal.scenario import (
    OTHER_SPENDING_KEY,
    WEIGHT_KEY,
    Scenario,
    resolve_setting_assumptions,
)
from toolkit.inputs.errors import InputError

#: The assumed behaviour an option's sliders move (the rest stay as the scenario says).
LIVE_ASSUMPTIONS = ("local_staff_share", "local_supplier_share", "head_office_share",
                    "respend_staff", "respend_suppliers")
LOCAL_SHARES = ("local_staff_share", "local_supplier_share")


@dataclass(frozen=True)
class Slider:
    """One slider: which assumption it moves and its range.

    Attributes
    ----------
    option : str or None
        The option's name; None for lambda.
    name : str
        ``local_value_weight``, ``price``, ``lm3`` (an evidenced option) or an assumed key.
    label : str
    low, high, step, value : float
    """

    option: str | None
    name: str
    label: str
    low: float
    high: float
    step: float
    value: float


def sliders(scenario: Scenario, settings, evidence: dict) -> list[Slider]:
    """Return the sliders for the key assumptions of a scenario.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    settings : toolkit.inputs.settings.Settings
        Fills assumptions the scenario leaves to the settings.
    evidence : dict
        Patterns of evidenced options (:func:`toolkit.appraisal.appraise.gather_evidence`).

    Returns
    -------
    list of Slider
        lambda; v_0 (0 to 1) unless it is the in-house option's own LM3 - 1 (then it
        follows that option); then for each option its total price (half to one and a half
        times the bid), and either its LM3 (evidenced: from 1 to 3) or its local staff and
        supplier shares, head-office share and re-spending rates (assumed: 0 to 1).
    """
    scenario = resolve_setting_assumptions(scenario, settings)
    w = scenario.weight.value
    out = [Slider(None, WEIGHT_KEY, "lambda (£ of budget per £1 of local income)", 0.0,
                  max(1.0, round(2 * w, 2)), 0.01, w)]
    if scenario.other_spending_mode != "in house":
        out.append(Slider(None, OTHER_SPENDING_KEY, "v_0 (local income per £1 of other "
                          "spending)", 0.0, 1.0, 0.01,
                          round(scenario.other_spending.value, 2)))
    for option in scenario.options:
        out.append(Slider(option.name, "price", f"{option.name}: total price (£)",
                          round(option.price * 0.5), round(option.price * 1.5),
                          max(1.0, round(option.price / 200)), option.price))
        if option.kind == "evidenced":
            out.append(Slider(option.name, "lm3", f"{option.name}: LM3", 1.0, 3.0, 0.01,
                              round(evidence[option.name].lm3, 2)))
            continue
        for name in LIVE_ASSUMPTIONS:
            a = option.assumptions.get(name)
            if a is None:
                continue
            out.append(Slider(option.name, name, f"{option.name}: {name.replace('_', ' ')}",
                              0.0, 1.0, 0.01, round(a.value, 2)))
    return out


def appraise_with(scenario: Scenario, settings, evidence: dict,
                  values: dict[tuple[str | None, str], float]) -> Appraisal:
    """Appraise with some assumptions set to new values (what a slider does).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    settings : toolkit.inputs.settings.Settings
        The settings.
    evidence : dict
        Patterns of evidenced options, reused (workbooks are not read again).
    values : dict
        ``(option name or None, assumption name)`` to value; ``"lm3"`` sets an evidenced
        option's LM3, ``"price"`` its total price, ``local_value_weight`` lambda,
        ``other_spending_local_income`` v_0.

    Returns
    -------
    Appraisal
        Without the sensitivity table.

    Raises
    ------
    InputError
        When an option's local staff, local supplier and head-office shares together
        exceed 100% of the contract (the local shares as scaled by the head-office share).
    """
    scenario = resolve_setting_assumptions(scenario, settings)
    evidence = dict(evidence)
    for (option, name), value in values.items():
        if name == "lm3":
            evidence[option] = dataclasses.replace(evidence[option], lm3=float(value))
        else:
            scenario = scenario.with_assumption(option, name, float(value))
    for option in scenario.options:
        a = option.assumptions
        scale = delivery_scale(a)
        parts = [scale * a[n].value for n in LOCAL_SHARES if n in a]
        parts += [a["head_office_share"].value] if "head_office_share" in a else []
        if sum(parts) > 1 + 1e-9:
            raise InputError(f"{option.name}: local staff, local suppliers and head office "
                             f"together make {sum(parts):.0%} of the contract; lower one so "
                             "that they make at most 100%.")
    return appraise(scenario, settings, evidence=evidence, with_sensitivity=False)


def live_table(result: Appraisal) -> pd.DataFrame:
    """Return the few columns the live view shows, one row per option."""
    frame = result.options[["name", "price", "lm3", "local_value", "net_value",
                            "total_score"]].copy()
    return frame.rename(columns={
        "name": "Option", "price": "Price (£)", "lm3": "LM3",
        "local_value": "Local income (£, present value)",
        "net_value": NET_VALUE_HEADER,
        "total_score": "Tender score (of 100)"})


#: The live table's net value column.
NET_VALUE_HEADER = "Net value (£, lambda × (local income − v_0 × price) − price)"


def premium_words(weight: float, v_zero: float, lm3_local: float, lm3_other: float) -> str:
    """Return the break-even premium by a weight on local income, in one sentence.

    Parameters
    ----------
    weight : float
        lambda: £ of budget per £1 of local income.
    v_zero : float
        Local income per £1 of what the premium would otherwise buy.
    lm3_local, lm3_other : float
        The local and the other option's LM3.

    Returns
    -------
    str
        The premium as a percentage and the price ratio, or that there is no break-even
        (:func:`toolkit.appraisal.maths.break_even_ratio_by_weight` returns None).
    """
    from toolkit.appraisal.maths import break_even_ratio_by_weight, local_income_per_pound

    ratio = break_even_ratio_by_weight(weight, local_income_per_pound(lm3_local),
                                       local_income_per_pound(lm3_other), v_zero)
    where = f"lambda {weight:.2f}, v_0 {v_zero:.2f}"
    if ratio is None:
        return (f"{where}: no break-even; under this weight every extra £1 to one option "
                "pays for itself.")
    return (f"{where}: break-even premium {ratio - 1:.1%} (local price up to "
            f"{ratio:.4f} times the other)")


def explorer(scenario: Scenario, settings, evidence: dict | None = None):
    """Return a box of sliders and a results view that recomputes as the sliders move.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    settings : toolkit.inputs.settings.Settings
        The settings.
    evidence : dict, optional
        Patterns of evidenced options; read from the workbooks when not given.

    Returns
    -------
    ipywidgets.VBox
        Needs ipywidgets (installed with the toolkit's notebook requirements).
    """
    import ipywidgets as widgets
    from IPython.display import HTML, display

    from toolkit.present import escape, frame_html

    evidence = gather_evidence(scenario, settings) if evidence is None else evidence
    specs = sliders(scenario, settings, evidence)
    controls = [widgets.FloatSlider(value=s.value, min=s.low, max=s.high, step=s.step,
                                    description=s.label, continuous_update=False,
                                    style={"description_width": "22em"},
                                    layout=widgets.Layout(width="44em"),
                                    readout_format=",.0f" if s.name == "price" else ".2f")
                for s in specs]
    out = widgets.Output()
    starts = [c.value for c in controls]
    box = widgets.VBox()

    def refresh(_change=None):
        current = [c.value for c in controls]
        values = moved_values(specs, starts, current)
        out.clear_output(wait=True)
        try:
            result = appraise_with(scenario, settings, evidence, values)
        except InputError as exc:
            with out:
                display(HTML(f"<p class='warning'>{escape(str(exc))}</p>"))
            return
        box.last = result
        with out:
            display(HTML(frame_html(live_table(result), formats={
                "Price (£)": "money", "LM3": "ratio", "Tender score (of 100)": "number",
                "Local income (£, present value)": "money", NET_VALUE_HEADER: "money"})))
            display(HTML("".join(f"<p>{escape(s)}</p>" for s in result.summary())))

    for control in controls:
        control.observe(refresh, names="value")
    refresh()
    box.children = [widgets.HTML(f"<b>Move a slider: the results below recompute.</b> "
                                 f"{LIVE_ONLY}"), *controls, out]
    return box


#: Said beside the live sliders: they need Python running behind them.
LIVE_ONLY = ("These sliders are live only in JupyterLab (and the app's options page): on a "
             "web page or in print they show the results at the scenario's own values and "
             "do not move them.")


def moved_values(specs: list[Slider], starts: list[float], current: list[float]
                 ) -> dict[tuple[str | None, str], float]:
    """Return the values of the sliders that were moved, keyed as :func:`appraise_with` takes.

    A slider starts at its assumption rounded to its step (an LM3 of 1.888955 shows as
    1.89), so an untouched slider must leave the assumption as it is: then the first view
    shows exactly the appraisal's own figures.

    Parameters
    ----------
    specs : list of Slider
    starts, current : list of float
        Each slider's starting and current value, in the order of ``specs``.

    Returns
    -------
    dict
        Only the sliders whose value differs from its start.
    """
    return {(s.option, s.name): now
            for s, start, now in zip(specs, starts, current, strict=True) if now != start}


def show_explorer(box) -> None:
    """Display the sliders, with words for a reader of a static copy (HTML, PDF)."""
    from IPython.display import display

    bundle = box._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else dict(bundle)
    bundle["text/plain"] = ("Live sliders: open this notebook in JupyterLab and run it to "
                            "move the assumptions and see the results recompute.")
    display(bundle, raw=True)
