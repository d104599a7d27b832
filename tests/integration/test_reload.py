"""New model versions go live under a running stream, through `framegraph models reload`,
without a frame losing its feature; a version that fails to load leaves the old one serving."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from orchestrator.triton.embedded import EmbeddedTriton, default_model_repository

from .streams import LiveRun, framegraph

pytestmark = [pytest.mark.triton, pytest.mark.slow]
MODELS = ("persons", "persons_post", "ssdlite_person")


def _link_or_copy(src: str, dst: str) -> None:
    """Nets (megabytes, never written) are linked; configs and code are copied to edit."""
    if src.endswith(".onnx"):
        os.symlink(src, dst)
    else:
        shutil.copy2(src, dst)


def new_version(repo: Path, model: str, version: int) -> None:
    shutil.copytree(repo / model / "1", repo / model / str(version), copy_function=_link_or_copy)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The persons models in a repository of their own: the real one is never touched."""
    source = default_model_repository()
    for model in MODELS:
        shutil.copytree(
            source / model,
            tmp_path / model,
            copy_function=_link_or_copy,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    return tmp_path


def test_persons_never_fails_while_its_models_are_reloaded(
    repo: Path, vtest_jpegs, tmp_path: Path
) -> None:
    server = EmbeddedTriton(repo, models=["persons"]).start()
    url = server.grpc_url
    stats = tmp_path / "stats.json"
    run = LiveRun(
        ["-f", "persons", "--triton-url", url, "--lossless", "--stats", str(stats)], vtest_jpegs
    )

    def reload(expect: int = 0) -> str:
        out = framegraph("models", "reload", "persons", "--triton-url", url)
        assert out.returncode == expect, out.stderr.decode()
        run.wait_for_events(len(run.events) + 5)  # frames flow after the switch too
        return (out.stdout + out.stderr).decode()

    try:
        run.wait_for_events(5)
        new_version(repo, "persons_post", 2)  # new post-processing
        assert "persons_post: version 2 serving (was 1)" in reload()
        new_version(repo, "ssdlite_person", 2)  # new net
        assert "ssdlite_person: version 2 serving (was 1)" in reload()
        new_version(repo, "persons", 2)  # new ensemble
        assert "persons: version 2 serving (was 1)" in reload()
        config = repo / "persons_post" / "config.pbtxt"  # a threshold, same version
        config.write_text(config.read_text().replace('"0.5"', '"0.45"'))
        assert "persons_post: version 2 serving" in reload()
        ensemble = repo / "persons" / "config.pbtxt"  # live, but not what the worker declares
        ensemble.write_text(ensemble.read_text().replace("max_batch_size: 32", "max_batch_size: 8"))
        drifted = reload(expect=1)
        assert "persons is live but" in drifted and "max_batch_size is 8, needs >= 16" in drifted
        broken = repo / "persons_post" / "3"
        broken.mkdir()
        (broken / "model.py").write_text("raise RuntimeError('this version is broken')\n")
        failed = reload(expect=1)
        assert "persons_post: the new version did not load; version 2 still serves" in failed
        assert "this version is broken" in failed
        run.finish()
        listed = framegraph("models", "list", "--json", "--triton-url", url)
        states = {(m["name"], m["version"]): m for m in json.loads(listed.stdout)}
        assert states["persons_post", "2"]["state"] == "READY"
        assert "this version is broken" in states["persons_post", "3"]["reason"]
    finally:
        run.kill()
        server.stop()

    events = run.events
    assert [e["frame"] for e in events] == list(range(run.sent))  # one outcome per line
    assert [e for e in events if e["type"] != "result" or e["errors"]] == []
    assert all("persons" in e["features"] for e in events)
    triton = json.loads(stats.read_text())["triton"]
    assert triton["retries"] == {} and triton["reconnects"] == 0  # no request even failed
