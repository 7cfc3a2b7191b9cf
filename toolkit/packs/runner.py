"""Make evidence packs in a process pool: run, convert to HTML and PDF, record, index.

Each worker process makes one pack at a time from start to end: it executes the notebook
with papermill's Python API on the ``python3`` kernel (one kernel per worker, emptied
between packs), turns the executed notebook into HTML without code with nbconvert's
exporter and into A4 PDF with WeasyPrint, all in the same process. Every file is written
to a temporary name and moved into place. A failing pack fails alone: the run goes on and
ends with a summary naming each failure and its cause in plain words (for a workbook with
errors, the workbook check's own messages), and a non-zero exit code.

Workbooks and council spending files are parsed once per run, not once per pack that uses
them (see :func:`toolkit.packs.inputs.cached`); packs whose inputs, settings, notebook,
toolkit code and package versions are unchanged since they were last made are skipped.

Where WeasyPrint cannot load Pango the HTML is still written; the pack's status is
``html-only``, the summary says exactly what to install, and the run exits non-zero.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import functools
import json
import logging
import multiprocessing
import multiprocessing.util
import os
import re
import shutil
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.inputs.errors import InputError, file_trouble_text
from toolkit.packs.lock import locked
from toolkit.packs.manifest import (
    INDEX_NAME,
    TEMP_PREFIX,
    TEMP_SUFFIX,
    atomic_write_text,
    code_digest,
    file_digest,
    index_html,
    now_text,
    pack_key,
    package_versions,
    public_paths,
    public_text,
    read_manifest,
    remove_temporary_files,
    temporary_folder,
    temporary_path,
    text_digest,
    write_manifest,
)
from toolkit.packs.plan import (
    RUNNER_PARAMETERS,
    PackJob,
    declared_parameters,
    parameters_cell,
    read_notebook,
)
from toolkit.packs.cost import PackCost
from toolkit.packs.render import (PdfUnavailableError, html_to_pdf, notebook_to_html, pack_css,
                                  pdf_page)

#: Kernel every pack notebook runs on (pinned, so that it is the same on every machine).
KERNEL_NAME = "python3"

#: Longest time one notebook cell may run, in seconds (``--timeout``); past it the cell is
#: interrupted, the pack fails and its kernel is replaced.
CELL_TIMEOUT = 300

OK, HTML_ONLY, FAILED, UNCHANGED = "ok", "html-only", "failed", "unchanged"


class PackFailedError(Exception):
    """A pack could not be made; the message is the cause in plain words."""


class PacksInterrupted(KeyboardInterrupt):
    """The run was stopped (Ctrl-C); the message says what finished and was recorded."""


@dataclass
class PackResult:
    """What happened to one pack."""

    id: str
    kind: str
    slug: str
    status: str
    title: str = ""
    reason: str = ""
    fictional: bool = False
    outputs: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    log: str | None = None
    ran: bool = True


@dataclass
class RunSummary:
    """What happened in one run of the pack runner."""

    results: list[PackResult]
    seconds: float
    out_dir: Path
    workers: int

    @property
    def made(self) -> list[PackResult]:
        """Packs made in this run (with or without PDF)."""
        return [r for r in self.results if r.status in (OK, HTML_ONLY)]

    @property
    def ran(self) -> list[PackResult]:
        """Packs whose notebook ran in this run (made or failed)."""
        return [r for r in self.results if r.ran]

    @property
    def failed(self) -> list[PackResult]:
        """Packs that could not be made."""
        return [r for r in self.results if r.status == FAILED]

    @property
    def unchanged(self) -> list[PackResult]:
        """Packs skipped because nothing they depend on changed."""
        return [r for r in self.results if r.status == UNCHANGED]

    @property
    def html_only(self) -> list[PackResult]:
        """Packs made as HTML whose PDF could not be rendered."""
        return [r for r in self.results if r.status == HTML_ONLY]

    @property
    def exit_code(self) -> int:
        """0 when every pack exists as HTML and PDF; 1 otherwise."""
        return 1 if self.failed or self.html_only else 0

    def text(self) -> str:
        """Return the run's summary in plain words."""
        made = len(self.made)
        per = f" ({self.seconds / made:.1f} s a pack)" if made else ""
        lines = [f"Packs: {made} made, {len(self.unchanged)} unchanged (skipped), "
                 f"{len(self.failed)} failed, in {self.seconds:.1f} s with {self.workers} "
                 f"worker(s){per}."]
        if self.failed:
            lines.append("Failed:")
            for result in self.failed:
                reason = result.reason.replace("\n", "\n      ")
                lines.append(f"  - {result.id}: {reason}")
                if result.log:
                    lines.append(f"      (details for a developer: {result.log})")
        if self.html_only:
            lines.append(f"PDF not made for {len(self.html_only)} pack(s); the HTML is written.")
            lines.append(f"  {self.html_only[0].reason}")
        lines.append(f"Index: {self.out_dir / INDEX_NAME}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------- the worker


def write_kernel_spec(run_dir: Path) -> Path:
    """Write the ``python3`` kernel spec of this run: this Python, quiet, charts to files.

    Parameters
    ----------
    run_dir : pathlib.Path
        The run's temporary folder; the spec goes in ``kernels/python3`` under it.

    Returns
    -------
    pathlib.Path
        The folder to put first on ``JUPYTER_PATH``.
    """
    spec_dir = Path(run_dir) / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    # History in memory: a kernel writing to the shared ~/.ipython history database waits
    # on its lock whenever another IPython on the machine holds it.
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                     "--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"],
            "display_name": "Python 3 (keepitlocal)", "language": "python",
            "env": {"MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return Path(run_dir)


def _use_run_dir(run_dir: str | None) -> None:
    """Point this process's kernels at the run's kernel spec and its cache of inputs."""
    if not run_dir:
        return
    from toolkit.packs.inputs import CACHE_ENV

    paths = [str(run_dir)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
                              if p and p != str(run_dir)]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)
    os.environ[CACHE_ENV] = str(Path(run_dir) / "cache")


def preload() -> None:
    """Import what making a pack needs (papermill, nbconvert's exporter, WeasyPrint) once.

    Called once in each worker process (in parallel), before its first pack.
    """
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    from toolkit.packs import render as packs_render

    packs_render._exporter()
    with contextlib.suppress(PdfUnavailableError):
        packs_render.load_weasyprint()


def worker_setup(run_dir: str | None = None) -> None:
    """Prepare a worker process: pinned kernel, quiet logs, heavy imports, kernel started.

    Parameters
    ----------
    run_dir : str, optional
        The run's temporary folder (its kernel spec and its cache of parsed inputs).
    """
    _use_run_dir(run_dir)
    _follow_the_parent()
    os.environ.setdefault("MPLBACKEND", "Agg")
    preload()
    # Shut the kernel down when the worker ends (atexit does not run in forked workers).
    multiprocessing.util.Finalize(None, _KERNEL.discard, exitpriority=10)
    atexit.register(_KERNEL.discard)
    with contextlib.suppress(Exception):  # a kernel that cannot start fails the first pack
        _KERNEL.manager(Path.cwd())


def _stop_worker(signum: int, frame: Any) -> None:
    """End a worker told to stop: unwinds its pack (temporary folder, kernel) and exits.

    What the worker would print while its kernel is shut down mid-cell (asyncio's "Task
    exception was never retrieved", nbclient's "Kernel died") is for no one: its standard
    error goes to the null device first, so the user sees only the run's own message.
    """
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
    raise SystemExit(128 + signum)


def _follow_the_parent() -> None:
    """Let the parent stop a worker: Ctrl-C is the parent's, SIGTERM ends the worker cleanly.

    The terminal sends Ctrl-C to every process of the run; a worker ignores it, and the
    parent, which hears it too, stops each worker with SIGTERM, which unwinds the pack it
    is making (its ``finally`` removes the temporary folder and shuts the kernel down).
    """
    if multiprocessing.parent_process() is None:
        return  # packs made in the parent process (--workers 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)


def notebook_parameters(nb: Any, job: PackJob, tables_dir: Path) -> dict:
    """Return the parameters to pass: the job's and the runner's that the notebook declares.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.
    job : PackJob
        The pack to make.
    tables_dir : pathlib.Path
        Where the notebook writes its tables as CSV.

    Returns
    -------
    dict
    """
    declared = declared_parameters(parameters_cell(nb).source, job.notebook.name)
    offered = {**job.parameters, "tables_dir": str(tables_dir), "pack_slug": job.slug}
    return {name: value for name, value in offered.items() if name in declared}


class WarmKernel:
    """One kernel per worker process, reused from pack to pack.

    Starting a kernel and importing pandas, matplotlib and the toolkit costs a few seconds
    of processor time; a worker pays it once. Before each pack the kernel's namespace is
    emptied (``%reset -f``) and its working folder set, so no variable carries over from
    one pack to the next; after any failure the kernel is shut down and the next pack
    gets a new one.
    """

    #: Code run (as a hidden first cell) before each pack.
    RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
             "import os as _os\n_os.chdir({cwd!r})\ndel _os\n"
             "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n")

    #: Modules imported when a kernel starts, so that packs find them loaded.
    PRELOAD = "import pandas, matplotlib\nmatplotlib.use('Agg')\nimport toolkit.present\n"

    def __init__(self) -> None:
        self.km: Any = None

    def manager(self, cwd: Path) -> Any:
        """Return a running kernel's manager, starting a kernel if there is none."""
        if self.km is not None and not run_sync(self.km.is_alive)():
            self.discard()
        if self.km is None:
            km = _kernel_manager_class()(kernel_name=KERNEL_NAME)
            run_sync(km.start_kernel)(cwd=str(cwd))
            self.km = km
        return self.km

    def close_clients(self) -> None:
        """Stop the channels of the clients papermill opened on the kernel (one a pack)."""
        for client in getattr(self.km, "clients", []):
            with contextlib.suppress(Exception):
                client.stop_channels()
        if self.km is not None:
            self.km.clients = []

    def discard(self) -> None:
        """Shut the kernel down (after a failure, or at the end)."""
        self.close_clients()
        if self.km is not None:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
            self.km = None

    def reset_cell(self, cwd: Path) -> Any:
        """Return the hidden cell that empties the namespace and sets the working folder."""
        import nbformat

        cell = nbformat.v4.new_code_cell(self.PRELOAD + self.RESET.format(cwd=str(cwd)))
        cell.metadata["tags"] = [RESET_TAG]
        return cell


@functools.lru_cache(maxsize=1)
def _kernel_manager_class() -> type:
    """Return a kernel manager that remembers the clients it hands out, to close them.

    Its clients wait for messages in slices (:mod:`toolkit.packs.kernel_client`).
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    from toolkit.packs.kernel_client import SlicedKernelClient

    class RecordingKernelManager(AsyncKernelManager):
        """An async kernel manager that keeps a list of the clients it made."""

        @default("client_factory")
        def _sliced_client(self) -> type:
            return SlicedKernelClient

        def client(self, **kwargs: Any) -> Any:
            made = super().client(**kwargs)
            if not hasattr(self, "clients"):
                self.clients = []
            self.clients.append(made)
            return made

    return RecordingKernelManager


#: Tag of the hidden cell the runner puts first in every notebook it runs.
RESET_TAG = "keepitlocal-reset"

_KERNEL = WarmKernel()


def run_sync(function: Any) -> Any:
    """Return a blocking version of an async kernel-manager method."""
    from jupyter_core.utils import run_sync as _run_sync

    return _run_sync(function)


def execute(job: PackJob, tables_dir: Path, kernel: WarmKernel | None = None,
            timeout: int = CELL_TIMEOUT) -> Any:
    """Run the pack's notebook with papermill and return the executed notebook.

    Parameters
    ----------
    job : PackJob
        The pack to make.
    tables_dir : pathlib.Path
        Where the notebook writes its tables as CSV.
    kernel : WarmKernel, optional
        The worker's kernel; by default the process's own.
    timeout : int
        Longest time one cell may run, in seconds.

    Returns
    -------
    nbformat.NotebookNode
        Without the runner's hidden first cell.

    Raises
    ------
    PackFailedError
        With the notebook's error in plain words.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    kernel = kernel or _KERNEL
    nb = read_notebook(job.notebook)
    parameters = notebook_parameters(nb, job, tables_dir)
    cwd = job.notebook.parent
    nb.cells.insert(0, kernel.reset_cell(cwd))
    try:
        executed = papermill.execute_notebook(
            nb, None, parameters=parameters, kernel_name=KERNEL_NAME, progress_bar=False,
            request_save_on_cell_execute=False, cwd=str(cwd), execution_timeout=timeout,
            km=kernel.manager(cwd))
    except PapermillExecutionError as exc:
        kernel.discard()
        if exc.ename == "KeyboardInterrupt":  # Ctrl-C reached the kernel: the run stops
            raise KeyboardInterrupt from None
        cell = exc.exec_count - 1 if exc.exec_count else None  # less the hidden first cell
        raise PackFailedError(_plain_error(exc.ename, exc.evalue, cell)) from exc
    except BaseException:
        kernel.discard()
        raise
    kernel.close_clients()
    executed.cells = [c for c in executed.cells
                      if RESET_TAG not in c.get("metadata", {}).get("tags", [])]
    return executed


def _plain_error(ename: str, evalue: str, cell: int | None) -> str:
    evalue = re.sub(r"\x1b\[[0-9;]*m", "", str(evalue)).strip()
    if ename in {"InputError", "FileNotFoundError"}:
        return evalue
    where = f" (notebook cell {cell})" if cell else ""
    return f"The notebook stopped with {ename}: {evalue}{where}"


def _replace_tables(staged: Path, folder: Path, slug: str) -> list[Path]:
    """Move the staged CSV tables beside the pack, removing that pack's old ones."""
    new = sorted(staged.glob(f"{slug}__*.csv")) if staged.exists() else []
    names = {p.name for p in new}
    for old in folder.glob(f"{slug}__*.csv"):
        if old.name not in names:
            old.unlink()
    placed = []
    for path in new:
        os.replace(path, folder / path.name)
        placed.append(folder / path.name)
    return placed


def _remove_outputs(folder: Path, slug: str) -> None:
    """Remove a failed pack's old files, so the index never links figures now out of date."""
    for path in [folder / f"{slug}.html", folder / f"{slug}.pdf",
                 *folder.glob(f"{slug}__*.csv")]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def job_folders(job: PackJob) -> list[Path]:
    """Return the folders of a pack's inputs, taken out of what packs and logs print.

    Parameters
    ----------
    job : PackJob
        The pack.

    Returns
    -------
    list of pathlib.Path
        The registry's folder first, then each input's, settings file's and the notebook's.
    """
    folders = [Path(v).parent for k, v in job.parameters.items()
               if k in ("registry_path", "scenario_path", "settings_path") and v]
    folders += [Path(p).parent for p in [*job.inputs, *job.settings_files, *job.workbooks]]
    return folders + [Path(job.notebook).parent]


def _write_log(out_dir: Path, job: PackJob, text: str) -> str:
    path = out_dir / "logs" / f"{job.slug}.log"
    atomic_write_text(path, public_text(text, job_folders(job)))
    return str(path.relative_to(out_dir))


def _render(executed: Any, job: PackJob, folder: Path, timings: dict) -> tuple[dict, str, dict]:
    """Write the pack's HTML and PDF under temporary names; return them and the status."""
    start = time.perf_counter()
    page, info = notebook_to_html(executed, job.title, job.fictional)
    html_tmp = temporary_path(folder / f"{job.slug}.html")
    html_tmp.write_text(page, encoding="utf-8")
    timings["html"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    temps = {"html": html_tmp}
    status, reason = OK, ""
    try:
        pdf_tmp = temporary_path(folder / f"{job.slug}.pdf")
        html_to_pdf(pdf_page(page, job.slug), pdf_tmp, folder)
        temps["pdf"] = pdf_tmp
    except PdfUnavailableError as exc:
        status, reason = HTML_ONLY, str(exc)
    timings["pdf"] = round(time.perf_counter() - start, 3)
    info["status"], info["reason"] = status, reason
    return temps, status, info


def build_pack(job: PackJob, out_dir: str | Path, timeout: int = CELL_TIMEOUT) -> PackResult:
    """Make one pack: check, execute, render HTML and PDF, move files into place.

    Never raises for a pack's own failure: the result says what went wrong.

    Parameters
    ----------
    job : PackJob
        The pack to make.
    out_dir : path-like
        The packs folder.
    timeout : int
        Longest time one cell may run, in seconds.

    Returns
    -------
    PackResult
    """
    out_dir = Path(out_dir)
    folder = out_dir / job.folder
    folder.mkdir(parents=True, exist_ok=True)
    result = PackResult(job.id, job.kind, job.slug, FAILED, title=job.title,
                        fictional=job.fictional)
    staged = temporary_folder(out_dir, job.slug)
    start = time.perf_counter()
    cost = PackCost(lambda: _KERNEL.km)  # processor time, reported back in the timings
    try:
        executed = execute(job, staged, timeout=timeout)
        result.timings["execute"] = round(time.perf_counter() - start, 3)
        temps, status, info = _render(executed, job, folder, result.timings)
        for kind, tmp in temps.items():
            os.replace(tmp, folder / f"{job.slug}.{kind}")
        if "pdf" not in temps:
            with contextlib.suppress(FileNotFoundError):
                (folder / f"{job.slug}.pdf").unlink()
        tables = _replace_tables(staged, folder, job.slug)
        result.status, result.reason = status, info["reason"]
        result.title, result.fictional = str(info["title"]), bool(info["fictional"])
        result.outputs = {k: str((folder / f"{job.slug}.{k}").relative_to(out_dir))
                          for k in temps}
        result.outputs["tables"] = [str(p.relative_to(out_dir)) for p in tables]
        if info["stderr"]:
            result.log = _write_log(out_dir, job, "Warnings printed while the notebook "
                                    "ran:\n" + "".join(info["stderr"]))
    except (PackFailedError, InputError) as exc:
        result.reason = public_text(str(exc), job_folders(job))
        result.log = _write_log(out_dir, job, traceback.format_exc())
        _remove_outputs(folder, job.slug)
    except TimeoutError:
        result.reason = (f"A step of the notebook ran longer than {timeout} seconds and was "
                         "stopped (raise the limit with --timeout).")
        result.log = _write_log(out_dir, job, traceback.format_exc())
        _remove_outputs(folder, job.slug)
    except OSError as exc:  # a full or read-only disk while writing this pack's files
        result.reason = public_text(cannot_write(Path(exc.filename or folder), exc),
                                    job_folders(job))
        with contextlib.suppress(OSError):
            result.log = _write_log(out_dir, job, traceback.format_exc())
            _remove_outputs(folder, job.slug)
    except Exception as exc:  # noqa: BLE001 - one pack's failure must not stop the others
        result.reason = public_text(f"Unexpected {type(exc).__name__}: {exc}",
                                    job_folders(job))
        result.log = _write_log(out_dir, job, traceback.format_exc())
        _remove_outputs(folder, job.slug)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        for tmp in folder.glob(f"{TEMP_PREFIX}{job.slug}.*.{os.getpid()}{TEMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    result.timings["total"] = round(time.perf_counter() - start, 3)
    result.timings.update(cost.figures())
    return result


# ---------------------------------------------------------------------------- the run


def job_facts(job: PackJob, code: str, versions: dict) -> dict:
    """Return everything that can change a pack: its manifest record and key material.

    Parameters
    ----------
    job : PackJob
        The pack to make.
    code : str
        Hash of the toolkit's source (:func:`toolkit.packs.manifest.code_digest`).
    versions : dict
        Package versions.

    Returns
    -------
    dict
    """
    return {
        "kind": job.kind, "id": job.key_id, "slug": job.slug,
        "parameters": {k: v for k, v in job.parameters.items() if k not in RUNNER_PARAMETERS},
        "inputs": [{"path": str(p), "sha256": file_digest(p)} for p in job.inputs],
        "settings": {"files": [{"path": str(p), "sha256": file_digest(p)}
                               for p in job.settings_files],
                     "defaults_sha256": file_digest(_defaults_file()),
                     "values": settings_values(job.settings_files)},
        "registry_entry_sha256": text_digest(json.dumps(job.entry, sort_keys=True,
                                                        default=str)),
        "notebook": {"path": str(job.notebook), "sha256": file_digest(job.notebook)},
        "toolkit_sha256": code, "versions": versions,
    }


def settings_values(files: list[Path]) -> dict:
    """Return the merged settings a pack uses (or the plain reason they cannot be read).

    Parameters
    ----------
    files : list of pathlib.Path
        Settings files merged over the defaults, in order.

    Returns
    -------
    dict
    """
    from toolkit.inputs.settings import load_settings
    from toolkit.packs.plan import plain

    try:
        return plain(dict(load_settings(*files)))
    except InputError as exc:
        return {"error": str(exc)}


def _defaults_file() -> Path:
    from toolkit.inputs.settings import DEFAULTS_FILE

    return DEFAULTS_FILE


def _is_unchanged(previous: dict | None, key: str, out_dir: Path) -> bool:
    """Return whether a pack's last outcome still stands: same key, and ok or failed.

    A pack that failed with the same inputs and code would fail the same way again, so it
    is not run again (``--force`` does); a pack made without PDF is always tried again.
    """
    if not previous or previous.get("key") != key:
        return False
    if previous.get("status") == FAILED:
        return True
    if previous.get("status") != OK:
        return False
    outputs = previous.get("outputs", {})
    files = [outputs.get("html"), outputs.get("pdf"), *outputs.get("tables", [])]
    return all(f and (out_dir / f).exists() for f in files)


def _carried_over(job: PackJob, old: dict) -> PackResult:
    """Return the result of a pack not made again because nothing it depends on changed."""
    if old.get("status") == FAILED:
        return PackResult(job.id, job.kind, job.slug, FAILED, title=old.get("title", job.title),
                          reason=old.get("reason", "") + " (unchanged since this failure: "
                          "fix the input, or use --force to try again)", log=old.get("log"),
                          ran=False)
    return PackResult(job.id, job.kind, job.slug, UNCHANGED, title=old.get("title", job.title),
                      fictional=bool(old.get("fictional")), outputs=old.get("outputs", {}),
                      ran=False)


def _entry(job: PackJob, facts: dict, key: str, result: PackResult) -> dict:
    """Return a pack's manifest entry: inputs named without the folders of the machine."""
    folders = job_folders(job)
    return {"id": job.id, "kind": job.kind, "title": result.title, "status": result.status,
            "reason": public_text(result.reason, folders), "fictional": result.fictional,
            "key": key, "made": now_text(), "outputs": result.outputs,
            "timings": result.timings, "log": result.log, **public_paths(facts, folders)}


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
    return tqdm(total=total, desc="packs", unit="pack", file=sys.stderr,
                disable=not enabled or total == 0, dynamic_ncols=True)


class _Recorder:
    """Record each pack as it finishes: its manifest entry, written at once (atomically).

    A run that is killed half-way leaves a manifest naming every pack it finished.
    """

    def __init__(self, out_dir: Path, jobs: list[PackJob], entries: dict, facts: dict,
                 keys: dict, workers: int, start: float) -> None:
        self.out_dir, self.entries, self.facts, self.keys = out_dir, entries, facts, keys
        self.by_id = {job.id: job for job in jobs}
        self.workers, self.start = workers, start
        self.results: list[PackResult] = []

    def __call__(self, result: PackResult) -> None:
        """Add one pack's result and write the manifest."""
        self.results.append(result)
        self.entries[result.id] = _entry(self.by_id[result.id], self.facts[result.id],
                                         self.keys[result.id], result)
        write_manifest(self.out_dir, self.entries, _run_facts(self.workers, self.start))


def _run_facts(workers: int, start: float) -> dict:
    return {"finished": now_text(), "workers": workers,
            "seconds": round(time.perf_counter() - start, 3), "versions": package_versions()}


def _run_inline(jobs: list[PackJob], out_dir: Path, bar: Any, run_dir: str,
                timeout: int, record: _Recorder) -> None:
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "KEEPITLOCAL_PACK_CACHE")}
    worker_setup(run_dir)
    try:
        for job in jobs:
            bar.set_postfix_str(f"running {job.id}")
            record(build_pack(job, out_dir, timeout))
            bar.update(1)
    finally:
        _KERNEL.discard()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def cores() -> int:
    """Return how many processor cores this process may use (its affinity, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def start_method() -> str:
    """Return how worker processes start: forked where the system can, else spawned.

    Forking lets workers share the parent's imports and lets a script call
    :func:`run_packs` without an ``if __name__ == "__main__"`` guard; the parent starts no
    thread and no kernel before forking.
    """
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _run_pool(jobs: list[PackJob], out_dir: Path, workers: int, bar: Any,
              run_dir: str, timeout: int, record: _Recorder) -> None:
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "fork":
        preload()  # imported once here, shared by every forked worker, not once per worker
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                initializer=worker_setup, initargs=(run_dir,)) as pool:
        futures = {pool.submit(build_pack, job, out_dir, timeout): job for job in jobs}
        pending = list(futures)
        recorded: set[cf.Future] = set()
        try:
            while pending:
                running = [futures[f].id for f in pending[:workers]]
                bar.set_postfix_str("running " + ", ".join(running))
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    record(_collect(future, futures[future]))
                    recorded.add(future)
                    bar.update(1)
                pending = [f for f in pending if f not in done]
            bar.set_postfix_str("done")
        except BaseException:
            _stop_pool(pool)
            for future in pending:  # finished while the interrupt was handled
                if (future not in recorded and future.done() and not future.cancelled()
                        and future.exception() is None):
                    record(future.result())
            raise


def _stop_pool(pool: cf.ProcessPoolExecutor, grace: float = 10.0) -> None:
    """Cancel the packs not started and stop the workers making the others.

    Each worker gets SIGTERM, which unwinds the pack it is making (its temporary folder is
    removed, its kernel shut down); one still running after ``grace`` seconds is killed.
    """
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to reach them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(grace)
            if process.is_alive():
                process.kill()
                process.join(grace)


def _collect(future: cf.Future, job: PackJob) -> PackResult:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a worker that died fails its pack only
        return PackResult(job.id, job.kind, job.slug, FAILED, title=job.title,
                          reason=f"The worker making this pack stopped: {exc}")


def run_packs(jobs: list[PackJob], out_dir: str | Path = "packs", workers: int | None = None,
              force: bool = False, progress: bool = True,
              timeout: int = CELL_TIMEOUT, prune: bool = False) -> RunSummary:
    """Make the packs whose inputs or code changed, then write the manifest and index.

    The output folder is locked for the run (:mod:`toolkit.packs.lock`): a second run into
    it refuses at once. The manifest is written again after each pack, so a run that is
    stopped records every pack it finished; Ctrl-C stops the workers, leaves no temporary
    folder and raises :class:`PacksInterrupted` saying what was recorded.

    Parameters
    ----------
    jobs : list of PackJob
        From :func:`toolkit.packs.plan.plan_packs`.
    out_dir : path-like
        The packs folder.
    workers : int, optional
        Worker processes; by default the number of cores (at most the packs to make).
        0 makes the packs in this process (for debugging).
    force : bool
        Make every pack even when nothing changed.
    progress : bool
        Show a progress bar on standard error.
    timeout : int
        Longest time one notebook cell may run, in seconds.
    prune : bool
        Whether ``jobs`` is every pack (not a ``--only`` selection): packs of an earlier
        run that are no longer planned (an organisation taken out of the registry) are
        then removed with their files.

    Returns
    -------
    RunSummary

    Raises
    ------
    InputError
        When another run holds the folder's lock, or the folder cannot be written.
    PacksInterrupted
        On Ctrl-C, after the finished packs are recorded.
    """
    out_dir = output_folder(out_dir)
    with locked(out_dir):
        return _run_locked(jobs, out_dir, workers, force, progress, timeout, prune)


def output_folder(out_dir: str | Path) -> Path:
    """Return the packs folder, made if needed, or say plainly why it cannot be.

    Parameters
    ----------
    out_dir : path-like
        The ``--out`` folder.

    Returns
    -------
    pathlib.Path
        Absolute.

    Raises
    ------
    InputError
        When it is a file, or cannot be made or written (read-only, full disk).
    """
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is a file, not a folder: give a folder for the "
                         "packs.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(cannot_write(out_dir, exc)) from None
    return out_dir


def cannot_write(path: Path, exc: OSError) -> str:
    """Return a plain message for a file or folder of the run that could not be written.

    Parameters
    ----------
    path : pathlib.Path
        What was being written.
    exc : OSError
        Why it failed.

    Returns
    -------
    str
    """
    return file_trouble_text(exc, path) or f"Could not write {path}: {exc.strerror or exc}."


def _run_locked(jobs: list[PackJob], out_dir: Path, workers: int | None, force: bool,
                progress: bool, timeout: int, prune: bool) -> RunSummary:
    start = time.perf_counter()
    remove_temporary_files(out_dir)
    previous = read_manifest(out_dir)["packs"]
    code, versions = code_digest(), package_versions()
    facts = {job.id: job_facts(job, code, versions) for job in jobs}
    keys = {job.id: pack_key(facts[job.id]) for job in jobs}
    todo = [j for j in jobs if force or not _is_unchanged(previous.get(j.id), keys[j.id], out_dir)]
    workers = max(0, min(cores(), len(todo)) if workers is None else workers)
    entries = dict(previous)
    if prune:
        entries = _pruned(entries, {job.id for job in jobs}, out_dir)
    record = _Recorder(out_dir, jobs, entries, facts, keys, workers, start)
    try:
        _make(todo, out_dir, workers, progress, timeout, record)
    except KeyboardInterrupt:
        raise PacksInterrupted(
            f"Interrupted: {len(record.results)} of {len(todo)} pack(s) finished and are "
            f"recorded in {out_dir / 'manifest.json'}; the others were stopped. Run again to "
            "make them.") from None
    except OSError as exc:
        raise InputError(cannot_write(Path(exc.filename or out_dir), exc)) from None
    results = record.results
    done = {r.id for r in results}
    results += [_carried_over(job, previous.get(job.id, {})) for job in jobs
                if job.id not in done]
    order = {job.id: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[r.id])
    return RunSummary(results, time.perf_counter() - start, out_dir, workers)


def _make(todo: list[PackJob], out_dir: Path, workers: int, progress: bool, timeout: int,
          record: _Recorder) -> None:
    """Make the packs to do, in this process or a pool, then write manifest and index."""
    run_dir = temporary_folder(out_dir, "run")
    write_kernel_spec(run_dir)
    with _progress(len(todo), progress) as bar:
        try:
            if workers == 0 or len(todo) <= 1:
                if todo:
                    _run_inline(todo, out_dir, bar, str(run_dir), timeout, record)
            else:
                _run_pool(todo, out_dir, min(workers, len(todo)), bar, str(run_dir), timeout,
                          record)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)
            _finish(out_dir, record.entries, record.workers, record.start)


def _pruned(entries: dict, planned: set[str], out_dir: Path) -> dict:
    """Return ``entries`` without packs no longer planned, whose files are removed."""
    for pack_id, entry in entries.items():
        if pack_id in planned:
            continue
        outputs = entry.get("outputs", {})
        for name in [outputs.get("html"), outputs.get("pdf"), *outputs.get("tables", [])]:
            if name and not Path(name).is_absolute() and ".." not in Path(name).parts:
                with contextlib.suppress(OSError):
                    (out_dir / name).unlink()
    return {k: v for k, v in entries.items() if k in planned}


def _finish(out_dir: Path, entries: dict, workers: int, start: float) -> None:
    """Write the manifest and the index page (also after an interrupted run)."""
    remove_temporary_files(out_dir)
    write_manifest(out_dir, entries, _run_facts(workers, start))
    fictional = any(e.get("fictional") for e in entries.values())
    atomic_write_text(out_dir / INDEX_NAME, index_html(entries, out_dir, pack_css(), fictional))
