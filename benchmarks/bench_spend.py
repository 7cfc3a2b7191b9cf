"""Benchmark the spend analysis: read and analyse a synthetic 1,000,000-row payments file.

Target (issue 3): under 10 s and under 2 GB on 2 cores. Writes benchmarks/results/spend.json
(git-ignored) and prints it. Not a test: run with ``make bench``.

Usage: python benchmarks/bench_spend.py [ROWS]
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from toolkit.inputs.geography import Boundary, NestedBoundaries
from toolkit.spend.analysis import analyse_spending

MAKER = Path(__file__).parent / "make_payments.py"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(rows: int = 1_000_000) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "payments.csv"
        start = time.perf_counter()
        # written by another process, so this one's peak memory is the analysis alone
        subprocess.run([sys.executable, str(MAKER), str(path), str(rows)], check=True,
                       stdout=subprocess.DEVNULL)
        made = time.perf_counter() - start
        size_mb = path.stat().st_size / 1e6
        before = peak_rss_mb()
        boundary = NestedBoundaries([Boundary.from_codes("Bradford", "BD1 BD2 BD7 BD10"),
                                     Boundary.from_codes("West Yorkshire", "BD HX LS")])
        load = os.getloadavg()[0]
        start, cpu = time.perf_counter(), time.process_time()
        result = analyse_spending([path], boundary)
        analysed, analysed_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        summary = result.summary()
        result.top_suppliers(300)
        result.by_month()
        result.by_category()
        reported, reported_cpu = time.perf_counter() - start, time.process_time() - cpu
    out = {
        "rows": summary["rows"],
        "file_mb": round(size_mb, 1),
        "suppliers": summary["suppliers"],
        "make_file_s": round(made, 2),
        "read_and_analyse_s": round(analysed, 2),
        "summary_tables_s": round(reported, 2),
        "total_s": round(analysed + reported, 2),
        "read_and_analyse_cpu_s": round(analysed_cpu, 2),
        "total_cpu_s": round(analysed_cpu + reported_cpu, 2),
        "load_average_at_start": round(load, 2),
        "note": "wall-clock times rise with the machine's load (other processes); cpu_s is "
                "this process's own processor time",
        "peak_rss_mb": round(peak_rss_mb(), 0),
        "peak_rss_before_analysis_mb": round(before, 0),
        "target": "under 10 s and under 2 GB on 2 cores",
        "total_pence": summary["total_pence"],
        "reconciles": summary["local_pence"] + summary["non_local_pence"]
        + summary["unknown_pence"] == summary["total_pence"],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "spend.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
