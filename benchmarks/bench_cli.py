"""Benchmark the command line's start: ``keepitlocal --help`` beside ``python -c pass``.

Both are timed as whole processes, interleaved in one run (so the machine's load falls on
both alike), and the floor (Python starting and stopping) is reported beside the command.
Goal (issue 13): ``keepitlocal --help`` under 0.3 s on 2 cores. Writes
benchmarks/results/cli.json (git-ignored) and prints it. Not a test: run with ``make bench``.

Usage: python benchmarks/bench_cli.py [RUNS]
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "keepitlocal --help": [str(BIN / "keepitlocal"), "--help"],
    "keepitlocal spend --help": [str(BIN / "keepitlocal"), "spend", "--help"],
}


def time_once(argv: list[str]) -> float:
    """Return the wall time of one run of ``argv``, in seconds."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(runs: int = 15) -> dict:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():  # warm the file cache once
        time_once(argv)
    for _ in range(runs):
        for name, argv in COMMANDS.items():
            times[name].append(time_once(argv))
    figures = {name: {"min_s": round(min(t), 3), "median_s": round(statistics.median(t), 3),
                      "max_s": round(max(t), 3)} for name, t in times.items()}
    help_median = figures["keepitlocal --help"]["median_s"]
    floor = figures["python -c pass"]["median_s"]
    out = {
        "runs": runs,
        "figures": figures,
        "help_over_floor_s": round(help_median - floor, 3),
        "goal": "keepitlocal --help under 0.3 s on these cores",
        "meets_goal": help_median < 0.3,
        "load_average": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "cli.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
