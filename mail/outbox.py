"""Write a message to the outbox, inside the caller's transaction.

Mail is never sent inside a request: if the transaction that causes the mail rolls back, the
mail goes with it; if it commits, the sending loop (`mail.worker`) delivers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mail.models import OutboxMessage, OutboxStatus
from mail.render import render
from tenants.packs.base import TenantPack


async def enqueue(
    session: AsyncSession,
    *,
    pack: TenantPack,
    recipient: str,
    template: str,
    locale: str,
    context: Mapping[str, Any],
    now: datetime,
) -> OutboxMessage:
    message = render(pack, template, locale, recipient, context, now)
    row = OutboxMessage(
        template=template,
        recipient=recipient,
        message_id=str(message["Message-ID"]),
        content=message.as_string(),
        status=OutboxStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    return row
