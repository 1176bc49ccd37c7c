"""This process's peak memory, for the benchmarks (each part of ``bench`` runs in its own process)."""

from __future__ import annotations

import resource
import threading
from pathlib import Path


def _status_mb(pid: int | str, field: str) -> float | None:
    """A memory field of ``/proc/<pid>/status`` in MB (None where it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: a child started by fork
    and exec keeps its parent's ru_maxrss, so a small child would report its parent's peak."""
    peak = _status_mb("self", "VmHWM")
    return round(peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _rss_mb(pid: int | str) -> float:
    return _status_mb(pid, "VmRSS") or 0.0


class CombinedPeak:
    """The largest memory this process and its helper (``others()``: the pids to add) held at
    one moment, sampled every ``every`` seconds while in use (a ``with`` block). Adding the two
    processes' own peaks would count memory they never held at once: the evaluation helper
    peaks while the app process is still small."""

    def __init__(self, others, every: float = 0.02):
        self.others, self.every, self.mb = others, every, 0.0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.mb = max(self.mb, _rss_mb("self") + sum(_rss_mb(pid) for pid in self.others()))

    def __enter__(self) -> "CombinedPeak":
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
