"""The event bus of this process, chosen by the settings: Redis pub/sub when
GUICHET_REDIS_URL is set, PostgreSQL LISTEN/NOTIFY on PostgreSQL, in-process on SQLite (one
process). Each is a `tenants.events.LocalBus` whose events come back from the shared medium:
a process publishes, every process (itself included) delivers to its own subscribers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import asyncpg
import redis.asyncio as redis

from server.settings import Settings
from tenants.events import Event, EventBus, LocalBus

log = logging.getLogger("guichet.events")

CHANNEL = "guichet_events"
RECONNECT_DELAY = 1.0


class PostgresBus(LocalBus):
    """NOTIFY on one connection, LISTEN on another (opened with the first subscriber and
    reopened if it drops). A NOTIFY payload holds ids only: far below PostgreSQL's 8,000
    bytes."""

    def __init__(self, dsn: str) -> None:
        super().__init__()
        self.dsn = dsn
        self._listener: Any = None
        self._publisher: Any = None
        self._listening = asyncio.Lock()
        self._publishing = asyncio.Lock()
        self._closed = False

    async def started(self) -> None:
        async with self._listening:
            if self._listener is not None and not self._listener.is_closed():
                return
            connection = await asyncpg.connect(self.dsn)
            await connection.add_listener(CHANNEL, self._notified)
            connection.add_termination_listener(self._dropped)
            self._listener = connection

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        event = Event.from_json(payload)
        if event is not None:
            self.deliver(event)

    def _dropped(self, _connection: Any) -> None:
        if self._closed:
            return
        log.warning("event listener connection lost; reconnecting")
        self._listener = None
        asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        while not self._closed:
            try:
                await self.started()
                return
            except (OSError, asyncpg.PostgresError):
                await asyncio.sleep(RECONNECT_DELAY)

    async def publish(self, events: Sequence[Event]) -> None:
        async with self._publishing:
            if self._publisher is None or self._publisher.is_closed():
                self._publisher = await asyncpg.connect(self.dsn)
            for event in events:
                await self._publisher.execute("SELECT pg_notify($1, $2)", CHANNEL, event.to_json())

    async def close(self) -> None:
        self._closed = True
        for connection in (self._listener, self._publisher):
            if connection is not None and not connection.is_closed():
                with contextlib.suppress(Exception):
                    await connection.close()
        await super().close()


class RedisBus(LocalBus):
    """PUBLISH and SUBSCRIBE on one Redis channel; the reader task starts with the first
    subscriber."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.client: Any = redis.from_url(url)
        self._reader: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    async def started(self) -> None:
        async with self._starting:
            if self._reader is not None and not self._reader.done():
                return
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(CHANNEL)
            self._reader = asyncio.get_running_loop().create_task(self._read(pubsub))

    async def _read(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        event = Event.from_json(message["data"])
                        if event is not None:
                            self.deliver(event)
            except asyncio.CancelledError:
                await pubsub.aclose()
                raise
            except Exception:  # a dropped connection: resubscribe
                log.warning("event subscriber connection lost; reconnecting")
                await asyncio.sleep(RECONNECT_DELAY)
                with contextlib.suppress(Exception):
                    await pubsub.subscribe(CHANNEL)

    async def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            await self.client.publish(CHANNEL, event.to_json())

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with contextlib.suppress(Exception):
            await self.client.aclose()
        await super().close()


def build_bus(settings: Settings) -> EventBus:
    if settings.redis_url:
        return RedisBus(settings.redis_url)
    url = settings.resolved_database_url
    if url.startswith("postgresql"):
        return PostgresBus(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    return LocalBus()
