from __future__ import annotations

from orchestrator.bench.repository import all_models, composing, load_config


def test_ensembles_compose_net_then_post() -> None:
    assert composing("persons") == ["ssdlite_person", "persons_post"]
    assert composing("ssdlite_person") == []
    assert load_config("ssdlite_person")["backend"] == "onnxruntime"
    assert {"persons", "ssdlite_person", "persons_post"} <= set(all_models())
