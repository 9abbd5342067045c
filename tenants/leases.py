"""Queues of rows sent by background workers with a lease (the mail outbox, the webhook
deliveries): which rows are due, claiming one for `lease` so that one worker sends it, and
the delay before the next attempt. At least once: a worker that dies leaves its claim to
expire and another takes the row again."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.session import rows_changed


def backoff(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """`base` doubled after each failed attempt, at most `cap`."""
    return min(base * (2 ** max(0, min(attempts - 1, 20))), cap)


def _unclaimed(model: Any, now: datetime) -> Any:
    return or_(model.claimed_until.is_(None), model.claimed_until < now)


async def due_ids(
    session: AsyncSession, model: Any, pending: str, now: datetime, limit: int
) -> list[uuid.UUID]:
    """The ids of the rows of `model` (columns `status`, `next_attempt_at`, `claimed_until`)
    that are `pending`, due and not claimed, the longest due first."""
    found = await session.scalars(
        select(model.id)
        .where(model.status == pending, model.next_attempt_at <= now, _unclaimed(model, now))
        .order_by(model.next_attempt_at)
        .limit(limit)
    )
    return list(found.all())


async def claim(
    session: AsyncSession,
    model: Any,
    row_id: uuid.UUID,
    pending: str,
    now: datetime,
    lease: timedelta,
    worker: str,
) -> bool:
    """Claim one due row for `lease` (one statement: a concurrent worker's claim wins or
    loses as a whole); whether this worker got it."""
    claimed = await session.execute(
        update(model)
        .where(model.id == row_id, model.status == pending, _unclaimed(model, now))
        .values(claimed_until=now + lease, claimed_by=worker)
    )
    return rows_changed(claimed) == 1
