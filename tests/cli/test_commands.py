"""The command line as users run it: real subprocesses, real pipes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEGRAPH = [sys.executable, "-m", "orchestrator"]


def framegraph(*args: str, stdin: bytes | None = None, timeout: float = 120):
    return subprocess.run(
        [*FRAMEGRAPH, *args], input=stdin, capture_output=True, timeout=timeout, cwd=ROOT
    )


def test_features_lists_the_catalog() -> None:
    out = framegraph("features", "--json")
    assert out.returncode == 0
    names = {f["name"] for f in json.loads(out.stdout)}
    assert {"image.quality", "motion", "scene.cut"} <= names
    assert not any(n.startswith(("input.", "image.gray")) for n in names)


def test_plan_explains_and_unknown_feature_exits_2() -> None:
    out = framegraph("plan", "--features", "motion,scene.cut")
    assert out.returncode == 0 and b"image.small" in out.stdout and b"skipped" in out.stdout
    data = json.loads(framegraph("plan", "-f", "motion", "--json").stdout)
    assert data["order"] == ["image.small", "image.thumb", "motion"]
    bad = framegraph("plan", "--features", "motion,nope")
    assert bad.returncode == 2
    assert b"nope" in bad.stderr and b"image.quality" in bad.stderr


def test_encode_then_run_gives_one_outcome_per_line(tmp_path: Path) -> None:
    encoded = framegraph("encode", "samples/vtest", "--max-frames", "20")
    assert encoded.returncode == 0
    lines = encoded.stdout.splitlines()
    assert len(lines) == 20
    lines[7:7] = [b"this is not base64!", b""]
    stats = tmp_path / "stats.json"
    out = framegraph(
        "run",
        "--features",
        "image.quality,motion",
        "--lossless",
        "--stats",
        str(stats),
        stdin=b"\n".join(lines) + b"\n",
    )
    assert out.returncode == 0, out.stderr.decode()
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert [e["frame"] for e in events] == list(range(22))
    assert [e["type"] for e in events].count("result") == 20
    assert events[7]["error"]["code"] == "not_base64" and events[8]["error"]["code"] == "empty"
    for e in events:
        if e["type"] == "result":
            assert set(e["features"]) == {"image.quality", "motion"}
    s = json.loads(stats.read_text())
    assert s["frames"] == {
        "received": 22,
        "decoded": 20,
        "completed": 20,
        "failed": {"not_base64": 1, "empty": 1},
        "dropped": {},
    }
    motion = s["features"]["motion"]
    assert (motion["computed"], motion["delivered"], motion["errors"]) == (20, 20, 0)
    assert 0 < motion["mean_ms"] < 100
    assert s["features"]["image.thumb"]["delivered"] == 0  # a prerequisite, not delivered
    assert "scene.cut" not in s["features"]  # nobody asked: never computed
    assert s["decoder"]["reduced"] == {"1": 20}  # image.quality's sharpness needs every pixel


def test_run_stats_count_the_frames_decoded_at_each_reduction(tmp_path: Path) -> None:
    frames = framegraph("encode", "samples/vtest", "--max-frames", "6").stdout
    stats = tmp_path / "stats.json"
    out = framegraph(
        "run", "-f", "scene.cut,motion", "--lossless", "--stats", str(stats), stdin=frames
    )
    assert out.returncode == 0, out.stderr.decode()
    assert json.loads(stats.read_text())["decoder"]["reduced"] == {"4": 6}  # 192 wide >= 160


def test_encode_video_file_paces_and_limits() -> None:
    video = ROOT.parent / "shared" / "media" / "vtest.avi"
    source = str(video) if video.exists() else "samples/vtest"
    out = framegraph("encode", source, "--max-frames", "3", "--fps", "30", "--quality", "50")
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 3


def test_unknown_run_feature_exits_2() -> None:
    out = framegraph("run", "--features", "nope", stdin=b"")
    assert out.returncode == 2 and b"valid:" in out.stderr


def test_run_with_dali_gives_the_same_features_as_opencv() -> None:
    """DALI in CPU mode decodes bit-identical frames, so every CPU feature must agree."""
    pytest.importorskip("nvidia.dali")
    frames = framegraph("encode", "samples/megamind", "--max-frames", "12").stdout
    outputs = {}
    for decoder in ("opencv", "dali"):
        out = framegraph(
            "run",
            "-f",
            "image.quality,motion,scene.cut",
            "--lossless",
            "--decoder",
            decoder,
            stdin=frames,
        )
        assert out.returncode == 0, out.stderr.decode()
        outputs[decoder] = [json.loads(line)["features"] for line in out.stdout.splitlines()]
    assert len(outputs["dali"]) == 12 and outputs["dali"] == outputs["opencv"]


def test_run_takes_data_urls_and_refuses_lines_over_the_limit() -> None:
    encoded = framegraph("encode", "samples/vtest", "--max-frames", "2").stdout.splitlines()
    small = encoded[0]
    lines = [b"data:image/jpeg;base64," + small, small + b"A" * len(small), small]
    limit = str(len(small) + 100)  # the first and last fit, the middle one does not
    out = framegraph(
        "run", "-f", "image.quality", "--lossless", "--max-line-bytes", limit,
        stdin=b"\n".join(lines) + b"\n",
    )
    assert out.returncode == 0, out.stderr.decode()
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert [e["type"] for e in events] == ["result", "error", "result"]
    assert events[1]["error"]["code"] == "too_large"
    assert f"exceeds {limit} bytes" in events[1]["error"]["message"]
    assert events[0]["features"] == events[2]["features"]


def test_parameters_and_rates_on_the_command_line(tmp_path: Path) -> None:
    bad = framegraph("run", "-f", "persons(min_score=0.05)", stdin=b"")
    assert bad.returncode == 2
    assert b"persons: parameter min_score must be a float from 0.1 to 1" in bad.stderr
    assert framegraph("plan", "-f", "motion", "--every", "0").returncode == 2
    plan = json.loads(
        framegraph("plan", "-f", "persons(min_score=0.3),motion(every=3)", "--json").stdout
    )
    assert plan["params"] == {"persons(min_score=0.3)": {"min_score": 0.3}}
    assert plan["runs"]["image.thumb"] == "every 3 frames"
    listed = {f["name"]: f for f in json.loads(framegraph("features", "--json").stdout)}
    assert listed["persons"]["params"][0]["name"] == "min_score"
    assert (
        listed["activity"]["tiling"] and listed["activity"]["window"] == "blocks of 50 (frames=50)"
    )


@pytest.mark.triton
def test_run_at_a_reduced_rate_with_blocks_and_their_end(tmp_path: Path) -> None:
    """`activity` needs the person and face detectors: the embedded Triton starts by itself."""
    frames = framegraph("encode", "samples/vtest", "--max-frames", "7").stdout
    stats = tmp_path / "stats.json"
    out = framegraph(
        "run",
        "-f",
        "image.quality,activity(frames=3)",
        "--every",
        "2",
        "--lossless",
        "--stats",
        str(stats),
        stdin=frames,
    )
    assert out.returncode == 0, out.stderr.decode()
    events = [json.loads(line) for line in out.stdout.splitlines()]
    # one line per input line; then the partial last block (frame 6 of block 6-8)
    assert [e["type"] for e in events] == ["result"] * 7 + ["end"]
    assert [sorted(e["features"]) for e in events[:7]] == [
        ["image.quality"],
        [],
        ["activity(frames=3)", "image.quality"],
        [],
        ["image.quality"],
        ["activity(frames=3)"],
        ["image.quality"],
    ]
    block = events[2]["features"]["activity(frames=3)"]["block"]
    assert (block["first"], block["last"], block["analysed"]) == (0, 2, 3)
    (last,) = events[-1]["blocks"]["activity(frames=3)"]
    assert last["block"] == {
        "first": 6,
        "last": 6,
        "frames": 1,
        "analysed": 1,
        "gaps": 0,
        "ended": True,
    }
    s = json.loads(stats.read_text())
    assert s["features"]["image.quality"]["computed"] == 4
    assert s["features"]["persons"]["computed"] == 7  # a block needs every frame
    assert s["cost"]["totals"]["nodes"]["worker_s"] > 0


def test_plan_shows_costs_measured_by_a_run(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from orchestrator.cli.plan import plan_command

    stats = tmp_path / "stats.json"
    cost = {"worker_s": 0.004, "triton_s": 0.0}
    stats.write_text(json.dumps({"features": {"motion": {"computed": 4, "cost": cost}}}))
    out = CliRunner().invoke(plan_command, ["-f", "motion", "--costs", str(stats)])
    assert out.exit_code == 0
    assert "motion (requested) <- image.thumb [every frame; 1 ms worker + 0 ms Triton" in out.output
    assert "image.small (prerequisite) [every frame; cost not measured]" in out.output
    data = json.loads(
        CliRunner().invoke(plan_command, ["-f", "motion", "--costs", str(stats), "--json"]).output
    )
    assert data["cost"] == {"motion": {"worker_ms": 1.0, "triton_ms": 0.0, "runs": 4}}
