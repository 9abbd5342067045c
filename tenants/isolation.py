"""Row-level security on PostgreSQL: the same tenant rule as the session, enforced underneath.

Policies compare `tenant_id` with `current_setting('app.tenant_id', true)`, which the tenant
session sets at the start of every transaction. `FORCE` makes the table owner obey too; only
superusers and roles with BYPASSRLS escape, so the server must connect as a role that is
neither (`server.migrate.grant_app_role` prepares one; `check_app_role` refuses the others).
"""

from __future__ import annotations

POLICY = "tenant_isolation"


def enable_rls_sql(table: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY {POLICY} ON "{table}" '
        "USING (tenant_id = current_setting('app.tenant_id', true)) "
        "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))",
    ]


def disable_rls_sql(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


ROLE_CHECK_SQL = "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
