"""Triton's failures sorted into what the worker does about them."""

from __future__ import annotations

from tritonclient.utils import InferenceServerException

from orchestrator.triton.errors import TritonError, TritonNotReady, TritonUnavailable, classify


def failed(status: str, message: str) -> TritonError:
    return classify("persons", InferenceServerException(message, status=status))


def test_gone_not_ready_and_other_failures() -> None:
    refused = failed("StatusCode.UNAVAILABLE", "failed to connect to all addresses")
    assert type(refused) is TritonUnavailable and str(refused).startswith("persons: ")
    assert type(failed("StatusCode.CANCELLED", "cancelled")) is TritonUnavailable
    assert type(failed("StatusCode.DEADLINE_EXCEEDED", "Deadline Exceeded")) is TritonUnavailable
    # what Triton 2.51 answers while a model has no version loaded (seen on the real server)
    loading = failed(
        "StatusCode.NOT_FOUND", "Request for unknown model: 'persons' has no available versions"
    )
    assert type(loading) is TritonNotReady
    unknown = failed("StatusCode.NOT_FOUND", "Request for unknown model: 'nope' is not found")
    assert type(unknown) is TritonError
    assert type(failed("StatusCode.INVALID_ARGUMENT", "unexpected shape")) is TritonError
