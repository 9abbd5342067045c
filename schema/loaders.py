"""Per-request DataLoaders: one statement per batch, in the request's session (taken behind
its gate for the batch alone)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from auth.account.models import Account, AuthSession
from tenants.directory import rows_by_id
from tenants.models import Base, Person

M = TypeVar("M", bound=Base)
K = TypeVar("K")
V = TypeVar("V")


class Loaders:
    """`by_id(Model)`: rows by primary key; `custom(key, load)`: any other batch (rows by a
    foreign key, counts…), each made once per request."""

    def __init__(
        self, open_session: Callable[[], AbstractAsyncContextManager[AsyncSession]]
    ) -> None:
        self._open_session = open_session
        self._made: dict[Any, DataLoader[Any, Any]] = {}

    def by_id(self, model: type[M]) -> DataLoader[uuid.UUID, M | None]:
        async def load(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[M | None]:
            return await rows_by_id(session, model, ids)

        return self.custom(model, load)

    def custom(
        self, key: Any, load: Callable[[AsyncSession, Sequence[K]], Awaitable[list[V]]]
    ) -> DataLoader[K, V]:
        made = self._made.get(key)
        if made is None:
            opener = self._open_session

            async def batch(keys: list[K]) -> list[V]:
                async with opener() as session:
                    return await load(session, keys)

            made = DataLoader(load_fn=batch)
            self._made[key] = made
        return made

    @property
    def persons(self) -> DataLoader[uuid.UUID, Person | None]:
        return self.by_id(Person)

    @property
    def accounts(self) -> DataLoader[uuid.UUID, Account | None]:
        return self.by_id(Account)

    @property
    def sessions(self) -> DataLoader[uuid.UUID, AuthSession | None]:
        return self.by_id(AuthSession)


def build_loaders(open_session: Callable[[], AbstractAsyncContextManager[AsyncSession]]) -> Loaders:
    return Loaders(open_session)
