"""Dossiers: requests for titles, their documents and their events (one row per
transition), tenant-owned with row-level security on PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("dossiers", "dossier_documents", "dossier_events")


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("sequence", sa.String(length=7), nullable=True),
        sa.Column("applicant_person_id", sa.Uuid(), nullable=True),
        sa.Column("applicant_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("establishment_id", sa.Uuid(), nullable=True),
        sa.Column("filed_by_account_id", sa.Uuid(), nullable=False),
        sa.Column("third_party_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("mandate_id", sa.Uuid(), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("delegation", sa.String(length=40), nullable=True),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("renewed_title_id", sa.Uuid(), nullable=True),
        sa.Column("receipt_title_id", sa.Uuid(), nullable=True),
        sa.Column("title_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_account_id", sa.Uuid(), nullable=True),
        sa.Column("correction_reason", sa.String(length=1000), nullable=True),
        sa.Column("correction_items", sa.JSON(), nullable=False),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("confirmation_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("confirmation_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dossiers_applicant_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["applicant_person_id"],
            ["persons.id"],
            name=op.f("fk_dossiers_applicant_person_id_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_account_id"],
            ["accounts.id"],
            name=op.f("fk_dossiers_assigned_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishments.id"],
            name=op.f("fk_dossiers_establishment_id_establishments"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_dossiers_filed_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["mandate_id"], ["mandates.id"], name=op.f("fk_dossiers_mandate_id_mandates")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_title_id"], ["titles.id"], name=op.f("fk_dossiers_receipt_title_id_titles")
        ),
        sa.ForeignKeyConstraint(
            ["renewed_title_id"], ["titles.id"], name=op.f("fk_dossiers_renewed_title_id_titles")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_dossiers_signed_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["third_party_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dossiers_third_party_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name=op.f("fk_dossiers_title_id_titles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("confirmation_hash", name=op.f("uq_dossiers_confirmation_hash")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_dossiers_tenant_id_number")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dossiers_applicant", ["applicant_person_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_dossiers_assigned", ["assigned_account_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_dossiers_organisation", ["applicant_organisation_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_dossiers_queue", ["delegation", "status", "submitted_at"], unique=False
        )
        batch_op.create_index("ix_dossiers_sequence", ["sequence"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossiers_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dossiers_third_party_organisation_id"),
            ["third_party_organisation_id"],
            unique=False,
        )

    op.create_table(
        "dossier_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("requirement", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(length=32), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("uploaded_by_account_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_documents_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_dossier_documents_uploaded_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_documents")),
    )
    with op.batch_alter_table("dossier_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dossier_documents_dossier", ["dossier_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dossier_documents_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "dossier_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=False),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("actor_account_id", sa.Uuid(), nullable=True),
        sa.Column("capacity", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_account_id"],
            ["accounts.id"],
            name=op.f("fk_dossier_events_actor_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_events_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dossier_events_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_events")),
    )
    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dossier_events_dossier", ["dossier_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dossier_events_tenant_id"), ["tenant_id"], unique=False
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
    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_events_tenant_id"))
        batch_op.drop_index("ix_dossier_events_dossier")

    op.drop_table("dossier_events")
    with op.batch_alter_table("dossier_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_documents_tenant_id"))
        batch_op.drop_index("ix_dossier_documents_dossier")

    op.drop_table("dossier_documents")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_third_party_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_dossiers_tenant_id"))
        batch_op.drop_index("ix_dossiers_sequence")
        batch_op.drop_index("ix_dossiers_queue")
        batch_op.drop_index("ix_dossiers_organisation")
        batch_op.drop_index("ix_dossiers_assigned")
        batch_op.drop_index("ix_dossiers_applicant")

    op.drop_table("dossiers")
