"""What the benchmark feeds: the sample clips, the feature sets and the scenario matrix.

Streams are fed from the committed samples, looped to make longer runs, so anyone can
rerun the benchmark on the same frames. A scenario is one feature set on one clip with S
stream processes, either paced at the clip's real-time rate (live mode: the worker drops
what it cannot keep up with) or unpaced (lossless: each stream takes frames as fast as
its worker accepts them, which measures capacity).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CLIP_FPS = {"vtest": 10.0, "megamind": 23.976}  # samples/README.md
CLIP_PIXELS = {"vtest": 768 * 576, "megamind": 720 * 528}  # frame size, for scaling decode
Mode = Literal["paced", "unpaced"]
MODES: tuple[Mode, ...] = ("paced", "unpaced")


@dataclass(frozen=True)
class Clip:
    """A folder of JPEG frames as stdin lines (base64 + newline), with its frame rate."""

    name: str
    fps: float
    lines: tuple[bytes, ...] = field(repr=False)

    @classmethod
    def load(cls, name: str, root: Path = SAMPLES) -> Clip:
        files = sorted((root / name).glob("*.jpg"))
        if not files:
            raise FileNotFoundError(f"no JPEG frames in {root / name}")
        lines = tuple(base64.b64encode(p.read_bytes()) + b"\n" for p in files)
        return cls(name, CLIP_FPS.get(name, 25.0), lines)

    def line(self, k: int) -> bytes:
        """Frame k of the clip looped forever."""
        return self.lines[k % len(self.lines)]

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class FeatureSet:
    name: str
    features: tuple[str, ...]
    clip: str  # the clip whose content exercises these features
    about: str


def feature_sets(public: Sequence[str]) -> dict[str, FeatureSet]:
    """The sets the issue asks for: CPU only, persons, faces.expression, everything."""
    sets = [
        FeatureSet(
            "cpu", ("image.quality", "motion", "scene.cut"), "vtest", "worker only, no Triton"
        ),
        FeatureSet("persons", ("persons",), "vtest", "SSDLite person detector"),
        FeatureSet(
            "faces.expression", ("faces.expression",), "megamind", "BlazeFace, then FER on crops"
        ),
        FeatureSet("everything", tuple(public), "megamind", "every public feature"),
    ]
    return {s.name: s for s in sets}


@dataclass(frozen=True)
class Scenario:
    """One measured run: `streams` workers computing `features` on `clip`."""

    set: str
    features: tuple[str, ...]
    clip: str
    streams: int
    mode: Mode
    seconds: float  # feeding time; the results of the last frames come a little later
    role: str = "matrix"  # "matrix", or "naive" (every feature, the baseline for a set)

    @property
    def key(self) -> str:
        return f"{self.role}:{self.set}:{self.clip}:{self.mode}:S{self.streams}"


def scenarios(
    sets: Iterable[FeatureSet],
    streams: Iterable[int],
    modes: Iterable[Mode],
    seconds: float,
    everything: FeatureSet,
    naive: bool = True,
) -> list[Scenario]:
    """The matrix (set x mode x S), then one naive run per clip that lacks one.

    The naive reference of a set is "every feature" on the same clip, one stream, unpaced;
    the `everything` set's own run serves where it is on the same clip already.
    """
    sets = list(sets)
    out = [
        Scenario(s.name, s.features, s.clip, n, mode, seconds)
        for s in sets
        for mode in modes
        for n in streams
    ]
    if naive:
        have = {(sc.clip, sc.streams, sc.mode) for sc in out if sc.set == everything.name}
        for clip in dict.fromkeys(s.clip for s in sets if s.name != everything.name):
            if (clip, 1, "unpaced") not in have:
                base = Scenario(
                    everything.name, everything.features, clip, 1, "unpaced", seconds, "naive"
                )
                out.append(base)
    return out


def naive_reference(
    scenario: Scenario, runs: Sequence[Scenario], everything: str
) -> Scenario | None:
    """The run of every feature on the same clip, one stream, unpaced (None if absent)."""
    for run in runs:
        if (
            run.set == everything
            and run.clip == scenario.clip
            and run.streams == 1
            and run.mode == "unpaced"
        ):
            return run
    return None


def paced_offsets(fps: float, seconds: float, stream: int, streams: int) -> list[float]:
    """Write times (seconds after the start) of one paced stream.

    Streams are staggered by a fraction of a frame period, as independent cameras would be,
    rather than all writing at the same instant (which would flatter batching).
    """
    period = 1.0 / fps
    phase = period * stream / max(1, streams)
    return [phase + k * period for k in range(max(1, round(seconds * fps)))]
