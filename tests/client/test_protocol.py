"""The protocol without any I/O: URLs, headers, messages, and how replies are read."""

from __future__ import annotations

import orjson
import pytest

from orchestrator.client import ServiceError, protocol
from orchestrator.client.events import Event
from orchestrator.client.protocol import Endpoint, Session, Subscription, base_url, ws_url


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("localhost:8080", "http://localhost:8080"),
        ("http://h:1/", "http://h:1"),
        ("http://h:1/events", "http://h:1"),
        ("ws://h:1/ws", "http://h:1"),
        ("https://h/prefix/events", "https://h/prefix"),
    ],
)
def test_base_url_accepts_what_people_paste(given: str, base: str) -> None:
    assert base_url(given) == base


def test_ws_url() -> None:
    assert ws_url("https://h/p", {"features": "a,b"}) == "wss://h/p/ws?features=a%2Cb"
    assert Endpoint.of("h:1/events").ws_url() == "ws://h:1/ws"


def test_bearer_header_only_with_a_token() -> None:
    assert Endpoint.of("h:1", "t").headers == {"Authorization": "Bearer t"}
    assert Endpoint.of("h:1").headers == {}


def test_query_leaves_out_what_was_not_asked() -> None:
    assert protocol.query(["a", "b"], "lossless", 16) == {
        "features": "a,b",
        "policy": "lossless",
        "queue": "16",
    }
    assert protocol.query("a,b") == {"features": "a,b"}
    assert protocol.query(None) == {}


def test_calls_read_answers_and_refusals() -> None:
    call = protocol.features(show_all=True)
    assert (call.path, call.params) == ("/features", {"all": "1"})
    assert call.read(200, b'{"features": [{"name": "motion"}]}') == [{"name": "motion"}]
    assert protocol.plan(["motion"]).params == {"features": "motion"}
    with pytest.raises(ServiceError) as err:
        protocol.plan("nope").read(400, b'{"error": "unknown_feature", "valid": ["motion"]}')
    assert (err.value.status, err.value.code, err.value.body["valid"]) == (
        400,
        "unknown_feature",
        ["motion"],
    )
    with pytest.raises(ServiceError, match="Bad Gateway") as err:
        protocol.health().read(502, b"Bad Gateway")  # a proxy's page, not JSON
    assert err.value.code == "http_502"
    assert protocol.ready().read(503, b'{"ready": false}') == (False, {"ready": False})
    assert protocol.metrics().read(200, b"framegraph_up 1\n") == "framegraph_up 1\n"


def test_a_subscription_skips_heartbeats_and_ends_with_end() -> None:
    sub = Subscription(protocol.query("motion"))
    assert sub.receive("") is None and not sub.ended
    first = sub.receive('{"type": "subscribed"}', "subscribed")
    assert first is not None and first.type == "subscribed" and not sub.ended
    named = sub.receive('{"frame": 3}', "result")  # the SSE event name gives the type
    assert named is not None and (named.type, named.frame) == ("result", 3)
    assert sub.receive('{"type": "end"}', "end") is not None and sub.ended


def test_session_requests_are_numbered_and_leave_out_defaults() -> None:
    session = Session()
    first = session.subscribe(["motion"])
    assert orjson.loads(first.text) == {"type": "subscribe", "id": 1, "features": ["motion"]}
    full = orjson.loads(session.subscribe("motion", "lossless", 8).text)
    assert full == {
        "type": "subscribe",
        "id": 2,
        "features": "motion",
        "policy": "lossless",
        "queue": 8,
    }
    change = session.change("a,b")
    assert change.id == 3 and orjson.loads(change.text)["features"] == "a,b"
    assert orjson.loads(session.unsubscribe().text) == {"type": "unsubscribe", "id": 4}


def test_replies_are_told_from_events_and_refusals_raise() -> None:
    session = Session()
    ack = session.receive('{"type": "changed", "id": 3}')
    assert Session.reply_to(ack) == 3 and Session.outcome(ack.data)["type"] == "changed"
    assert Session.reply_to(Event.parse('{"type": "result", "frame": 1}')) is None
    refused = {"type": "rejected", "id": 4, "status": 400, "error": "unknown_feature"}
    with pytest.raises(ServiceError) as err:
        Session.outcome(refused)
    assert (err.value.status, err.value.code) == (400, "unknown_feature")
