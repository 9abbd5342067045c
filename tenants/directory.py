"""Reading tenant-owned rows in batches (what the API's DataLoaders call)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.models import Base

M = TypeVar("M", bound=Base)


async def rows_by_id(
    session: AsyncSession, model: type[M], ids: Sequence[uuid.UUID]
) -> list[M | None]:
    """One statement for the whole batch; rows in the order asked, `None` where missing."""
    key: Any = model.id  # type: ignore[attr-defined]
    rows = (await session.scalars(select(model).where(key.in_(ids)))).all()
    found = {row.id: row for row in rows}  # type: ignore[attr-defined]
    return [found.get(id_) for id_ in ids]
