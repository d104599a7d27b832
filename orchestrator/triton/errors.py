"""How a Triton request failed, as exception types the worker (and its retries) act on.

- `TritonUnavailable`: the server cannot be reached or is shutting down; the connection
  is replaced and the request may be retried once the server answers again.
- `TritonNotReady`: the server answers but the model has no loaded version right now
  (unloaded, or loading for the first time); worth a retry after a short wait.
- `TritonError`: anything else (bad input, a model's own failure, a timeout): not retried.
"""

from __future__ import annotations

from tritonclient.utils import InferenceServerException

# gRPC statuses meaning "the server (or the connection to it) is not there"; a request
# that got no answer within its timeout counts too (a hung server, a dead connection).
GONE = frozenset({"StatusCode.UNAVAILABLE", "StatusCode.CANCELLED", "StatusCode.DEADLINE_EXCEEDED"})
# Triton 2.51 answers NOT_FOUND "...has no available versions" for a known model with no
# version loaded (a first load in progress, or an unload); an unknown name "...is not found".
_NOT_READY = ("has no available versions", "is not ready")


class TritonError(RuntimeError):
    """A request failed; the message names the model."""


class TritonUnavailable(TritonError):
    """The server cannot be reached, or is not ready."""


class TritonNotReady(TritonError):
    """The server answered, but the model has no version ready to serve."""


def classify(model: str, exc: InferenceServerException) -> TritonError:
    """The exception to raise for a failed request on `model`, its message naming the model."""
    status, message = exc.status() or "", exc.message() or str(exc)
    if status in GONE:
        return TritonUnavailable(f"{model}: Triton unreachable: {message}")
    if any(text in message for text in _NOT_READY):
        return TritonNotReady(f"{model}: model not ready: {message}")
    return TritonError(f"{model}: {message}")
