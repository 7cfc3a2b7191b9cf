"""Benchmark the pack runner against the plain loop of command-line tools.

Measures, in one run on the same machine:

1. the plain loop a user would otherwise write, once per notebook: ``papermill``, then
   ``jupyter nbconvert --to html --no-input``, then ``weasyprint``, as command lines, on a
   subset of 12 packs (the MyST notebooks are converted to ``.ipynb`` first, untimed),
   about a third of the sample batch: the runner's fixed start-up (worker imports and
   kernels, about 4 s) is inside its time, as a user would pay it;
2. ``keepitlocal packs`` machinery (:func:`toolkit.packs.runner.run_packs`) on the same
   packs, forced to make them all;
3. the runner on the full sample batch (every pack of ``data/samples/authorities.yml``).

Writes ``benchmarks/results/packs.json`` (git-ignored) and prints it. Run with
``make bench`` or ``.venv/bin/python benchmarks/bench_packs.py [--subset N] [--workers N]``.
The issue asks for the runner to be at least 4 times faster than the loop, and the full
sample batch under 2 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.packs import plan as packs  # noqa: E402
from toolkit.packs import runner as packs_runner  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "packs.json"
BIN = Path(sys.executable).parent


def _pick(jobs: list, count: int) -> list:
    """Pick organisation packs first, then one authority pack, up to ``count``."""
    orgs = [j for j in jobs if j.kind == "organisation"]
    others = [j for j in jobs if j.kind == "authority"]
    chosen = orgs[: max(1, count - 1)] + others[:1]
    return chosen[:count]


def _to_ipynb(notebook: Path, folder: Path) -> Path:
    target = folder / f"{notebook.stem}.ipynb"
    if not target.exists():
        subprocess.run([str(BIN / "jupytext"), "--to", "ipynb", "-o", str(target),
                        str(notebook)], check=True, capture_output=True)
    return target


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{command[0]} failed:\n{done.stderr[-2000:]}")


def _cpu() -> float:
    """Processor seconds used so far by this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def cli_loop(jobs: list, folder: Path) -> dict:
    """Make each pack with the three command-line tools; return seconds per step."""
    folder.mkdir(parents=True, exist_ok=True)
    steps = {"papermill": 0.0, "nbconvert": 0.0, "weasyprint": 0.0}
    notebooks = {job.notebook: _to_ipynb(job.notebook, folder) for job in jobs}
    start, cpu = time.perf_counter(), _cpu()
    for job in jobs:
        executed = folder / f"{job.slug}.ipynb"
        params = {**job.parameters, "tables_dir": str(folder / "tables"),
                  "pack_slug": job.slug}
        t = time.perf_counter()
        _run([str(BIN / "papermill"), str(notebooks[job.notebook]), str(executed), "-k",
              "python3", "--cwd", str(job.notebook.parent), "-y", json.dumps(params),
              "--no-progress-bar"])
        steps["papermill"] += time.perf_counter() - t
        t = time.perf_counter()
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
              "--output", f"{job.slug}.html", str(executed)])
        steps["nbconvert"] += time.perf_counter() - t
        t = time.perf_counter()
        _run([str(BIN / "weasyprint"), str(folder / f"{job.slug}.html"),
              str(folder / f"{job.slug}.pdf")])
        steps["weasyprint"] += time.perf_counter() - t
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2), "per_pack": round(seconds / len(jobs), 2),
            "cpu_seconds": round(_cpu() - cpu, 2),
            "steps": {k: round(v, 2) for k, v in steps.items()}}


def runner(jobs: list, folder: Path, workers: int) -> dict:
    """Make the packs with the runner, forced; return seconds and the outcome."""
    start, cpu = time.perf_counter(), _cpu()
    summary = packs_runner.run_packs(jobs, folder, workers=workers, force=True,
                                     progress=False)
    seconds = time.perf_counter() - start
    total_cpu = _cpu() - cpu
    return {"seconds": round(seconds, 2), "per_pack": round(seconds / len(jobs), 2),
            "cpu_seconds": round(total_cpu, 2),
            "cpu_per_pack": round(total_cpu / len(jobs), 2),
            "reported_by_workers": _reported(summary.results, total_cpu),
            "packs": len(jobs), "made": len(summary.made), "failed": len(summary.failed),
            "html_only": len(summary.html_only), "workers": summary.workers,
            "pdf_pages": _pdf_pages(folder)}


def _font_subsetter() -> str:
    """Which library WeasyPrint subsets fonts with: "harfbuzz" (C) or "fonttools" (Python)."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except (ImportError, OSError):
        return "none (WeasyPrint cannot load)"
    if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0):
        return "harfbuzz"
    return "fonttools (install libharfbuzz-subset0 for HarfBuzz)"


def _pdf_pages(folder: Path) -> dict:
    """Count the pages of the PDFs made (WeasyPrint's layout time grows with them)."""
    try:
        import pypdf
    except ImportError:
        return {}
    pages = [len(pypdf.PdfReader(p).pages) for p in sorted(folder.rglob("*.pdf"))]
    return {"pdfs": len(pages), "total": sum(pages),
            "per_pack": round(sum(pages) / max(len(pages), 1), 1)}


def _reported(results: list, total_cpu: float) -> dict:
    """Sum what each worker reported for its packs: its own cpu-s and its kernel's.

    The rest of the run's processor time (``total_cpu``: the runner, its workers and their
    kernels, by ``resource.getrusage`` of self and children) is fixed cost that no pack
    carries: worker imports, kernel starts, planning, manifest and index.
    """
    timings = [r.timings for r in results if r.timings]
    worker = sum(t.get("cpu_worker") or 0.0 for t in timings)
    kernel = sum(t.get("cpu_kernel") or 0.0 for t in timings)
    steps = {step: round(sum(t.get(step, 0.0) for t in timings), 2)
             for step in ("execute", "html", "pdf")}
    return {"packs": len(timings), "worker_cpu_seconds": round(worker, 2),
            "kernel_cpu_seconds": round(kernel, 2),
            "per_pack_cpu": round((worker + kernel) / max(len(timings), 1), 2),
            "fixed_cpu_seconds": round(total_cpu - worker - kernel, 2),
            "wall_seconds_by_step": steps, "longest_execution": _longest_execution(results)}


def _longest_execution(results: list) -> dict:
    """The pack whose notebook took longest to run, with its wall and processor seconds.

    A stall shows here as many wall seconds with few processor seconds (a pack waiting for
    its kernel's message, as before ``toolkit.packs.kernel_client``).
    """
    timed = [r for r in results if r.timings and "execute" in r.timings]
    if not timed:
        return {}
    longest = max(timed, key=lambda r: r.timings["execute"])
    return {"pack": longest.id, "seconds": longest.timings["execute"],
            "cpu_seconds": longest.timings.get("cpu")}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write the results file and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=ROOT / "data/samples/authorities.yml")
    parser.add_argument("--subset", type=int, default=12, help="packs compared with the loop")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-full", action="store_true", help="leave out the full batch")
    args = parser.parse_args(argv)
    jobs = packs.plan_packs(args.registry)
    subset = _pick(jobs, args.subset)
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-packs-"))
    try:
        result = {
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform(),
                        "font_subsetter": _font_subsetter(),
                        "load_average_before": [round(x, 2) for x in load_before]},
            "subset": [j.id for j in subset],
            "runner_subset": runner(subset, work / "runner", args.workers),
            "cli_loop_subset": cli_loop(subset, work / "loop"),
        }
        result["speedup"] = round(result["cli_loop_subset"]["seconds"]
                                  / result["runner_subset"]["seconds"], 2)
        result["cpu_ratio"] = round(result["cli_loop_subset"]["cpu_seconds"]
                                    / max(result["runner_subset"]["cpu_seconds"], 0.01), 2)
        if not args.skip_full:
            result["full_batch"] = runner(jobs, work / "full", args.workers)
            result["full_batch"]["under_two_minutes"] = result["full_batch"]["seconds"] < 120
            result["speedup_per_pack_full_batch"] = round(
                result["cli_loop_subset"]["per_pack"] / result["full_batch"]["per_pack"], 2)
        result["targets"] = {"speedup_at_least": 4, "full_batch_seconds_under": 120,
                             "cpu_per_pack_under": 2}
        result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
