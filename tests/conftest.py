"""Fixtures shared by every test: the sample frames, as bytes and as stdin lines."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def sample_jpegs(name: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((SAMPLES / name).glob("*.jpg"))]


@pytest.fixture(scope="session")
def vtest_jpegs() -> list[bytes]:
    return sample_jpegs("vtest")


@pytest.fixture(scope="session")
def megamind_jpegs() -> list[bytes]:
    return sample_jpegs("megamind")


@pytest.fixture(scope="session")
def vtest_lines(vtest_jpegs: list[bytes]) -> list[bytes]:
    return [base64.b64encode(j) for j in vtest_jpegs]
