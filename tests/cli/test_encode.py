"""The paced encoder's start: it waits until the reader took the first frame."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from orchestrator.cli.encode import wait_until_taken


def waiter(out: object) -> threading.Thread:
    thread = threading.Thread(target=wait_until_taken, args=(out,), daemon=True)
    thread.start()
    return thread


def test_waits_for_the_reader_to_take_what_was_written() -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb", buffering=0) as reader, os.fdopen(write_fd, "wb") as out:
        out.write(b"frame 0\n")
        out.flush()
        waiting = waiter(out)
        waiting.join(0.2)
        assert waiting.is_alive()  # the frame is still in the pipe
        assert reader.read(8) == b"frame 0\n"
        waiting.join(10)
        assert not waiting.is_alive()


def test_stops_waiting_when_the_reader_is_gone() -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(write_fd, "wb") as out:
        out.write(b"frame 0\n")
        out.flush()
        waiting = waiter(out)
        os.close(read_fd)
        waiting.join(10)
        assert not waiting.is_alive()


def test_files_do_not_wait(tmp_path: Path) -> None:
    with open(tmp_path / "frames.b64", "wb") as out:
        out.write(b"frame 0\n")
        out.flush()
        wait_until_taken(out)  # returns: a file has no reader to wait for
