"""`framegraph bench --quick` end to end: the CI smoke run, and the JSON it writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.triton.backend.install import Bundle, BundleNotFound

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.triton, pytest.mark.slow]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    try:
        Bundle.locate()
    except BundleNotFound as exc:
        pytest.skip(str(exc))
    out = tmp_path_factory.mktemp("bench")
    doc = out / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nProse kept.\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestrator",
            "bench",
            "--quick",
            "--out",
            str(out),
            "--doc",
            str(doc),
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    return json.loads((out / "benchmark.json").read_text()), out


def test_every_scenario_ran_exactly_once_and_lost_nothing(quick) -> None:
    result, _ = quick
    runs = result["scenarios"]
    assert {(r["streams"], r["mode"]) for r in runs if r["role"] == "matrix"} == {
        (1, "paced"),
        (2, "paced"),
        (1, "unpaced"),
        (2, "unpaced"),
    }
    assert any(r["role"] == "naive" for r in runs)
    for run in runs:
        assert run["exactly_once"]["ok"], run["exactly_once"]["problems"]
        assert run["frames"]["missing"] == 0
        assert run["frames"]["results"] > 0
        assert run["worker_exit_codes"] == [0]


def test_figures_are_present_and_sane(quick) -> None:
    result, _ = quick
    for run in result["scenarios"]:
        lat = run["e2e_ms"]
        assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
        assert 0 < run["latency_ms"]["p50"] <= lat["max"] + 1
        assert run["throughput"]["total_fps"] > 0
        assert run["cpu"]["workers_s"] > 0 and run["cpu"]["server_s"] > 0
        assert run["rss_mb"]["worker_peak_max"] > 10 and run["rss_mb"]["server_peak"] > 10
        net = run["triton"]["ssdlite_person"]
        assert net["inferences"] >= net["executions"] > 0
        if result["timings_available"]:
            assert run["timing_ms"]["overhead"]["n"] == lat["n"]
    paced = next(r for r in result["scenarios"] if r["mode"] == "paced" and r["streams"] == 1)
    assert paced["throughput"]["offered_fps"] == 10.0
    assert paced["feeder_lag_ms"]["p50"] < 50


def test_baselines_comparisons_and_targets(quick) -> None:
    result, _ = quick
    direct = result["baselines"]["direct"]["persons"]
    assert direct["fps"] > 0 and direct["latency_ms"]["p50"] > 0
    ceiling = result["baselines"]["ceiling"]["ssdlite_person"]
    assert ceiling["best_fps"] >= ceiling["batch1_fps"] > 0
    saved = result["comparisons"]["work_saved"][0]
    assert saved["net_inferences_per_frame"] == 1.0
    assert saved["net_inferences_per_frame_naive"] > 1.0
    names = [t["name"] for t in result["targets"]]
    assert names == [
        "orchestration overhead",
        "orchestration CPU",
        "no redundant computation",
        "cross-stream batching",
        "persons against direct",
        "real time, one stream",
    ]
    assert result["targets"][2]["met"] is True
    steps = result["comparisons"]["server_steps"][0]
    assert [s["model"] for s in steps["steps"]] == ["ssdlite_person", "persons_post"]
    assert steps["steps"][0]["bare_net_ms_per_image"] > 0


def test_the_worker_cpu_split_takes_the_priming_frame_out(quick) -> None:
    result, _ = quick
    for run in result["scenarios"]:
        split = run["cpu"]["worker_split"]
        assert split["priming_decode_ms"] > 0 and split["decode_ms"] > 0
        rest = split["worker_ms"] - split["decode_ms"] - split["features_ms"]
        assert abs(split["orchestration_ms"] - rest) < 0.01
        assert run["cpu"]["workers_exit_s"] > 0  # exit is left out of the per-frame figures
    assert result["machine"]["cpu_cores"] >= 1 and result["machine"]["python"]


def test_plot_and_doc_are_written(quick) -> None:
    _, out = quick
    assert (out / "benchmark.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = (out / "benchmarks.md").read_text()
    assert "Prose kept." in doc and "old" not in doc
    assert "### Targets" in doc and "(benchmark.png)" in doc
