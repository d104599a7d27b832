"""Real headless Chromium against a real `framegraph serve` on loopback, fed through a pipe.

The browser is Debian's chromium (scripts/test-setup installs it), driven over its DevTools
protocol by Playwright; nothing is downloaded. `serve(...)` starts `framegraph serve`;
`new_page()` opens a page in a fresh browser context (cookies of its own).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .browser import Serve

CHROMIUM = os.environ.get("FRAMEGRAPH_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def serve() -> Iterator[Callable[..., Serve]]:
    started: list[Serve] = []

    def start(*args: str, token: str | None = None, port: int = 0) -> Serve:
        started.append(Serve(*args, token=token, port=port))
        return started[-1]

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Not for the session: Playwright's synchronous API runs
    an event loop in this thread while it is open, and later tests call `asyncio.run`."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no {CHROMIUM} (scripts/test-setup installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """`new_page()`: a page in a fresh browser context (its own cookies), closed after."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, **options)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(error))
        return page

    yield make
    for context in contexts:
        context.close()
