"""The app's third page: compare commissioning options, from a form or a scenario file.

Steps: fill in the options in a form (or start from a sample scenario, or upload a scenario
file); set lambda and the evaluation weights with sliders; see both break-even premiums with
their words; download the appraisal pack. The form is written as a scenario file in the
session and read by :func:`toolkit.appraisal.scenario.load_scenario`, so its checks and
messages are the command line's. The sliders and the live table are
:mod:`toolkit.appraisal.widgets`' (``sliders``, ``appraise_with``, ``live_table``).

References
----------
METHODS.md §8 (break-even premiums by the weight on local income and by the tender
scores; the switching value of lambda).
"""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

from toolkit.app import layout
from toolkit.inputs import yaml_files
from toolkit.inputs.errors import InputError

#: The assumed-option fields of the form, with the words the page uses and their defaults.
ASSUMED_FIELDS = {
    "local_staff_share": ("Pay to staff living locally (% of price)", 50.0),
    "local_supplier_share": ("Paid to local suppliers (% of price)", 10.0),
    "head_office_share": ("Head office and profit (% of price)", 0.0),
}

#: The second option the form starts with: METHODS §8's illustration of a national provider.
NATIONAL_EXAMPLE = {"local_staff_share": 30.0, "local_supplier_share": 0.0,
                    "head_office_share": 20.0}

#: Most options the form takes.
MAX_OPTIONS = 4

#: The scenario the form writes, in the session folder.
FORM_SCENARIO = "scenario-from-the-form.yml"


def sample_scenarios() -> dict[str, Path]:
    """Return the sample scenario files by their service's words, for a quick start."""
    from toolkit.resources import samples_folder

    folder = samples_folder()
    found = {}
    for path in sorted(folder.glob("*scenario*.yml")) if folder else []:
        data = yaml_files.safe_load(path.read_text(encoding="utf-8")) or {}
        found[str(data.get("service") or path.stem)] = path
    return found


def form_scenario(service: str, years: int, weights: dict[str, float], weight: float,
                  options: list[dict]) -> dict:
    """Return the scenario a filled form describes, as a scenario file's keys.

    Parameters
    ----------
    service : str
        What is commissioned.
    years : int
        The contract's length.
    weights : dict
        ``price``, ``quality`` and ``social_value`` in percent.
    weight : float
        Lambda: £ of budget per £1 of local income.
    options : list of dict
        Each ``name``, ``price`` (£ over the contract), ``quality`` (of 100),
        ``local_provider`` (bool) and the shares of :data:`ASSUMED_FIELDS` in percent.

    Returns
    -------
    dict
        Ready for ``yaml.safe_dump``; every share is written as a percent.
    """
    return {
        "service": service.strip() or "The service",
        "years": int(years),
        "discount_rate": "green book",
        "weights": {k: f"{v:g}%" for k, v in weights.items()},
        "local_value_weight": float(weight),
        "options": [{
            "name": o["name"].strip(), "price": float(o["price"]),
            "quality": float(o["quality"]), "local_provider": bool(o["local_provider"]),
            "assumed": {k: f"{o[k]:g}%" for k in ASSUMED_FIELDS}} for o in options],
    }


def typed_lambda(text: str) -> float:
    """Return lambda as typed in the form: the commissioner's own judgement, never a default.

    Raises
    ------
    InputError
        When it is blank or not a number of 0 or more.
    """
    try:
        value = float(str(text).strip())
    except ValueError:
        value = None
    if value is None or value < 0:
        raise InputError("Give lambda: how many pounds of budget you would give up for each £1 "
                         "of extra local income, such as 0.2. It is your judgement: METHODS "
                         "§8 gives it no default.")
    return value


def write_scenario(data: dict, folder: Path, name: str = FORM_SCENARIO) -> Path:
    """Write scenario keys as a YAML file in ``folder``; return its path."""
    import yaml

    path = Path(folder) / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def save_scenario_upload(value, folder: Path) -> Path:
    """Check an uploaded scenario file, and any workbooks it names; save them safely.

    The scenario names its evidenced options' workbooks (``workbook: our-year.xlsx``) by
    their place beside it. Uploaded with it, each workbook is saved under its safe name and
    the scenario is saved again pointing at the saved copy, matched by safe name (see
    :func:`toolkit.app.session.safe_name`), so the file names the user chose never become
    paths.

    Parameters
    ----------
    value : tuple of dict
        The upload box's value: one scenario file (.yml), and optionally workbooks (.xlsx).
    folder : pathlib.Path
        The session's folder.

    Returns
    -------
    pathlib.Path
        The scenario saved, its workbooks pointing at the saved uploads.

    Raises
    ------
    InputError
        When no scenario (or more than one) was chosen, a file is too large, the scenario is
        not YAML text holding keys, or a workbook is not an Excel workbook.
    """
    from toolkit.app.session import safe_name
    from toolkit.app.uploads import read_uploads

    entries = list(value or ())
    scenarios = [e for e in entries if _is_yaml_name(e)]
    if len(scenarios) != 1:
        raise InputError("Choose one scenario file (.yml), with any workbooks it names, then "
                         "press the button.")
    name = str(scenarios[0].get("name") or "scenario")
    data = _scenario_keys(name, bytes(scenarios[0].get("content") or b""))
    others = [e for e in entries if e is not scenarios[0]]
    workbooks = {u.path.name: u.path for u in read_uploads(others, ("xlsx",))} if others else {}
    data = _pointed_at_uploads(data, workbooks)
    return write_scenario(data, folder, safe_name(name, "yml"))


def _is_yaml_name(entry: dict) -> bool:
    """Whether an upload's name ends .yml or .yaml (its content is checked after)."""
    return str(entry.get("name") or "").lower().endswith((".yml", ".yaml"))


def _scenario_keys(name: str, content: bytes) -> dict:
    """Return an uploaded scenario's keys, or raise a plain message."""
    import yaml

    from toolkit.app.uploads import max_upload_mb

    if len(content) > max_upload_mb() * 1_000_000:
        raise InputError(f"'{name}' is too large for a scenario file.")
    try:
        data = yaml_files.safe_load(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError):
        data = None
    if not isinstance(data, dict):
        raise InputError(f"'{name}' is not a scenario file: it should be text of keys such "
                         "as 'service:', 'weights:' and 'options:' (see the sample "
                         "scenarios).")
    return data


def _pointed_at_uploads(data: dict, workbooks: dict[str, Path]) -> dict:
    """Point each evidenced workbook the scenario names at its upload, matched by safe name."""
    from toolkit.app.session import safe_name

    def point(entry: dict) -> None:
        named = entry.get("workbook")
        if isinstance(named, str):
            saved = workbooks.get(safe_name(Path(named.replace("\\", "/")).name, "xlsx"))
            if saved is not None:
                entry["workbook"] = str(saved)

    for option in data.get("options") or []:
        evidenced = option.get("evidenced") if isinstance(option, dict) else None
        if isinstance(evidenced, str):
            option["evidenced"] = evidenced = {"workbook": evidenced}
        if isinstance(evidenced, dict):
            point(evidenced)
            for member in evidenced.get("members") or []:
                if isinstance(member, dict):
                    point(member)
    return data


def scenario_problems_words(exc: InputError, path: Path) -> str:
    """Return a scenario's problems without the session's folder, and what to do.

    Parameters
    ----------
    exc : InputError
        From :func:`toolkit.appraisal.scenario.load_scenario`.
    path : pathlib.Path
        The scenario saved in the session (its folder is not the user's business).

    Returns
    -------
    str
    """
    words = str(exc).replace(f"{Path(path).parent}/", "").replace(str(Path(path).parent), "")
    if "registry" in words or "workbook does not exist" in words:
        words += ("\nA scenario opened in the app finds its workbooks only among the files "
                  "uploaded with it: choose the scenario and its workbooks together, and name "
                  "each workbook in the scenario by its file name ('workbook: our-year.xlsx'). "
                  "A scenario that names a registry or organisation ids is opened with "
                  "'keepitlocal appraise FILE' (or 'keepitlocal pack --scenario FILE') where "
                  "the registry is.")
    return words


def with_choices(path: Path, weight: float, weights: dict[str, float], folder: Path) -> Path:
    """Return a copy of a scenario file with lambda and the weights the sliders set.

    The pack is made from it, so that it shows what the page showed. Relative paths in the
    file (workbooks, the registry) are made absolute, since the copy lives elsewhere.
    """
    data = yaml_files.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    data["local_value_weight"] = float(weight)
    data["weights"] = {k: f"{v:g}%" for k, v in weights.items()}
    if isinstance(data.get("registry"), str):
        data["registry"] = str((Path(path).parent / data["registry"]).resolve())
    for option in data.get("options") or []:
        evidenced = option.get("evidenced") if isinstance(option, dict) else None
        if isinstance(evidenced, dict) and isinstance(evidenced.get("workbook"), str):
            evidenced["workbook"] = str((Path(path).parent / evidenced["workbook"]).resolve())
    copy = Path(folder) / "as-set"
    copy.mkdir(exist_ok=True)
    return write_scenario(data, copy, f"{Path(path).stem}.yml")


def open_scenario(path: Path):
    """Return the scenario, its settings and the evidence of its evidenced options.

    Read by :func:`toolkit.appraisal.scenario.load_scenario` (every problem named by key),
    with the evidence from the workbooks
    (:func:`toolkit.appraisal.appraise.gather_evidence`).
    """
    from toolkit.appraisal.appraise import gather_evidence
    from toolkit.appraisal.scenario import load_scenario
    from toolkit.inputs.settings import load_settings

    scenario = load_scenario(path)
    settings = load_settings()
    return scenario, settings, gather_evidence(scenario, settings)


def reweighted(scenario, weights: dict[str, float]):
    """Return the scenario with new evaluation weights (percent), checked to sum to 100%."""
    if abs(sum(weights.values()) - 100) > 1e-6 or min(weights.values()) < 0:
        raise InputError("The weights for price, quality and social value must add up to "
                         "100%: lower one of the sliders.")
    return dataclasses.replace(scenario, weights={k: v / 100 for k, v in weights.items()})


def results_html(result) -> str:
    """Return the live table and the findings in words (both break-even premiums)."""
    from toolkit.appraisal.widgets import NET_VALUE_HEADER, live_table
    from toolkit.present import frame_html

    table = frame_html(live_table(result), formats={
        "Price (£)": "money", "LM3": "ratio", "Tender score (of 100)": "number",
        "Local income (£, present value)": "money", NET_VALUE_HEADER: "money"})
    words = "".join(f"<p>{html.escape(s)}</p>" for s in result.summary())
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    return table + words + (f"<ul class='kil-notes'>{notes}</ul>" if notes else "")


def appraisal_pack(scenario_path: Path, folder: Path) -> Path:
    """Make the appraisal pack in ``folder``; return its folder.

    Planned by :func:`toolkit.packs.plan.plan_appraisal_pack`, as ``keepitlocal packs
    --scenario`` plans it, and made by the packs' runner.
    """
    from toolkit.packs.plan import plan_appraisal_pack

    return layout.run_one_pack(plan_appraisal_pack(scenario_path), Path(folder) / "out")


class OptionForm:
    """The form's fields for one option."""

    def __init__(self, number: int, name: str = "", price: float = 100000.0,
                 local: bool = False, shares: dict[str, float] | None = None):
        import ipywidgets as widgets

        wide = {"description_width": "20em"}
        room = widgets.Layout(width="36em")
        self.name = widgets.Text(value=name, description=f"Option {number}: name", style=wide,
                                 layout=room)
        self.price = widgets.BoundedFloatText(value=price, min=0, max=1e10, step=1000,
                                              description="Price over the contract (£)",
                                              style=wide, layout=room)
        self.quality = widgets.BoundedFloatText(value=70, min=0, max=100,
                                                description="Quality score (of 100)",
                                                style=wide, layout=room)
        self.local = widgets.Checkbox(value=local, description="A local provider", indent=False)
        given = shares or {}
        self.shares = {key: widgets.BoundedFloatText(value=given.get(key, default), min=0,
                                                     max=100, step=1, description=words,
                                                     style=wide, layout=room)
                       for key, (words, default) in ASSUMED_FIELDS.items()}
        self.box = widgets.VBox([self.name, self.price, self.quality, self.local,
                                 *self.shares.values()],
                                layout=widgets.Layout(border="1px solid #ccc",
                                                      padding="0.5em", margin="0.3em 0"))

    def values(self) -> dict:
        """Return what was typed, as :func:`form_scenario` takes it."""
        return {"name": self.name.value, "price": self.price.value,
                "quality": self.quality.value, "local_provider": self.local.value,
                **{k: w.value for k, w in self.shares.items()}}


class OptionsPage:
    """The options appraisal page's widgets and state.

    Attributes
    ----------
    box : ipywidgets.VBox
        The whole page.
    scenario_path : pathlib.Path or None
        The scenario shown (the form's, a sample or an upload).
    last : toolkit.appraisal.appraise.Appraisal or None
        The latest appraisal the sliders made.
    """

    def __init__(self):
        import ipywidgets as widgets

        from toolkit.app.messages import guarded, message_area

        self.scenario_path: Path | None = None
        self.scenario = self.settings = self.evidence = None
        self.specs, self.controls, self.starts, self.last = [], [], [], None
        self.service = widgets.Text(description="Service", placeholder="such as youth services")
        self.years = widgets.BoundedIntText(value=3, min=1, max=30, description="Years")
        self.weight_text = widgets.Text(description="Lambda", placeholder="such as 0.2")
        self.option_forms = [OptionForm(1, "Local provider", 100000.0, True),
                             OptionForm(2, "National provider", 90000.0, False,
                                        NATIONAL_EXAMPLE)]
        self.forms_area = widgets.VBox([f.box for f in self.option_forms])
        self.add_button = layout.button("Add another option")
        self.form_button = layout.button("Compare these options")
        self.samples = widgets.Dropdown(options=list(sample_scenarios()),
                                        description="Example", layout={"width": "40em"})
        self.sample_button = layout.button("Open this example")
        self.upload = layout.file_box("Your scenario file (.yml), with any workbooks it names",
                                      ".yml,.yaml,.xlsx", multiple=True)
        self.upload_button = layout.button("Open my scenario file")
        self.price_weight = widgets.FloatSlider(value=60, min=0, max=100, step=5,
                                                description="Price weight (%)",
                                                continuous_update=False)
        self.quality_weight = widgets.FloatSlider(value=30, min=0, max=100, step=5,
                                                  description="Quality weight (%)",
                                                  continuous_update=False)
        self.social_words = widgets.HTML()
        self.sliders_area = widgets.VBox()
        self.results_out = widgets.HTML()
        self.pack_button = layout.button("Make the appraisal pack (HTML, PDF and tables)")
        self.pack_out = widgets.HTML()
        self.add_button.on_click(guarded(self.add_option, into=self.results_out))
        self.form_button.on_click(guarded(self.from_form, into=self.results_out))
        self.sample_button.on_click(guarded(self.from_sample, into=self.results_out))
        self.upload_button.on_click(guarded(self.from_upload, into=self.results_out))
        for slider in (self.price_weight, self.quality_weight):
            slider.observe(guarded(self.refresh, into=self.results_out), names="value")
        self.pack_button.on_click(guarded(self.make_pack, into=self.pack_out))
        self._social_words()
        layout.name_for_browsers({
            "kil-compare": self.form_button, "kil-scenario-upload": self.upload,
            "kil-open-scenario": self.upload_button, "kil-open-example": self.sample_button,
            "kil-sliders": self.sliders_area, "kil-results-out": self.results_out,
            "kil-pack": self.pack_button, "kil-pack-out": self.pack_out})
        self.box = layout.page_box([message_area(), *self._steps()])

    def _steps(self) -> list:
        import ipywidgets as widgets

        return [
            layout.step(1, "Describe the options",
                        "Give each option's price over the whole contract, its quality "
                        "score, and how much of the price goes to staff living locally and "
                        "to local suppliers. Or open an example or your own scenario file.",
                        self.service, self.years, self.weight_text, self.forms_area,
                        widgets.HBox([self.add_button, self.form_button]),
                        widgets.HBox([self.samples, self.sample_button]),
                        widgets.HBox([self.upload, self.upload_button])),
            layout.step(2, "Set the weights",
                        "Lambda is how many pounds of budget you would give up for each £1 "
                        "of extra local income: your judgement, there is no default. The "
                        "price, quality and social value weights are the tender's.",
                        self.price_weight, self.quality_weight, self.social_words,
                        self.sliders_area),
            layout.step(3, "What the options are worth",
                        "The break-even premium is how much more the local option could "
                        "cost and still be worth it, by your lambda and by the tender "
                        "scores.", self.results_out),
            layout.step(4, "Download the appraisal pack",
                        "The pack uses lambda and the weights as set here; the other "
                        "sliders explore and are not written into it.", self.pack_button,
                        self.pack_out),
        ]

    # ------------------------------------------------------------------ weights

    def weights(self) -> dict[str, float]:
        """Return the evaluation weights in percent (social value is what is left)."""
        price, quality = self.price_weight.value, self.quality_weight.value
        return {"price": price, "quality": quality, "social_value": 100 - price - quality}

    def _social_words(self) -> None:
        left = self.weights()["social_value"]
        self.social_words.value = (f"<p>Social value weight: <strong>{left:g}%</strong> "
                                   "(what price and quality leave of 100%).</p>")

    # ------------------------------------------------------------------ callbacks

    def add_option(self, *_):
        """Add one more option to the form (up to :data:`MAX_OPTIONS`)."""
        if len(self.option_forms) >= MAX_OPTIONS:
            raise InputError(f"The form takes up to {MAX_OPTIONS} options; for more, write a "
                             "scenario file.")
        self.option_forms.append(OptionForm(len(self.option_forms) + 1))
        self.forms_area.children = [f.box for f in self.option_forms]

    def from_form(self, *_):
        """Write the form as a scenario file and show its appraisal."""
        from toolkit.app.session import session_folder

        weight = self.lambda_value() if self.controls else typed_lambda(self.weight_text.value)
        data = form_scenario(self.service.value, self.years.value, self.weights(), weight,
                             [f.values() for f in self.option_forms])
        self.show(write_scenario(data, session_folder()))

    def from_sample(self, *_):
        """Open the chosen sample scenario."""
        self.show(sample_scenarios()[self.samples.value])

    def from_upload(self, *_):
        """Check and open the uploaded scenario file."""
        from toolkit.app.session import session_folder

        self.show(save_scenario_upload(self.upload.value, session_folder()))

    def show(self, path: Path) -> None:
        """Open a scenario, make its sliders (the toolkit's) and show its appraisal."""
        import ipywidgets as widgets

        from toolkit.appraisal.widgets import sliders

        try:
            self.scenario, self.settings, self.evidence = open_scenario(path)
        except InputError as exc:
            raise InputError(scenario_problems_words(exc, path)) from None
        self.scenario_path = Path(path)
        self.specs = sliders(self.scenario, self.settings, self.evidence)
        self.controls = [widgets.FloatSlider(
            value=s.value, min=s.low, max=s.high, step=s.step, description=s.label,
            continuous_update=False, style={"description_width": "22em"},
            layout=widgets.Layout(width="44em"),
            readout_format=",.0f" if s.name == "price" else ".2f") for s in self.specs]
        from toolkit.app.messages import guarded

        # A slider rounds its value to its step: until the user moves it, the scenario's own
        # figure (an evidenced LM3 to full precision) is used, so the page agrees with the pack.
        self.starts = [control.value for control in self.controls]
        for control in self.controls:
            control.observe(guarded(self.refresh, into=self.results_out), names="value")
        self.sliders_area.children = self.controls
        weights = self.scenario.weights
        with self.price_weight.hold_trait_notifications():
            self.price_weight.value = round(weights["price"] * 100, 1)
            self.quality_weight.value = round(weights["quality"] * 100, 1)
        self.refresh()

    def lambda_value(self) -> float:
        """Return lambda as its slider says."""
        from toolkit.appraisal.widgets import WEIGHT_KEY

        for spec, control in zip(self.specs, self.controls, strict=True):
            if spec.name == WEIGHT_KEY:
                return float(control.value)
        raise InputError("Open a scenario first (step 1).")

    def refresh(self, *_):
        """Appraise again with the sliders' values and show the results."""
        from toolkit.appraisal.widgets import appraise_with

        self._social_words()
        if self.scenario is None:
            return
        values = {(s.option, s.name): c.value
                  for s, c, start in zip(self.specs, self.controls, self.starts, strict=True)
                  if c.value != start}
        scenario = reweighted(self.scenario, self.weights())
        self.last = appraise_with(scenario, self.settings, self.evidence, values)
        self.results_out.value = results_html(self.last)

    def make_pack(self, *_):
        """Make the appraisal pack with lambda and the weights as set, and offer it."""
        from toolkit.app.session import session_folder

        if self.scenario_path is None:
            raise InputError("Open or fill in a scenario first (step 1).")
        folder = session_folder() / "appraisal-pack"
        folder.mkdir(exist_ok=True)
        reweighted(self.scenario, self.weights())  # the message, if they do not add up
        path = with_choices(self.scenario_path, self.lambda_value(), self.weights(), folder)
        self.pack_out.value = layout.pack_links(appraisal_pack(path, folder))


def build_page():
    """Return the options appraisal page as one widget (what ``options.ipynb`` displays).

    Returns
    -------
    ipywidgets.VBox
        Its ``page`` attribute is the :class:`OptionsPage` behind it.
    """
    page = OptionsPage()
    page.box.page = page
    return page.box
