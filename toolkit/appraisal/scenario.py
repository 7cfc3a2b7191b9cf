"""Read and check a commissioner's scenario file for an options appraisal.

A scenario file (YAML) names the service, the contract's years, the evaluation weights,
the weight lambda on local value (required: METHODS §8 gives it no default) and two or
more options. Each option has a total price, a quality mark, whether the provider is
local, and its local economic behaviour: *evidenced* (an anchor's workbook, or a
consortium of workbooks weighted by their shares of the contract) or *assumed* (named
shares and re-spending rates, each shown in the appraisal). An in-house option
(``in_house: yes``) describes the council's own pattern the same way; its local supplier
share may come from the council's own payments files (``local_supplier_share: council
spending`` with ``non_staff_share``), through the spend analysis of METHODS §2.

Optional keys for the whole appraisal:

``other_spending_local_income``
    v_0, the local income per £1 of what the premium would otherwise buy (METHODS §8):
    ``in house`` (the in-house option's LM3 - 1: the council's own pattern), ``council
    spending`` (the local share of the authority's payments files: a lower bound, as it
    covers suppliers and round 2 only), ``none`` (0, labelled "ignores what the premium
    would otherwise buy"), or a share (a number or value/low/high, labelled assumed).
    Left out: ``in house`` when there is an in-house option, else ``council spending``
    when the authority has payments files, else ``none``. Shown in the assumptions table.
``prices``
    ``cash`` (the default: deflated to real prices with HM Treasury's GDP deflator before
    the real discount rate) or ``real``.
``first_year``
    The calendar year the contract starts (the base of real prices); left out: the
    settings' ``analysis_year``.
``inflation``
    The deflator's growth a year after its latest outturn (assumed); left out: the latest
    outturn year's growth carried forward.

Every problem names the file and the key, and all problems are reported together.

References
----------
METHODS §8, "Options appraisal" (local value; lambda has no default; consortia weighted by
their shares of the contract; in-house options use the council's own pattern).
METHODS §3 (Green Book declining discount schedule; central government's 10% minimum
social value weight).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.inputs.errors import InputError, Report
from toolkit.inputs.settings import read_yaml_mapping
from toolkit.resources import source_root

#: The key holding lambda, the value of £1 of local economic activity in £ of budget.
WEIGHT_KEY = "local_value_weight"

#: Span used in the sensitivity table for a share given as a single number (± this, in
#: shares of the contract), unless the scenario's ``sensitivity.share_span`` says otherwise.
DEFAULT_SHARE_SPAN = 0.10
#: Relative span for lambda given as a single number (low = (1 - span) lambda, high =
#: (1 + span) lambda), unless ``sensitivity.weight_span`` says otherwise.
DEFAULT_WEIGHT_SPAN = 0.5
#: Relative span for a cost per FTE given as a single number.
DEFAULT_COST_SPAN = 0.2

#: Non-staff share of an in-house contract, used with ``local_supplier_share: council
#: spending`` (the local share of the council's own procurement spending).
NON_STAFF_KEY = "non_staff_share"

#: The key holding v_0: the local income per £1 of what the premium would otherwise buy.
OTHER_SPENDING_KEY = "other_spending_local_income"
#: What ``other_spending_local_income`` may say besides a number (METHODS §8).
OTHER_SPENDING_MODES = ("in house", "council spending", "none")
#: The label of v_0 = 0 (METHODS §8).
IGNORES_OTHER_SPENDING = "ignores what the premium would otherwise buy"

#: Plain English of v_0.
OTHER_SPENDING_MEANING = ("v_0: local income per £1 of the council's other spending (what the "
                          "premium would otherwise buy)")

#: Central government's minimum weight for social value (PPN 06/20, now PPN 002).
CENTRAL_GOVERNMENT_MIN_SOCIAL_VALUE = 0.10

#: The assumed behaviour of an option: key, meaning, kind, and the setting that gives it
#: when the scenario does not (None: the scenario must give it).
ASSUMED_KEYS: dict[str, tuple[str, str, str | None]] = {
    "local_staff_share": (
        "Share of the contract paid (gross) to staff who live locally", "share", None),
    "local_supplier_share": (
        "Share of the contract paid to local suppliers", "share", None),
    "head_office_share": (
        "Share of the contract leaving as head-office costs and profit (the local staff and "
        "supplier shares are of the contract at this share; another head-office share scales "
        "them by the change in what is left to deliver the service)", "share", None),
    "take_home_share": (
        "Take-home pay as a share of gross pay", "share", "lm3.take_home_share"),
    "respend_staff": (
        "Share of take-home pay local staff re-spend locally", "share",
        "lm3.assumed_respend_staff"),
    "respend_suppliers": (
        "Share of their income local suppliers re-spend locally", "share",
        "lm3.assumed_respend_suppliers"),
    "cost_per_fte": (
        "Gross pay per full-time local job (£ a year), to count local jobs", "money", None),
}


@dataclass(frozen=True)
class Assumption:
    """One named assumption with its range, as shown in the appraisal.

    Attributes
    ----------
    name : str
        The key, such as ``local_staff_share``.
    value, low, high : float
        Central value and the span used in the sensitivity table.
    source : str
        Where it comes from, such as ``"scenario"`` or ``"settings lm3.take_home_share
        (assumed)"``.
    meaning : str
        Plain English.
    stated : float or None
        The value as first given, kept when :meth:`at` moves it (None until then).
    """

    name: str
    value: float
    low: float
    high: float
    source: str
    meaning: str
    stated: float | None = None

    @property
    def as_stated(self) -> float:
        """The value the scenario (or settings) gave, before any slider or sensitivity case."""
        return self.value if self.stated is None else self.stated

    def at(self, value: float) -> Assumption:
        """Return the same assumption with another central value (span kept around it)."""
        return dataclasses.replace(self, value=float(value), stated=self.as_stated)


@dataclass(frozen=True)
class Member:
    """One workbook of an evidenced option: an anchor, or a consortium member."""

    workbook: Path
    share: float
    key: str


@dataclass(frozen=True)
class OptionSpec:
    """One option as the scenario describes it.

    Attributes
    ----------
    name : str
    price : float
        Total price over the contract (£).
    profile : tuple of float
        Price in each year, summing to ``price`` (spread evenly unless the scenario says).
    quality : float
        The evaluators' quality mark, out of the scenario's ``quality_max``.
    local_provider : bool
        Whether the provider is local.
    kind : str
        ``"evidenced"`` or ``"assumed"``.
    in_house : bool
        Whether this is the council delivering the service itself.
    assumptions : dict of str to Assumption
        The assumed behaviour (assumed options), each named and shown.
    members : tuple of Member
        The workbooks of an evidenced option with their shares of the contract.
    commitment : float or None
        s_i for tender scoring, when the scenario gives it; otherwise the option's local
        spending share (round 2 per £).
    key : str
        Where it is in the file, such as ``options[2]``.
    """

    name: str
    price: float
    profile: tuple[float, ...]
    quality: float
    local_provider: bool
    kind: str
    in_house: bool
    assumptions: dict[str, Assumption]
    members: tuple[Member, ...]
    commitment: float | None
    key: str

    @property
    def behaviour(self) -> str:
        """Plain-English label of how the option's local behaviour is known."""
        who = "in-house (council's own pattern), " if self.in_house else ""
        if self.kind == "assumed":
            return f"{who}assumed"
        return f"{who}evidenced ({'consortium' if len(self.members) > 1 else 'workbook'})"

    def with_price(self, price: float) -> OptionSpec:
        """Return the option at another total price, keeping the shape of its profile."""
        factor = price / self.price
        return dataclasses.replace(self, price=float(price),
                                   profile=tuple(p * factor for p in self.profile))


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: everything an appraisal needs besides the settings.

    Attributes
    ----------
    path : pathlib.Path
    service : str
    years : int
    discount_rate : float or None
        A constant rate for every year, or None for the settings' Green Book schedule.
    weights : dict of str to float
        ``price``, ``quality``, ``social_value`` as fractions summing to 1.
    weight : Assumption
        lambda, the weight on local value (no default).
    options : tuple of OptionSpec
    appraised : str
        The option whose break-even premium is the headline (``appraised_option``; by
        default the local provider with the most local value per £).
    quality_max : float
    boundary : dict or None
        ``name`` and ``postcodes`` of "local", passed to the LM3 of evidenced options.
    checklist : dict
        The commissioner's answers to the Keep it Local checklist, by principle key.
    warnings : tuple of str
    fictional : bool
        Whether the scenario is made-up sample data (packs then carry a banner).
    other_spending : Assumption
        v_0 (``other_spending_local_income``), the local income per £1 of what the premium
        would otherwise buy. Its value is NaN when ``other_spending_mode`` is ``"in house"``
        until the appraisal takes it from the in-house option's LM3 - 1.
    other_spending_mode : str
        ``"in house"`` (the council's own LM3 - 1, from the in-house option), ``"council
        spending"`` (the payments files' local share: a lower bound), ``"scenario"`` (a
        number the scenario gives, assumed) or ``"none"`` (0, labelled).
    prices : str
        ``"cash"`` (deflated to real terms before discounting) or ``"real"``.
    first_year : int or None
        The calendar year in which the contract's first year starts (its prices are the
        base of real prices); None: the settings' ``analysis_year``.
    inflation : Assumption or None
        The GDP deflator's growth a year for years with no outturn; None: the latest
        outturn year's growth (``toolkit.appraisal.prices``).
    """

    path: Path
    service: str
    years: int
    discount_rate: float | None
    weights: dict[str, float]
    weight: Assumption
    options: tuple[OptionSpec, ...]
    appraised: str | None
    quality_max: float
    boundary: dict | None
    checklist: dict
    warnings: tuple[str, ...] = field(default=())
    fictional: bool = False
    other_spending: Assumption = field(default_factory=lambda: Assumption(
        OTHER_SPENDING_KEY, 0.0, 0.0, 0.0, f"none: 0, {IGNORES_OTHER_SPENDING}",
        OTHER_SPENDING_MEANING))
    other_spending_mode: str = "none"
    prices: str = "cash"
    first_year: int | None = None
    inflation: Assumption | None = None

    def option(self, name: str) -> OptionSpec:
        """Return the option called ``name``."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(f"no option called {name!r}")

    def replace_option(self, option: OptionSpec) -> Scenario:
        """Return the scenario with one option replaced (matched by name)."""
        return dataclasses.replace(self, options=tuple(
            option if o.name == option.name else o for o in self.options))

    def with_assumption(self, option: str | None, name: str, value: float) -> Scenario:
        """Return the scenario with one assumption set to ``value``.

        Parameters
        ----------
        option : str or None
            The option's name; None (or ``name == "local_value_weight"``) for lambda.
        name : str
            The assumption's key, such as ``local_staff_share``; ``price`` sets the
            option's total price.
        value : float
            The new central value (its low-to-high span is kept).
        """
        if name == OTHER_SPENDING_KEY:
            return dataclasses.replace(self, other_spending=self.other_spending.at(value))
        if name == "inflation" and self.inflation is not None:
            return dataclasses.replace(self, inflation=self.inflation.at(value))
        if name == WEIGHT_KEY or option is None:
            return dataclasses.replace(self, weight=self.weight.at(value))
        opt = self.option(option)
        if name == "price":
            return self.replace_option(opt.with_price(value))
        if name not in opt.assumptions:
            raise KeyError(f"option {option!r} has no assumption {name!r}")
        new = dict(opt.assumptions)
        new[name] = new[name].at(value)
        return self.replace_option(dataclasses.replace(opt, assumptions=new))


def find_scenario_file(path: str | Path) -> Path:
    """Return the scenario file's path, trying the repository root for a relative path.

    A notebook run from ``notebooks/`` names ``data/samples/...`` relative to the
    repository; the path is tried as given first, then from the folder above ``toolkit``.
    """
    path = Path(path)
    if path.exists() or path.is_absolute():
        return path
    from_root = source_root() / path
    return from_root if from_root.exists() else path


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file.

    Parameters
    ----------
    path : path-like
        The YAML file.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Listing every problem, each naming the file and the key: a workbook that does
        not exist, weights not summing to 100%, fewer than two options, a negative price,
        a missing lambda, and so on.

    References
    ----------
    METHODS §8 (lambda required, no default); METHODS §3 (10% social value minimum).
    """
    path = find_scenario_file(path)
    file = str(path)
    report = Report()
    data = read_yaml_mapping(path, report, "scenario file")
    report.raise_if_errors(f"The scenario {file}")
    reader = _Reader(file, path.parent, report)
    scenario = reader.scenario(data)
    report.raise_if_errors(f"The scenario {file}")
    return scenario


class _Reader:
    """Turns the YAML mapping into a :class:`Scenario`, collecting problems."""

    def __init__(self, file: str, folder: Path, report: Report):
        self.file = file
        self.folder = folder
        self.report = report
        self.warnings: list[str] = []
        self.share_span = DEFAULT_SHARE_SPAN
        self.weight_span = DEFAULT_WEIGHT_SPAN
        self.defaults: dict = {}
        self.registry = None
        self._summary: dict | None = None

    def error(self, key: str, message: str, value: Any = None, expected: str | None = None
              ) -> None:
        self.report.error(f"key '{key}': {message}", file=self.file,
                          value=None if value is None else str(value), expected=expected)

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(f"{key}: {message}")
        self.report.warning(f"key '{key}': {message}", file=self.file)

    # -- the whole file ------------------------------------------------------------------
    def scenario(self, data: dict) -> Scenario:
        known = {"service", "years", "discount_rate", "weights", WEIGHT_KEY, "lambda",
                 "options", "appraised_option", "quality_max", "boundary", "checklist",
                 "assumptions", "sensitivity", "authority", "registry", "notes", "fictional",
                 OTHER_SPENDING_KEY, "prices", "first_year", "inflation"}
        for key in data:
            if key not in known:
                self.error(str(key), "Unknown key.", expected=f"one of {', '.join(sorted(known))}")
        self._sensitivity(data.get("sensitivity") or {})
        self.registry = self._registry(data)
        self.defaults = data.get("assumptions") or {}
        if not isinstance(self.defaults, dict):
            self.error("assumptions", "Must map assumption names to values.")
            self.defaults = {}
        years = self._years(data.get("years"))
        options = self._options(data.get("options"), years)
        quality_max = self._positive("quality_max", data.get("quality_max", 100)) or 100.0
        for option in options:
            if option.quality > quality_max:
                self.error(f"{option.key}.quality", "The quality mark is above quality_max.",
                           option.quality, f"at most {quality_max:g}")
        appraised = data.get("appraised_option")
        if appraised is not None and appraised not in {o.name for o in options}:
            self.error("appraised_option", "Names no option.", appraised,
                       f"one of {', '.join(o.name for o in options)}")
        mode, other = self._other_spending(data.get(OTHER_SPENDING_KEY), options)
        return Scenario(
            path=Path(self.file),
            service=str(data.get("service") or "(service not named)"),
            years=years,
            discount_rate=self._discount(data.get("discount_rate")),
            weights=self._weights(data.get("weights")),
            weight=self._lambda(data),
            options=tuple(options),
            appraised=appraised,
            quality_max=quality_max,
            boundary=self._boundary(data.get("boundary")) or self._authority_boundary(),
            checklist=data.get("checklist") or {},
            warnings=tuple(self.warnings),
            fictional=self._flag("fictional", data.get("fictional", False)),
            other_spending=other,
            other_spending_mode=mode,
            prices=self._prices(data.get("prices", "cash")),
            first_year=self._first_year(data.get("first_year")),
            inflation=self._inflation(data.get("inflation")),
        )

    # -- v_0 and real prices -------------------------------------------------------------
    def _other_spending(self, value: Any, options: list[OptionSpec]) -> tuple[str, Assumption]:
        """Return v_0's mode and assumption (METHODS §8: the same basis as v_i)."""
        key = OTHER_SPENDING_KEY
        mode = "none" if _number(value) == 0 else _mode(value)
        if value is None:
            mode = ("in house" if any(o.in_house for o in options) else "council spending"
                    if self._has_council_spending() else "none")
        if mode == "in house":
            if not any(o.in_house for o in options):
                self.error(key, "'in house' needs an in-house option (in_house: yes), whose "
                           "spending pattern is the council's own.", value)
            nan = math.nan
            return mode, Assumption(key, nan, nan, nan, "in-house option: the council's own "
                                    "LM3 - 1 (METHODS §8)", OTHER_SPENDING_MEANING)
        if mode == "council spending":
            return self._other_spending_from_payments(value is None)
        if mode == "none":
            return mode, Assumption(key, 0.0, 0.0, 0.0, f"none: 0, {IGNORES_OTHER_SPENDING}",
                                    OTHER_SPENDING_MEANING)
        got = self._ranged(key, value, "share", OTHER_SPENDING_MEANING,
                           source="scenario (assumed)")
        if got is None:
            self.error(key, "Must be a share such as 0.36, a range, or one of "
                       f"{', '.join(OTHER_SPENDING_MODES)}.", value)
            return "none", Scenario.__dataclass_fields__["other_spending"].default_factory()
        return "scenario", dataclasses.replace(got, name=key)

    def _has_council_spending(self) -> bool:
        a = self.registry
        return a is not None and bool(a.spending_files) and a.local is not None

    def _other_spending_from_payments(self, by_default: bool) -> tuple[str, Assumption]:
        key = OTHER_SPENDING_KEY
        summary = self._council_summary(key)
        none = ("none", Assumption(key, 0.0, 0.0, 0.0, f"none: 0, {IGNORES_OTHER_SPENDING}",
                                   OTHER_SPENDING_MEANING))
        if summary is None:
            return none
        low, high = summary.get("local_share_low"), summary.get("local_share_high")
        if low is None or high is None:
            self.error(key, "The council's spending files hold no spending.")
            return none
        files = ", ".join(p.name for p in self.registry.spending_files)
        how = "default: no in-house option; " if by_default else ""
        return "council spending", Assumption(
            key, low, low, high,
            f"{how}council payments files ({files}): local share {low:.1%} (unknown counted "
            f"not local) to {high:.1%}; a lower bound, as it covers suppliers and round 2 "
            "only", OTHER_SPENDING_MEANING)

    def _prices(self, value: Any) -> str:
        text = str(value).strip().lower()
        if text in {"cash", "nominal"}:
            return "cash"
        if text == "real":
            return "real"
        self.error("prices", "Must be 'cash' (deflated to real terms before discounting) or "
                   "'real' (already in real terms).", value)
        return "cash"

    def _first_year(self, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
            self.error("first_year", "Must be the calendar year the contract starts, such as "
                       "2026.", value)
            return None
        return value

    def _inflation(self, value: Any) -> Assumption | None:
        if value is None:
            return None
        got = self._ranged("inflation", value, "share", "GDP deflator growth a year after the "
                           "latest outturn (cash to real prices)", source="scenario (assumed)")
        return None if got is None else dataclasses.replace(got, name="inflation")

    def _sensitivity(self, block: Any) -> None:
        if not isinstance(block, dict):
            self.error("sensitivity", "Must map share_span and weight_span to numbers.")
            return
        if "share_span" in block:
            self.share_span = self._share("sensitivity.share_span", block["share_span"]) or 0.0
        if "weight_span" in block:
            self.weight_span = self._share("sensitivity.weight_span", block["weight_span"]) or 0.0

    def _years(self, value: Any) -> int:
        if value is None:
            self.error("years", "Missing: how many years the contract runs.")
            return 1
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error("years", "Must be a whole number of years, at least 1.", value)
            return 1
        if value > 30:
            self.warn("years", f"A {value}-year contract is unusually long; check it.")
        return value

    def _discount(self, value: Any) -> float | None:
        if value is None or (isinstance(value, str) and value.strip().lower().replace(
                "_", " ") in {"green book", "settings"}):
            return None
        rate = _number(value)
        if rate is None or not 0 <= rate < 1:
            self.error("discount_rate", "Must be 'green book' (the settings' declining "
                       "schedule) or a rate such as 0.035 or '3.5%'.", value)
            return None
        return rate

    def _weights(self, block: Any) -> dict[str, float]:
        names = ("price", "quality", "social_value")
        fallback = {"price": 1.0, "quality": 0.0, "social_value": 0.0}
        if not isinstance(block, dict):
            self.error("weights", "Missing: the evaluation weights for price, quality and "
                       "social_value, summing to 100%.", block)
            return fallback
        for key in block:
            if key not in names:
                self.error(f"weights.{key}", "Unknown weight.", expected="price, quality, "
                           "social_value")
        numeric = {n: isinstance(block.get(n), int | float) and not isinstance(block.get(n), bool)
                   for n in names}
        as_percent = any(numeric[n] and block[n] > 1 for n in names)
        raw = {}
        for name in names:
            number = _number(block.get(name))
            if number is None or number < 0:
                self.error(f"weights.{name}", "Missing or not a number (such as 60 or '60%').",
                           block.get(name))
                return fallback
            raw[name] = number / 100 if as_percent and numeric[name] else number
        total = sum(raw.values())
        if abs(total - 1) > 1e-6:
            self.error("weights", "The weights must sum to 100%.",
                       f"{total:.1%} ({', '.join(f'{k} {v:.1%}' for k, v in raw.items())})",
                       "price + quality + social_value = 100%")
            return fallback
        if raw["social_value"] < CENTRAL_GOVERNMENT_MIN_SOCIAL_VALUE:
            self.warn("weights.social_value",
                      f"{raw['social_value']:.0%} is below central government's minimum of "
                      "10% (PPN 06/20, now PPN 002); councils may choose their own weight.")
        return raw

    def _lambda(self, data: dict) -> Assumption:
        value = data.get(WEIGHT_KEY, data.get("lambda"))
        meaning = "lambda: value to the council of £1 of local economic activity, in £ of budget"
        fallback = Assumption(WEIGHT_KEY, 0.0, 0.0, 0.0, "missing", meaning)
        if value is None:
            self.error(WEIGHT_KEY, "Missing: the weight lambda on local value is the "
                       "commissioner's judgement and has no default (METHODS §8). Give, for "
                       "example, 'local_value_weight: 0.2' (£0.20 of budget for each £1 of "
                       "local economic activity).")
            return fallback
        got = self._ranged(WEIGHT_KEY, value, "number", meaning,
                           relative_span=self.weight_span)
        return got or fallback

    def _registry(self, data: dict):
        """Return the authority of the registry the scenario names, or None."""
        if data.get("authority") is None:
            if data.get("registry") is not None:
                self.error("authority", "Missing: a registry is named, so name the authority "
                           "(its id in the registry).")
            return None
        from toolkit.inputs.registry import load_registry

        path = Path(str(data.get("registry") or "authorities.yml"))
        path = path if path.is_absolute() else self.folder / path
        if not path.exists():
            self.error("registry", "The authority registry does not exist.", str(path))
            return None
        try:
            return load_registry(path).authority(str(data["authority"]))
        except InputError as exc:
            self.error("authority", str(exc), data["authority"])
            return None

    def _authority_boundary(self) -> dict | None:
        local = self.registry.local if self.registry is not None else None
        if local is None:
            return None
        return {"name": local.name, "postcodes": list(local.postcodes),
                "local_authorities": list(getattr(local, "local_authorities", ())),
                "within": getattr(local, "within", None)}

    def _boundary(self, block: Any) -> dict | None:
        if block is None:
            return None
        if not isinstance(block, dict) or not isinstance(block.get("postcodes", []), list):
            self.error("boundary", "Must give name and postcodes (a list such as [BD1, HX]).")
            return None
        return {"name": str(block.get("name") or "local area"),
                "postcodes": [str(p) for p in block.get("postcodes", [])]}

    # -- options -------------------------------------------------------------------------
    def _options(self, block: Any, years: int) -> list[OptionSpec]:
        if not isinstance(block, list) or len(block) < 2:
            count = len(block) if isinstance(block, list) else 0
            self.error("options", f"An appraisal needs two or more options; found {count}.")
            if not isinstance(block, list):
                return []
        options = []
        for i, item in enumerate(block):
            option = self._option(f"options[{i + 1}]", item, years)
            if option is not None:
                options.append(option)
        names = [o.name for o in options]
        for name in {n for n in names if names.count(n) > 1}:
            self.error("options", "Two options have the same name.", name)
        return options

    def _option(self, key: str, item: Any, years: int) -> OptionSpec | None:
        if not isinstance(item, dict):
            self.error(key, "Each option must be a mapping with name, price, quality, "
                       "local_provider and its behaviour (evidenced or assumed).")
            return None
        name = str(item.get("name") or "").strip()
        if not name:
            self.error(f"{key}.name", "Missing: every option needs a name.")
            name = key
        key = f"{key} ({name})"
        known = {"name", "price", "price_profile", "quality", "local_provider", "evidenced",
                 "assumed", "in_house", "commitment", "notes"}
        for extra in set(item) - known:
            self.error(f"{key}.{extra}", "Unknown key.", expected=", ".join(sorted(known)))
        price = self._positive(f"{key}.price", item.get("price"))
        in_house = self._flag(f"{key}.in_house", item.get("in_house", False))
        local = item.get("local_provider", True if in_house else None)
        local = self._flag(f"{key}.local_provider", local)
        quality = _number(item.get("quality"))
        if quality is None or quality < 0:
            self.error(f"{key}.quality", "Missing or negative: the evaluators' quality mark.",
                       item.get("quality"))
            quality = 0.0
        kind, assumptions, members = self._behaviour(key, item)
        commitment = None
        if item.get("commitment") is not None:
            commitment = self._share(f"{key}.commitment", item["commitment"])
        profile = self._profile(key, item.get("price_profile"), price, years)
        return OptionSpec(name, price or 1.0, profile, quality, bool(local), kind, in_house,
                          assumptions, members, commitment, key)

    def _profile(self, key: str, value: Any, price: float | None, years: int
                 ) -> tuple[float, ...]:
        price = price or 1.0
        if value is None:
            return tuple([price / years] * years)
        numbers = [_number(v) for v in value] if isinstance(value, list) else []
        if len(numbers) != years or any(n is None or n < 0 for n in numbers):
            self.error(f"{key}.price_profile", f"Must list {years} non-negative amounts, one "
                       "a year.", value)
            return tuple([price / years] * years)
        if abs(sum(numbers) - price) > max(1.0, 1e-6 * price):
            self.error(f"{key}.price_profile", "The yearly amounts must add up to the price.",
                       f"{sum(numbers):,.2f}", f"{price:,.2f}")
        return tuple(float(n) for n in numbers)

    def _behaviour(self, key: str, item: dict) -> tuple[str, dict, tuple]:
        has_e, has_a = item.get("evidenced") is not None, item.get("assumed") is not None
        if has_e == has_a:
            self.error(key, "Give exactly one of 'evidenced' (a workbook, or consortium "
                       "members with their shares) or 'assumed' (named shares and rates).")
            return "assumed", {}, ()
        if has_e:
            return "evidenced", {}, self._members(f"{key}.evidenced", item["evidenced"])
        return "assumed", self._assumed(f"{key}.assumed", item["assumed"]), ()

    def _members(self, key: str, block: Any) -> tuple[Member, ...]:
        if isinstance(block, str):
            block = {"workbook": block}
        if isinstance(block, dict) and "members" not in block:
            block = {"members": [{**block, "share": 1.0}]}
        entries = block.get("members") if isinstance(block, dict) else None
        if not isinstance(entries, list) or not entries:
            self.error(key, "Must name a workbook, or list members with workbook and share.")
            return ()
        members = []
        for j, entry in enumerate(entries):
            where = f"{key}.members[{j + 1}]" if len(entries) > 1 else key
            path = self._member_path(where, entry)
            if path is None:
                continue
            share = self._share(f"{where}.share", entry.get("share", 1.0 if len(entries) == 1
                                                             else None))
            members.append(Member(path, share or 0.0, where))
        total = sum(m.share for m in members)
        if members and abs(total - 1) > 1e-6:
            self.error(f"{key}.members", "The members' shares of the contract must add up to "
                       "100%.", f"{total:.1%}", "100%")
        return tuple(members)

    def _member_path(self, where: str, entry: Any) -> Path | None:
        """Return a member's workbook: ``workbook`` (a path) or ``organisation`` (an id)."""
        if isinstance(entry, dict) and entry.get("organisation") and not entry.get("workbook"):
            return self._organisation_path(where, str(entry["organisation"]))
        if not isinstance(entry, dict) or not entry.get("workbook"):
            self.error(where, "Each member needs a workbook (or an organisation id from the "
                       "registry) and a share of the contract.")
            return None
        path = Path(str(entry["workbook"]))
        path = path if path.is_absolute() else self.folder / path
        if not path.exists():
            self.error(f"{where}.workbook", "The workbook does not exist.",
                       str(entry["workbook"]), f"a workbook or CSV folder at {path}")
        return path

    def _organisation_path(self, where: str, org_id: str) -> Path | None:
        if self.registry is None:
            self.error(f"{where}.organisation", "An organisation id needs the scenario's "
                       "'authority' (and its registry); or give 'workbook' instead.", org_id)
            return None
        for org in self.registry.organisations:
            if org.id == org_id:
                return org.latest
        self.error(f"{where}.organisation", "No such organisation in the authority.", org_id,
                   ", ".join(o.id for o in self.registry.organisations))
        return None

    def _assumed(self, key: str, block: Any) -> dict[str, Assumption]:
        if not isinstance(block, dict):
            self.error(key, "Must map assumption names to values.")
            return {}
        for extra in set(block) - set(ASSUMED_KEYS) - {NON_STAFF_KEY}:
            self.error(f"{key}.{extra}", "Unknown assumption.",
                       expected=", ".join([*ASSUMED_KEYS, NON_STAFF_KEY]))
        out = {}
        for name, (meaning, kind, setting) in ASSUMED_KEYS.items():
            value = block.get(name, self.defaults.get(name))
            source = "scenario" if name in block else "scenario (assumptions)"
            if name == "local_supplier_share" and _is_council_spending(value):
                got = self._council_supplier_share(key, block)
                if got is not None:
                    out[name] = got
                continue
            if value is None and setting is not None:
                out[name] = _from_settings(name, meaning, setting)
                continue
            if value is None:
                if name == "cost_per_fte":
                    continue  # local jobs are then not estimated, and the appraisal says so
                self.error(f"{key}.{name}", f"Missing: {meaning.lower()}.")
                continue
            got = self._ranged(f"{key}.{name}", value, kind, meaning,
                               relative_span=DEFAULT_COST_SPAN if kind == "money" else None,
                               source=source)
            if got is not None:
                out[name] = dataclasses.replace(got, name=name)
        shares = [out[n].value for n in ("local_staff_share", "local_supplier_share",
                                         "head_office_share") if n in out]
        if len(shares) == 3 and sum(shares) > 1 + 1e-9:
            self.error(key, "Local staff, local suppliers and head office together exceed "
                       "100% of the contract.", f"{sum(shares):.1%}", "at most 100%")
        return out

    def _council_supplier_share(self, key: str, block: dict) -> Assumption | None:
        """Local supplier share from the council's own spending files (its spend analysis).

        local supplier share = non-staff share of the contract x the local share of the
        council's procurement spending; low counts suppliers of unknown location as not
        local (and is the central value: nothing is guessed), high counts them as local.
        """
        where = f"{key}.local_supplier_share"
        share = self._share(f"{key}.{NON_STAFF_KEY}", block.get(NON_STAFF_KEY))
        authority = self.registry
        summary = self._council_summary(where)
        if share is None or summary is None:
            return None
        low = summary.get("procurement_local_share_low")
        high = summary.get("procurement_local_share_high")
        if low is None or high is None:
            self.error(where, "The council's spending files hold no procurement spending.")
            return None
        files = ", ".join(p.name for p in authority.spending_files)
        return Assumption(
            "local_supplier_share", share * low, share * low, share * high,
            f"council spending ({files}): {NON_STAFF_KEY} {share:.0%} x local share of "
            f"procurement spending {low:.1%} (unknown counted not local) to {high:.1%} "
            "(unknown counted local)",
            ASSUMED_KEYS["local_supplier_share"][0])

    def _council_summary(self, where: str) -> dict | None:
        """Return the spend analysis of the authority's payments files (read once)."""
        if self._summary is not None:
            return self._summary
        authority = self.registry
        if not self._has_council_spending():
            self.error(where, "'council spending' needs the scenario's 'authority', with "
                       "spending files and a boundary in its registry.")
            return None
        from toolkit.measures.lm3 import as_boundary
        from toolkit.spend.analysis import analyse_spending

        try:
            self._summary = analyse_spending(list(authority.spending_files),
                                             as_boundary(authority.local),
                                             authority.supplier_list).summary()
        except InputError as exc:
            self.error(where, f"The council's spending files could not be read: {exc}")
            return None
        return self._summary

    # -- values --------------------------------------------------------------------------
    def _ranged(self, key: str, value: Any, kind: str, meaning: str,
                relative_span: float | None = None, source: str = "scenario"
                ) -> Assumption | None:
        """Read a number, or a mapping of value, low and high, as an :class:`Assumption`."""
        top = 1.0 if kind == "share" else None
        if isinstance(value, dict):
            parts = {p: _number(value.get(p)) for p in ("value", "low", "high")}
            if any(v is None for v in parts.values()) or not (
                    parts["low"] <= parts["value"] <= parts["high"]):
                self.error(key, "A range must give value, low and high, in that order.", value)
                return None
            if parts["low"] < 0 or (top is not None and parts["high"] > top):
                self.error(key, "Out of range.", value, "shares from 0 to 1 (or 0% to 100%)")
                return None
            return Assumption(key, parts["value"], parts["low"], parts["high"], source, meaning)
        number = _number(value)
        if number is None or number < 0 or (top is not None and number > top):
            expected = ("a share from 0 to 1, such as 0.3 or '30%'" if kind == "share"
                        else "a non-negative number")
            self.error(key, "Not a valid value.", value, expected)
            return None
        if relative_span is not None:
            low, high = number * (1 - relative_span), number * (1 + relative_span)
            span_note = f"span ±{relative_span:.0%} (toolkit default)"
        else:
            low, high = max(0.0, number - self.share_span), min(1.0, number + self.share_span)
            span_note = f"span ±{self.share_span:.2f} (toolkit default)"
        return Assumption(key, number, low, high, f"{source}; {span_note}", meaning)

    def _share(self, key: str, value: Any) -> float | None:
        number = _number(value)
        if number is None or not 0 <= number <= 1:
            self.error(key, "Must be a share from 0 to 1 (such as 0.3 or '30%').", value)
            return None
        return number

    def _positive(self, key: str, value: Any) -> float | None:
        number = _number(value)
        if number is None or number <= 0:
            what = ("negative" if number is not None and number < 0
                    else "missing, zero or not a number")
            self.error(key, f"The amount is {what}: it must be a positive amount in pounds.",
                       value)
            return None
        return number

    def _flag(self, key: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"yes", "no", "y", "n"}:
            return value.strip().lower().startswith("y")
        self.error(key, "Must be yes or no.", value)
        return False


def _mode(value: Any) -> str | None:
    """Return the mode ``other_spending_local_income`` names in words, if any."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace("_", " ").replace("-", " ")
    if text in {"in house", "council", "council lm3"}:
        return "in house"
    if _is_council_spending(text):
        return "council spending"
    return "none" if text in {"none", "0", "zero"} else None


def _is_council_spending(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower().replace("_", " ") in {
        "council spending", "spend analysis"}


def _from_settings(name: str, meaning: str, setting: str) -> Assumption:
    """An assumption the settings will give (marked by a NaN value until resolved)."""
    nan = float("nan")
    return Assumption(name, nan, nan, nan, f"settings {setting} (assumed)", meaning)


def resolve_setting_assumptions(scenario: Scenario, settings) -> Scenario:
    """Fill the assumptions a scenario leaves to the settings (take-home, re-spending).

    Assumptions already filled (or set since, such as by a slider) are kept.

    Parameters
    ----------
    scenario : Scenario
        As read by :func:`load_scenario`.
    settings : toolkit.inputs.settings.Settings
        Gives ``lm3.take_home_share`` and the assumed re-spending rates.

    Returns
    -------
    Scenario
        The same scenario with every assumption given a value and span from the
        settings' range (``value``, ``low``, ``high``), labelled assumed.
    """
    options = []
    for opt in scenario.options:
        new = {}
        for name, a in opt.assumptions.items():
            if a.source.startswith("settings ") and math.isnan(a.value):
                path = a.source.split()[1]
                low, high = settings.span(path)
                a = dataclasses.replace(a, value=settings.central(path), low=low, high=high)
            new[name] = a
        options.append(dataclasses.replace(opt, assumptions=new))
    return dataclasses.replace(scenario, options=tuple(options))


def _number(value: Any) -> float | None:
    """Return a number from 0.3, 30 or '30%' ('30%' gives 0.3); None if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("£", "")
        try:
            if text.endswith("%"):
                return float(text[:-1]) / 100
            return float(text)
        except ValueError:
            return None
    return None


__all__ = ["Assumption", "Member", "OptionSpec", "Scenario", "load_scenario",
           "resolve_setting_assumptions", "find_scenario_file", "InputError", "WEIGHT_KEY",
           "OTHER_SPENDING_KEY"]
