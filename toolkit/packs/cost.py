"""Processor time of a pack: the worker's own, its kernel's, and its finished children's.

Wall time on a shared machine says little; processor seconds are steadier. A worker measures
each pack it makes with :class:`PackCost` and reports the figures back in the pack's
``timings`` (``cpu_worker``, ``cpu_kernel``, ``cpu``), so that a run's processor time can be
split into packs and the fixed costs (worker imports, kernel starts) that no pack carries.

The kernel is a long-lived child of the worker, so ``resource.getrusage(RUSAGE_CHILDREN)``
counts it only once it has ended; while it runs, its processor time is read from
``/proc/<pid>/stat`` (Linux). Elsewhere ``cpu_kernel`` is None.

References
----------
The Linux ``proc(5)`` manual (``/proc/<pid>/stat``: fields 14 and 15, ``utime`` and
``stime``, in clock ticks); Python's :func:`resource.getrusage`.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path
from typing import Any


def own_cpu() -> float:
    """Return this process's processor seconds and those of its children that have ended."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def process_cpu(pid: int | None) -> float | None:
    """Return a running process's processor seconds (user + system), or None if unknown."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15)


def kernel_pid(kernel_manager: Any) -> int | None:
    """Return the process id of a jupyter_client kernel manager's kernel, if it has one."""
    provisioner = getattr(kernel_manager, "provisioner", None)
    process = getattr(provisioner, "process", None) or getattr(kernel_manager, "kernel", None)
    return getattr(process, "pid", None)


class PackCost:
    """Measure one pack's processor time in a worker (see the module docstring).

    Parameters
    ----------
    kernel : callable
        Returns the kernel manager in use (or None); asked at the start and at the end,
        since a failing pack may replace the kernel.
    """

    def __init__(self, kernel) -> None:
        self.kernel = kernel
        self.worker_start = own_cpu()
        self.kernel_pid = kernel_pid(kernel())
        self.kernel_start = process_cpu(self.kernel_pid)

    def figures(self) -> dict:
        """Return ``cpu_worker``, ``cpu_kernel`` (None when unknown) and ``cpu``, in seconds.

        A kernel started during the pack counts from its start; one that ended during it is
        in the worker's children.
        """
        worker = own_cpu() - self.worker_start
        pid = kernel_pid(self.kernel())
        now = process_cpu(pid)
        if now is None:
            kernel = None
        elif pid == self.kernel_pid and self.kernel_start is not None:
            kernel = now - self.kernel_start
        else:
            kernel = now
        total = worker + (kernel or 0.0)
        return {"cpu_worker": round(worker, 3),
                "cpu_kernel": None if kernel is None else round(kernel, 3),
                "cpu": round(total, 3)}
