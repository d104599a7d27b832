from __future__ import annotations

from orchestrator.bench.workload import Clip, feature_sets, paced_offsets, scenarios

PUBLIC = ["faces", "faces.expression", "image.quality", "motion", "persons", "scene.cut"]


def test_clip_lines_are_stdin_lines_and_loop() -> None:
    clip = Clip.load("vtest")
    assert clip.fps == 10.0 and len(clip) == 40
    assert clip.line(0).endswith(b"\n") and b"\n" not in clip.line(0)[:-1]
    assert clip.line(40) == clip.line(0)


def test_matrix_then_one_naive_run_per_clip_without_one() -> None:
    sets = feature_sets(PUBLIC)
    chosen = [sets["persons"], sets["faces.expression"], sets["everything"]]
    runs = scenarios(chosen, (1, 4), ("paced", "unpaced"), 5.0, sets["everything"])
    assert len([r for r in runs if r.role == "matrix"]) == 3 * 2 * 2
    naive = [r for r in runs if r.role == "naive"]
    # megamind has its own "everything" run already; vtest needs one
    assert [(r.clip, r.streams, r.mode, r.features) for r in naive] == [
        ("vtest", 1, "unpaced", tuple(PUBLIC))
    ]


def test_paced_streams_are_staggered_within_one_period() -> None:
    a, b = paced_offsets(10.0, 1.0, 0, 2), paced_offsets(10.0, 1.0, 1, 2)
    assert len(a) == len(b) == 10
    assert a[0] == 0.0 and abs(b[0] - 0.05) < 1e-9
    assert abs(a[1] - a[0] - 0.1) < 1e-9
