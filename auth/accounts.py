"""Reading accounts and their sessions (batches for the API's DataLoaders, pages)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import Account, AuthSession
from tenants.pagination import Page, paginate


async def accounts_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Account | None]:
    rows = (await session.scalars(select(Account).where(Account.id.in_(ids)))).all()
    found = {row.id: row for row in rows}
    return [found.get(id_) for id_ in ids]


async def sessions_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[AuthSession | None]:
    rows = (await session.scalars(select(AuthSession).where(AuthSession.id.in_(ids)))).all()
    found = {row.id: row for row in rows}
    return [found.get(id_) for id_ in ids]


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
