"""The ring of recent frames that windowed features read from.

It keeps the frames admitted most recently, as many as the longest active window plus
the frames in flight can reach back to, so memory stays flat however long the stream.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from orchestrator.engine.frame import Frame


class FrameRing:
    def __init__(self) -> None:
        self._frames: deque[Frame] = deque()

    def add(self, frame: Frame, capacity: int) -> None:
        """Admit a frame (in sequence order) and forget those beyond `capacity`."""
        self._frames.append(frame)
        while len(self._frames) > max(capacity, 1):
            self._frames.popleft()

    def window(self, frame: Frame, frames: int) -> list[Frame]:
        """Up to `frames` frames ending at `frame`, oldest first."""
        out: list[Frame] = []
        for f in reversed(self._frames):
            if f.seq > frame.seq:
                continue
            out.append(f)
            if len(out) == frames:
                break
        out.reverse()
        return out

    def __len__(self) -> int:
        return len(self._frames)

    def __iter__(self) -> Iterator[Frame]:
        return iter(self._frames)
