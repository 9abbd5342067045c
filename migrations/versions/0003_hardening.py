"""Hardening: sign-in failures counted per (tenant, normalised address) whether or not an
account has it; the accounts' own counters go; mail already sent or failed for good loses its
body (confirmation, reset and invitation links, temporary passwords); a mandate request keeps
the address it was sent to and may wait, without a person, for an account to confirm it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT_COUNTERS = ("failed_sign_ins", "last_failed_sign_in_at", "locked_until")


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("uq_sign_in_attempts_tenant_id_email")),
    )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_attempts_tenant_id"), ["tenant_id"], unique=False
        )
    # Plain ALTER TABLE (SQLite ≥ 3.35 drops an unindexed column in place): a batch copy
    # would drop and recreate `accounts`, which other tables reference.
    for column in ACCOUNT_COUNTERS:
        op.execute(f'ALTER TABLE accounts DROP COLUMN "{column}"')

    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.alter_column("person_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index("ix_mandates_email", ["email"], unique=False)

    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute('ALTER TABLE "sign_in_attempts" ENABLE ROW LEVEL SECURITY')
        op.execute('ALTER TABLE "sign_in_attempts" FORCE ROW LEVEL SECURITY')
        op.execute(
            'CREATE POLICY tenant_isolation ON "sign_in_attempts" '
            "USING (tenant_id = current_setting('app.tenant_id', true)) "
            "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
        )
        # The owner is subject to the forced policy too: lift it for this one update.
        op.execute('ALTER TABLE "outbox_messages" NO FORCE ROW LEVEL SECURITY')
    op.execute("UPDATE outbox_messages SET content = '' WHERE status IN ('SENT', 'FAILED')")
    if postgresql:
        op.execute('ALTER TABLE "outbox_messages" FORCE ROW LEVEL SECURITY')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP POLICY IF EXISTS tenant_isolation ON "sign_in_attempts"')
    op.execute("DELETE FROM mandates WHERE person_id IS NULL")
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.drop_index("ix_mandates_email")
        batch_op.alter_column("person_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("email")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("last_failed_sign_in_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempts_tenant_id"))
    op.drop_table("sign_in_attempts")
