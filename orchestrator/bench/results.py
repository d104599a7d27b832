"""What a run measured, typed: the machine, each scenario, the baselines.

These are the shapes of benchmark.json (field order is key order; see `codec`): the runner
fills them, `compare`, `targets`, `markdown` and `plot` read them. The derived parts of the
file (comparisons and target verdicts) are typed beside the code that derives them.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.bench.codec import omitted_if_none
from orchestrator.bench.config import BenchConfig
from orchestrator.bench.preview import PreviewFigures
from orchestrator.bench.workload import Mode


@dataclass(frozen=True)
class Percentiles:
    n: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True)
class Frames:
    fed: int
    results: int
    dropped: int
    errors: int
    missing: int  # lines without an outcome: must be 0
    drop_rate: float


@dataclass(frozen=True)
class Timing:
    """Per-frame times the worker reported with `--timings` (see `summary`)."""

    queue: Percentiles | None
    decode: Percentiles | None
    triton: Percentiles | None
    worker: Percentiles | None
    overhead: Percentiles | None
    overhead_with_queue_decode: Percentiles | None


@dataclass(frozen=True)
class Throughput:
    total_fps: float
    per_stream_fps: float
    slowest_stream_fps: float
    offered_fps: float | None  # paced runs only
    window_s: float


@dataclass(frozen=True)
class ModelStats:
    """One Triton model's work during a scenario (see `tritonstats`)."""

    inferences: int
    executions: int
    mean_batch: float | None
    batch_sizes: dict[str, int]
    requests: int
    failed: int
    request_ms: float | None
    queue_ms: float | None
    execution_ms: float | None


@dataclass(frozen=True, kw_only=True)
class ModelCheck:
    """A model's inferences against the plan's; the details only for models the plan uses."""

    expected_inferences: int | None  # None: not knowable from the events
    inferences: int
    executions: int | None = omitted_if_none()
    rule: str | None = omitted_if_none()
    expected_requests: int | None = omitted_if_none()  # the ensemble itself only
    ok: bool


@dataclass(frozen=True)
class FeatureCheck:
    ok: bool
    frames: int
    computed: dict[str, int]


@dataclass(frozen=True)
class Exactness:
    """The exactly-once check of one scenario (see `exactness`)."""

    ok: bool
    models: dict[str, ModelCheck]
    features: FeatureCheck
    problems: list[str]


@dataclass(frozen=True)
class WorkerCpu:
    """Where a worker's CPU per frame goes, over the frames after priming (see `summary`).

    `orchestration` is what is left when decode and feature code are taken out: reading
    stdin, planning, scheduling, hand-overs between threads, serialising, writing stdout.
    """

    frames: int  # frames answered after the priming frame, all workers
    worker_ms: float
    decode_ms: float
    features_ms: float
    orchestration_ms: float
    # the priming frame's decode and feature CPU (a one-frame probe worker) taken out of
    # each worker's --stats totals, which count it; None: nothing was taken out
    priming_decode_ms: float | None
    priming_features_ms: float | None


@dataclass(frozen=True)
class Cpu:
    workers_s: float
    workers_startup_s: float
    server_s: float
    bench_s: float
    other_processes_s: float
    wall_s: float
    worker_ms_per_frame: float
    server_ms_per_frame: float
    total_ms_per_frame: float
    # after the last answer: closing, --stats, teardown (not in the per-frame figures)
    workers_exit_s: float | None = omitted_if_none()
    worker_split: WorkerCpu | None = omitted_if_none()  # noqa: RUF009 (a field(), not a value)


@dataclass(frozen=True)
class Rss:
    worker_peak_max: float
    worker_peak_mean: float
    server_peak: float


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's figures (definitions: `summary`)."""

    key: str
    role: str  # "matrix" or "naive"
    set: str
    features: tuple[str, ...]
    clip: str
    clip_fps: float
    streams: int
    mode: Mode
    feed_seconds: float
    wall_seconds: float
    frames: Frames
    latency_ms: Percentiles | None
    e2e_ms: Percentiles | None
    timing_ms: Timing | None
    throughput: Throughput
    triton: dict[str, ModelStats]
    triton_server_ms_per_frame: float | None
    cpu: Cpu
    rss_mb: Rss
    feeder_lag_ms: Percentiles | None
    exactly_once: Exactness
    worker_exit_codes: list[int]

    @property
    def overhead(self) -> Percentiles | None:
        return self.timing_ms.overhead if self.timing_ms else None

    @property
    def kept_up(self) -> bool:
        """Paced and nothing dropped: its times are the pipeline's, not a saturated CPU's."""
        return self.mode == "paced" and self.frames.dropped == 0


@dataclass(frozen=True)
class DirectResult:
    """The direct baseline for one feature set (see `direct`)."""

    features: list[str]
    clip: str
    frames: int
    seconds: float
    fps: float
    latency_ms: Percentiles | None
    models: list[str]
    node_ms: dict[str, float]  # per node, mean ms per frame
    worker_compute_ms: float  # the nodes without a model: what the worker computes
    cpu_s: float
    cpu_ms_per_frame: float
    peak_rss_mb: float


@dataclass(frozen=True)
class CeilingResult:
    """One bare net at its best (see `ceiling`)."""

    fps: dict[str, dict[str, float]]  # session options -> batch size -> images/s
    best_fps: float
    best_batch: int
    best_options: str
    cpu_ms_per_image_at_best: float
    batch1_fps: float | None


@dataclass(frozen=True)
class Baselines:
    direct: dict[str, DirectResult]  # by feature set
    ceiling: dict[str, CeilingResult]  # by net


@dataclass(frozen=True)
class MachineFacts:
    date: str
    cpu_model: str
    cpu_cores: int | None
    cpu_cores_usable: int | None
    ram_gib: float
    os: str
    python: str
    packages: dict[str, str | None]
    git_commit: str | None
    git_dirty: bool | None
    load_average_at_start: list[float]
    triton_version: str | None = None
    triton_startup_s: float | None = None


@dataclass(frozen=True)
class BenchRun:
    """Everything one `framegraph bench` measured: the part of benchmark.json it writes
    before the comparisons and verdicts are derived (see `report`)."""

    benchmark: str
    schema: int
    quick: bool
    machine: MachineFacts
    config: BenchConfig
    timings_available: bool
    scenarios: list[ScenarioResult]
    baselines: Baselines
    duration_s: float
    preview: PreviewFigures | None = omitted_if_none()  # noqa: RUF009 (a field(), not a value)
