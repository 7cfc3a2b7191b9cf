"""Benchmark the spend analysis against Arrow's own read of the same 1,000,000-row file.

Target (issue 18): the toolkit's read and analysis of a CSV payments file within 3x of
pyarrow's own read of the same file, with peak memory under 1 GB. Each measurement runs in a
fresh child process (so that each peak memory is its own), the two kinds taking turns, three
times each; the medians and their ratio are written side by side to
benchmarks/results/spend.json (git-ignored) and printed, with the load average. Not a test:
run with ``make bench``.

Usage: python benchmarks/bench_spend.py [ROWS] [REPEATS]
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAKER = Path(__file__).parent / "make_payments.py"
TITLE_LINES = 2  # make_payments.py writes two title lines above the header


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_arrow(path: Path) -> dict:
    """Arrow's own read of the file: every column, types inferred, on every core."""
    from pyarrow import csv as arrow_csv

    start, cpu = time.perf_counter(), time.process_time()
    table = arrow_csv.read_csv(path, read_options=arrow_csv.ReadOptions(skip_rows=TITLE_LINES))
    return {"s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
            "rows": table.num_rows, "peak_rss_mb": peak_rss_mb()}


def child_toolkit(path: Path) -> dict:
    """The toolkit's read and analysis of the file, and its summary tables."""
    from toolkit.inputs.geography import Boundary, NestedBoundaries
    from toolkit.spend.analysis import analyse_spending

    boundary = NestedBoundaries([Boundary.from_codes("Bradford", "BD1 BD2 BD7 BD10"),
                                 Boundary.from_codes("West Yorkshire", "BD HX LS")])
    before = peak_rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    result = analyse_spending([path], boundary)
    analysed, analysed_cpu = time.perf_counter() - start, time.process_time() - cpu
    summary = result.summary()
    result.top_suppliers(300)
    result.by_month()
    result.by_category()
    return {"s": analysed, "cpu_s": analysed_cpu,
            "with_tables_s": time.perf_counter() - start,
            "rows": summary["rows"], "suppliers": summary["suppliers"],
            "total_pence": summary["total_pence"],
            "reconciles": summary["local_pence"] + summary["non_local_pence"]
            + summary["unknown_pence"] == summary["total_pence"],
            "reader": [f["reader"] for f in result.files],
            "peak_rss_mb": peak_rss_mb(), "peak_rss_before_analysis_mb": before}


def run_child(kind: str, path: Path) -> dict:
    """Run one measurement in a fresh process; return what it printed."""
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(rows: int = 1_000_000, repeats: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "payments.csv"
        subprocess.run([sys.executable, str(MAKER), str(path), str(rows)], check=True,
                       stdout=subprocess.DEVNULL)
        size_mb = path.stat().st_size / 1e6
        load_start = os.getloadavg()[0]
        runs = {"arrow": [], "toolkit": []}
        for _ in range(repeats):  # taking turns, so both see the same load
            for kind in runs:
                runs[kind].append(run_child(kind, path))
        load_end = os.getloadavg()[0]
    arrow, toolkit = runs["arrow"], runs["toolkit"]

    def median(items, key):
        return round(statistics.median(r[key] for r in items), 3)

    out = {
        "rows": toolkit[0]["rows"],
        "file_mb": round(size_mb, 1),
        "suppliers": toolkit[0]["suppliers"],
        "reader": toolkit[0]["reader"],
        "repeats": repeats,
        "arrow_read_s": median(arrow, "s"),
        "toolkit_read_and_analyse_s": median(toolkit, "s"),
        "ratio_wall": round(median(toolkit, "s") / median(arrow, "s"), 2),
        "arrow_read_cpu_s": median(arrow, "cpu_s"),
        "toolkit_read_and_analyse_cpu_s": median(toolkit, "cpu_s"),
        "ratio_cpu": round(median(toolkit, "cpu_s") / median(arrow, "cpu_s"), 2),
        "toolkit_with_summary_tables_s": median(toolkit, "with_tables_s"),
        "per_million_rows_s": round(median(toolkit, "s") / toolkit[0]["rows"] * 1e6, 3),
        "arrow_peak_rss_mb": round(max(r["peak_rss_mb"] for r in arrow)),
        "toolkit_peak_rss_mb": round(max(r["peak_rss_mb"] for r in toolkit)),
        "toolkit_peak_rss_before_analysis_mb": round(toolkit[0]["peak_rss_before_analysis_mb"]),
        "all_runs": runs,
        "load_average_at_start": round(load_start, 2),
        "load_average_at_end": round(load_end, 2),
        "target": "toolkit within 3x of Arrow's own read (wall), peak memory under 1 GB",
        "note": "medians of runs taking turns, each in a fresh process; wall-clock times rise "
                "with the machine's load, cpu_s is each process's own processor time (Arrow "
                "reads on every core, so its cpu_s can exceed its wall time)",
        "total_pence": toolkit[0]["total_pence"],
        "reconciles": all(r["reconciles"] for r in toolkit),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "spend.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    shown = {k: v for k, v in out.items() if k != "all_runs"}
    print(json.dumps(shown, indent=2))
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        measure = {"arrow": child_arrow, "toolkit": child_toolkit}[sys.argv[2]]
        print(json.dumps(measure(Path(sys.argv[3]))))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
             int(sys.argv[2]) if len(sys.argv) > 2 else 3)
