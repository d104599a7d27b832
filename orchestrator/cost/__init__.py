"""What each node costs, and each subscription's fair share of it.

- `ledger`: per frame, each computed node's worker CPU and Triton compute, divided equally
  among the subscriptions that needed the node there (directly or through dependents);
- `poller`: Triton's per-model statistics turned into compute seconds per inference;
- `meter`: moving sums over the last seconds, for rates and recent means.
"""

from orchestrator.cost.ledger import CostLedger
from orchestrator.cost.poller import TritonCosts

__all__ = ["CostLedger", "TritonCosts"]
