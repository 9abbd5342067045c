"""Reading tenant-owned rows in batches (what the API's DataLoaders call)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.models import Base

M = TypeVar("M", bound=Base)


async def rows_by_id(
    session: AsyncSession, model: type[M], ids: Sequence[uuid.UUID]
) -> list[M | None]:
    """One statement for the whole batch; rows in the order asked, `None` where missing."""
    mapper = inspect(model)
    (key,) = mapper.primary_key
    rows = (await session.scalars(select(model).where(key.in_(ids)))).all()
    found = {mapper.primary_key_from_instance(row)[0]: row for row in rows}
    return [found.get(id_) for id_ in ids]
