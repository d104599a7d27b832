"""`framegraph bench`: the benchmark and its baselines, in one run, written to JSON/PNG/Markdown."""

from __future__ import annotations

import contextlib
import shlex
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from orchestrator.bench.report import Report

SETS = ("cpu", "persons", "faces.expression", "everything")
BENCH_EXTRA = ("psutil", "matplotlib")  # imported by the benchmark's modules themselves


def _ints(value: str) -> tuple[int, ...]:
    try:
        out = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"expected comma-separated integers, got {value!r}") from None
    if not out or min(out) < 1:
        raise click.BadParameter("stream counts must be >= 1")
    return out


def _names(value: str, valid: tuple[str, ...], what: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [n for n in names if n not in valid]
    if bad or not names:
        raise click.BadParameter(f"unknown {what} {bad}; valid: {', '.join(valid)}")
    return names


@click.command("bench")
@click.option(
    "--quick",
    is_flag=True,
    help="CI smoke run, under a minute: persons on 1 and 2 streams, short baselines.",
)
@click.option("--sets", "sets", metavar="A,B", help=f"Feature sets (default: {','.join(SETS)}).")
@click.option("--streams", metavar="1,2,4,8", help="Stream counts (default 1,2,4,8).")
@click.option("--modes", metavar="paced,unpaced", help="Feeding modes (default both).")
@click.option(
    "--seconds",
    type=click.FloatRange(0.5, 600),
    help="Feeding time per scenario (default 8; quick 3).",
)
@click.option("--no-naive", is_flag=True, help="Skip the naive (every feature) runs.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for benchmark.json and benchmark.png (default out/bench[-quick]).",
)
@click.option(
    "--doc",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rewrite the generated tables of this Markdown file (docs/benchmarks.md to publish).",
)
@click.option(
    "--from-json",
    "from_json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Measure nothing: publish an earlier run's benchmark.json "
    "again (after a change to the report).",
)
def bench_command(
    quick: bool,
    sets: str | None,
    streams: str | None,
    modes: str | None,
    seconds: float | None,
    no_naive: bool,
    out: Path | None,
    doc: Path | None,
    from_json: Path | None,
) -> None:
    """Measure latency, throughput, batching, overhead, CPU and memory, with baselines.

    Starts the embedded Triton once, runs S `framegraph run` workers per scenario (paced at
    the clip's rate, or unpaced and lossless) for each feature set, then the naive, direct
    and ceiling baselines on the same frames, and reports the issue's targets. To publish:

        framegraph bench --out docs/bench --doc docs/benchmarks.md
    """
    with _benchmark_installed():
        from orchestrator.bench.config import BenchConfig
        from orchestrator.bench.publish import publish
        from orchestrator.bench.report import complete, read_run
        from orchestrator.bench.runner import run_bench

    if from_json is not None:
        earlier, earlier_command = read_run(from_json)
        result = complete(earlier, earlier_command or "framegraph bench")
        _published(result, publish(result, out or from_json.parent, doc))
        return
    config = BenchConfig.quick_config() if quick else BenchConfig()
    if sets:
        config = replace(config, sets=_names(sets, SETS, "feature set"))
    if streams:
        config = replace(config, streams=_ints(streams))
    if modes:
        config = replace(config, modes=_names(modes, ("paced", "unpaced"), "mode"))  # type: ignore[arg-type]
    if seconds:
        config = replace(config, seconds=seconds)
    if no_naive:
        config = replace(config, naive=False)
    out = out or Path("out") / ("bench-quick" if quick else "bench")
    command = (
        shlex.join(["framegraph", *sys.argv[1:]])
        if sys.argv[1:2] == ["bench"]
        else ("framegraph bench" + (" --quick" if quick else ""))
    )
    result = complete(run_bench(config), command)
    _published(result, publish(result, out, doc))


@contextlib.contextmanager
def _benchmark_installed() -> Iterator[None]:
    """Turn a missing benchmark into a clear error: the worker image leaves the package out,
    and an install without the `bench` extra lacks what it measures and plots with."""
    try:
        yield
    except ModuleNotFoundError as exc:
        name = exc.name or ""
        if name == "orchestrator.bench" or name.startswith("orchestrator.bench."):
            raise click.ClickException(
                "the benchmark is not part of this installation (the worker image leaves "
                "orchestrator/bench out): run `framegraph bench` from a source checkout, "
                "installed with `pip install -e '.[embedded,bench]'`"
            ) from None
        if name.split(".")[0] in BENCH_EXTRA:
            raise click.ClickException(
                f"`framegraph bench` needs {name}, from the `bench` extra: "
                "`pip install -e '.[embedded,bench]'`"
            ) from None
        raise


def _published(report: Report, paths: dict[str, Path]) -> None:
    for t in report.targets:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[t.met]
        click.echo(f"{t.name}: {verdict}  ({t.target})", err=True)
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}", err=True)
    click.echo(f"done in {report.run.duration_s:.0f} s", err=True)
