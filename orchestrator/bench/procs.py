"""CPU time and peak memory of the server process tree, and of the whole machine.

Workers are measured exactly when reaped (`wait4`, see `streams`). The Triton server
outlives scenarios and has children (one Python-backend stub per model instance), so its
CPU time is the difference of the tree's counters across a scenario and its peak RSS is
sampled on a thread. The machine-wide busy time minus what the benchmark's own processes
used shows how much other load shared the cores (these machines are shared and small).
"""

from __future__ import annotations

import contextlib
import resource
import threading
import time
from dataclasses import dataclass

import psutil


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for proc in _tree(pid):
        with contextlib.suppress(psutil.Error):
            t = proc.cpu_times()
            total += t.user + t.system
    return total


def tree_rss_bytes(pid: int) -> int:
    """Sum of resident set sizes (shared pages count once per process: an upper bound)."""
    total = 0
    for proc in _tree(pid):
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle, summed over cores."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def self_cpu_seconds() -> float:
    """This process (the benchmark's feeders and readers), threads included."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@dataclass
class Usage:
    server_cpu_s: float
    server_peak_rss_mb: float
    bench_cpu_s: float
    machine_busy_s: float
    wall_s: float


class ServerSampler:
    """Measures a server tree and the machine across one scenario (`with` block)."""

    def __init__(self, pid: int | None, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)
        self.usage: Usage | None = None

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            if self.pid is not None:
                with contextlib.suppress(psutil.Error):
                    self.peak = max(self.peak, tree_rss_bytes(self.pid))

    def __enter__(self) -> ServerSampler:
        self._t0 = time.perf_counter()
        self._cpu0 = tree_cpu_seconds(self.pid) if self.pid else 0.0
        self._bench0 = self_cpu_seconds()
        self._busy0 = machine_busy_seconds()
        if self.pid is not None:
            self.peak = tree_rss_bytes(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.usage = Usage(
            server_cpu_s=(tree_cpu_seconds(self.pid) - self._cpu0) if self.pid else 0.0,
            server_peak_rss_mb=self.peak / 2**20,
            bench_cpu_s=self_cpu_seconds() - self._bench0,
            machine_busy_s=machine_busy_seconds() - self._busy0,
            wall_s=time.perf_counter() - self._t0,
        )
