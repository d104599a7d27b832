"""The ring of recent frames that windowed features read from.

It keeps every frame that a window of an unfinished frame can still reach: from the
oldest unfinished frame's window start to the newest frame. The pipeline bounds the
frames in flight, so memory stays flat however long the stream.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from orchestrator.engine.frame import Frame


class FrameRing:
    def __init__(self) -> None:
        self._frames: deque[Frame] = deque()

    def add(self, frame: Frame) -> None:
        """Admit a frame; frames arrive in sequence order."""
        self._frames.append(frame)

    def trim(self, oldest_needed: int) -> None:
        """Forget frames before sequence number `oldest_needed`."""
        while self._frames and self._frames[0].seq < oldest_needed:
            self._frames.popleft()

    def newest(self) -> Frame | None:
        return self._frames[-1] if self._frames else None

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
