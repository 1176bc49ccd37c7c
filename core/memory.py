"""This process's peak memory, for the benchmarks (each part of ``bench`` runs in its own process)."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: a child started by fork
    and exec keeps its parent's ru_maxrss, so a small child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
