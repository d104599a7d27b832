"""How many pixels a consumer of the frame needs, as data, and the decode reduction it allows.

A JPEG can be decoded at 1/2, 1/4 or 1/8 of its size by scaling in the DCT domain (libjpeg,
`cv2.IMREAD_REDUCED_COLOR_*`), several times cheaper than a full decode followed by a resize.
That is only sound when every consumer of the frame's pixels shrinks the frame anyway. So each
consumer states the smallest picture it works from, relative to the frame's own size:

- `Pixels.FULL` (the default): the frame at full resolution (crops, sharpness, anything that
  reads fine detail);
- `Pixels(w, h, "cover")`: a picture whose width is at least `w` and height at least `h`
  (a stretched net input of side S: `Pixels(S, S, "cover")`; a thumbnail at least 160 wide:
  `Pixels(160, 0, "cover")`);
- `Pixels(w, h, "contain")`: the frame scaled to fit within `w` x `h`, never enlarged (a
  letterboxed net input of side S: `Pixels(S, S, "contain")`; a preview within 960x720).

`reduction` picks, for one frame, the largest factor in (1, 2, 4, 8) that every consumer
allows, from the frame size the payload header gives before any decode. A consumer never gets
a picture smaller than it asked for, so it only ever shrinks what it receives; it must take
geometry (coordinates, letterbox sizes) from the frame's size (`FrameInfo`), not from the
shape of the picture, which may be reduced.

libjpeg rounds a reduced picture's sides up (a 1537-wide frame at 1/2 is 769 wide, its last
column half edge padding), so `allows` compares rounded-up sides, and a consumer that maps the
picture onto the whole frame is off by less than one picture pixel at the far edge: less than
one pixel of its own output, which is never larger than the picture.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

FACTORS = (1, 2, 4, 8)  # the scalings libjpeg does in the DCT domain


@dataclass(frozen=True)
class Pixels:
    """The smallest picture of the frame a consumer can work from (see the module doc)."""

    FULL: ClassVar[Pixels]

    width: int = 0
    height: int = 0
    fit: Literal["full", "cover", "contain"] = "full"

    def minimum(self, width: int, height: int) -> tuple[float, float]:
        """The smallest (width, height) of a picture of a `width` x `height` frame that this
        consumer accepts; never more than the frame."""
        if self.fit == "full":
            return float(width), float(height)
        if self.fit == "cover":
            return float(min(self.width, width)), float(min(self.height, height))
        s = min(1.0, self.width / width, self.height / height)
        return width * s, height * s

    def allows(self, factor: int, width: int, height: int) -> bool:
        """Whether a decode at 1/`factor` (libjpeg rounds its sides up) is big enough."""
        if factor == 1:
            return True
        need_w, need_h = self.minimum(width, height)
        # A tiny tolerance: float products such as 768 * (192 / 768) must not refuse a fit.
        return -(-width // factor) >= need_w - 1e-6 and -(-height // factor) >= need_h - 1e-6


Pixels.FULL = Pixels()


def reduction(needs: Iterable[Pixels], width: int, height: int) -> int:
    """The largest factor in `FACTORS` that every need allows for a frame of this size; 1 when
    anyone needs the full frame (or nobody said anything)."""
    needs = tuple(needs)
    if not needs or any(n.fit == "full" for n in needs):
        return 1
    return max(f for f in FACTORS if all(n.allows(f, width, height) for n in needs))
