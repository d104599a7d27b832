"""The deployment tools, installed once per session (see tools.py)."""

from __future__ import annotations

import pytest

from .tools import DeployTools, install_deploy_tools


@pytest.fixture(scope="session")
def deploy_tools() -> DeployTools:
    return install_deploy_tools()
