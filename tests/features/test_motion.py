from orchestrator.engine.frame import FrameInfo
from orchestrator.features.image import image_small, image_thumb
from orchestrator.features.motion import motion


def thumbs(frames):
    return [image_thumb(image_small(f, FrameInfo(0, 0.0, f.shape[1], f.shape[0]))) for f in frames]


def test_still_frames_have_no_motion_and_walkers_some(vtest_frames) -> None:
    t = thumbs(vtest_frames[:6])
    assert motion((t[0], t[0])).fraction == 0
    walking = motion((t[0], t[5]))
    assert 0.001 < walking.fraction < 0.2 and walking.energy > 0
    assert motion((t[0],)).fraction == 0  # first frame of the window: nothing to compare


def test_more_time_apart_means_more_motion(vtest_frames) -> None:
    t = thumbs(vtest_frames[:10])
    assert motion((t[0], t[9])).fraction > motion((t[0], t[1])).fraction
