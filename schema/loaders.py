"""Per-request DataLoaders: one statement per batch, each batch in its own short session."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from auth.models import Account, AuthSession
from tenants.directory import rows_by_id
from tenants.models import Base, Person

M = TypeVar("M", bound=Base)


@dataclass(frozen=True)
class Loaders:
    persons: DataLoader[uuid.UUID, Person | None]
    accounts: DataLoader[uuid.UUID, Account | None]
    sessions: DataLoader[uuid.UUID, AuthSession | None]


def build_loaders(open_session: Callable[[], AsyncSession]) -> Loaders:
    def batch(model: type[M]) -> DataLoader[uuid.UUID, M | None]:
        async def load(ids: list[uuid.UUID]) -> list[M | None]:
            async with open_session() as session:
                return await rows_by_id(session, model, ids)

        return DataLoader(load_fn=load)

    return Loaders(persons=batch(Person), accounts=batch(Account), sessions=batch(AuthSession))
