"""The stream pipeline: stdin → backlog → decode → executor → outbox → hub.

    reader thread ──► backlog (bounded; live drops oldest, lossless waits)
                          │  at most `max_in_flight` frames between here and delivery
                          ▼
    plan for what is due on each frame ─► decode batch (thread) ─► executor ─► outbox ─► hub

Each frame's plan is what its subscribers want on it (`scheduling`), taken at the frame
boundary, so a subscription change applies from the next frame; a frame nobody wants
anything on is not even decoded. A frame's slot is released only once its outcome is
handed out, so a slow stdout (backpressure) slows intake, not memory. Finished frames are
charged to the subscriptions that needed them (`cost`); at end of stream, tiling features'
unfinished blocks are computed and handed out with the `end` events.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import BinaryIO

from orchestrator.cost.ledger import CostLedger
from orchestrator.decode.base import Decoded, DecodeError, Decoder, frame_size
from orchestrator.decode.payload import DEFAULT_MAX_PIXELS, Payload, parse_line
from orchestrator.delivery.events import Kind, Outcome, to_jsonable
from orchestrator.delivery.hub import Hub
from orchestrator.engine.executor import Executor
from orchestrator.engine.frame import Frame, FrameInfo
from orchestrator.engine.timing import critical_path
from orchestrator.graph.plan import Plan, Planner
from orchestrator.ingest.backlog import Backlog
from orchestrator.ingest.lines import DEFAULT_MAX_LINE_BYTES, Line, LineReader
from orchestrator.models.deadline import Deadline
from orchestrator.stream.outbox import Outbox
from orchestrator.stream.scheduling import FramePlan, Scheduler
from orchestrator.telemetry import Telemetry


@dataclass(frozen=True)
class PipelineConfig:
    max_in_flight: int = 4
    backlog: int = 8
    lossless: bool = False
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    timings: bool = False  # add per-frame queue/decode/Triton/worker times to result events
    retry_within: float = 2.0  # seconds after arrival within which Triton requests are retried


class Pipeline:
    def __init__(
        self,
        planner: Planner,
        hub: Hub,
        decoder: Decoder,
        executor: Executor,
        config: PipelineConfig = PipelineConfig(),
        ledger: CostLedger | None = None,
    ) -> None:
        self.planner = planner
        self.hub = hub
        self.decoder = decoder
        self.executor = executor
        self.config = config
        self.telemetry: Telemetry = executor.telemetry
        self.ledger = ledger or CostLedger(self.telemetry)
        self.scheduler = Scheduler(planner, hub, self.telemetry)
        self.stdin_open = False
        self.decode_seconds = 0.0  # wall time in the decoder
        self.decode_cpu_seconds = 0.0  # its thread's CPU: payload checks and decoding
        self._in_flight = 0
        self._slot = asyncio.Event()
        self._accepting = False  # lines get sequence numbers (and so outcomes) only while True
        self.lines = 0  # lines accepted so far
        self._last_ts: float | None = None
        self._tasks: set[asyncio.Task[Frame]] = set()
        self._backlog: Backlog | None = None
        self._reader: LineReader | None = None
        self._outbox: Outbox | None = None

    async def run(self, stream: BinaryIO) -> None:
        """Process the stream until end of input (or `stop()`); every line gets its outcome."""
        loop = asyncio.get_running_loop()
        cfg = self.config
        backlog = self._backlog = Backlog(cfg.backlog, lossless=cfg.lossless, on_drop=self._drop)
        outbox = self._outbox = Outbox(self.hub.publish, self._published)
        reader = self._reader = LineReader(
            stream, self._arrive, loop, max_line_bytes=cfg.max_line_bytes, room=backlog.room
        )
        publishing = asyncio.create_task(outbox.run())
        self.stdin_open = self._accepting = True
        reader.start()
        try:
            await self._intake(backlog, outbox)
        finally:
            self.stdin_open = False
            reader.stop()
            backlog.drain("shutdown")
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            self._accepting = False  # from here on a late line was never read, as far as we say
            outbox.finish(self.lines)
            await publishing
            self.hub.close("end of stream", blocks=await self._flush())

    @property
    def plan(self) -> Plan | None:
        """The live plan: everything subscribed, at any rate (None before the first frame)."""
        return self.scheduler.live

    def stop(self) -> None:
        """Stop reading; waiting lines are dropped ("shutdown"), frames in flight finish."""
        if self._reader is not None:
            self._reader.stop()
        if self._backlog is not None:  # (an empty backlog is falsy: compare with None)
            self._backlog.drain("shutdown")  # also makes later arrivals drop at once

    # Intake -----------------------------------------------------------------------
    def _accept(self, line: Line | None) -> bool:
        """Number an arriving line; False if it arrived after the stream was closed."""
        if line is None:
            return True
        if not self._accepting:
            return False
        line.seq = self.lines
        line.prev_ts = self._last_ts
        self._last_ts = line.ts
        self.lines += 1
        self.telemetry.frames_received.inc()
        return True

    def _arrive(self, lines: list[Line] | None) -> None:
        backlog = self._backlog
        assert backlog is not None
        for line in lines if lines is not None else (None,):
            if self._accept(line):
                backlog.offer(line)
        self.telemetry.queue_depth.set(len(backlog))

    async def _intake(self, backlog: Backlog, outbox: Outbox) -> None:
        max_in_flight = self.config.max_in_flight
        while True:
            while self._in_flight >= max_in_flight:
                self._slot.clear()
                await self._slot.wait()
            lines = await backlog.take(min(max_in_flight - self._in_flight, self.decoder.max_batch))
            if lines is None:
                return
            self.telemetry.queue_depth.set(len(backlog))
            self._in_flight += len(lines)
            self.telemetry.frames_in_flight.set(self._in_flight)
            plans = [self.scheduler.next(line.seq, line.ts, line.prev_ts) for line in lines]
            started = time.perf_counter()
            decoded, payloads = await asyncio.to_thread(
                self._decode, lines, [p.plan for p in plans]
            )
            share = (time.perf_counter() - started) / len(lines)
            for line, result, payload, fp in zip(lines, decoded, payloads, plans, strict=True):
                if isinstance(result, DecodeError):
                    self.telemetry.failed(result.code)
                    outbox.put(self._outcome(line, "error", result.code, result.message))
                    continue
                frame = self._frame(line, result, payload, fp)
                frame.queue_seconds = started - line.arrived
                frame.decode_seconds = share
                task = self.executor.admit(frame, fp.plan, fp.live)
                self._tasks.add(task)
                task.add_done_callback(self._finished)

    def _decode(
        self, lines: list[Line], plans: list[Plan]
    ) -> tuple[list[Decoded | Payload | DecodeError], list[Payload | None]]:
        """Runs in a worker thread: payload checks, then one decoder batch per distinct set
        of model inputs among the frames that need pixels. Returns each line's outcome and
        its checked payload (None if it had none)."""
        cpu_start = time.thread_time()
        out: list[Decoded | Payload | DecodeError | None] = [None] * len(lines)
        payloads: list[Payload | None] = [None] * len(lines)
        groups: dict[frozenset[str], list[tuple[int, Payload]]] = {}
        for i, line in enumerate(lines):
            if line.error is not None:
                out[i] = line.error
                continue
            try:
                payload = parse_line(line.data, self.config.max_pixels)
            except DecodeError as exc:
                out[i] = exc
                continue
            payloads[i] = payload
            if plans[i].needs_image:
                groups.setdefault(frozenset(plans[i].inputs), []).append((i, payload))
            else:
                out[i] = payload  # nobody needs pixels: the header was checked, no decode
        for group in groups.values():
            start = time.perf_counter()
            factors = [plans[i].reduction(p.width, p.height) for i, p in group]
            datas = [p.data for _, p in group]
            results = self.decoder.decode(datas, plans[group[0][0]].inputs, factors)
            elapsed = time.perf_counter() - start
            self.decode_seconds += elapsed
            done = [r.reduction for r in results if isinstance(r, Decoded)]
            self.telemetry.decoded(self.decoder.name, elapsed / len(group), len(done), done)
            for (i, _), result in zip(group, results, strict=True):
                out[i] = result
        self.decode_cpu_seconds += time.thread_time() - cpu_start
        return out, payloads  # type: ignore[return-value]

    def _frame(
        self, line: Line, result: Decoded | Payload, payload: Payload | None, fp: FramePlan
    ) -> Frame:
        """The frame record; it keeps the encoded input (`FrameInfo.source`) until done."""
        deadline = Deadline.after(line.arrived, self.config.retry_within)
        if isinstance(result, Decoded):
            assert payload is not None  # a decoded frame had its header read
            w, h = frame_size(result, payload.width, payload.height)  # not a reduced shape
            info = FrameInfo(line.seq, line.ts, w, h, *_source(payload))
            frame = Frame(
                line.seq,
                line.ts,
                line.arrived,
                image=result.image,
                results=dict(result.inputs),
                info=info,
                deadline=deadline,
            )
        else:
            info = FrameInfo(line.seq, line.ts, result.width, result.height, *_source(result))
            frame = Frame(line.seq, line.ts, line.arrived, info=info, deadline=deadline)
        frame.wants = fp.wants.by_subscriber
        frame.prev_ts = line.prev_ts
        return frame

    # Outcomes ---------------------------------------------------------------------
    def _finished(self, task: asyncio.Task[Frame]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        frame = task.result()
        assert self._outbox is not None
        self.ledger.frame(frame.timings, frame.wants, self.scheduler.closure)
        outcome = Outcome(frame.seq, frame.ts, "result", frame=frame, arrived=frame.arrived)
        outcome.prev_ts = frame.prev_ts
        if self.config.timings:
            triton, worker = critical_path(frame.timings, self.executor.needs)
            outcome.timing = {
                "queue": frame.queue_seconds,
                "decode": frame.decode_seconds,
                "triton": triton,
                "worker": worker,
            }
        self._outbox.put(outcome)

    async def _flush(self) -> dict[str, list[object]]:
        """Tiling nodes' unfinished blocks at end of stream, charged to who wants them."""
        if self.lines == 0:
            return {}
        blocks: dict[str, list[object]] = {}
        for f in await self.executor.flush(self.lines - 1):
            payers = [s.id for s in self.hub if f.node in s.features]
            self.ledger.charge(f.node, f.cpu, {}, payers)
            value = {"error": f.error} if f.error else to_jsonable(f.value)
            blocks.setdefault(f.node, []).append(value)
        return blocks

    def _drop(self, line: Line, reason: str) -> None:
        self.telemetry.dropped(reason)
        message = {
            "behind": "the pipeline fell behind (live mode keeps the newest frames)",
            "shutdown": "the worker stopped before this frame was processed",
        }.get(reason, reason)
        assert self._outbox is not None
        self._outbox.put(self._outcome(line, "dropped", reason, message, holds_slot=False))

    @staticmethod
    def _outcome(
        line: Line, kind: Kind, code: str, message: str, holds_slot: bool = True
    ) -> Outcome:
        return Outcome(
            line.seq,
            line.ts,
            kind,
            code=code,
            message=message,
            arrived=line.arrived,
            holds_slot=holds_slot,
            prev_ts=line.prev_ts,
        )

    def _published(self, outcome: Outcome) -> None:
        if outcome.kind == "result":
            self.telemetry.frames_completed.inc()
            self.telemetry.frame_latency.observe(outcome.published - outcome.arrived)
        if outcome.holds_slot:
            self._in_flight -= 1
            self.telemetry.frames_in_flight.set(self._in_flight)
            self._slot.set()


def _source(payload: Payload | None) -> tuple[bytes | None, str]:
    """The encoded input and its format, for `FrameInfo`."""
    return (payload.data, payload.format) if payload is not None else (None, "")
