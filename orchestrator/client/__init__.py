"""A small Python client for `framegraph serve`: blocking (`Client`) and async (`AsyncClient`).

Both speak to the JSON endpoints, subscribe over Server-Sent Events (`events()`), and open
WebSocket sessions whose subset can change at run time (`connect()`). They are two thin
transports over one sans-I/O `protocol` (URLs, auth, messages, replies, errors).
"""

from orchestrator.client.aio import AsyncClient, AsyncSession
from orchestrator.client.events import Event, ServiceError
from orchestrator.client.sync import Client, Session

__all__ = ["AsyncClient", "AsyncSession", "Client", "Event", "ServiceError", "Session"]
