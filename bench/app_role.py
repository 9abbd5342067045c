"""The role the benchmarked server connects as on PostgreSQL: like production's, it owns no
table and cannot bypass row-level security, so every request pays for the tenant policies.
The URL given to a bench is the tables' owner: it migrates and seeds; the server gets this."""

from __future__ import annotations

import asyncio
import secrets

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

APP_ROLE = "guichet_bench_app"


async def _ensure_role(owner_url: str, password: str) -> None:
    engine = create_async_engine(owner_url)
    try:
        async with engine.begin() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": APP_ROLE}
            )
            verb = "ALTER" if exists else "CREATE"
            # token_urlsafe: letters, digits, - and _ only, safe inside the literal
            await conn.execute(
                text(f"{verb} ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}'")
            )
    finally:
        await engine.dispose()


async def _check_role(app_url: str) -> str:
    engine = create_async_engine(app_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT current_user, rolsuper OR rolbypassrls, "
                        "(SELECT count(*) FROM pg_tables WHERE tableowner = current_user) "
                        "FROM pg_roles WHERE rolname = current_user"
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    user, bypasses, owned = row
    if bypasses or owned:
        raise RuntimeError(f"{user} escapes row-level security (bypass: {bypasses}, owns {owned})")
    return f"{user} (owns no table, NOBYPASSRLS: row-level security applies, as in production)"


def app_role_url(owner_url: str) -> str:
    """Create (or give a fresh password to) the server's role; its URL."""
    password = secrets.token_urlsafe(18)
    asyncio.run(_ensure_role(owner_url, password))
    url = make_url(owner_url).set(username=APP_ROLE, password=password)
    return url.render_as_string(hide_password=False)


def describe_role(app_url: str) -> str:
    """Check, once migrated and granted, that the role is what production runs as."""
    return asyncio.run(_check_role(app_url))
