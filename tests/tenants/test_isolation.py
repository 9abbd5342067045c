"""Tenant isolation: the ORM filter everywhere, row-level security underneath (PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from auth.account.models import Account
from server.runtime import Runtime
from tenants.models import Person
from tenants.session import MissingTenant, open_session, rows_changed
from tests.conftest import Database, unique_email
from tests.helpers.flows import register
from tests.helpers.graphql import GraphQLClient

TABLES = [
    "persons",
    "accounts",
    "email_tokens",
    "auth_sessions",
    "refresh_tokens",
    "audit_events",
    "outbox_messages",
    "organisations",
    "establishments",
    "organisation_documents",
    "memberships",
    "invitations",
    "mandates",
    "employees",
    "labels",
    "employee_labels",
    "titles",
    "alerts",
    "sign_in_attempts",
    "structures",
    "habilitation_requests",
    "habilitation_request_structures",
    "habilitations",
    "habilitation_structures",
    "deposits",
    "message_threads",
    "messages",
    "message_attachments",
    "notification_preferences",
    "dossiers",
    "dossier_documents",
    "dossier_events",
    "public_counters",
    "oidc_grants",
    "webhook_endpoints",
    "webhook_deliveries",
]


async def test_orm_queries_see_only_their_tenant(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime
) -> None:
    email = unique_email()
    await register(cnaps, email)
    await register(cnsa, email)
    factory = runtime.services.sessions
    for tenant in ("cnaps", "cnsa"):
        async with open_session(factory, tenant) as session:
            rows = (await session.scalars(select(Account).where(Account.email == email))).all()
            assert [row.tenant_id for row in rows] == [tenant]
            tenants = set((await session.scalars(select(Person.tenant_id))).all())
            assert tenants == {tenant}
            # bulk UPDATE is filtered too
            result = await session.execute(
                update(Account).where(Account.email == email).values(locale="en")
            )
            assert rows_changed(result) == 1
            await session.rollback()


async def test_a_session_without_tenant_cannot_touch_tenant_rows(runtime: Runtime) -> None:
    async with runtime.services.sessions() as session:
        with pytest.raises(MissingTenant):
            await session.execute(select(Account))


async def test_raw_sql_inside_a_tenant_transaction_sees_only_that_tenant(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, database: Database
) -> None:
    if database.backend != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature (SQLite relies on the ORM filter)")
    await register(cnaps, unique_email())
    await register(cnsa, unique_email())
    factory = runtime.services.sessions
    for tenant in ("cnaps", "cnsa"):
        async with open_session(factory, tenant) as session:
            for table in TABLES:
                seen = (
                    (
                        await session.execute(text(f"SELECT DISTINCT tenant_id FROM {table}"))  # noqa: S608
                    )
                    .scalars()
                    .all()
                )
                assert set(seen) <= {tenant}, (table, seen)
            count = await session.scalar(text("SELECT count(*) FROM accounts"))
            assert count and count > 0
            # writing a row of another tenant is refused by the policy's WITH CHECK
            other = "cnsa" if tenant == "cnaps" else "cnaps"
            with pytest.raises(Exception, match="row-level security"):
                await session.execute(
                    text(
                        "INSERT INTO persons (id, tenant_id, family_name, given_names, created_at)"
                        " VALUES (gen_random_uuid(), :t, 'X', 'Y', now())"
                    ),
                    {"t": other},
                )
            await session.rollback()
    # Outside any tenant (no app.tenant_id), the server's role sees nothing at all.
    async with runtime.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM accounts")) == 0
        bypass = await conn.scalar(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        )
        assert bypass is False
        owner = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
            )
        )
        assert owner == 0


async def test_every_tenant_table_has_a_policy(runtime: Runtime, database: Database) -> None:
    import auth.account.models
    import auth.habilitation.models
    import auth.oidc.models  # noqa: F401
    import dossiers.company.models
    import dossiers.deposit.models
    import dossiers.dossier.models
    import dossiers.messaging.models
    import dossiers.public.models
    import dossiers.title.models  # noqa: F401
    import mail.models  # noqa: F401
    import tenants.structures  # noqa: F401
    from tenants.models import tenant_tables

    assert tenant_tables() == sorted(TABLES)
    if database.backend != "postgresql":
        return
    async with runtime.engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE relname = ANY(:t)"
                ),
                {"t": TABLES},
            )
        ).all()
    assert sorted(rows) == sorted((t, True, True) for t in TABLES)
