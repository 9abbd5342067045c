"""Alembic environment: async engines, SQLite batch mode, and a shared connection when the
migration is run from Guichet itself (`server.migrate`)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import auth.account.models
import auth.audit.models
import auth.habilitation.models
import auth.oidc.models  # noqa: F401
import dossiers.company.models
import dossiers.deposit.models
import dossiers.dossier.models
import dossiers.messaging.models
import dossiers.public.models
import dossiers.title.models
import dossiers.webhooks.models  # noqa: F401
import mail.models  # noqa: F401
import tenants.mandates
import tenants.models
import tenants.organisations
import tenants.structures
from server.database import create_engine

config = context.config
target_metadata = tenants.models.Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await engine.dispose()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from server.settings import Settings

        url = Settings.from_env().resolved_migration_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(url))


run()
