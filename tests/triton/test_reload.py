"""The reload order and report, on a stand-in for Triton's repository API (the real server's
behaviour is tested in tests/integration/test_reload.py)."""

from __future__ import annotations

from typing import Any

import pytest
from tritonclient.utils import InferenceServerException

from orchestrator.triton.reload import ReloadError, Switch, load_order, reload

CONFIGS = {
    "persons": {
        "config": {
            "ensemble_scheduling": {
                "step": [{"model_name": "ssdlite_person"}, {"model_name": "persons_post"}]
            }
        }
    },
    "ssdlite_person": {"config": {"backend": "onnxruntime"}},
    "persons_post": {"config": {"backend": "python"}},
}


class FakeTriton:
    def __init__(self, broken: str | None = None) -> None:
        self.versions = {"persons": 1, "ssdlite_person": 1, "persons_post": 1}
        self.broken = broken
        self.loads: list[str] = []

    def get_model_config(self, model_name: str, *, as_json: bool = True) -> Any:
        return CONFIGS[model_name]

    def get_model_repository_index(self, *, as_json: bool = True) -> Any:
        return {
            "models": [
                {"name": m, "version": str(v), "state": "READY"} for m, v in self.versions.items()
            ]
            + [{"name": "persons_post", "version": "0", "state": "UNAVAILABLE"}]
        }

    def load_model(self, model_name: str) -> None:
        self.loads.append(model_name)
        if model_name == self.broken:
            raise InferenceServerException("load failed: version 2 is at UNAVAILABLE state")
        if model_name == "persons_post":
            self.versions[model_name] += 1


def test_composing_models_load_first_each_once() -> None:
    assert load_order(FakeTriton(), "persons") == ["ssdlite_person", "persons_post", "persons"]
    assert load_order(FakeTriton(), "persons_post") == ["persons_post"]


def test_reload_reports_each_models_serving_versions() -> None:
    triton = FakeTriton()
    switches = reload(triton, "persons")
    assert triton.loads == ["ssdlite_person", "persons_post", "persons"]
    assert [str(s) for s in switches] == [
        "ssdlite_person: version 1 serving",
        "persons_post: version 2 serving (was 1)",
        "persons: version 1 serving",
    ]
    assert str(Switch("x", (), ("3",))) == "x: version 3 serving (was none)"


def test_a_failed_load_stops_and_says_what_still_serves() -> None:
    triton = FakeTriton(broken="persons_post")
    with pytest.raises(ReloadError) as err:
        reload(triton, "persons")
    assert str(err.value).startswith(
        "persons_post: the new version did not load; version 1 still serves\nload failed"
    )
    assert triton.loads == ["ssdlite_person", "persons_post"]  # the ensemble is not loaded
