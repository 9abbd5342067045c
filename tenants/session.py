"""The tenant-scoped session.

A session is opened for one tenant (`session.info["tenant_id"]`). Every ORM SELECT, UPDATE and
DELETE it runs gets `tenant_id = :tenant` on each tenant-owned entity, without the caller
asking; every new tenant-owned row is stamped with the tenant; and on PostgreSQL every
transaction starts with `set_config('app.tenant_id', tenant, true)` so the row-level security
policies (see `tenants.isolation`) enforce the same rule underneath.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, CursorResult, Result
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, with_loader_criteria

from tenants.models import TenantScoped

TENANT_KEY = "tenant_id"


class MissingTenant(RuntimeError):
    """A tenant-owned table was touched by a session opened without a tenant."""


class TenantSession(Session):
    """The synchronous session under every `AsyncSession` Guichet opens."""


def session_tenant(session: Session) -> str | None:
    value = session.info.get(TENANT_KEY)
    return value if isinstance(value, str) else None


@event.listens_for(TenantSession, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant = session_tenant(state.session)
    if tenant is None:
        if any(
            isinstance(m.class_, type) and issubclass(m.class_, TenantScoped)
            for m in state.all_mappers
        ):
            raise MissingTenant("tenant-owned rows read without a tenant")
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant,
            include_aliases=True,
        )
    )


@event.listens_for(TenantSession, "before_flush")
def _stamp_tenant(session: Session, _context: Any, _instances: Any) -> None:
    tenant = session_tenant(session)
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if tenant is None:
            raise MissingTenant(f"{type(obj).__name__} written without a tenant")
        current = obj.__dict__.get("tenant_id")
        if current is None:
            obj.tenant_id = tenant
        elif current != tenant:
            raise MissingTenant(f"{type(obj).__name__} of tenant {current} written in {tenant}")


@event.listens_for(TenantSession, "after_begin")
def _set_rls_tenant(session: Session, transaction: SessionTransaction, conn: Connection) -> None:
    # a SAVEPOINT (`begin_nested`) keeps the setting of its transaction: not set again
    if conn.dialect.name != "postgresql" or transaction.nested:
        return
    tenant = session_tenant(session) or ""
    conn.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": tenant})


def tenant_of(session: AsyncSession) -> str:
    """The session's tenant, for a Core statement (run on `await session.connection()`, which
    the ORM's automatic `tenant_id = :tenant` does not reach: it names the tenant itself)."""
    tenant = session_tenant(session.sync_session)
    if tenant is None:
        raise MissingTenant("a Core statement needs the session's tenant")
    return tenant


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, sync_session_class=TenantSession, expire_on_commit=False, autoflush=False
    )


def open_session(factory: async_sessionmaker[AsyncSession], tenant: str) -> AsyncSession:
    """A session bound to one tenant; close it (``async with``) when done."""
    return factory(info={TENANT_KEY: tenant})


class RequestSession:
    """One session for a whole request (a GraphQL operation): opened at its first use, so its
    transaction begins once — one `BEGIN`, one `set_config` — and ended by `close()`.

    Resolvers run concurrently and an `AsyncSession` must never be used by two coroutines at
    once: every use goes through `use()`, a gate (an `asyncio.Lock`) that lets one holder at a
    time. Hold it for a statement or two, never while awaiting a DataLoader (whose batch takes
    the gate in another task: that would wait forever).
    """

    def __init__(self, factory: async_sessionmaker[AsyncSession], tenant: str) -> None:
        self._factory = factory
        self._tenant = tenant
        self._session: AsyncSession | None = None
        self._gate = asyncio.Lock()

    @property
    def opened(self) -> bool:
        return self._session is not None

    @asynccontextmanager
    async def use(self) -> AsyncIterator[AsyncSession]:
        """The request's session, for this holder alone until the block ends. A database
        error ends the transaction (PostgreSQL refuses anything after one)."""
        async with self._gate:
            if self._session is None:
                self._session = open_session(self._factory, self._tenant)
            session = self._session
            try:
                yield session
            except SQLAlchemyError:
                await session.rollback()
                raise

    async def close(self) -> None:
        """End the transaction (a read ends in `ROLLBACK`) and give the connection back."""
        async with self._gate:
            session, self._session = self._session, None
            if session is not None:
                await session.close()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: a guarded update (`... WHERE used_at IS
    NULL`) changed 1 when this caller won the race, 0 when another did."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"not the result of an UPDATE or DELETE: {type(result).__name__}")
    return result.rowcount
