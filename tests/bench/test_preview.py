"""The benchmark's image.preview figures: pass-through for the clip, re-encoding for a camera."""

from __future__ import annotations

from orchestrator.bench.preview import measure, section


def test_the_clip_passes_through_and_a_camera_is_re_encoded(vtest_jpegs: list[bytes]) -> None:
    figures = measure(vtest_jpegs[:3], rounds=1)
    clip, camera = figures.cases
    assert figures.frames == 3
    assert clip.passthrough == 1.0 and clip.preview == clip.frame == "768x576"
    assert clip.bytes_per_frame == clip.input_bytes_per_frame
    assert camera.passthrough == 0.0
    assert (camera.frame, camera.preview) == ("1920x1080", "960x540")
    assert camera.bytes_per_frame < camera.input_bytes_per_frame
    for case in (clip, camera):
        assert case.cpu_ms_per_frame >= 0 and case.json_cpu_ms_per_frame >= 0
        assert case.json_bytes_per_frame >= 4 / 3 * case.bytes_per_frame


def test_the_section_renders_the_figures_and_nothing_for_older_runs(vtest_jpegs) -> None:
    lines = section(measure(vtest_jpegs[:1], rounds=1))
    assert lines[0].startswith("### image.preview")
    assert any("1920x1080 → 960x540" in line for line in lines)
    assert section(None) == []
