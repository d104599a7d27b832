from itertools import pairwise

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.image import image_small
from orchestrator.features.scene import image_histogram, scene_cut


def hist(frame):
    return image_histogram(image_small(frame, FrameInfo(0, 0.0, frame.shape[1], frame.shape[0])))


def test_a_cut_between_clips_and_none_within(vtest_frames, megamind_frames) -> None:
    pairs = [*pairwise(vtest_frames[:10]), *pairwise(megamind_frames[:10])]
    within = [scene_cut((hist(a), hist(b))) for a, b in pairs]
    assert not any(c.cut for c in within)
    cut = scene_cut((hist(vtest_frames[-1]), hist(megamind_frames[0])))
    assert cut.cut and cut.score > max(c.score for c in within)
    assert not scene_cut((hist(vtest_frames[0]),)).cut
