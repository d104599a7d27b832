"""The cost ledger: what each node costs, and each subscription's fair share of it.

On each frame, each computed node has a cost: the worker CPU seconds of its own code
(`engine.cputime`) and its share of Triton's compute time. That cost is divided equally
among the subscriptions that needed the node on that frame, directly or through a node
that depends on it. So a client alone pays a node's whole cost, two clients sharing it pay
half each, and a client that leaves stops paying from the frames planned after it left.

Triton's part is known only once its statistics are read (`poller`): a node's requests
are kept as images per model until then, and turned into seconds at the model's mean
compute per inference over that interval (a batched execution's time shared among the
inferences it ran). Either way every second charged to a node is charged, in parts, to
subscriptions: the sum over subscriptions (those still here and those that left) equals
the sum over nodes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator.cost.meter import Clock, Meter
from orchestrator.engine.timing import NodeTiming
from orchestrator.telemetry import Telemetry

WHERE = ("worker", "triton")
KEEP_ENDED = 256  # ended subscriptions whose own bill stays readable


@dataclass
class Account:
    """Seconds charged to one node or one subscription: totals and the recent rate."""

    horizon: float
    clock: Clock
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(WHERE, 0.0))
    computed: int = 0
    meters: dict[str, Meter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.meters = {w: Meter(self.horizon, self.clock) for w in (*WHERE, "count")}

    def add(self, where: str, seconds: float) -> None:
        self.seconds[where] += seconds
        self.meters[where].add(seconds)

    def count(self) -> None:
        self.computed += 1
        self.meters["count"].add(0.0, 1)

    def to_json(self, per_computation: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {f"{w}_s": round(self.seconds[w], 6) for w in WHERE} | {
            "per_second": {w: round(self.meters[w].per_second(), 6) for w in WHERE},
        }
        if per_computation:
            count = self.meters["count"]
            out["computed"] = self.computed
            out["mean_ms"] = {
                w: None if (m := self.meters[w].mean(count)) is None else round(1000 * m, 3)
                for w in WHERE
            }
        return out


@dataclass(frozen=True)
class Pending:
    """Images a node sent to a model, not yet priced."""

    node: str
    images: int
    payers: tuple[int, ...]


class CostLedger:
    def __init__(
        self,
        telemetry: Telemetry | None = None,
        *,
        horizon_s: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.telemetry = telemetry or Telemetry()
        self.horizon = horizon_s
        self.clock = clock
        self.nodes: dict[str, Account] = {}
        self.subscriptions: dict[int, Account] = {}
        self.ended: OrderedDict[int, Account] = OrderedDict()  # the last ones, still readable
        self.departed = self._account()  # older ended ones, summed
        self._pending: dict[str, list[Pending]] = {}  # model -> requests not yet priced

    # Who pays -------------------------------------------------------------------------
    def join(self, sub: int) -> None:
        self.subscriptions.setdefault(sub, self._account())

    def leave(self, sub: int) -> None:
        """A subscription ended: it pays only for frames planned before it left (and for
        Triton time of those not yet priced). Its bill stays readable among the last
        `KEEP_ENDED` ended ones; older bills are summed into `departed`."""
        acc = self.subscriptions.pop(sub, None)
        if acc is None:
            return
        self.ended[sub] = acc
        while len(self.ended) > KEEP_ENDED:
            _, old = self.ended.popitem(last=False)
            for where in WHERE:
                self.departed.seconds[where] += old.seconds[where]

    # Charging -------------------------------------------------------------------------
    def frame(
        self,
        timings: Mapping[str, NodeTiming],
        wants: Mapping[int, Any],
        closure: Callable[[Any], Collection[str]],
    ) -> None:
        """Charge a finished frame: `wants` is what each subscriber wanted on it, `closure`
        the nodes those wants need (the plan's order)."""
        needed = {sub: closure(keys) for sub, keys in wants.items()}
        for node, t in timings.items():
            self.charge(node, t.cpu, t.images, [s for s, nodes in needed.items() if node in nodes])

    def charge(
        self, node: str, worker_s: float, images: Mapping[str, int], payers: Sequence[int]
    ) -> None:
        """One computation of `node`: its worker CPU now, its Triton images once priced."""
        acc = self.nodes.get(node)
        if acc is None:
            acc = self.nodes[node] = self._account()
        acc.count()
        self._spread(node, "worker", worker_s, tuple(payers))
        for model, n in images.items():
            self._pending.setdefault(model, []).append(Pending(node, n, tuple(payers)))

    def take_pending(self) -> dict[str, list[Pending]]:
        """The requests not yet priced (taken before reading Triton's statistics, so the
        statistics include them)."""
        pending, self._pending = self._pending, {}
        return pending

    def settle(self, pending: Mapping[str, list[Pending]], per_image: Mapping[str, float]) -> None:
        """Price requests at each model's compute seconds per inference; models without a
        price yet stay pending."""
        for model, entries in pending.items():
            price = per_image.get(model)
            if price is None:
                self._pending.setdefault(model, []).extend(entries)
                continue
            for p in entries:
                self._spread(p.node, "triton", p.images * price, p.payers)

    def _spread(self, node: str, where: str, seconds: float, payers: tuple[int, ...]) -> None:
        if seconds <= 0:
            return
        self.nodes[node].add(where, seconds)
        self.telemetry.cost(node, where, seconds)
        share = seconds / len(payers) if payers else 0.0
        for sub in payers:
            acc = self.subscriptions.get(sub) or self.ended.get(sub) or self.departed
            acc.add(where, share)
        if not payers:  # nobody needed it (cannot happen through the pipeline): keep sums whole
            self.departed.add(where, seconds)

    # Views ----------------------------------------------------------------------------
    def node(self, node: str) -> dict[str, Any] | None:
        acc = self.nodes.get(node)
        return None if acc is None else acc.to_json(per_computation=True)

    def subscription(self, sub: int) -> dict[str, Any]:
        """A subscription's share so far (an ended one's, while it is kept)."""
        acc = self.subscriptions.get(sub) or self.ended.get(sub) or self._account()
        return acc.to_json()

    def totals(self) -> dict[str, Any]:
        """Sums over nodes, over current subscriptions and over departed ones (whose sum
        with the current ones equals the nodes')."""

        def total(accounts: list[Account]) -> dict[str, float]:
            return {f"{w}_s": round(sum(a.seconds[w] for a in accounts), 6) for w in WHERE}

        return {
            "nodes": total(list(self.nodes.values())),
            "subscriptions": total(list(self.subscriptions.values())),
            "departed": total([self.departed, *self.ended.values()]),
            "pending_images": sum(p.images for ps in self._pending.values() for p in ps),
        }

    def _account(self) -> Account:
        return Account(self.horizon, self.clock)
