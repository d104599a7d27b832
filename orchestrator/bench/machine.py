"""The machine a run came from: absolute figures mean little without it."""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import psutil

from orchestrator.bench.results import MachineFacts

PACKAGES = (
    "framegraph",
    "numpy",
    "onnxruntime",
    "nvidia-pytriton",
    "tritonclient",
    "opencv-python-headless",
    "orjson",
    "psutil",
    "matplotlib",
)
ROOT = Path(__file__).resolve().parents[2]


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _git(*args: str) -> str | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        if out.returncode == 0:
            return out.stdout.strip()
    return None


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def machine_facts() -> MachineFacts:
    """CPU, cores, memory, OS, Python, package versions, commit, date and current load."""
    mem = psutil.virtual_memory()
    status = _git("status", "--porcelain")
    return MachineFacts(
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        cpu_model=cpu_model(),
        cpu_cores=os.cpu_count(),
        cpu_cores_usable=len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        ram_gib=round(mem.total / 2**30, 1),
        os=platform.platform(),
        python=sys.version.split()[0],
        packages=versions(),
        git_commit=_git("rev-parse", "--short", "HEAD"),
        git_dirty=bool(status) if status is not None else None,
        load_average_at_start=[round(x, 2) for x in os.getloadavg()],
    )
