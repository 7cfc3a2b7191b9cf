"""The authority registry: which authorities, how "local" is defined, which organisations.

A YAML file (``data/samples/authorities.yml`` for the samples) lists each local
authority, its boundaries (postcode areas, districts or sectors; several nested ones
allowed, local first), its published spending files and supplier list, and its
organisations with one workbook per financial year. It is validated before anything
runs, and every problem names the file and the key (STYLE: a declared registry).

Optional keys of an authority for its spending files: ``spender``, who spent the money (for
example "Preston's anchor institutions"; default "<name> Council"), so that packs never call
anchor institutions' spending "council spending"; and ``spending_basis``, the basis of its
headline shares (``all``, or ``top:N`` as CLES analyses the top 300 suppliers), over the
setting ``spend.basis``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.inputs.errors import InputError, Report

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # whole string: fullmatch
ONS_CODE = re.compile(r"[EWSN]\d{8}")  # whole string: fullmatch


def slugify(text) -> str:
    """Return a file-safe slug of an id: lower case letters, digits and single hyphens.

    Output paths (packs, CSV tables) are made only from slugs, never from raw names.

    Parameters
    ----------
    text : object
        An id, such as ``"Manningham Trust"`` or ``"E08000032"``.

    Returns
    -------
    str
        Such as ``"manningham-trust"``; at most 80 characters, never empty, never a path.

    Raises
    ------
    InputError
        When the id has no letter or digit to make a name from.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).casefold()).strip("-")[:80].strip("-")
    if not slug:
        raise InputError(f"The id {str(text)!r} has no letters or digits to name a file from.")
    return slug


@dataclass(frozen=True)
class BoundarySpec:
    """A boundary as the registry gives it: postcode codes, local authorities or a distance.

    Attributes
    ----------
    name : str
        As results state it (for authorities, default their official names).
    postcodes : tuple of str
        Postcode areas, districts or sectors.
    local_authorities : tuple of str
        Council names or ONS codes, placed with the ONS Postcode Directory.
    within : str or None
        A distance such as "5 miles of HX1 1QE".
    level : str
        "district", "county", "combined authority", "region" (optional).
    """

    name: str
    postcodes: tuple[str, ...] = ()
    local_authorities: tuple[str, ...] = ()
    within: str | None = None
    level: str = ""


@dataclass(frozen=True)
class Organisation:
    """An organisation and its workbooks, one per financial year, oldest first."""

    id: str
    workbooks: tuple[Path, ...]

    @property
    def latest(self) -> Path:
        """The most recent workbook (the last listed)."""
        return self.workbooks[-1]


@dataclass(frozen=True)
class Authority:
    """A local authority: its boundaries, spending files and organisations."""

    id: str
    name: str
    ons_code: str
    london: bool
    boundaries: tuple[BoundarySpec, ...]
    spending_files: tuple[Path, ...] = ()
    supplier_list: Path | None = None
    settings: Path | None = None
    organisations: tuple[Organisation, ...] = ()
    spender: str | None = None
    spending_basis: str | None = None

    @property
    def spender_name(self) -> str:
        """Who spent the money in the spending files (default ``"<name> Council"``).

        The registry's ``spender`` names anchor institutions' spending as such.
        """
        return self.spender or f"{self.name} Council"

    @property
    def local(self) -> BoundarySpec | None:
        """The innermost boundary (the first listed), or ``None`` when none is defined."""
        return self.boundaries[0] if self.boundaries else None


@dataclass
class Registry:
    """Every authority in a registry file."""

    path: Path
    authorities: list[Authority] = field(default_factory=list)
    fictional: bool = False
    report: Report = field(default_factory=Report)

    def authority(self, authority_id: str) -> Authority:
        """Return the authority with this id."""
        for authority in self.authorities:
            if authority.id == authority_id:
                return authority
        raise InputError(f"{self.path}: no authority with id {authority_id!r}.")

    def authority_of(self, org_id: str) -> Authority:
        """Return the authority an organisation belongs to."""
        for authority in self.authorities:
            if any(org.id == org_id for org in authority.organisations):
                return authority
        raise InputError(f"{self.path}: no organisation with id {org_id!r}.")

    def organisations(self) -> list[tuple[Authority, Organisation]]:
        """Return every (authority, organisation) pair, in registry order."""
        return [(a, o) for a in self.authorities for o in a.organisations]

    def for_la_code(self, code: str) -> Authority | None:
        """Return the authority with this ONS code, or ``None``."""
        return next((a for a in self.authorities if a.ons_code == code), None)


def _file(base: Path, value, key: str, file: str, report: Report,
          missing: str = "error") -> Path | None:
    if value in (None, ""):
        return None
    path = (base / str(value)).resolve()
    if not path.exists() and missing == "error":
        report.error("This file does not exist.", file=file, column=key, value=str(value))
    elif not path.exists():
        report.warning("This workbook does not exist: its organisation's pack fails, and the "
                       "other packs are made without it.", file=file, column=key,
                       value=str(value))
    return path


def _boundaries(raw, key: str, file: str, report: Report) -> tuple[BoundarySpec, ...]:
    specs = []
    for index, item in enumerate(raw or []):
        where = f"{key}[{index}]"
        drawn = isinstance(item, dict) and any(item.get(k) for k in
                                                ("postcodes", "local_authorities", "within"))
        if not drawn or not (item.get("name") or item.get("local_authorities")):
            report.error("Each boundary needs a name and a list of postcodes, a list of "
                         "local_authorities (names or ONS codes), or a distance 'within' "
                         "(such as '5 miles of HX1 1QE').", file=file, column=where)
            continue
        codes = item.get("postcodes") or []
        if isinstance(codes, str):
            codes = codes.split()
        councils = item.get("local_authorities") or []
        if isinstance(councils, str):
            councils = [councils]
        for i, council in enumerate(councils):
            _check_council(str(council), f"{where}.local_authorities[{i}]", file, report)
        specs.append(BoundarySpec(str(item.get("name") or ""),
                                  tuple(str(c).strip().upper() for c in codes),
                                  tuple(str(c).strip() for c in councils),
                                  str(item["within"]) if item.get("within") else None,
                                  str(item.get("level") or "")))
    return tuple(specs)


def _check_council(name: str, where: str, file: str, report: Report) -> None:
    """Report a council name or code the ONS Postcode Directory's packages do not know."""
    from toolkit.inputs.directory import load_authorities

    try:
        load_authorities().choose(name)
    except InputError as error:
        report.error(str(error), file=file, column=where, value=name)


def _organisation(base: Path, raw, key: str, file: str, report: Report) -> Organisation | None:
    if not isinstance(raw, dict) or "id" not in raw:
        report.error("Each organisation needs an id and its workbooks.", file=file, column=key)
        return None
    org_id = str(raw["id"])
    if not SLUG.fullmatch(org_id):
        report.error("An id must be lower case letters, digits and hyphens.", file=file,
                     column=f"{key}.id", value=org_id, expected="such as 'manningham-trust'")
    books = raw.get("workbooks") or []
    if isinstance(books, str):
        books = [books]
    if not books:
        report.error("No workbooks listed.", file=file, column=f"{key}.workbooks")
    paths = [_file(base, b, f"{key}.workbooks[{i}]", file, report, missing="warning")
             for i, b in enumerate(books)]
    return Organisation(org_id, tuple(p for p in paths if p is not None))


def _authority(base: Path, raw, key: str, file: str, report: Report) -> Authority | None:
    if not isinstance(raw, dict):
        report.error("Each authority must be a mapping of keys.", file=file, column=key)
        return None
    for required in ("id", "name", "ons_code"):
        if not raw.get(required):
            report.error(f"Missing '{required}'.", file=file, column=f"{key}.{required}")
    if not all(raw.get(k) for k in ("id", "name", "ons_code")):
        return None
    if not SLUG.fullmatch(str(raw["id"])):
        report.error("An id must be lower case letters, digits and hyphens.", file=file,
                     column=f"{key}.id", value=str(raw["id"]))
    if not ONS_CODE.fullmatch(str(raw["ons_code"])):
        report.error("Not an ONS local authority code.", file=file, column=f"{key}.ons_code",
                     value=str(raw["ons_code"]), expected="a code such as E08000032")
    from toolkit.inputs.settings import is_basis

    basis = raw.get("spending_basis")
    if basis is not None and not is_basis(basis):
        report.error("Must be 'all' or 'top:N' with N a whole number above 0.", file=file,
                     column=f"{key}.spending_basis", value=str(basis),
                     expected="all, or top:300 (for example)")
    spending = raw.get("spending_files") or []
    spending = [spending] if isinstance(spending, str) else spending
    organisations = [
        _organisation(base, org, f"{key}.organisations[{i}]", file, report)
        for i, org in enumerate(raw.get("organisations") or [])
    ]
    return Authority(
        id=str(raw["id"]),
        name=str(raw["name"]),
        ons_code=str(raw["ons_code"]),
        london=bool(raw.get("london", False)),
        boundaries=_boundaries(raw.get("boundaries"), f"{key}.boundaries", file, report),
        spending_files=tuple(
            p for i, s in enumerate(spending)
            if (p := _file(base, s, f"{key}.spending_files[{i}]", file, report)) is not None),
        supplier_list=_file(base, raw.get("supplier_list"), f"{key}.supplier_list", file, report),
        settings=_file(base, raw.get("settings"), f"{key}.settings", file, report),
        organisations=tuple(o for o in organisations if o is not None),
        spender=_text_or_none(raw.get("spender")),
        spending_basis=_text_or_none(raw.get("spending_basis")),
    )


def _text_or_none(value) -> str | None:
    """A registry text value, trimmed, or None when blank."""
    text = "" if value is None else str(value).strip()
    return text or None


def load_registry(path: str | Path) -> Registry:
    """Read and validate an authority registry.

    Parameters
    ----------
    path : path-like
        The registry YAML file. Paths inside it are relative to its folder.

    Returns
    -------
    Registry

    Raises
    ------
    InputError
        Listing every problem (missing files, bad ids, duplicate ids, bad codes).
    """
    from toolkit.inputs.settings import read_yaml_mapping

    path = Path(path)
    report = Report()
    file = str(path)
    data = read_yaml_mapping(path, report, "registry file")
    report.raise_if_errors(f"The registry {path.name}")
    if not isinstance(data.get("authorities"), list):
        raise InputError(f"{path}: expected a key 'authorities' holding a list.")
    base = path.parent.resolve()
    authorities = [
        _authority(base, raw, f"authorities[{i}]", file, report)
        for i, raw in enumerate(data["authorities"])
    ]
    registry = Registry(path, [a for a in authorities if a is not None],
                        bool(data.get("fictional", False)), report)
    _check_unique(registry, file, report)
    report.raise_if_errors(f"The registry {path.name}")
    return registry


def _check_unique(registry: Registry, file: str, report: Report) -> None:
    seen: set[str] = set()
    for authority in registry.authorities:
        for ident in [authority.id, *(o.id for o in authority.organisations)]:
            if ident in seen:
                report.error("This id is used twice; ids must be unique.", file=file,
                             value=ident)
            seen.add(ident)
