"""Activity per block of frames: one summary every N frames, for reports and dashboards.

A tiling feature (`Window.every`): blocks are aligned to the stream's frame numbers (block b
is frames b*N .. b*N+N-1) and each block's summary is delivered with its last frame. While
it is subscribed, people, faces, motion and scene cuts run on every frame of a block.
`block` says exactly what was summarised: the frame range, how many frames had every
prerequisite (`analysed`; the others are `gaps`: bad lines, dropped frames, failures, or
frames before the subscription began) and whether the stream ended inside the block
(`ended`: the partial last block, delivered with the `end` event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from orchestrator.engine.windows import BlockInfo
from orchestrator.features.catalog import feature
from orchestrator.graph import Param, Window
from orchestrator.vision.detections import Detections

BLOCK_FRAMES = 50  # 5 seconds of a 10 fps camera


# What this module reads of `motion` and `scene.cut` (their modules are not imported here,
# so that the catalog's declaration order stays the modules' own).
class _Motion(Protocol):
    energy: float


class _Cut(Protocol):
    cut: bool


def _stats(values: np.ndarray, digits: int) -> dict[str, float | None]:
    if not len(values):
        return {"min": None, "mean": None, "max": None}
    return {
        "min": round(float(values.min()), digits),
        "mean": round(float(values.mean()), digits),
        "max": round(float(values.max()), digits),
    }


@dataclass(frozen=True)
class Activity:
    JSON: ClassVar[str] = (
        "{block: {first, last, frames, analysed, gaps, ended}, people: {min, mean, max}, "
        "motion: {min, mean, max}, scene_cuts, faces: {frames, max}}"
    )

    block: BlockInfo
    people: np.ndarray  # people per analysed frame
    energy: np.ndarray  # motion energy per analysed frame, 0..1
    cuts: int  # scene cuts inside the block
    faces: np.ndarray  # faces per analysed frame

    def to_json(self) -> dict[str, Any]:
        return {
            "block": self.block.to_json(),
            "people": _stats(self.people, 2),
            "motion": _stats(self.energy, 4),
            "scene_cuts": self.cuts,
            "faces": {
                "frames": int(np.count_nonzero(self.faces)),
                "max": int(self.faces.max()) if len(self.faces) else None,
            },
        }


@feature("activity", window=Window.every("frames"))
def activity(
    persons: tuple[Detections, ...],
    faces: tuple[Detections, ...],
    motion: tuple[_Motion, ...],
    scene_cut: tuple[_Cut, ...],
    block: BlockInfo,
    *,
    frames: int = Param(BLOCK_FRAMES, ge=2, le=600, doc="frames per block"),
) -> Activity:
    """Per block of 50 frames: people (min/mean/max), motion energy, scene cuts, faces seen."""
    return Activity(
        block,
        np.array([len(p) for p in persons], np.int64),
        np.array([m.energy for m in motion], np.float64),
        sum(1 for s in scene_cut if s.cut),
        np.array([len(f) for f in faces], np.int64),
    )
