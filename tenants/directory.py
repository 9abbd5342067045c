"""Reading the party directory in batches (what the API's DataLoaders call)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.models import Person


async def persons_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Person | None]:
    rows = (await session.scalars(select(Person).where(Person.id.in_(ids)))).all()
    found = {row.id: row for row in rows}
    return [found.get(id_) for id_ in ids]
