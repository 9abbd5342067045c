"""Counters of the public services: fixed-window rate limits (the `limits` library's items,
keys and windows) and the security codes already used, kept in the database by default or in
Redis (`limits`' Redis storage) when one is configured.

In the database, every counter a request needs is hit by one statement (an upsert of several
rows, `RETURNING` their counts): the public verification costs that statement and its look-up.
A counter whose window has ended starts again at the hit; `purge` drops the ended ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from limits import RateLimitItem
from limits.aio.storage import Storage
from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite

from auth.context import ServiceContext
from dossiers.public.models import PublicCounter


@dataclass(frozen=True)
class Hit:
    """One counter to increment: its key and how long its window lasts."""

    key: str
    window: timedelta


def limit_hit(item: RateLimitItem, *identifiers: str) -> Hit:
    return Hit(item.key_for(*identifiers), timedelta(seconds=item.get_expiry()))


class Counters(Protocol):
    async def hit(self, ctx: ServiceContext, hits: Sequence[Hit]) -> list[int]:
        """Each counter incremented once; their counts in the current window, in order."""
        ...


class DatabaseCounters:
    """In the tenant's `public_counters` table, inside the caller's transaction."""

    async def hit(self, ctx: ServiceContext, hits: Sequence[Hit]) -> list[int]:
        if not hits:
            return []
        now = ctx.clock.now()
        dialect = ctx.session.get_bind().dialect.name
        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        rows = [
            {"tenant_id": ctx.pack.slug, "key": h.key, "count": 1, "expires_at": now + h.window}
            for h in {h.key: h for h in hits}.values()
        ]
        statement = insert(PublicCounter).values(rows)
        table = PublicCounter.__table__.c
        ended = table.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[table.tenant_id, table.key],
            set_={
                "count": case((ended, 1), else_=table.count + 1),
                "expires_at": case((ended, statement.excluded.expires_at), else_=table.expires_at),
            },
        ).returning(table.key, table.count)
        counts = {key: count for key, count in (await ctx.session.execute(statement)).all()}
        return [int(counts[h.key]) for h in hits]


class StorageCounters:
    """In a `limits` asynchronous storage (Redis): one increment per counter."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def hit(self, ctx: ServiceContext, hits: Sequence[Hit]) -> list[int]:
        return [
            await self.storage.incr(
                f"{ctx.pack.slug}/{h.key}", int(h.window.total_seconds()), amount=1
            )
            for h in hits
        ]


async def purge(ctx: ServiceContext, before: datetime) -> int:
    """Drop the database counters whose window ended before `before`."""
    result = await ctx.session.execute(
        delete(PublicCounter).where(PublicCounter.expires_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
