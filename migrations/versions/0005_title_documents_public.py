"""Titles' PDF (storage key and SHA-256, made at issue) and the public services' counters
(rate limits per client address and per target, security codes already used) when they are
kept in the database rather than in Redis; the agents' dossier queue indexed for its order
and its count.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("titles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf_storage_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("pdf_sha256", sa.LargeBinary(length=32), nullable=True))
    op.create_table(
        "public_counters",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_counters")),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_public_counters_tenant_id_key")),
    )
    with op.batch_alter_table("public_counters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_counters_tenant_id"), ["tenant_id"], unique=False
        )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dossiers_queue_order",
            ["tenant_id", "delegation", "submitted_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_dossiers_queue_count",
            ["tenant_id", "delegation", "status", "submitted_at"],
            unique=False,
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE "public_counters" ENABLE ROW LEVEL SECURITY')
        op.execute('ALTER TABLE "public_counters" FORCE ROW LEVEL SECURITY')
        op.execute(
            'CREATE POLICY tenant_isolation ON "public_counters" '
            "USING (tenant_id = current_setting('app.tenant_id', true)) "
            "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
        )


def downgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_queue_count")
        batch_op.drop_index("ix_dossiers_queue_order")
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP POLICY IF EXISTS tenant_isolation ON "public_counters"')
    with op.batch_alter_table("public_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_counters_tenant_id"))
    op.drop_table("public_counters")
    with op.batch_alter_table("titles", schema=None) as batch_op:
        batch_op.drop_column("pdf_sha256")
        batch_op.drop_column("pdf_storage_key")
