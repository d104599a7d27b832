"""Tiling blocks: aligned to frame numbers, closed by their last frame or the next one seen."""

from __future__ import annotations

from orchestrator.engine.windows import BlockInfo, Blocks, Row


def row(seq: int, ok: bool = True) -> Row:
    return Row(seq, None, {"x": seq} if ok else {})


def closed(blocks: Blocks, seqs: list[int], failed: frozenset[int] = frozenset()) -> dict:
    """{frame the block was taken on: (first, last, rows)}."""
    out = {}
    for seq in seqs:
        blocks.add(row(seq, seq not in failed))
        block = blocks.take()
        if block is not None:
            out[seq] = (block.index * block.size, [r.seq for r in block.rows])
    return out


def test_blocks_are_aligned_and_close_with_their_last_frame() -> None:
    got = closed(Blocks(4), list(range(3, 12)))  # subscribed at frame 3
    assert got == {3: (0, [3]), 7: (4, [4, 5, 6, 7]), 11: (8, [8, 9, 10, 11])}


def test_a_missing_last_frame_closes_the_block_on_the_next_frame_one_per_frame() -> None:
    # frames 3 and 7 never reached the node (a bad line, a dropped frame)
    got = closed(Blocks(4), [0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12])
    assert got == {4: (0, [0, 1, 2]), 8: (4, [4, 5, 6]), 11: (8, [8, 9, 10, 11])}
    blocks = Blocks(2)
    for seq in (0, 3):  # 3 closes block 0 (late) and its own block 1 at once
        blocks.add(row(seq))
    first, second = blocks.take(), blocks.take()
    assert (first.index, second.index) == (0, 1)  # type: ignore[union-attr]


def test_end_of_stream_flushes_the_partial_block_as_ended() -> None:
    blocks = Blocks(5)
    for seq in range(7):
        blocks.add(row(seq, seq != 6))
        blocks.take()
    (last,) = blocks.flush(last_seq=8)  # frames 7 and 8 never reached the node
    info = last.info(analysed=1)
    assert info == BlockInfo(5, 8, 1, ended=True) and info.frames == 4 and info.gaps == 3
    assert info.to_json()["ended"] is True and blocks.flush(9) == []
