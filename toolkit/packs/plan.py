"""Evidence packs in batch: which packs to make from an authority registry, and making them.

One thin notebook per kind of pack lives in ``notebooks/`` (MyST Markdown, read with
jupytext): ``organisation.md`` (one pack per organisation), ``authority.md`` (one per
local authority: its anchors together and the council's spending analysis),
``network.md`` (one across all authorities) and ``appraisal.md`` (one per
``*scenario*.yml`` file beside the registry). :func:`plan_packs` reads the registry and
lists the packs, each with its parameters and the inputs whose content decides whether
it must be made again; :func:`run_packs` (in :mod:`toolkit.packs.runner`) makes them in
a process pool.

Packs without a registry of the user's (``keepitlocal packs --workbook``, ``--payments``,
``--scenario``, and the app) are planned by :func:`plan_organisation_pack`,
:func:`plan_spending_pack` and :func:`plan_appraisal_pack`: the first two write a registry
of one authority into the packs folder and plan from it, so that the same notebooks make
the same figures.

Output names come from slugs of ids (:func:`slugify`), never from raw names::

    packs/index.html, packs/manifest.json, packs/logs/<slug>.log
    packs/organisations/<slug>.html, <slug>.pdf, <slug>__<table>.csv
    packs/authorities/..., packs/network/..., packs/appraisals/...

Kernel: notebooks run on the kernel named ``python3``, which the runner points at the
Python that runs it (``sys.executable``) through a kernel spec of its own on
``JUPYTER_PATH``, so a ``python3`` kernel installed elsewhere on the machine is never
used by mistake.

References
----------
Cal-ITP data analyses portfolio (STYLE.md): a declared registry of what to run, slug-safe
output names, errors collected across the batch and reported together.
"""

from __future__ import annotations

from toolkit import resources

import ast
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.inputs.errors import InputError
from toolkit.inputs.registry import slugify

#: Where the pack notebooks are, in a clone of the repository.
#: Output folder of each kind of pack.
KIND_FOLDERS = {
    "organisation": "organisations",
    "authority": "authorities",
    "network": "network",
    "appraisal": "appraisals",
}

#: Notebook of each kind of pack.
KIND_NOTEBOOKS = {
    "organisation": "organisation.md",
    "authority": "authority.md",
    "network": "network.md",
    "appraisal": "appraisal.md",
}

#: Parameters the runner fills in for every pack, whatever its notebook.
RUNNER_PARAMETERS = ("tables_dir", "pack_slug")


@dataclass
class PackJob:
    """One pack to make.

    Parameters
    ----------
    kind : str
        ``organisation``, ``authority``, ``network`` or ``appraisal``.
    key_id : str
        The id in the registry (an organisation's or authority's id, a scenario's stem).
    slug : str
        File-safe name of the pack's files.
    title : str
        Title until the notebook gives its own (such as the organisation's name).
    notebook : pathlib.Path
        The notebook to run.
    parameters : dict
        Parameters passed to papermill (literals only).
    inputs : list of pathlib.Path
        Files whose content the pack depends on (hashed for skipping).
    entry : dict
        The registry entry the pack is made from (part of its key).
    workbooks : list of pathlib.Path
        An organisation pack's workbooks, one per financial year (the notebook reads and
        checks them; their problems become the failure's cause).
    fictional : bool
        Whether the registry marks the data as fictional.
    settings_files : list of pathlib.Path
        Settings files merged over the defaults, in order (the authority's, the user's).
    """

    kind: str
    key_id: str
    slug: str
    title: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    inputs: list[Path] = field(default_factory=list)
    entry: dict = field(default_factory=dict)
    workbooks: list[Path] = field(default_factory=list)
    fictional: bool = False
    settings_files: list[Path] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The pack's id in the manifest, such as ``organisation/manningham-trust``."""
        return f"{self.kind}/{self.slug}"

    @property
    def folder(self) -> str:
        """The pack's output folder under the packs folder."""
        return KIND_FOLDERS[self.kind]

    def matches(self, wanted: Iterable[str]) -> bool:
        """Return whether any of ``wanted`` names this pack (id, slug or registry id)."""
        names = {self.id, self.slug, self.key_id, self.kind}
        return any(w in names or slugify_or_none(w) == self.slug for w in wanted)


def slugify_or_none(text: str) -> str | None:
    """Return :func:`slugify` of ``text``, or ``None`` when it has no letters or digits."""
    try:
        return slugify(text)
    except InputError:
        return None


def plain(value: Any) -> Any:
    """Return ``value`` as JSON-ready data (dataclasses, paths and objects made plain).

    Parameters
    ----------
    value : object
        The value to show or convert.

    Returns
    -------
    object
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "__dict__"):
        return {k: plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


def _paths(values: Any) -> list[Path]:
    if values is None:
        return []
    if isinstance(values, str | Path):
        values = [values]
    return [Path(v).resolve() for v in values if v]


def _notebook(notebooks_dir: Path, kind: str) -> Path:
    return (Path(notebooks_dir) / KIND_NOTEBOOKS[kind]).resolve()


def notebooks_folder() -> Path:
    """Return the folder of the pack notebooks (see ``toolkit.resources.notebooks_folder``)."""
    return resources.notebooks_folder()


def _unique(jobs: list[PackJob]) -> list[PackJob]:
    seen: dict[str, PackJob] = {}
    for job in jobs:
        if job.id in seen:
            raise InputError(
                f"Two packs would have the same file name {job.slug!r}: "
                f"{seen[job.id].key_id!r} and {job.key_id!r}. Give them ids that differ "
                "in letters or digits.")
        seen[job.id] = job
    return jobs


def _organisation_job(org: Any, authority: Any, base: dict, notebooks: Path,
                      fictional: bool) -> PackJob:
    workbooks = _paths(getattr(org, "workbooks", []))
    return PackJob(
        kind="organisation", key_id=str(org.id), slug=slugify(org.id),
        title=str(getattr(org, "name", None) or org.id),
        notebook=_notebook(notebooks, "organisation"),
        parameters={**base, "authority_id": str(authority.id), "organisation_id": str(org.id),
                    "workbook_paths": [str(p) for p in workbooks]},
        inputs=workbooks + _paths(getattr(authority, "settings", None)),
        entry={"authority": str(authority.id), "organisation": plain(org),
                                 "boundaries": plain(getattr(authority, "boundaries", []))},
        workbooks=workbooks, fictional=fictional,
        settings_files=_paths(getattr(authority, "settings", None)) + _paths(
            base.get("settings_path")))


def _authority_inputs(authority: Any) -> list[Path]:
    inputs = []
    for org in getattr(authority, "organisations", []) or []:
        inputs += _paths(getattr(org, "workbooks", []))
    inputs += _paths(getattr(authority, "spending_files", []))
    inputs += _paths(getattr(authority, "supplier_list", None))
    inputs += _paths(getattr(authority, "settings", None))
    return inputs


def _authority_job(authority: Any, base: dict, notebooks: Path, fictional: bool) -> PackJob:
    return PackJob(
        kind="authority", key_id=str(authority.id), slug=slugify(authority.id),
        title=str(getattr(authority, "name", None) or authority.id),
        notebook=_notebook(notebooks, "authority"),
        parameters={**base, "authority_id": str(authority.id)},
        inputs=_authority_inputs(authority), entry=plain(authority), fictional=fictional,
        settings_files=_paths(getattr(authority, "settings", None)) + _paths(
            base.get("settings_path")))


def _appraisal_jobs(scenarios: Iterable[Path], base: dict, notebooks: Path) -> list[PackJob]:
    jobs = []
    for scenario in sorted(Path(s).resolve() for s in scenarios):
        jobs.append(PackJob(
            kind="appraisal", key_id=scenario.stem, slug=slugify(scenario.stem),
            title=f"Options appraisal: {scenario.stem}",
            notebook=_notebook(notebooks, "appraisal"),
            parameters={"scenario_path": str(scenario),
                        "settings_path": base.get("settings_path")},
            inputs=[scenario], entry={"scenario": str(scenario)},
            settings_files=_paths(base.get("settings_path"))))
    return jobs


def plan_packs(registry_path: str | Path, settings_path: str | Path | None = None,
               notebooks_dir: str | Path | None = None,
               scenarios: Iterable[str | Path] | None = None) -> list[PackJob]:
    """List every pack a registry asks for: organisations, authorities, network, appraisals.

    Parameters
    ----------
    registry_path : path-like
        The authority registry (such as ``data/samples/authorities.yml``).
    settings_path : path-like, optional
        A settings file merged over the defaults for every pack.
    notebooks_dir : path-like, optional
        Folder of the pack notebooks; by default the repository's ``notebooks/``.
    scenarios : iterable of path-like, optional
        Options-appraisal scenario files; by default every ``*scenario*.yml`` beside
        the registry.

    Returns
    -------
    list of PackJob
        Organisations first, then appraisals, authorities and the network: packs that
        combine organisations come last, so that they find the workbooks already read
        in the run's cache.

    Raises
    ------
    InputError
        When the registry cannot be read or two packs would share a file name.
    """
    from toolkit.inputs.registry import load_registry

    registry_path = Path(registry_path).resolve()
    registry = load_registry(registry_path)
    notebooks = Path(notebooks_dir) if notebooks_dir else notebooks_folder()
    settings = str(Path(settings_path).resolve()) if settings_path else None
    base = {"registry_path": str(registry_path), "settings_path": settings}
    fictional = bool(getattr(registry, "fictional", False))
    authorities = list(getattr(registry, "authorities", []) or [])
    organisations: list[PackJob] = []
    areas: list[PackJob] = []
    for authority in authorities:
        auth_fictional = fictional or bool(getattr(authority, "fictional", False))
        areas.append(_authority_job(authority, base, notebooks, auth_fictional))
        for org in getattr(authority, "organisations", []) or []:
            organisations.append(_organisation_job(org, authority, base, notebooks,
                                                   auth_fictional))
    if scenarios is None:
        scenarios = sorted(registry_path.parent.glob("*scenario*.yml"))
    jobs = organisations + _appraisal_jobs(scenarios, base, notebooks) + areas
    if authorities:
        every_input = [p for a in authorities for p in _authority_inputs(a)]
        jobs.append(PackJob(
            kind="network", key_id="network", slug="network",
            title="Across all authorities", notebook=_notebook(notebooks, "network"),
            parameters=dict(base), inputs=every_input,
            entry={"authorities": plain(authorities)}, fictional=fictional,
            settings_files=_paths(settings)))
    return _unique(jobs)


def declared_parameters(source: str, where: str = "the notebook") -> dict[str, Any]:
    """Return the names and default values of a notebook's ``parameters`` cell.

    Parameters
    ----------
    source : str
        The source of the cell tagged ``parameters``.
    where : str
        The notebook's name, for messages.

    Returns
    -------
    dict
        Name to literal value.

    Raises
    ------
    InputError
        When the cell holds anything but assignments of literals.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise InputError(
            f"The parameters cell of {where} is not valid Python: {exc.msg}.") from None
    found: dict[str, Any] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 \
            else getattr(node, "target", None)
        value = getattr(node, "value", None)
        if not isinstance(target, ast.Name) or value is None:
            raise InputError(f"The parameters cell of {where} may only assign literals to "
                             f"names (line {node.lineno}).")
        try:
            found[target.id] = ast.literal_eval(value)
        except ValueError:
            raise InputError(f"The parameter {target.id!r} of {where} must be a literal "
                             f"(line {node.lineno}), not a calculation.") from None
    return found


def read_notebook(path: str | Path) -> Any:
    """Read a pack notebook (MyST Markdown through jupytext, or ``.ipynb``) as nbformat v4.

    Parameters
    ----------
    path : path-like
        The file or folder.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    InputError
        When the notebook does not exist or has no cell tagged ``parameters``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"The pack notebook {path} does not exist.")
    if path.suffix == ".ipynb":
        import nbformat

        nb = nbformat.read(path, as_version=4)
    else:
        import jupytext

        nb = jupytext.read(path)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    if parameters_cell(nb) is None:
        raise InputError(f"The pack notebook {path} has no code cell tagged 'parameters'.")
    return nb


def parameters_cell(nb: Any) -> Any | None:
    """Return the notebook's cell tagged ``parameters``, or ``None``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


def select(jobs: list[PackJob], only: Iterable[str] | None) -> list[PackJob]:
    """Return the jobs named by ``only`` (ids, slugs, registry ids or kinds), or all.

    Parameters
    ----------
    jobs : list of PackJob
        The packs planned.
    only : iterable of str or None
        Names of the packs wanted; empty or ``None`` for all.

    Returns
    -------
    list of PackJob

    Raises
    ------
    InputError
        When a name matches no pack.
    """
    wanted = [w for w in (only or []) if w]
    if not wanted:
        return jobs
    chosen = [job for job in jobs if job.matches(wanted)]
    for name in wanted:
        if not any(job.matches([name]) for job in jobs):
            raise InputError(f"No pack is called {name!r}. Packs: "
                             f"{', '.join(job.id for job in jobs)}.")
    return chosen


# ------------------------------------------------------------------ one-off packs

#: Name of the registry a one-off pack writes for itself in its output folder ({slug}: the
#: pack's), so that one-off packs made into one folder keep their own.
ONE_OFF_REGISTRY = "one-off-{slug}.yml"

#: ONS code given to a one-off pack's authority when its workbook names none. The registry
#: needs one; no pack shows it, and it matches no real authority.
NO_ONS_CODE = "E00000000"


def _one_off_registry(out_dir: str | Path, slug: str, authority: dict, fictional: bool) -> Path:
    """Write the one-authority registry a one-off pack is made from; return its path."""
    import yaml

    folder = Path(out_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ONE_OFF_REGISTRY.format(slug=slug)
    note = ("Written by keepitlocal packs (or the app) for a pack made without a registry; "
            "made again each time.")
    text = yaml.safe_dump({"fictional": fictional, "note": note, "authorities": [authority]},
                          sort_keys=False, allow_unicode=True)
    partial = path.with_suffix(".yml.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


def _need_boundaries(boundaries: list[dict], what: str) -> None:
    if not boundaries:
        raise InputError(f"Say which area counts as local for {what}: for example "
                         '--local-authorities Bradford (councils by name or ONS code), or '
                         '--local-postcodes "BD1 BD2 BD3" (postcode areas, districts or '
                         "sectors).")


def _existing(paths: Iterable[str | Path], what: str) -> list[Path]:
    found = [Path(p).resolve() for p in paths]
    missing = [str(p) for p in found if not p.is_file()]
    if missing:
        raise InputError(f"The {what} {', '.join(missing)} could not be found.")
    return found


def plan_organisation_pack(workbooks: Iterable[str | Path], boundaries: list[dict],
                           out_dir: str | Path, settings_path: str | Path | None = None,
                           notebooks_dir: str | Path | None = None) -> list[PackJob]:
    """Plan one organisation's pack from its workbooks, without a registry of the user's.

    The pack is made by the same notebook as a registry's organisation packs: this writes a
    registry of one authority (the boundaries given) and one organisation into ``out_dir``
    (``one-off-<organisation>.yml``) and plans from it. The app's organisation page calls this.

    Parameters
    ----------
    workbooks : iterable of path-like
        The organisation's workbooks, one per financial year, oldest first.
    boundaries : list of dict
        Boundaries as a registry writes them, innermost first, such as
        ``[{"name": "Bradford district", "postcodes": ["BD1", "BD2"]}]`` (from
        ``toolkit.commands._options.area_boundaries``).
    out_dir : path-like
        The packs folder (the registry is written there).
    settings_path, notebooks_dir : path-like, optional
        As for :func:`plan_packs`.

    Returns
    -------
    list of PackJob
        The one organisation pack.

    Raises
    ------
    InputError
        When no workbook or boundary is given, or a workbook cannot be found.
    """
    from toolkit.inputs.workbook import read_workbook

    paths = _existing(workbooks, "workbook")
    if not paths:
        raise InputError("Give the organisation's workbook: --workbook WORKBOOK.")
    _need_boundaries(boundaries, "the organisation's pack")
    latest = read_workbook(paths[-1])
    org_id = slugify_or_none(latest.about.get("org_id") or "") or \
        slugify_or_none(latest.about.get("name") or "") or slugify_or_none(paths[-1].stem) \
        or "organisation"
    la_code = str(latest.about.get("la_code") or "").strip().upper()
    authority = {"id": "local-area", "name": boundaries[0]["name"],
                 "ons_code": la_code if re.fullmatch(r"[EWSN]\d{8}", la_code)
                 else NO_ONS_CODE, "boundaries": boundaries,
                 "organisations": [{"id": org_id, "workbooks": [str(p) for p in paths]}]}
    registry = _one_off_registry(out_dir, org_id, authority, latest.fictional)
    return select(plan_packs(registry, settings_path, notebooks_dir, scenarios=[]), [org_id])


def plan_spending_pack(payments: Iterable[str | Path], boundaries: list[dict],
                       out_dir: str | Path, suppliers: str | Path | None = None,
                       council: str | None = None, settings_path: str | Path | None = None,
                       notebooks_dir: str | Path | None = None) -> list[PackJob]:
    """Plan one council's spending pack from its payments files, without a registry.

    Made by the authority notebook (the council's spending analysis, with no organisations):
    this writes a registry of one authority with the files and boundaries given into
    ``out_dir`` (``one-off-<council>.yml``) and plans from it. The app's council spending page calls this.

    Parameters
    ----------
    payments : iterable of path-like
        The council's payments files as published (one or more years).
    boundaries : list of dict
        Boundaries as a registry writes them, innermost first.
    out_dir : path-like
        The packs folder.
    suppliers : path-like, optional
        A supplier list (postcodes, VCSE, size).
    council : str, optional
        Who spent the money, such as ``"Calderdale Council"``; by default "<council> Council"
        when the first boundary is one council (``--local-authorities``), else "the
        council".
    settings_path, notebooks_dir : path-like, optional
        As for :func:`plan_packs`.

    Returns
    -------
    list of PackJob
        The one authority pack, named after the council (``calderdale-council``, or
        ``calderdale`` from the boundary), else ``council``.

    Raises
    ------
    InputError
        When no payments file or boundary is given, or a file cannot be found.
    """
    files = _existing(payments, "payments file")
    if not files:
        raise InputError("Give the council's payments files: --payments FILE...")
    _need_boundaries(boundaries, "the spending pack")
    council = (council or "").strip()
    councils = list(boundaries[0].get("local_authorities") or [])
    named = len(councils) == 1 and re.fullmatch(r"[EWSN]\d{8}", str(councils[0]))
    name = council or boundaries[0].get("name") or "Local area"
    council_id = slugify_or_none(council or (name if named else "")) or "council"
    authority = {"id": council_id, "name": name,
                 "ons_code": str(councils[0]) if named else NO_ONS_CODE,
                 "spender": council or (f"{name} Council" if named else "the council"),
                 "boundaries": boundaries, "spending_files": [str(p) for p in files]}
    if suppliers is not None:
        authority["supplier_list"] = str(_existing([suppliers], "supplier list")[0])
    registry = _one_off_registry(out_dir, council_id, authority, fictional=False)
    return select(plan_packs(registry, settings_path, notebooks_dir, scenarios=[]),
                  [f"authority/{council_id}"])


def plan_appraisal_pack(scenario: str | Path, settings_path: str | Path | None = None,
                        notebooks_dir: str | Path | None = None) -> list[PackJob]:
    """Plan one options appraisal from a scenario file, without a registry.

    The app's options page calls this (with the scenario it wrote from its form).

    Parameters
    ----------
    scenario : path-like
        The scenario YAML file.
    settings_path, notebooks_dir : path-like, optional
        As for :func:`plan_packs`.

    Returns
    -------
    list of PackJob
        The one appraisal pack.

    Raises
    ------
    InputError
        When the scenario file cannot be found.
    """
    path = _existing([scenario], "scenario file")[0]
    notebooks = Path(notebooks_dir) if notebooks_dir else notebooks_folder()
    settings = str(Path(settings_path).resolve()) if settings_path else None
    return _appraisal_jobs([path], {"settings_path": settings}, notebooks)
