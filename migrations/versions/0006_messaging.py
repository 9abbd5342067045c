"""Secure messaging: threads, their append-only messages (with when each side first read
them) and attachments; row-level security on PostgreSQL like every tenant table.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("message_threads", "messages", "message_attachments", "notification_preferences")


def upgrade() -> None:
    op.create_table(
        "message_threads",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("title_id", sa.Uuid(), nullable=True),
        sa.Column("dossier_id", sa.Uuid(), nullable=True),
        sa.Column("dossier_kind", sa.String(length=40), nullable=True),
        sa.Column("delegation", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_account_id", sa.Uuid(), nullable=True),
        sa.Column("opened_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("awaiting_answer_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_account_id"],
            ["accounts.id"],
            name=op.f("fk_message_threads_assigned_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_message_threads_opened_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_message_threads_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_message_threads_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name=op.f("fk_message_threads_title_id_titles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_threads")),
    )
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_threads_delegation", ["delegation", "last_message_at"], unique=False
        )
        batch_op.create_index("ix_message_threads_dossier", ["dossier_id"], unique=False)
        batch_op.create_index("ix_message_threads_organisation", ["organisation_id"], unique=False)
        batch_op.create_index("ix_message_threads_person", ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_message_threads_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("author_account_id", sa.Uuid(), nullable=True),
        sa.Column("capacity", sa.String(length=32), nullable=False),
        sa.Column("on_behalf_of_person_id", sa.Uuid(), nullable=True),
        sa.Column("on_behalf_of_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("read_by_authority_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by_applicant_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_account_id"],
            ["accounts.id"],
            name=op.f("fk_messages_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_messages_on_behalf_of_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_person_id"],
            ["persons.id"],
            name=op.f("fk_messages_on_behalf_of_person_id_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_messages_thread_id_message_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "tenant_id",
            "author_account_id",
            "idempotency_key",
            name=op.f("uq_messages_tenant_id_author_account_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_messages_thread", ["thread_id", "created_at"], unique=False)

    op.create_table(
        "message_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(length=32), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_attachments_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
    )
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_message_attachments_message", ["message_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_message_attachments_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("messages", sa.String(length=16), nullable=False),
        sa.Column("last_digest_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notification_preferences_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint(
            "tenant_id", "account_id", name=op.f("uq_notification_preferences_tenant_id_account_id")
        ),
    )
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_preferences_tenant_id"), ["tenant_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
            op.execute(
                f'CREATE POLICY tenant_isolation ON "{table}" '
                "USING (tenant_id = current_setting('app.tenant_id', true)) "
                "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_preferences_tenant_id"))
    op.drop_table("notification_preferences")
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_attachments_tenant_id"))
        batch_op.drop_index("ix_message_attachments_message")

    op.drop_table("message_attachments")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_thread")
        batch_op.drop_index(batch_op.f("ix_messages_tenant_id"))

    op.drop_table("messages")
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_threads_tenant_id"))
        batch_op.drop_index("ix_message_threads_person")
        batch_op.drop_index("ix_message_threads_organisation")
        batch_op.drop_index("ix_message_threads_dossier")
        batch_op.drop_index("ix_message_threads_delegation")

    op.drop_table("message_threads")
