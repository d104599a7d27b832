"""With --token: the page's login works, a wrong token fails, an expired session fails."""

from __future__ import annotations

from .browser import vtest_lines, wait_js

TOKEN = "viewer-test-token-4c1d"
STATUS = "(path) => fetch(path).then((r) => r.status)"


def log_in(page, token: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#login-token", token)
    page.click("#login-form button[type=submit]")


def test_login_wrong_token_expiry_and_logout(serve, new_page) -> None:
    server = serve("--session-ttl", "4", token=TOKEN)
    page = new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{server.url}/#features=image.preview,motion")
    wait_js(page, "framegraph.state === 'login'")
    assert page.is_visible("#login-form")
    assert page.evaluate(STATUS, "features") == 401

    log_in(page, "not-the-token")
    wait_js(page, "!document.getElementById('login-error').hidden")
    assert page.text_content("#login-error") == "Wrong token."
    assert page.evaluate("framegraph.state") == "login"

    log_in(page, TOKEN)
    wait_js(page, "framegraph.state === 'live'")
    server.feed(vtest_lines(), loop=True)
    wait_js(page, "framegraph.drawn && framegraph.drawn.frame >= 0")
    assert page.is_hidden("#login")
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script can read the session
    assert not any(TOKEN in url for url in urls)  # the token never went into a URL

    # The session expires (--session-ttl 4): the API refuses it, the page asks again.
    wait_js(page, "fetch('session').then((r) => r.json()).then((s) => !s.authenticated)", 30)
    assert page.evaluate(STATUS, "features") == 401
    page.reload()
    wait_js(page, "framegraph.state === 'login'")

    log_in(page, TOKEN)
    wait_js(page, "framegraph.state === 'live'")
    with page.expect_navigation():  # logging out reloads the page
        page.click("#logout")
    wait_js(page, "window.framegraph && framegraph.state === 'login'")
    assert page.evaluate(STATUS, "features") == 401
    assert page.errors == []
