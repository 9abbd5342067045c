"""Reading the audit log: who acted for a person and by which right; what was done in an
organisation's name. Each is a keyset page (two statements)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.models import AuditEvent
from tenants.pagination import Page, PageKey, pages_by_parent, paginate


async def acted_for(
    session: AsyncSession, person_id: uuid.UUID, first: int | None, after: str | None
) -> Page[AuditEvent]:
    """Acts someone else did for the person (a trusted third party under a mandate…)."""
    query = select(AuditEvent).where(AuditEvent.on_behalf_of_person_id == person_id)
    return await paginate(session, query, AuditEvent.at, AuditEvent.id, first, after)


async def done_by(
    session: AsyncSession, account_id: uuid.UUID, first: int | None, after: str | None
) -> Page[AuditEvent]:
    """The account's own acts, in whatever capacity."""
    query = select(AuditEvent).where(AuditEvent.actor_account_id == account_id)
    return await paginate(session, query, AuditEvent.at, AuditEvent.id, first, after)


async def in_name_of(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by organisation: acts done in its name or on it (by its members, by the
    authority)."""
    return await pages_by_parent(
        session,
        keys,
        AuditEvent.organisation_id,
        lambda _: select(AuditEvent),
        AuditEvent.at,
        AuditEvent.id,
    )
