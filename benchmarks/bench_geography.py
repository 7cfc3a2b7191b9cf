"""Benchmark the ONS Postcode Directory: build its index, load it warm, place 20,000 postcodes.

Goals (issue 15), on these 2 cores: the index is built within 15 s; with it warm, placing the
20,000 distinct supplier postcodes of a large council file in a council boundary takes under
a second. The floor beside each figure is a plain dict lookup of the same 20,000 keys (what
no index can beat). Uses a temporary cache folder, never the user's. Writes
benchmarks/results/geography.json (git-ignored) and prints it. Not a test: run with
``make bench``.

Usage: python benchmarks/bench_geography.py [POSTCODES]
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def sample_postcodes(directory, count: int, seed: int = 15) -> list[str]:
    """Return ``count`` distinct real postcodes ("BD20 5AA" form), seeded."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(directory), size=count, replace=False)
    out = []
    for key in directory.keys[np.sort(picks)]:
        text = key.decode()
        out.append(f"{text[:4].strip()} {text[4:]}")
    return out


def main(count: int = 20_000) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["KEEPITLOCAL_CACHE"] = folder
        from toolkit.inputs.directory import load_directory, load_index
        from toolkit.inputs.geography import Boundary

        start = time.perf_counter()
        load_index(Path(folder))  # builds and caches
        build_s = time.perf_counter() - start
        start = time.perf_counter()
        directory = load_directory(Path(folder))
        warm_load_s = time.perf_counter() - start
        postcodes = sample_postcodes(directory, count)
        floor_map = {p: "x" for p in postcodes}
        start = time.perf_counter()
        _ = [floor_map[p] for p in postcodes]
        floor_s = time.perf_counter() - start
        boundary = Boundary.from_authorities("Greater Manchester", directory=directory)
        start = time.perf_counter()
        boundary.prepare(postcodes)
        inside = sum(1 for p in postcodes if boundary.contains(p))
        place_s = time.perf_counter() - start
        one_by_one = Boundary.from_authorities("Greater Manchester", directory=directory)
        start = time.perf_counter()
        same = sum(1 for p in postcodes if one_by_one.contains(p))
        one_by_one_s = time.perf_counter() - start
        assert same == inside
    out = {
        "postcodes": count,
        "index_build_s": round(build_s, 3),
        "index_warm_load_s": round(warm_load_s, 3),
        "place_in_boundary_s": round(place_s, 3),
        "place_one_by_one_s": round(one_by_one_s, 3),
        "floor_dict_lookup_s": round(floor_s, 4),
        "placed_inside_greater_manchester": inside,
        "goal": "index built within 15 s; 20,000 distinct postcodes placed under 1 s (warm)",
        "meets_goal": build_s < 15 and place_s < 1.0,
        "load_average": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "geography.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
