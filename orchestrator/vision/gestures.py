"""Static hand gestures from 21 hand landmarks, in pure numpy.

Points follow MediaPipe's order: wrist; thumb CMC, MCP, IP, tip; then MCP, PIP, DIP, tip for
the index, middle, ring and pinky fingers. x, y are image pixels (y down); a third column z
(depth in the same units as x, as MediaPipe normalises it: the landmark net's raw z / 0.4) is
used when given, which makes curls towards or away from the camera visible.

Why geometry and not a learned classifier: five gestures are fully described by which fingers
are stretched, and the cues below need no training data and explain themselves:
- a finger is *extended* when its chain is straight: the bends at MCP (measured from the
  wrist-to-MCP line), PIP and DIP add up to little (about 30 degrees stretched, 200 or more in
  a fist). Angles ignore rotation, scale and which hand it is;
- the thumb is *extended* when it is straight (bends at MCP and IP) and points away from the
  palm: its tip is farther from the palm's centre than its IP joint is (a thumb folded over
  the palm comes back towards the centre);
- thumbs up also needs the thumb pointing up in the image (within about 45 degrees): the only
  cue that is not rotation-invariant, on purpose (a thumb down is not a thumbs up);
- victory also needs the index and middle fingers spread (a V, not two fingers together).
Each cue is a soft 0..1 value (a logistic of the measure), and a gesture's score is the weakest
of its cues (a fuzzy AND). Gestures ask opposite things of at least one finger, so at most one
scores above 0.5; below `min_score` the answer is "none", scored 1 - the best gesture's score.
"""

from __future__ import annotations

import numpy as np

GESTURES = ("open_palm", "fist", "pointing", "thumbs_up", "victory")
NONE = "none"

WRIST = 0
THUMB = (1, 2, 3, 4)  # CMC, MCP, IP, tip
FINGERS = ((5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))  # MCP..tip
PALM_CENTRE = (0, 5, 9, 13, 17)  # wrist and the four finger MCPs

# (midpoint, softness) of each logistic cue, in degrees or as a ratio of distances.
FINGER_BEND = (100.0, 15.0)  # summed bend at MCP, PIP, DIP: extended below the midpoint
THUMB_BEND = (80.0, 12.0)  # summed bend at thumb MCP and IP (a relaxed thumb bends ~40-55)
THUMB_AWAY = (1.08, 0.04)  # palm centre to thumb tip / to thumb IP: extended above
THUMB_UP = (45.0, 8.0)  # angle between thumb (MCP -> tip) and image up: up below
V_SPREAD = (10.0, 3.0)  # angle between index and middle fingers: a V above


def _soft_below(value: np.ndarray, cue: tuple[float, float]) -> np.ndarray:
    """~1 well below the midpoint, 0.5 at it, ~0 well above."""
    middle, softness = cue
    return 1.0 / (1.0 + np.exp(np.clip((value - middle) / softness, -50.0, 50.0)))


def _angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle in degrees between vectors along the last axis (0 for a zero vector)."""
    dot = (u * v).sum(-1)
    norms = np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1)
    cos = np.where(norms > 0, dot / np.where(norms > 0, norms, 1.0), 1.0)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _chain_bend(points: np.ndarray, chain: tuple[int, ...]) -> np.ndarray:
    """Summed turning angle along a polyline of landmark indices."""
    segments = points[..., chain[1:], :] - points[..., chain[:-1], :]
    return _angle(segments[..., :-1, :], segments[..., 1:, :]).sum(-1)


def finger_extension(points: np.ndarray) -> np.ndarray:
    """(..., 21, D) -> (..., 5) in 0..1: how extended the thumb, index, middle, ring and pinky
    fingers are."""
    p = np.asarray(points, np.float64)
    fingers = [_soft_below(_chain_bend(p, (WRIST, *f)), FINGER_BEND) for f in FINGERS]
    straight = _soft_below(_chain_bend(p, THUMB), THUMB_BEND)
    centre = p[..., PALM_CENTRE, :].mean(-2)
    ip = np.maximum(np.linalg.norm(p[..., THUMB[2], :] - centre, axis=-1), 1e-6)
    away = np.linalg.norm(p[..., THUMB[3], :] - centre, axis=-1) / ip
    thumb = np.minimum(straight, 1.0 - _soft_below(away, THUMB_AWAY))
    return np.stack([thumb, *fingers], axis=-1)


def gesture_scores(points: np.ndarray) -> np.ndarray:
    """(..., 21, D) landmarks -> (..., 5) scores in 0..1, in the order of `GESTURES`."""
    p = np.asarray(points, np.float64)
    if p.shape[-2:-1] != (21,) or p.shape[-1] not in (2, 3):
        raise ValueError(f"expected (..., 21, 2 or 3) landmarks, got {p.shape}")
    thumb, index, middle, ring, pinky = np.moveaxis(finger_extension(p), -1, 0)
    thumb_vector = p[..., THUMB[-1], :2] - p[..., THUMB[1], :2]
    up = _soft_below(_angle(thumb_vector, np.array([0.0, -1.0])), THUMB_UP)
    spread = _angle(
        p[..., FINGERS[0][-1], :] - p[..., FINGERS[0][0], :],
        p[..., FINGERS[1][-1], :] - p[..., FINGERS[1][0], :],
    )
    v_shape = 1.0 - _soft_below(spread, V_SPREAD)
    curled = np.minimum.reduce([1 - index, 1 - middle, 1 - ring, 1 - pinky])
    scores = np.stack(
        [
            np.minimum.reduce([thumb, index, middle, ring, pinky]),  # open_palm
            np.minimum(curled, 1 - thumb),  # fist
            np.minimum.reduce([index, 1 - middle, 1 - ring, 1 - pinky]),  # pointing
            np.minimum.reduce([curled, thumb, up]),  # thumbs_up
            np.minimum.reduce([index, middle, 1 - ring, 1 - pinky, v_shape]),  # victory
        ],
        axis=-1,
    )
    # No gesture for missing (NaN) landmarks or a hand collapsed to a point.
    valid = np.isfinite(p).all(axis=(-2, -1)) & (np.ptp(p, axis=-2).max(-1) > 0)
    return np.where(valid[..., None], np.nan_to_num(scores), 0.0)


def classify_many(points: np.ndarray, min_score: float = 0.5) -> list[tuple[str, float]]:
    """(N, 21, D) landmarks -> one (gesture, score) per hand; see `classify`."""
    scores = gesture_scores(points).reshape(-1, len(GESTURES))
    best = scores.argmax(-1)
    out = []
    for row, i in zip(scores, best, strict=True):
        score = float(row[i])
        out.append((GESTURES[i], score) if score >= min_score else (NONE, 1.0 - score))
    return out


def classify(points: np.ndarray, min_score: float = 0.5) -> tuple[str, float]:
    """(21, D) landmarks of one hand -> (gesture, score in 0..1); ("none", 1 - best score)
    when no gesture reaches `min_score`."""
    (result,) = classify_many(np.asarray(points)[None], min_score)
    return result
