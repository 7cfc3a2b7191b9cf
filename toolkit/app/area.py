"""Choosing "local" on the app's pages: a council from a list, postcode districts, or a distance.

Two pages (your organisation's pack, council spending) ask the same question, so the answer
is built here once. What the list offers depends on what the toolkit has:

- with the official geography (``Boundary.from_authorities`` and the ONS Postcode Directory
  in :mod:`toolkit.inputs.directory`), every council in England and Wales by name, and a
  distance from a postcode (``Boundary.within``);
- without it, the councils of the sample registry, each drawn as the postcode districts the
  registry gives for it (an approximation, said on the page), and postcode districts typed
  by the user. A distance then cannot be measured, and the page says so.

References
----------
METHODS.md §1 (LM3's local boundary) and §2 (CLES: "local" as the council's own area, with
a wider boundary beside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.inputs.errors import InputError

#: The ways of drawing the area, as the page's radio buttons name them.
BY_COUNCIL = "A council"
BY_POSTCODES = "Postcode districts I type"
BY_DISTANCE = "A distance from a postcode"

#: The wider boundary's "none" choice.
NO_WIDER = "(no wider area)"


@dataclass(frozen=True)
class AreaChoice:
    """One council the user can pick, and how its boundary is drawn.

    Attributes
    ----------
    label : str
        What the list shows, such as ``"Calderdale"``.
    code : str
        The council's ONS code, such as ``"E08000033"`` (empty when not known).
    postcodes : tuple of str
        The postcode districts drawing it (the sample registry's), or empty when the
        official geography draws it by the council's code.
    wider : tuple of (str, tuple of str)
        Wider boundaries the registry gives for it (name and postcodes).
    """

    label: str
    code: str = ""
    postcodes: tuple[str, ...] = ()
    wider: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)


def official_geography() -> bool:
    """Return whether councils by name and distances can be drawn (the official geography)."""
    from toolkit.inputs.geography import Boundary

    return hasattr(Boundary, "from_authorities") and hasattr(Boundary, "within")


def official_councils() -> list[AreaChoice]:
    """Return every council the official geography names, sorted by name."""
    from toolkit.inputs.directory import load_authorities

    authorities = load_authorities()
    by_name = {name: code for code, name in {**authorities.counties,
                                             **authorities.names}.items()}
    return [AreaChoice(name, by_name[name], wider=official_wider(authorities, by_name[name]))
            for name in sorted(by_name)]


def official_wider(authorities, code: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return the wider areas a council sits in: its county, and its combined authority.

    Each is offered by name (no postcodes: the directory places every postcode in it).
    """
    wider = []
    county = authorities.upper.get(code)
    if county and county != code and county in authorities.counties:
        wider.append((authorities.counties[county], ()))
    for entry in authorities.combined.values():
        if code in entry["districts"]:
            wider.append((entry["name"], ()))
    return tuple(wider)


def sample_councils() -> list[AreaChoice]:
    """Return the sample registry's councils, each with its postcode districts.

    Returns
    -------
    list of AreaChoice
        Empty when the samples are not shipped.
    """
    from toolkit.inputs.registry import load_registry
    from toolkit.resources import samples_folder

    folder = samples_folder()
    if folder is None or not (folder / "authorities.yml").is_file():
        return []
    registry = load_registry(folder / "authorities.yml")
    choices = []
    for authority in registry.authorities:
        specs = list(authority.boundaries)
        if not specs or not getattr(specs[0], "postcodes", None):
            continue
        wider = tuple((s.name, tuple(s.postcodes)) for s in specs[1:] if s.postcodes)
        choices.append(AreaChoice(str(authority.name), str(authority.ons_code),
                                  tuple(specs[0].postcodes), wider))
    return sorted(choices, key=lambda c: c.label)


def council_choices() -> list[AreaChoice]:
    """Return the councils the page lists: official ones if available, else the samples'."""
    if official_geography():
        try:
            return official_councils()
        except InputError:
            pass  # the directory's package is missing: fall back to the samples
    return sample_councils()


def council_boundary(choice: AreaChoice):
    """Return the boundary of a chosen council.

    Parameters
    ----------
    choice : AreaChoice

    Returns
    -------
    toolkit.inputs.geography.Boundary
    """
    from toolkit.inputs.geography import Boundary

    if choice.postcodes:
        return Boundary.from_codes(choice.label, list(choice.postcodes))
    return Boundary.from_authorities(choice.label)


def postcode_boundary(text: str):
    """Return a boundary of postcode areas, districts or sectors typed as ``"HX1 HX2 HD6"``.

    Raises
    ------
    InputError
        When nothing was typed, or a code is not a postcode area, district or sector.
    """
    from toolkit.inputs.geography import Boundary

    codes = str(text or "").replace(",", " ").split()
    if not codes:
        raise InputError("Type the postcode districts counted as local, such as "
                         "\"HX1 HX2 HX3\", then press the button again.")
    return Boundary.from_codes(f"postcodes {' '.join(codes)}", codes)


def distance_boundary(miles: float, centre: str):
    """Return the area within ``miles`` of the postcode ``centre``.

    Raises
    ------
    InputError
        Without the official geography (no distances can be measured), or when the postcode
        cannot be found.
    """
    from toolkit.inputs.geography import Boundary

    if not official_geography():
        raise InputError("Distances need the official postcode directory, which this copy "
                         "of the toolkit does not have yet: choose a council or type "
                         "postcode districts instead.")
    if not str(centre or "").strip():
        raise InputError("Type the full postcode the distance is measured from, such as "
                         "\"HX1 1QE\".")
    return Boundary.within(f"{miles:g} miles", centre=str(centre).strip())


def wider_boundary(choice: AreaChoice | None, wider_name: str):
    """Return the wider boundary chosen for a council, or None for none."""
    from toolkit.inputs.geography import Boundary

    if choice is None or wider_name in ("", NO_WIDER):
        return None
    for name, codes in choice.wider:
        if name == wider_name:  # the samples' postcode districts, or an official area by name
            return (Boundary.from_codes(name, list(codes)) if codes
                    else Boundary.from_authorities(name))
    return Boundary.from_authorities(wider_name) if official_geography() else None


class AreaPicker:
    """The page's controls for choosing the area, and the boundaries they give.

    Attributes
    ----------
    box : ipywidgets.VBox
        The controls, with a sentence saying what each choice means.
    how, council, wider, postcodes, miles, centre : ipywidgets widgets
        The choice of method, the council list, the wider area, the typed postcode
        districts, the distance and its centre.
    """

    def __init__(self, with_distance: bool = True, default_centre: str = ""):
        import ipywidgets as widgets

        self.choices = council_choices()
        self.by_label = {c.label: c for c in self.choices}
        ways = [BY_COUNCIL, BY_POSTCODES] + ([BY_DISTANCE] if with_distance else [])
        self.how = widgets.RadioButtons(options=ways, value=BY_COUNCIL,
                                        description="Local means")
        self.council = widgets.Dropdown(options=[c.label for c in self.choices],
                                        description="Council")
        self.wider = widgets.Dropdown(options=[NO_WIDER], description="Wider area")
        self.postcodes = widgets.Text(description="Districts",
                                      placeholder="such as HX1 HX2 HX3 HD6")
        self.miles = widgets.BoundedFloatText(value=5.0, min=0.5, max=50.0, step=0.5,
                                              description="Miles")
        self.centre = widgets.Text(value=default_centre, description="From",
                                   placeholder="full postcode, such as HX1 1QE")
        for css, widget in {"kil-area-how": self.how, "kil-council": self.council,
                            "kil-wider": self.wider, "kil-postcodes": self.postcodes}.items():
            widget.add_class(css)
        self.council.observe(self._update_wider, names="value")
        self._update_wider()
        self.box = widgets.VBox([widgets.HTML(self.explanation()), self.how, self.council,
                                 self.wider, self.postcodes,
                                 widgets.HBox([self.miles, self.centre])])

    def choose_code(self, code: str | None) -> bool:
        """Select the council with ONS code ``code`` (a workbook's), if it is listed."""
        for choice in self.choices:
            if code and choice.code == code:
                self.how.value = BY_COUNCIL
                self.council.value = choice.label
                return True
        return False

    def explanation(self) -> str:
        """Return the sentences the page shows above the controls."""
        text = ("<p>Choose what counts as <em>local</em>: a council's area, postcode "
                "districts you type, or a distance from your postcode.</p>")
        if not official_geography():
            text += ("<p><em>This copy of the toolkit lists the sample councils only, each "
                     "drawn as the postcode districts that approximate it; for any other "
                     "area, type its postcode districts. Distances need the official "
                     "postcode directory, which is not installed.</em></p>")
        return text

    def _update_wider(self, *_):
        choice = self.by_label.get(self.council.value)
        names = [name for name, _ in choice.wider] if choice else []
        self.wider.options = [NO_WIDER, *names]
        self.wider.value = NO_WIDER

    def boundaries(self) -> list:
        """Return the boundaries chosen, innermost first (a wider one second, if chosen).

        Raises
        ------
        InputError
            When the choice is incomplete or a code cannot be read.
        """
        if self.how.value == BY_POSTCODES:
            return [postcode_boundary(self.postcodes.value)]
        if self.how.value == BY_DISTANCE:
            return [distance_boundary(self.miles.value, self.centre.value)]
        choice = self.by_label.get(self.council.value)
        if choice is None:
            raise InputError("Choose a council from the list.")
        wider = wider_boundary(choice, self.wider.value)
        return [council_boundary(choice)] + ([wider] if wider is not None else [])

    def registry_boundaries(self) -> list[dict]:
        """Return the boundaries as a registry's ``boundaries`` entries, for a one-off pack.

        A council (or county, or combined authority) as ``local_authorities`` (its ONS codes),
        a distance as ``within`` ("5 miles of HX1 1QE"), typed districts as ``postcodes``.

        Raises
        ------
        InputError
            When a boundary is drawn from none of these.
        """
        return [registry_entry(boundary) for boundary in self.boundaries()]


def registry_entry(boundary) -> dict:
    """Return one boundary as a registry ``boundaries`` entry (see ``registry_boundaries``)."""
    entry = {"name": boundary.name}
    distance = getattr(boundary, "distance", None)
    if distance is not None:
        return {**entry, "within": f"{distance.amount:g} {distance.unit} of {distance.centre}"}
    if getattr(boundary, "la_codes", None):
        level = getattr(boundary, "level", "") or ""
        return {**entry, "local_authorities": sorted(boundary.la_codes),
                **({"level": level} if level else {})}
    codes = sorted(boundary_codes(boundary))
    if not codes:
        raise InputError(f"The pack for {boundary.name} cannot be made: its area is neither "
                         "a council, a distance nor postcode districts.")
    return {**entry, "postcodes": codes}


def boundary_codes(boundary) -> set[str]:
    """Return the postcode areas, districts and sectors a boundary is drawn from."""
    codes = getattr(boundary, "codes", None) or {}
    if isinstance(codes, dict):
        return {str(c) for values in codes.values() for c in values}
    return {str(c) for c in codes}
