"""A pack's processor time: the worker's own and its kernel's, as workers report it (issue 18)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from toolkit.packs import cost


def busy(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_own_cpu_counts_this_process_work():
    before = cost.own_cpu()
    busy(0.2)
    assert cost.own_cpu() - before >= 0.2


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs Linux's /proc")
def test_a_running_kernels_processor_time_is_read_and_counted_in_the_pack():
    child = subprocess.Popen([sys.executable, "-c",
                              "import time\nend = time.process_time() + 0.6\n"
                              "while time.process_time() < end: pass\ntime.sleep(30)"])
    try:
        manager = SimpleNamespace(provisioner=SimpleNamespace(process=child))
        assert cost.kernel_pid(manager) == child.pid
        measure = cost.PackCost(lambda: manager)
        busy(0.1)
        time.sleep(1.5)  # the child spins for 0.6 cpu-s, then sleeps
        figures = measure.figures()
        assert figures["cpu_worker"] >= 0.1
        assert figures["cpu_kernel"] is not None and figures["cpu_kernel"] > 0
        assert figures["cpu"] == pytest.approx(figures["cpu_worker"] + figures["cpu_kernel"],
                                               abs=0.002)
        assert cost.process_cpu(child.pid) >= figures["cpu_kernel"]
    finally:
        child.kill()
        child.wait()


def test_without_a_kernel_only_the_worker_is_counted():
    measure = cost.PackCost(lambda: None)
    busy(0.05)
    figures = measure.figures()
    assert figures["cpu_kernel"] is None
    assert figures["cpu"] == figures["cpu_worker"] >= 0.05
    assert cost.process_cpu(None) is None
