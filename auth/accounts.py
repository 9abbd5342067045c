"""Reading an account's sessions, a page at a time."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import AuthSession
from tenants.pagination import Page, paginate


async def sessions_of(
    session: AsyncSession,
    account_id: uuid.UUID,
    *,
    active_only: bool,
    first: int | None,
    after: str | None,
) -> Page[AuthSession]:
    query = select(AuthSession).where(AuthSession.account_id == account_id)
    if active_only:
        query = query.where(AuthSession.revoked_at.is_(None))
    return await paginate(session, query, AuthSession.created_at, AuthSession.id, first, after)
