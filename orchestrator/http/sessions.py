"""Browser sessions: a browser trades the token once for a short-lived session cookie.

An EventSource cannot send an `Authorization` header, and a token in a URL ends up in
logs and browser history. So the viewer POSTs the token to /session once and receives a
random session id in a cookie that scripts cannot read (HttpOnly) and that the browser
sends only with requests started by this site's own pages (SameSite=Strict).

Sessions live in this process only: they expire after `ttl` seconds, a logout revokes
one at once, and a restart revokes them all. Only the SHA-256 digest of each id is kept
and looked up, so neither memory nor lookup timing gives anything away about valid ids
(finding an id from its digest is a preimage attack). The store is bounded: at the limit,
the session closest to expiry is dropped.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

COOKIE = "framegraph_session"


def _digest(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()


class Sessions:
    def __init__(
        self, ttl: float, limit: int = 1024, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.limit = limit
        self.clock = clock
        self._expiry: dict[bytes, float] = {}

    def open(self) -> str:
        """A new session id (256 random bits), valid for `ttl` seconds."""
        self._prune()
        while len(self._expiry) >= self.limit:
            del self._expiry[min(self._expiry, key=self._expiry.__getitem__)]
        session_id = secrets.token_urlsafe(32)
        self._expiry[_digest(session_id)] = self.clock() + self.ttl
        return session_id

    def remaining(self, session_id: str | None) -> float | None:
        """Seconds left to a valid session; None if unknown, expired or logged out."""
        if not session_id:
            return None
        key = _digest(session_id)
        expiry = self._expiry.get(key)
        if expiry is None:
            return None
        left = expiry - self.clock()
        if left <= 0:
            del self._expiry[key]
            return None
        return left

    def valid(self, session_id: str | None) -> bool:
        return self.remaining(session_id) is not None

    def close(self, session_id: str | None) -> None:
        """Log out: the id is refused from now on."""
        if session_id:
            self._expiry.pop(_digest(session_id), None)

    def _prune(self) -> None:
        now = self.clock()
        for key in [k for k, expiry in self._expiry.items() if expiry <= now]:
            del self._expiry[key]

    def __len__(self) -> int:
        return len(self._expiry)
