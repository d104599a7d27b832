"""Gestures on synthetic hands: a jointed hand model posed, rotated, scaled, mirrored, projected.

The hand is built in its own frame (wrist at the origin, palm length about 1, fingers towards -y,
palm facing the camera, -z towards the camera as in MediaPipe). Each finger is a chain of three
bones from its MCP; flexing a joint turns the rest of the chain towards the palm side. The
thumb is a chain from its CMC that folds across the palm. Proportions are those of an adult
hand, roughly; they are not fitted to the classifier's thresholds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from orchestrator.vision.gestures import (
    GESTURES,
    NONE,
    classify,
    classify_many,
    finger_extension,
    gesture_scores,
)

MCP = {  # x, y of each finger's MCP; the thumb is on the -x side
    "index": (-0.30, -1.00),
    "middle": (-0.05, -1.05),
    "ring": (0.20, -1.00),
    "pinky": (0.42, -0.88),
}
BONES = {  # proximal, middle, distal phalanx
    "index": (0.45, 0.27, 0.20),
    "middle": (0.50, 0.30, 0.21),
    "ring": (0.46, 0.28, 0.20),
    "pinky": (0.36, 0.21, 0.18),
}
THUMB_CMC, THUMB_BONES = np.array([-0.22, -0.18, 0.0]), (0.40, 0.32, 0.27)
TOWARD_PALM = np.array([0.0, 0.0, -1.0])

STRAIGHT = (8.0, 6.0, 4.0)  # MCP, PIP, DIP flexion in degrees: a relaxed stretched finger
CURLED = (85.0, 100.0, 60.0)  # a finger in a fist
OPEN_THUMB = (40.0, 10.0, 8.0)  # abduction from the hand's axis, MCP and IP flexion
TUCKED_THUMB = (25.0, 55.0, 60.0)
UP_THUMB = (5.0, 5.0, 5.0)


def _turn(d: np.ndarray, toward: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate unit vector d by `degrees` in the plane of d and `toward`, towards it."""
    perp = toward - (toward @ d) * d
    perp /= np.linalg.norm(perp)
    a = math.radians(degrees)
    return d * math.cos(a) + perp * math.sin(a)


def _chain(base: np.ndarray, d: np.ndarray, bones, flexion, toward: np.ndarray) -> list:
    points, total, p = [], 0.0, base
    for length, angle in zip(bones, flexion, strict=True):
        total += angle
        p = p + length * _turn(d, toward, total)
        points.append(p)
    return points


def hand(
    index=STRAIGHT, middle=STRAIGHT, ring=STRAIGHT, pinky=STRAIGHT, thumb=OPEN_THUMB,
    spread: float = 0.0,
) -> np.ndarray:  # fmt: skip
    """(21, 3) landmarks in the hand's frame; `spread` opens index and middle into a V."""
    points = [np.zeros(3), THUMB_CMC]
    abduction = math.radians(thumb[0])
    d = np.array([-math.sin(abduction), -math.cos(abduction), 0.0])
    across = np.array([1.0, 0.2, -0.6]) / np.linalg.norm([1.0, 0.2, -0.6])
    points += _chain(THUMB_CMC, d, THUMB_BONES, (0.0, *thumb[1:]), across)
    for name, flexion, splay in (
        ("index", index, -spread / 2), ("middle", middle, spread / 2),
        ("ring", ring, 0.0), ("pinky", pinky, 0.0),
    ):  # fmt: skip
        mcp = np.array([*MCP[name], 0.0])
        d = _turn(mcp / np.linalg.norm(mcp), np.array([1.0, 0.0, 0.0]), splay)
        points += [mcp, *_chain(mcp, d, BONES[name], flexion, TOWARD_PALM)]
    return np.array(points)


def view(
    points: np.ndarray, roll: float = 0.0, scale: float = 100.0, yaw: float = 0.0,
    mirror: bool = False, shift=(320.0, 240.0), depth: bool = True,
) -> np.ndarray:  # fmt: skip
    """The hand as a camera sees it: turned about the vertical axis (yaw), mirrored (the other
    hand), rolled in the image plane (degrees, clockwise on screen), scaled to pixels, moved."""
    p = points.copy()
    if mirror:
        p[:, 0] = -p[:, 0]
    c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    p = p @ np.array([[c, 0, -s], [0, 1, 0], [s, 0, c]]).T
    c, s = math.cos(math.radians(roll)), math.sin(math.radians(roll))
    p = p @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]).T
    p = p * scale + [*shift, 0.0]
    return p if depth else p[:, :2]


POSES = {
    "open_palm": hand(),
    "fist": hand(CURLED, CURLED, CURLED, CURLED, TUCKED_THUMB),
    "pointing": hand(STRAIGHT, CURLED, CURLED, CURLED, TUCKED_THUMB),
    "thumbs_up": hand(CURLED, CURLED, CURLED, CURLED, UP_THUMB),
    "victory": hand(STRAIGHT, STRAIGHT, CURLED, CURLED, TUCKED_THUMB, spread=25.0),
}
VIEWS = [  # roll, scale, yaw, mirror
    (0.0, 100.0, 0.0, False),
    (37.0, 40.0, 0.0, False),
    (-120.0, 250.0, 25.0, True),
    (180.0, 15.0, -30.0, False),
    (75.0, 80.0, 50.0, True),
]


@pytest.mark.parametrize("depth", [True, False], ids=["xyz", "xy"])
@pytest.mark.parametrize("view_args", VIEWS)
@pytest.mark.parametrize("gesture", [g for g in GESTURES if g != "thumbs_up"])
def test_gestures_whatever_the_rotation_scale_and_hand(gesture, view_args, depth) -> None:
    roll, scale, yaw, mirror = view_args
    name, score = classify(view(POSES[gesture], roll, scale, yaw, mirror, depth=depth))
    assert (name, score > 0.8) == (gesture, True), (name, score)


@pytest.mark.parametrize("depth", [True, False], ids=["xyz", "xy"])
@pytest.mark.parametrize("roll, yaw", [(0, 0), (20, 0), (-25, 40), (10, 90), (-5, -90)])
def test_thumbs_up_when_the_thumb_points_up(roll, yaw, depth) -> None:
    """Up in the image, whether the fist faces the camera or is seen from the side (yaw 90)."""
    for mirror in (False, True):
        points = view(POSES["thumbs_up"], roll, 60.0, yaw, mirror, depth=depth)
        name, score = classify(points)
        assert name == "thumbs_up" and score > 0.8, (name, score)


@pytest.mark.parametrize("roll", [90, -90, 180])
def test_a_thumb_sideways_or_down_is_no_thumbs_up(roll) -> None:
    name, _ = classify(view(POSES["thumbs_up"], roll, yaw=90))
    assert name == NONE


def test_fingers_together_are_no_victory() -> None:
    together = hand(STRAIGHT, STRAIGHT, CURLED, CURLED, TUCKED_THUMB, spread=-14.0)
    assert classify(view(together))[0] == NONE


@pytest.mark.parametrize(
    "points",
    [
        hand(STRAIGHT, STRAIGHT, STRAIGHT, CURLED, TUCKED_THUMB),  # three fingers
        hand(STRAIGHT, CURLED, CURLED, STRAIGHT, OPEN_THUMB),  # the "horns"
        hand(CURLED, CURLED, CURLED, STRAIGHT, TUCKED_THUMB),  # the little finger alone
    ],
    ids=["three", "horns", "pinky"],
)
def test_other_hand_shapes_are_none(points) -> None:
    name, score = classify(view(points, roll=30.0))
    assert name == NONE and 0.5 < score <= 1.0, (name, score)


def test_a_half_curled_hand_gets_a_doubtful_score_at_most() -> None:
    """Fingers bent halfway (a claw) are neither stretched nor curled: whatever the answer,
    its score says it is unsure."""
    claw = view(hand(*[(0.0, 60.0, 45.0)] * 4, thumb=OPEN_THUMB), roll=30.0)
    assert gesture_scores(claw).max() < 0.7


def test_pointing_whatever_the_thumb_does() -> None:
    index_and_thumb = hand(STRAIGHT, CURLED, CURLED, CURLED, OPEN_THUMB)  # an "L", a "gun"
    assert classify(view(index_and_thumb, roll=-40.0))[0] == "pointing"


def test_extension_tracks_each_finger() -> None:
    ext = finger_extension(view(POSES["pointing"]))
    assert ext[1] > 0.95 and (ext[[0, 2, 3, 4]] < 0.05).all()
    assert (finger_extension(view(POSES["open_palm"])) > 0.9).all()


def test_at_most_one_gesture_above_one_half() -> None:
    """The gestures ask opposite things of some finger, so random hands never score two."""
    rng = np.random.default_rng(7)
    flex = rng.uniform(0, 110, (400, 5, 3))
    hands = np.stack([
        view(hand(*f[1:], thumb=(rng.uniform(0, 60), *f[0, 1:])), rng.uniform(-180, 180))
        for f in flex
    ])  # fmt: skip
    scores = gesture_scores(hands)
    assert scores.shape == (400, len(GESTURES))
    assert ((scores >= 0) & (scores <= 1)).all() and ((scores > 0.5).sum(axis=1) <= 1).all()
    found = {name for name, _ in classify_many(hands)}
    assert NONE in found and len(found) >= 3  # the random set is varied, not degenerate


def test_vectorised_equals_one_by_one() -> None:
    hands = np.stack([view(POSES[g], roll=10.0 * i) for i, g in enumerate(GESTURES)])
    assert classify_many(hands) == [classify(h) for h in hands]
    assert [name for name, _ in classify_many(hands)] == list(GESTURES)
    assert gesture_scores(hands[None]).shape == (1, 5, 5)  # any leading dims


def test_degenerate_input() -> None:
    assert classify(np.zeros((21, 2))) == (NONE, 1.0)
    assert classify(np.full((21, 3), np.nan)) == (NONE, 1.0)
    with pytest.raises(ValueError, match="21"):
        gesture_scores(np.zeros((20, 2)))
