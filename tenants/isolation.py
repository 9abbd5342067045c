"""Row-level security on PostgreSQL: the same tenant rule as the session, enforced underneath.

Policies compare `tenant_id` with `current_setting('app.tenant_id', true)`, which the tenant
session sets at the start of every transaction. `FORCE` makes the table owner obey too; only
superusers and roles with BYPASSRLS escape, so the server must connect as a role that is
neither (`server.migrate.grant_app_role` grants one; the server warns, or in production
refuses to start, when its role could bypass the policies).
"""

from __future__ import annotations

ROLE_CHECK_SQL = "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
