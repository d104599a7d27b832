"""Browser sessions: random ids, kept as digests, expiring, revocable, bounded."""

from __future__ import annotations

from orchestrator.http.sessions import Sessions


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_session_is_valid_until_it_expires() -> None:
    clock = Clock()
    store = Sessions(ttl=60, clock=clock)
    sid = store.open()
    assert len(sid) >= 43 and store.valid(sid)
    clock.now += 59.5
    assert store.remaining(sid) == 0.5
    clock.now += 0.5
    assert not store.valid(sid) and len(store) == 0


def test_logout_revokes_and_unknown_ids_are_refused() -> None:
    store = Sessions(ttl=60, clock=Clock())
    a, b = store.open(), store.open()
    assert a != b
    store.close(a)
    assert not store.valid(a) and store.valid(b)
    for bad in (None, "", "x", b[:-1]):
        assert not store.valid(bad)


def test_only_digests_are_kept() -> None:
    store = Sessions(ttl=60, clock=Clock())
    sid = store.open()
    assert all(isinstance(k, bytes) and sid.encode() not in k for k in store._expiry)


def test_the_store_is_bounded_and_drops_the_session_closest_to_expiry() -> None:
    clock = Clock()
    store = Sessions(ttl=60, limit=2, clock=clock)
    first = store.open()
    clock.now += 1
    second = store.open()
    third = store.open()
    assert len(store) == 2
    assert not store.valid(first) and store.valid(second) and store.valid(third)
