"""Run the Alembic migrations (the only way a schema is created) and grant the server's role."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from server.database import create_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(url: str, revision: str = "head") -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def grant_app_role(migration_url: str, app_url: str) -> str | None:
    """On PostgreSQL, when the server connects as another role than the owner, let that role
    read and write the tables (never own them: owners and superusers skip row-level security).
    Returns the role granted, or None when there was nothing to do."""
    owner, app = make_url(migration_url), make_url(app_url)
    if owner.get_backend_name() != "postgresql" or not app.username:
        return None
    if owner.username == app.username:
        return None
    role = app.username.replace('"', '""')
    engine = create_engine(migration_url)
    try:
        async with engine.begin() as conn:
            for statement in (
                f'GRANT USAGE ON SCHEMA public TO "{role}"',
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
                f'REVOKE ALL ON TABLE alembic_version FROM "{role}"',
                f'GRANT SELECT ON TABLE alembic_version TO "{role}"',
            ):
                await conn.execute(text(statement))
    finally:
        await engine.dispose()
    return app.username
