"""Per-request DataLoaders: one statement per batch, each batch in its own short session."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from auth.accounts import accounts_by_id, sessions_by_id
from auth.models import Account, AuthSession
from tenants.directory import persons_by_id
from tenants.models import Person

T = TypeVar("T")


@dataclass(frozen=True)
class Loaders:
    persons: DataLoader[uuid.UUID, Person | None]
    accounts: DataLoader[uuid.UUID, Account | None]
    sessions: DataLoader[uuid.UUID, AuthSession | None]


def build_loaders(open_session: Callable[[], AsyncSession]) -> Loaders:
    def batch(
        fetch: Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[list[T | None]]],
    ) -> DataLoader[uuid.UUID, T | None]:
        async def load(ids: list[uuid.UUID]) -> list[T | None]:
            async with open_session() as session:
                return await fetch(session, ids)

        return DataLoader(load_fn=load)

    return Loaders(
        persons=batch(persons_by_id),
        accounts=batch(accounts_by_id),
        sessions=batch(sessions_by_id),
    )
