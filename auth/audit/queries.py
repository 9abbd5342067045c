"""Reading the audit log: who acted for a person and by which right; what was done in an
organisation's name. Each is a keyset page (two statements)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.models import AuditEvent
from tenants.pagination import Page, paginate


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


async def in_name_of(
    session: AsyncSession, organisation_id: uuid.UUID, first: int | None, after: str | None
) -> Page[AuditEvent]:
    """Acts done in the organisation's name or on it (by its members, by the authority)."""
    query = select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
    return await paginate(session, query, AuditEvent.at, AuditEvent.id, first, after)
