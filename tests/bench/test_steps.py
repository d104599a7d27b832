from __future__ import annotations

from dataclasses import replace

from orchestrator.bench import results as res
from orchestrator.bench.steps import bare_ms_per_image, server_steps

from .runs import scenario

CEILING = res.CeilingResult(
    {"server options": {"1": 100.0, "8": 125.0}}, 125.0, 8, "server options", 16.0, 100.0
)


def stats(inferences: int, executions: int, request: float, queue: float, execution: float):
    return res.ModelStats(
        inferences,
        executions,
        inferences / executions,
        {},
        inferences,
        0,
        request,
        queue,
        execution,
    )


def persons_run() -> res.ScenarioResult:
    run = scenario(
        "p4",
        "unpaced",
        4,
        triton={
            "persons": stats(100, 100, 50.0, 0.0, 30.0),
            "ssdlite_person": stats(100, 20, 45.0, 20.0, 60.0),  # batches of 5
            "persons_post": stats(100, 20, 4.5, 0.5, 1.0),
        },
    )
    check = res.ModelCheck(expected_inferences=100, inferences=100, expected_requests=100, ok=True)
    net = res.ModelCheck(expected_inferences=100, inferences=100, ok=True)
    models = {"persons": check, "ssdlite_person": net, "persons_post": net}
    return replace(run, exactly_once=replace(run.exactly_once, models=models))


def test_an_ensemble_against_its_steps_and_the_bare_net() -> None:
    composing = {"persons": ["ssdlite_person", "persons_post"]}
    [row] = server_steps([persons_run()], {"ssdlite_person": CEILING}, composing.__getitem__)
    assert (row.ensemble, row.requests, row.request_ms) == ("persons", 100, 50.0)
    net, post = row.steps
    assert net.compute_ms_per_image == 12.0  # 60 ms an execution of 5 images
    assert net.bare_net_ms_per_image == 8.0  # batch 5: the ceiling at 8 is nearest
    assert post.bare_net_ms_per_image is None
    assert row.steps_ms == 49.5 and row.between_steps_ms == 0.5


def test_the_bare_net_at_the_nearest_batch() -> None:
    assert bare_ms_per_image(CEILING, 1.0) == 10.0
    assert bare_ms_per_image(CEILING, 6.5) == 8.0
    assert bare_ms_per_image(CEILING, None) == 10.0
