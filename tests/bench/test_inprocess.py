from __future__ import annotations

import cv2
import numpy as np
import pytest

from orchestrator.features.persons import PERSONS

pytest.importorskip("onnxruntime")


def test_the_repositorys_ensemble_runs_in_process(vtest_jpegs: list[bytes]) -> None:
    from orchestrator.bench.inprocess import InProcessTriton

    image = cv2.imdecode(np.frombuffer(vtest_jpegs[0], np.uint8), cv2.IMREAD_COLOR)
    out = InProcessTriton(["persons"]).run("persons", PERSONS.input.make(image)[None])
    n = int(out["count"][0, 0])
    assert n >= 1  # people walk through vtest's first frame
    assert out["boxes"].shape == (1, n, 4) and (out["scores"][0, :n] >= 0.5).all()
