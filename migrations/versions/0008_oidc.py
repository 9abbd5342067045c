"""cnsa as an OpenID Connect provider: authorizations (code, access token) of applications.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 01:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oidc_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("nonce", sa.String(length=500), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("access_token_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("auth_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_oidc_grants_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_grants")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oidc_grants_code_hash")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_oidc_grants_access_token_hash")),
    )
    with op.batch_alter_table("oidc_grants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_oidc_grants_account_client", ["account_id", "client_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_oidc_grants_tenant_id"), ["tenant_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE "oidc_grants" ENABLE ROW LEVEL SECURITY')
        op.execute('ALTER TABLE "oidc_grants" FORCE ROW LEVEL SECURITY')
        op.execute(
            'CREATE POLICY tenant_isolation ON "oidc_grants" '
            "USING (tenant_id = current_setting('app.tenant_id', true)) "
            "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP POLICY IF EXISTS tenant_isolation ON "oidc_grants"')
    with op.batch_alter_table("oidc_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_grants_tenant_id"))
        batch_op.drop_index("ix_oidc_grants_account_client")
    op.drop_table("oidc_grants")
