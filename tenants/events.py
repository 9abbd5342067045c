"""Events for real time: what happened (a message added, a thread read, a dossier changed),
published once the transaction that made it has committed, and fanned out to the
subscriptions of every server process.

`EventBus` is what services and the API see. `LocalBus` fans out within the process (the
SQLite default, and the delivering half of every other bus); `server/events.py` builds the
cross-process ones (PostgreSQL LISTEN/NOTIFY, Redis pub/sub) on top of it. An event carries
ids, never content: a subscriber reads the rows itself, as the viewer it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any, Protocol

log = logging.getLogger("guichet.events")

QUEUE_SIZE = 1000  # per subscription: a subscriber this far behind loses the oldest
SESSION_CLOSED = "SESSION_CLOSED"  # `session_id` was revoked: its subscriptions end
SESSIONS_CLOSED = "SESSIONS_CLOSED"  # every session of `account_id` (maybe but one) revoked


@dataclass(frozen=True)
class Event:
    tenant: str
    kind: str  # MESSAGE_ADDED, THREAD_READ, DOSSIER_CHANGED, SESSION(S)_CLOSED
    thread_id: str | None = None
    message_id: str | None = None
    dossier_id: str | None = None
    session_id: str | None = None
    account_id: str | None = None
    at: str | None = None  # ISO instant

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event | None:
        """The event, or `None` for anything that is not one (logged, never raised)."""
        try:
            data: Any = json.loads(raw)
            fields = {k: data.get(k) for k in cls.__dataclass_fields__}
            if not all(isinstance(v, str | None) for v in fields.values()):
                raise TypeError("not strings")
            if not fields["tenant"] or not fields["kind"]:
                raise ValueError("no tenant or kind")
            return cls(**fields)
        except (ValueError, TypeError, AttributeError):
            log.warning("malformed event ignored")
            return None


class EventBus(Protocol):
    async def publish(self, events: Sequence[Event]) -> None: ...

    def subscribe(self, tenant: str) -> contextlib.AbstractAsyncContextManager[Subscription]: ...

    async def close(self) -> None: ...


class EventQueue(asyncio.Queue[Event]):
    """An asyncio queue whose waiting events can be looked at without taking them."""

    def _init(self, maxsize: int) -> None:
        self._queue: deque[Event] = deque()

    def waiting(self, limit: int) -> tuple[Event, ...]:
        return tuple(islice(self._queue, limit))


class Subscription:
    """One subscriber's events of one tenant, in order."""

    def __init__(self) -> None:
        self.queue = EventQueue(QUEUE_SIZE)

    def put(self, event: Event) -> None:
        if self.queue.full():  # too slow a reader: the oldest go
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
        self.queue.put_nowait(event)

    def pending(self, limit: int = 100) -> tuple[Event, ...]:
        """The first `limit` events waiting behind the one being handled (oldest first)."""
        return self.queue.waiting(limit)

    async def next(self, within: float | None = None) -> Event | None:
        """The next event, or `None` after `within` seconds without one."""
        try:
            return await asyncio.wait_for(self.queue.get(), within)
        except TimeoutError:
            return None

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self.queue.get()


class LocalBus:
    """Fan-out to this process's subscriptions; `publish` delivers at once."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, set[Subscription]] = {}

    def deliver(self, event: Event) -> None:
        for subscription in list(self._subscriptions.get(event.tenant, ())):
            subscription.put(event)

    async def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self.deliver(event)

    @contextlib.asynccontextmanager
    async def subscribe(self, tenant: str) -> AsyncIterator[Subscription]:
        await self.started()
        subscription = Subscription()
        self._subscriptions.setdefault(tenant, set()).add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions[tenant].discard(subscription)

    async def started(self) -> None:
        """Hook for the cross-process buses: listen before the first subscriber waits."""

    async def close(self) -> None:
        self._subscriptions.clear()
