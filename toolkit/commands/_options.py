"""Argument helpers shared by several commands: the boundary options and the registry lookup.

Private to ``toolkit/commands/`` (the leading underscore keeps ``cli`` from taking it for a
command). Building a parser imports nothing heavy: the toolkit's measures are imported only
when a command runs.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_REGISTRY = Path("data/samples/authorities.yml")


def default_registry() -> Path:
    """Return the registry ``keepitlocal packs`` uses when none is named.

    ``data/samples/authorities.yml`` in the working folder, else the samples shipped with the
    toolkit (an installed copy), so that ``keepitlocal packs`` makes the sample packs straight
    after install. The measures' commands (lm3, jobs ...) look only in the working folder: a
    user's own workbook is never measured against the samples' boundaries by surprise.
    """
    if DEFAULT_REGISTRY.exists():
        return DEFAULT_REGISTRY
    from toolkit.resources import samples_folder

    shipped = samples_folder()
    return shipped / "authorities.yml" if shipped is not None else DEFAULT_REGISTRY


def positive_int(text: str) -> int:
    """Read an option that must be a whole number of at least 1 (such as ``--top``).

    Parameters
    ----------
    text : str
        What was typed.

    Returns
    -------
    int

    Raises
    ------
    argparse.ArgumentTypeError
        Shown by argparse as one plain line, naming the option.
    """
    import argparse

    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def add_boundary_arguments(parser, innermost_only: bool = False) -> None:
    """Add the workbook, settings, boundary and JSON arguments shared by LM3's commands.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    innermost_only : bool
        Whether the command uses only the first (innermost) boundary of the registry.
    """
    parser.add_argument("workbook", metavar="WORKBOOK",
                        help="organisation workbook (.xlsx) or folder of CSV files")
    parser.add_argument("--settings", metavar="FILE", help="your settings file (YAML)")
    parser.add_argument("--local-postcodes", metavar="CODES",
                        help='postcode areas, districts or sectors counted as local, such as '
                             '"BD1 BD2 HX" (overrides the settings and the registry)')
    add_authority_arguments(parser)
    which = "; the first (innermost) boundary is used" if innermost_only else ""
    parser.add_argument("--registry", metavar="FILE", type=Path, default=None,
                        help=f"authority registry giving the boundaries when neither of the "
                             f"above does (default {DEFAULT_REGISTRY}, if present){which}")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def add_authority_arguments(parser, centre_help: str = "the organisation's own") -> None:
    """Add ``--local-authorities``, ``--wider-authorities``, ``--within`` and ``--centre``.

    Postcodes are placed with the ONS Postcode Directory (November 2025) shipped on PyPI.
    """
    parser.add_argument("--local-authorities", metavar="NAMES",
                        help='councils counted as local, by name or ONS code, such as '
                             '"Calderdale", "E08000033", "Lancashire" (a county) or "Greater '
                             'Manchester"; several separated by ";" (placed with the ONS '
                             'Postcode Directory, November 2025)')
    parser.add_argument("--wider-authorities", metavar="NAMES", action="append", default=[],
                        help='a wider boundary reported as well: council names or codes, or '
                             '"county" for the local district\'s county; give it again for '
                             'each wider level')
    parser.add_argument("--within", metavar="DISTANCE",
                        help='local as within a distance: "5 miles of HX1 1QE", or "8 km" '
                             'with --centre (Great Britain; grid references of the ONS '
                             'Postcode Directory)')
    parser.add_argument("--centre", metavar="POSTCODE",
                        help=f"{centre_help} full postcode, measured from by --within")


def authority_boundaries(args, local_name: str | None = None, centre: str | None = None
                         ) -> list:
    """Return the boundaries ``--local-authorities``/``--within`` describe (empty if neither).

    Innermost first: the local authorities (or the distance), then each
    ``--wider-authorities`` level ("county": the local district's county). A distance is
    measured from ``--centre``, else from ``centre`` (the workbook's own postcode).
    """
    from toolkit.inputs.errors import InputError
    from toolkit.inputs.geography import Boundary

    named = getattr(args, "local_authorities", None)
    within = getattr(args, "within", None)
    wider = list(getattr(args, "wider_authorities", None) or [])
    if named and within:
        raise InputError("Give --local-authorities or --within, not both: each defines local.")
    if not named and not within:
        if wider:
            raise InputError("--wider-authorities needs --local-authorities (or --within) for "
                             "the inner boundary.")
        return []
    first = (Boundary.from_authorities(named, name=local_name) if named
             else Boundary.within(within, getattr(args, "centre", None) or centre,
                                  name=local_name))
    boundaries = [first]
    for level in wider:
        boundaries.append(_wider(level, boundaries[-1]))
    return boundaries


def _wider(level: str, inner):
    """Return a wider boundary: named councils, or "county" for the inner district's county."""
    from toolkit.inputs.directory import load_authorities
    from toolkit.inputs.errors import InputError
    from toolkit.inputs.geography import Boundary

    if level.strip().casefold() != "county":
        return Boundary.from_authorities(level)
    counties = {c.code: c for code in sorted(inner.la_codes)
                if (c := load_authorities().county_of(code)) is not None}
    if len(counties) != 1:
        raise InputError(f"'county' needs one two-tier district inside one county; "
                         f"{inner.name} is {'a unitary council' if not counties else 'in several'}"
                         f" (give the wider councils by name instead).")
    return Boundary.from_authorities(next(iter(counties)))


def registry_or_none(path: Path | None):
    """Return the registry at ``path`` (or the default one if it exists), or ``None``."""
    from toolkit.inputs.registry import load_registry

    if path is not None:
        return load_registry(path)
    return load_registry(DEFAULT_REGISTRY) if DEFAULT_REGISTRY.exists() else None


def resolve(args, wb):
    """Return ``(settings, boundaries, authority)`` for a workbook and the command's options.

    The boundary comes from ``--local-postcodes``, else the settings' ``boundary.postcodes``,
    else ``--local-authorities`` or ``--within`` (with ``--wider-authorities``), else the
    registry's authority for the organisation (all its boundaries, with its own
    settings file, if any, under the user's). ``boundaries`` is empty when none is defined.
    """
    from toolkit.inputs.settings import load_settings
    from toolkit.measures.lm3 import as_boundary, authority_for, choose_boundaries

    settings = load_settings(args.settings)
    if args.local_postcodes or settings.value("boundary.postcodes"):
        # A bad code here is the user's to fix: the message names it.
        return settings, choose_boundaries(wb, settings, args.local_postcodes), None
    chosen = authority_boundaries(args, centre=wb.about.get("postcode"))
    if chosen:
        return settings, chosen, None
    registry = registry_or_none(args.registry)
    authority = authority_for(wb, registry) if registry is not None else None
    if authority is None:
        return settings, [], None
    if authority.settings is not None:
        settings = load_settings(authority.settings, args.settings)
        if settings.value("boundary.postcodes"):
            return settings, choose_boundaries(wb, settings), authority
    return settings, [as_boundary(spec, wb.about.get("postcode"))
                      for spec in authority.boundaries], authority


def inputs_from_args(args):
    """Return ``(workbook, settings, Lm3Inputs)`` for the first boundary the arguments give."""
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.lm3 import choose_boundaries, lm3_inputs

    wb = load_workbook(args.workbook)
    settings = load_settings(args.settings)
    chosen = [] if args.local_postcodes else authority_boundaries(
        args, centre=wb.about.get("postcode"))
    if chosen:
        return wb, settings, lm3_inputs(wb, settings, chosen[0])
    registry = None
    if not args.local_postcodes and not settings.value("boundary.postcodes"):
        registry = registry_or_none(args.registry)
    boundary = choose_boundaries(wb, settings, args.local_postcodes, registry)[0]
    return wb, settings, lm3_inputs(wb, settings, boundary)


def add_area_arguments(parser) -> None:
    """Add the options that say which area counts as local, for a command without a workbook.

    Used by ``keepitlocal packs`` for its one-off forms: ``--local-postcodes`` and the
    authority options of :func:`add_authority_arguments` (``--local-authorities``,
    ``--wider-authorities``, ``--within``, ``--centre``), so that every boundary option the
    other commands share appears on ``packs`` too.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    """
    parser.add_argument("--local-postcodes", metavar="CODES",
                        help='postcode areas, districts or sectors counted as local, such as '
                             '"BD1 BD2 HX" (one-off packs)')
    add_authority_arguments(parser, centre_help="the organisation's (else the workbook's own)")


def area_boundaries(args, centre: str | None = None) -> list[dict]:
    """Return the boundaries the area options give, as a registry writes them.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed with :func:`add_area_arguments`.
    centre : str, optional
        The full postcode a distance (``--within``) is measured from when ``--centre`` is not
        given (an organisation's own, from its workbook).

    Returns
    -------
    list of dict
        Innermost first, such as ``[{"name": "Local area (BD1 BD2)", "postcodes": ["BD1",
        "BD2"]}]`` or ``[{"name": "Calderdale", "local_authorities": ["E08000033"], ...}]``;
        empty when no area option was given.

    Raises
    ------
    InputError
        When a code, council or distance cannot be read (the message names it).
    """
    from toolkit.inputs.geography import parse_codes

    if getattr(args, "local_postcodes", None):
        codes = [code.text for code in parse_codes(args.local_postcodes)]
        return [{"name": f"Local area ({' '.join(codes)})", "postcodes": codes}]
    return [registry_boundary(b) for b in authority_boundaries(args, centre=centre)]


def registry_boundary(boundary) -> dict:
    """Return a boundary as a registry entry: its councils, its distance or its postcodes."""
    if boundary.kind == "distance":
        distance = boundary.distance
        return {"name": boundary.name,
                "within": f"{distance.amount:g} {distance.unit} of {distance.centre}"}
    if boundary.kind == "authority":
        entry = {"name": boundary.name, "local_authorities": list(boundary.official_codes)}
        return {**entry, "level": boundary.level} if boundary.level else entry
    return {"name": boundary.name, "postcodes": list(boundary.official_codes)}
