"""The migrations are the only way a schema is made: they must build exactly the models'
schema, and go down and up again, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# every model on the metadata, as in migrations/env.py
import auth.habilitation.models  # noqa: F401
import dossiers.company.models
import dossiers.deposit.models
import dossiers.title.models  # noqa: F401
import mail.models  # noqa: F401
import tenants.mandates
import tenants.organisations
import tenants.structures  # noqa: F401
from server.database import create_engine
from server.migrate import alembic_config, head_revision
from tenants.models import Base
from tests.conftest import Database

SCHEMA = "migration_check"  # PostgreSQL: a schema of its own, the suite's `public` untouched


@pytest.fixture
async def scratch(database: Database, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty database of the same kind as the suite's, owned by the migrating role."""
    if database.backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        await engine.dispose()
        return
    owner = create_engine(database.owner_url)
    async with owner.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine = create_engine(
        database.owner_url, connect_args={"server_settings": {"search_path": SCHEMA}}
    )
    try:
        yield engine
    finally:
        await engine.dispose()
        async with owner.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await owner.dispose()


def _alembic(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def _run(engine: AsyncEngine, action: str, revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_alembic, action, revision)


async def test_the_migrations_build_exactly_the_models(scratch: AsyncEngine) -> None:
    await _run(scratch, "upgrade", "head")
    async with scratch.connect() as conn:
        assert await conn.run_sync(_differences) == []
        assert await conn.run_sync(_tables) == set(Base.metadata.tables)


async def test_upgrade_downgrade_upgrade(scratch: AsyncEngine) -> None:
    await _run(scratch, "upgrade", "head")
    await _run(scratch, "downgrade", "base")
    async with scratch.connect() as conn:
        assert await conn.run_sync(_tables) == set()
        version = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
        assert version is None
    await _run(scratch, "upgrade", "head")
    async with scratch.connect() as conn:
        assert await conn.run_sync(_differences) == []
        version = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
        assert version == head_revision()


async def test_each_step_goes_down_and_up_again(scratch: AsyncEngine) -> None:
    """One revision at a time: every downgrade undoes exactly its upgrade."""
    await _run(scratch, "upgrade", "head")
    await _run(scratch, "downgrade", "-1")
    await _run(scratch, "upgrade", "head")
    async with scratch.connect() as conn:
        assert await conn.run_sync(_differences) == []
