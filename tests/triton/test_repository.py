"""The model repository agrees with the models the features declare (offline: configs only)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestrator.features import default_catalog
from orchestrator.graph import Catalog
from orchestrator.models import FrameInput, Infer, Model, TensorSpec
from orchestrator.triton.embedded import default_model_repository
from orchestrator.triton.repository import (
    all_models,
    composing,
    load_config,
    nets,
    problems,
)


def test_ensembles_compose_net_then_post() -> None:
    assert composing("persons") == ["ssdlite_person", "persons_post"]
    assert nets("persons") == ["ssdlite_person"]
    assert composing("ssdlite_person") == []
    assert load_config("ssdlite_person")["backend"] == "onnxruntime"
    assert {"persons", "ssdlite_person", "persons_post"} <= set(all_models())


def test_every_declared_model_agrees_with_the_repository() -> None:
    assert problems(default_catalog()) == []


def test_every_model_in_the_repository_serves_a_declared_ensemble() -> None:
    catalog = default_catalog()
    declared = {m.name for m in catalog.models()}
    ensembles = {m for m in all_models() if load_config(m).get("platform") == "ensemble"}
    assert ensembles == declared
    used = declared | {part for m in declared for part in composing(m)}
    assert set(all_models()) == used  # no orphan net or post model


def _catalog_with(model: Model) -> Catalog:
    cat = Catalog()

    @cat.feature("gadgets", models=(model,))
    async def gadgets(image: object, infer: Infer) -> object:
        return await infer(model, image)  # type: ignore[arg-type]

    return cat.validate()


def test_a_model_missing_from_the_repository_is_named_with_its_feature() -> None:
    model = Model("gadget_finder", FrameInput(64, "stretch", "uint8"), ())
    (found,) = problems(_catalog_with(model))
    assert "'gadgets'" in found and "'gadget_finder'" in found and "lacks" in found


def test_a_declaration_that_drifted_from_its_config_is_refused() -> None:
    persons = next(m for m in default_catalog().models() if m.name == "persons")
    drifted = Model(
        "persons",
        FrameInput(320, "stretch", "uint8"),  # the config says 300
        (*persons.outputs, TensorSpec("labels", "INT32", (-1,))),
    )
    (found,) = problems(_catalog_with(drifted))
    assert "'persons'" in found and "300" in found and "'labels' is missing" in found


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    root = default_model_repository()
    for name in ("persons", "ssdlite_person", "persons_post"):
        shutil.copytree(root / name, tmp_path / name)
    shutil.copy(root / "README.md", tmp_path / "README.md")
    return tmp_path


def test_a_net_whose_file_differs_from_its_recorded_hash_is_refused(copied: Path) -> None:
    persons = next(m for m in default_catalog().models() if m.name == "persons")
    catalog = _catalog_with(persons)
    assert problems(catalog, copied) == []
    with open(copied / "ssdlite_person" / "1" / "model.onnx", "ab") as f:
        f.write(b"\0")
    (found,) = problems(catalog, copied)
    assert "ssdlite_person" in found and "sha256" in found
    readme = copied / "README.md"
    readme.write_text(readme.read_text().replace("`ssdlite_person`", "`ssdlite`"))
    assert "no provenance row" in problems(catalog, copied)[0]
