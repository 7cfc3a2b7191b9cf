"""A pack notebook's inputs: the registry, settings and workbooks opened once, and read once.

A pack notebook calls :func:`open_organisation`, :func:`open_authority` or
:func:`open_network` once to read the registry, the settings (defaults, then the
authority's file, then the user's) and the workbooks, and :func:`attempt` to run one
analysis so that a section the workbook cannot evidence says why (a :class:`Missing`)
instead of stopping the pack. Within a batch run, :func:`cached` keeps each parsed
workbook and spending file so that it is read once per run, not once per pack.

References
----------
METHODS.md §1 (LM3) and §2 (spend analysis) for what the inputs feed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.inputs.errors import InputError


@dataclass
class Missing:
    """An analysis that could not be done for a pack, and why (in plain words).

    Parameters
    ----------
    reason : str
        Such as "The workbook has no Outcomes sheet".
    """

    reason: str

    def __bool__(self) -> bool:
        return False


def attempt(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """Return ``function(*args, **kwargs)``, or :class:`Missing` when the input cannot support it.

    Only problems with the user's inputs (:class:`toolkit.inputs.errors.InputError`) become
    :class:`Missing`; a bug still stops the pack.

    Parameters
    ----------
    function : callable
        An analysis, such as ``sroi_from_workbook``.
    *args, **kwargs
        Its arguments.

    Returns
    -------
    object or Missing
    """
    try:
        return function(*args, **kwargs)
    except InputError as exc:
        return Missing(str(exc))


def found(result: Any) -> Any:
    """Return ``result``, or ``None`` when it is :class:`Missing` (for optional arguments).

    Parameters
    ----------
    result : object or Missing

    Returns
    -------
    object or None
    """
    return None if isinstance(result, Missing) else result


def show_attribution(boundaries) -> None:
    """Show the ONS Postcode Directory's licence attribution when the boundaries used it."""
    from toolkit import present
    from toolkit.inputs.directory import geography_attribution

    text = geography_attribution(boundaries)
    if text:
        present.show_text(text, "attribution")


def innermost_boundary(authority: Any) -> Any:
    """Return an authority's innermost boundary from the registry, as a Boundary.

    Parameters
    ----------
    authority : toolkit.inputs.registry.Authority

    Returns
    -------
    toolkit.inputs.geography.Boundary

    Raises
    ------
    InputError
        When the registry gives the authority no boundary.
    """
    from toolkit.measures.lm3 import as_boundary

    if not authority.boundaries:
        raise InputError(f"The authority {authority.id!r} has no boundaries in the registry.")
    return as_boundary(authority.boundaries[0])


@dataclass
class OrganisationInputs:
    """An organisation pack's inputs, opened and checked.

    Attributes
    ----------
    registry, authority, organisation
        From :func:`toolkit.inputs.registry.load_registry`.
    settings : toolkit.inputs.settings.Settings
    workbooks : list of toolkit.inputs.workbook.Workbook
        One per financial year, oldest first.
    """

    registry: Any
    authority: Any
    organisation: Any
    settings: Any
    workbooks: list = field(default_factory=list)

    @property
    def workbook(self) -> Any:
        """The latest year's workbook."""
        return self.workbooks[-1]

    @property
    def name(self) -> str:
        """The organisation's name, from its latest workbook."""
        return str(self.workbook.name)

    @property
    def fictional(self) -> bool:
        """Whether the registry or any workbook marks the data fictional."""
        return bool(getattr(self.registry, "fictional", False)) or any(
            wb.fictional for wb in self.workbooks)

    @property
    def boundaries(self) -> list:
        """The authority's boundaries, innermost first."""
        return list(self.authority.boundaries)

    @property
    def local(self) -> Any:
        """The innermost boundary, as a :class:`toolkit.inputs.geography.Boundary`."""
        return innermost_boundary(self.authority)

    @property
    def boundary_objects(self) -> list:
        """Every boundary of the authority, innermost first, as Boundary objects."""
        from toolkit.measures.lm3 import as_boundary

        return [as_boundary(spec, self.workbook.about.get("postcode"))
                for spec in self.authority.boundaries]

    @property
    def years(self) -> list[str]:
        """The financial years of the workbooks, oldest first."""
        return [str(wb.financial_year or wb.path.stem) for wb in self.workbooks]

    @property
    def subtitle(self) -> str:
        """Such as "Evidence pack, 2024-25, Bradford"."""
        return f"Evidence pack, {self.years[-1]}, {self.authority.name}"

    @property
    def small_group_threshold(self) -> int:
        """Figures about fewer people than this are suppressed."""
        return int(self.settings.value("checks.small_group_threshold"))


def pack_settings(authority: Any = None, settings_path: str | Path | None = None) -> Any:
    """Return the settings for a pack: defaults, the authority's file, then the user's.

    Parameters
    ----------
    authority : registry authority, optional
        Its ``settings`` file (if any) is merged first.
    settings_path : path-like, optional
        The user's settings file, merged last.

    Returns
    -------
    toolkit.inputs.settings.Settings
    """
    from toolkit.inputs.settings import load_settings

    return load_settings(getattr(authority, "settings", None), settings_path)


def open_organisation(registry_path: str | Path, organisation_id: str,
                      settings_path: str | Path | None = None,
                      workbook_paths: Sequence[str | Path] | None = None) -> OrganisationInputs:
    """Open an organisation pack's inputs: registry entry, settings and workbooks.

    Parameters
    ----------
    registry_path : path-like
        The authority registry.
    organisation_id : str
        The organisation's id in the registry.
    settings_path : path-like, optional
        The user's settings file.
    workbook_paths : sequence of path-like, optional
        The workbooks, one per financial year; by default the registry's.

    Returns
    -------
    OrganisationInputs

    Raises
    ------
    InputError
        When the organisation is not in the registry or a workbook has errors (the message
        lists them all).
    """
    from toolkit.inputs.registry import load_registry

    registry = load_registry(registry_path)
    authority = registry.authority_of(organisation_id)
    organisation = next(o for o in authority.organisations if o.id == organisation_id)
    paths = list(workbook_paths or organisation.workbooks)
    if not paths:
        raise InputError(f"The organisation {organisation_id!r} has no workbooks listed.")
    workbooks = [load_workbook_once(path) for path in paths]
    return OrganisationInputs(registry, authority, organisation,
                              pack_settings(authority, settings_path), workbooks)


def problems_table(workbooks: Sequence[Any]) -> pd.DataFrame:
    """Return the warnings and notices found in the workbooks, without the values found.

    Values are left out because a value in a staff or survey row could be about a person.

    Parameters
    ----------
    workbooks : sequence of toolkit.inputs.workbook.Workbook

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``severity``, ``where``, ``message``.
    """
    rows = []
    for wb in workbooks:
        for problem in wb.report.problems:
            rows.append({"year": wb.financial_year, "severity": problem.severity,
                         "where": ", ".join(p for p in (
                             f"sheet '{problem.sheet}'" if problem.sheet else "",
                             f"row {problem.row}" if problem.row is not None else "",
                             f"column '{problem.column}'" if problem.column else "") if p),
                         "message": problem.message})
    return pd.DataFrame(rows, columns=["year", "severity", "where", "message"])


# ---------------------------------------------------------------------------- cache


#: Environment variable naming the folder where a pack run keeps parsed inputs.
CACHE_ENV = "KEEPITLOCAL_PACK_CACHE"


@functools.lru_cache(maxsize=1)
def _code_key() -> str:
    from toolkit.packs.manifest import code_digest

    return code_digest()


def cached(kind: str, files: Sequence[str | Path], compute: Callable[[], Any],
           extra: str = "") -> Any:
    """Return ``compute()``, kept on disk for the rest of the pack run when one is running.

    A batch reads each workbook once, not once per pack that uses it: the runner names a
    folder in the environment variable ``KEEPITLOCAL_PACK_CACHE`` and removes it when the
    run ends. The key is the content of ``files``, ``extra`` and the toolkit's own code.

    Parameters
    ----------
    kind : str
        A short name for the file (``workbook``, ``spending``).
    files : sequence of path-like
        The inputs whose content the result depends on.
    compute : callable
        Makes the result when it is not kept.
    extra : str
        Anything else the result depends on (such as a boundary).

    Returns
    -------
    object
    """
    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return compute()
    from toolkit.packs.manifest import atomic_write_bytes, file_digest, text_digest

    key = text_digest("|".join([kind, extra, _code_key(),
                                *(file_digest(Path(f)) for f in files)]))
    path = Path(folder) / f"{kind}-{key}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    result = compute()
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        atomic_write_bytes(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def read_workbook_once(path: str | Path) -> Any:
    """Return :func:`toolkit.inputs.workbook.read_workbook` of ``path``, read once per pack run.

    Parameters
    ----------
    path : path-like
        The workbook (Excel file or CSV folder).

    Returns
    -------
    toolkit.inputs.workbook.Workbook
    """
    from toolkit.inputs.workbook import read_workbook

    return cached("workbook", [path], lambda: read_workbook(path), str(path))


def load_workbook_once(path: str | Path) -> Any:
    """Return the workbook read once per run, raising :class:`InputError` if it has errors.

    Parameters
    ----------
    path : path-like
        The workbook.

    Returns
    -------
    toolkit.inputs.workbook.Workbook
    """
    workbook = read_workbook_once(path)
    workbook.report.raise_if_errors(Path(path).name)
    return workbook


# ---------------------------------------------------------------------------- authorities


@dataclass
class AuthorityInputs:
    """An authority pack's inputs: its organisations' latest workbooks, and those left out.

    Attributes
    ----------
    registry, authority
        From :func:`toolkit.inputs.registry.load_registry`.
    settings : toolkit.inputs.settings.Settings
    workbooks : dict
        Organisation id to its latest workbook (only those without errors).
    excluded : list of (str, str)
        Organisation id and why it was left out, in plain words.
    """

    registry: Any
    authority: Any
    settings: Any
    workbooks: dict = field(default_factory=dict)
    excluded: list = field(default_factory=list)

    @property
    def name(self) -> str:
        """The authority's name."""
        return str(self.authority.name)

    @property
    def fictional(self) -> bool:
        """Whether the registry or any workbook marks the data fictional."""
        return bool(getattr(self.registry, "fictional", False)) or any(
            wb.fictional for wb in self.workbooks.values())

    @property
    def local(self) -> Any:
        """The innermost boundary, as a :class:`toolkit.inputs.geography.Boundary`."""
        return innermost_boundary(self.authority)

    @property
    def boundary_objects(self) -> list:
        """Every boundary of the authority, innermost first, as Boundary objects."""
        from toolkit.measures.lm3 import as_boundary

        return [as_boundary(spec) for spec in self.authority.boundaries]

    @property
    def small_group_threshold(self) -> int:
        """Figures about fewer people than this are suppressed."""
        return int(self.settings.value("checks.small_group_threshold"))


def _authority_inputs(registry: Any, authority: Any, settings_path: Any) -> AuthorityInputs:
    inputs = AuthorityInputs(registry, authority, pack_settings(authority, settings_path))
    for org in authority.organisations:
        if not org.workbooks:
            inputs.excluded.append((org.id, "no workbook is listed"))
            continue
        try:
            wb = read_workbook_once(org.latest)
        except InputError as exc:  # not a workbook, or missing: this organisation only
            why = _first_line(exc, org.latest)
            inputs.excluded.append((org.id, f"its workbook {Path(org.latest).name} could not "
                                            f"be read ({why}); see its own pack's failure note"))
            continue
        if wb.report.errors:
            inputs.excluded.append((org.id, f"its workbook {Path(org.latest).name} has "
                                            f"{len(wb.report.errors)} error(s); see its own "
                                            "pack's failure note"))
        else:
            inputs.workbooks[org.id] = wb
    return inputs


def _first_line(exc: Exception, path: Path) -> str:
    """Return the first line of an error's message, naming ``path`` by its file name only."""
    text = (str(exc) or type(exc).__name__).splitlines()[0]
    return text.replace(str(Path(path).parent) + os.sep, "")


def open_authority(registry_path: str | Path, authority_id: str,
                   settings_path: str | Path | None = None) -> AuthorityInputs:
    """Open an authority pack's inputs; a workbook with errors is left out, not fatal.

    Parameters
    ----------
    registry_path : path-like
        The authority registry.
    authority_id : str
        The authority's id.
    settings_path : path-like, optional
        The user's settings file.

    Returns
    -------
    AuthorityInputs
    """
    from toolkit.inputs.registry import load_registry

    registry = load_registry(registry_path)
    return _authority_inputs(registry, registry.authority(authority_id), settings_path)


def open_network(registry_path: str | Path,
                 settings_path: str | Path | None = None) -> list[AuthorityInputs]:
    """Open every authority's inputs, for the pack across all authorities.

    Parameters
    ----------
    registry_path : path-like
        The authority registry.
    settings_path : path-like, optional
        The user's settings file.

    Returns
    -------
    list of AuthorityInputs
    """
    from toolkit.inputs.registry import load_registry

    registry = load_registry(registry_path)
    return [_authority_inputs(registry, a, settings_path) for a in registry.authorities]


