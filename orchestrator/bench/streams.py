"""S stream processes (`framegraph run --triton-url ...`), fed and read by the benchmark.

Each worker is a real `framegraph run` process, as in production: one feeder thread writes
its stdin (at the clip's rate, or as fast as the pipe takes it), one reader thread reads
its events. Both stamp times with the same monotonic clock, so besides the worker's own
`latency_ms` (stdin read to output) the benchmark knows the end-to-end time from the line
being offered on the pipe to its event being read back, which also counts pipe waits and
a worker too busy to read its stdin.

Every worker first gets one priming frame and answers it before the measured feeding
starts (connection, shared-memory registration and first-call costs stay out of the
figures; the priming frame still counts for the exactly-once check). Workers are reaped
with `wait4`, which gives their exact CPU time and peak RSS; their CPU is also read when
the priming frame is answered and when the last frame is, so that start-up and exit
(closing connections, writing `--stats`, the interpreter's teardown: a fixed cost per
worker, a few tenths of a second) can be told apart from the frames' share.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psutil

from orchestrator.bench.workload import Clip, Scenario, paced_offsets

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Record:
    """One outcome line as the benchmark saw it (times: `time.perf_counter()`, seconds)."""

    seq: int
    kind: str  # result, error, dropped
    read: float
    written: float | None = None
    latency_ms: float | None = None
    timing: dict[str, float] | None = None
    counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    keys: tuple[str, ...] = ()  # the features (node ids) the event carries, results or errors

    @property
    def e2e_ms(self) -> float | None:
        return None if self.written is None else (self.read - self.written) * 1000


@dataclass(frozen=True)
class CpuSplit:
    """Two parts of a worker's CPU, as its `--stats` reports them over the whole run
    (the priming frame included): the decode thread (payload checks and decoding) and
    the feature code (each node's own steps, Triton client work on the loop included)."""

    decode_s: float
    features_s: float


@dataclass
class StreamResult:
    index: int
    records: list[Record]
    written: int  # lines written, priming frame included
    cpu_seconds: float
    startup_cpu_seconds: float  # CPU used until the priming frame was answered
    peak_rss_mb: float
    returncode: int
    computed: dict[str, int] | None  # per feature, from the worker's --stats (None: no summary)
    feeder_lag_ms: list[float]  # paced: how late each write was against its schedule
    stderr: str
    cpu_split: CpuSplit | None = None  # decode and feature code CPU (--stats, priming included)
    end_cpu_seconds: float | None = None  # CPU used until the last frame was answered


def worker_argv(
    features: Sequence[str], url: str, *, lossless: bool, timings: bool, stats: Path
) -> list[str]:
    argv = [sys.executable, "-m", "orchestrator", "run", "-f", ",".join(features)]
    argv += ["--triton-url", url, "--stats", str(stats)]
    if lossless:
        argv.append("--lossless")
    if timings:
        argv.append("--timings")
    return argv


def supports_timings() -> bool:
    """Does this `framegraph run` have `--timings` (per-frame queue/decode/Triton times)?"""
    from orchestrator.cli.run import run_command

    return any(p.name == "timings" for p in run_command.params)


def read_stats(stats_path: Path) -> dict[str, Any] | None:
    """The worker's `--stats` summary, or None when it wrote none."""
    try:
        stats = orjson.loads(stats_path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return stats if isinstance(stats, dict) and stats else None


def computed_counts(stats: dict[str, Any] | None) -> dict[str, int] | None:
    """How many times the worker computed each feature, from its `--stats` summary."""
    if stats is None:
        return None
    return {k: int(v.get("computed", 0)) for k, v in stats.get("features", {}).items()}


def cpu_split(stats: dict[str, Any] | None) -> CpuSplit | None:
    """Decode and feature-code CPU from the summary; None for a worker that predates them."""
    decoder = (stats or {}).get("decoder") or {}
    if stats is None or "cpu_seconds" not in decoder:
        return None
    features = sum(
        float((v.get("cost") or {}).get("worker_s", 0.0))
        for v in stats.get("features", {}).values()
    )
    return CpuSplit(float(decoder["cpu_seconds"]), features)


def parse_event(line: bytes, read: float) -> Record:
    event = orjson.loads(line)
    rec = Record(int(event.get("frame", -1)), str(event.get("type")), read)
    if rec.kind == "result":
        rec.latency_ms = event.get("latency_ms")
        rec.timing = event.get("timing")
        features = event.get("features", {})
        rec.counts = {  # per-frame counts (detections, crops), for the exactly-once check
            name: int(value["count"])
            for name, value in features.items()
            if isinstance(value, dict) and isinstance(value.get("count"), int)
        }
        rec.errors = len(event.get("errors") or {})
        rec.keys = (*features, *(event.get("errors") or {}))
    elif rec.kind == "end":  # a tiling feature's partial last blocks, computed at the end
        blocks = event.get("blocks") or {}
        rec.keys = tuple(blocks)
        rec.counts = {name: len(values) for name, values in blocks.items()}
    return rec


class StreamProcess:
    """One worker process, its feeder and its reader."""

    def __init__(
        self, index: int, scenario: Scenario, clip: Clip, url: str, timings: bool, workdir: Path
    ) -> None:
        self.index = index
        self.scenario = scenario
        self.clip = clip
        self.stats_path = workdir / f"worker-{index}.json"
        self.stderr_path = workdir / f"worker-{index}.err"
        argv = worker_argv(
            scenario.features,
            url,
            lossless=scenario.mode == "unpaced",
            timings=timings,
            stats=self.stats_path,
        )
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, cwd=ROOT
            )
        self.written_at: list[float] = []
        self.records: list[Record] = []
        self.lag_ms: list[float] = []
        self.startup_cpu = 0.0
        self.end_cpu: float | None = None
        self._outcomes = 0  # result, dropped and error lines read
        self._fed = threading.Event()  # stdin closed: every line is written
        self._end_lock = threading.Lock()
        self._first = threading.Event()
        self._reader = threading.Thread(target=self._read, name=f"bench-read-{index}", daemon=True)
        self._feeder: threading.Thread | None = None
        self._reader.start()

    # Feeding ---------------------------------------------------------------------------
    def _write(self, line: bytes) -> bool:
        assert self.proc.stdin is not None
        self.written_at.append(time.perf_counter())
        try:
            self.proc.stdin.write(line)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            return False
        return True

    def prime(self, timeout: float = 60.0) -> None:
        """Write frame 0 and wait for its outcome: the worker is connected and warm."""
        self._write(self.clip.line(0))
        if not self._first.wait(timeout):
            raise RuntimeError(
                f"worker {self.index} did not answer its priming frame: "
                f"{self.stderr_text()[-2000:]}"
            )
        self.startup_cpu = self._cpu_now() or 0.0

    def _cpu_now(self) -> float | None:
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(self.proc.pid).cpu_times()
            return t.user + t.system
        return None

    def _maybe_ended(self) -> None:
        """Every written line has its outcome: read the CPU before the worker exits."""
        with self._end_lock:
            if (
                self.end_cpu is None
                and self._fed.is_set()
                and self._outcomes >= len(self.written_at)
            ):
                self.end_cpu = self._cpu_now()

    def feed(self, start: float) -> None:
        """Start feeding at `start` (perf_counter), in a thread of its own."""
        self._feeder = threading.Thread(
            target=self._feed, args=(start,), name=f"bench-feed-{self.index}", daemon=True
        )
        self._feeder.start()

    def _feed(self, start: float) -> None:
        sc = self.scenario
        try:
            if sc.mode == "paced":
                offsets = paced_offsets(self.clip.fps, sc.seconds, self.index, sc.streams)
                for k, offset in enumerate(offsets, start=1):
                    due = start + offset
                    delay = due - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    self.lag_ms.append(max(0.0, time.perf_counter() - due) * 1000)
                    if not self._write(self.clip.line(k)):
                        return
            else:
                end = start + sc.seconds
                delay = start - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                k = 1
                while time.perf_counter() < end and self._write(self.clip.line(k)):
                    k += 1
        finally:
            with contextlib.suppress(OSError, ValueError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            self._fed.set()
            self._maybe_ended()

    # Reading ---------------------------------------------------------------------------
    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            now = time.perf_counter()
            with contextlib.suppress(orjson.JSONDecodeError):
                rec = parse_event(line, now)
                self.records.append(rec)
                if rec.kind in ("result", "dropped", "error"):
                    self._outcomes += 1
                    self._maybe_ended()
            self._first.set()

    # End -------------------------------------------------------------------------------
    def finish(self, timeout: float = 120.0) -> StreamResult:
        if self._feeder is not None:
            self._feeder.join(timeout)
        else:
            with contextlib.suppress(OSError, ValueError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
        self._reader.join(timeout)
        cpu, rss_mb, code = reap(self.proc, timeout)
        stats = read_stats(self.stats_path)
        for rec in self.records:
            if 0 <= rec.seq < len(self.written_at):
                rec.written = self.written_at[rec.seq]
        return StreamResult(
            self.index,
            self.records,
            len(self.written_at),
            cpu,
            self.startup_cpu,
            rss_mb,
            code,
            computed_counts(stats),
            self.lag_ms,
            self.stderr_text(),
            cpu_split(stats),
            self.end_cpu,
        )

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()


def reap(proc: subprocess.Popen, timeout: float) -> tuple[float, float, int]:
    """Wait for the process; (CPU seconds user + system, peak RSS in MB, exit code)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def run_streams(
    scenario: Scenario, clip: Clip, url: str, timings: bool
) -> tuple[list[StreamResult], float, float]:
    """Start, prime, feed and reap `scenario.streams` workers; (results, start, end).

    `start` is when measured feeding began, `end` when the last event was read.
    """
    with tempfile.TemporaryDirectory(prefix="framegraph-bench-") as tmp:
        workers = [
            StreamProcess(i, scenario, clip, url, timings, Path(tmp))
            for i in range(scenario.streams)
        ]
        try:
            for w in workers:
                w.prime()
            start = time.perf_counter() + 0.05
            for w in workers:
                w.feed(start)
            results = [w.finish() for w in workers]
        except BaseException:
            for w in workers:
                w.kill()
            raise
    end = max((r.read for res in results for r in res.records), default=start)
    return results, start, end
