"""cnsa: login identifiers, the FINESS directory (structures), habilitation requests and
habilitations with their structures, deposited documents.

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-26 00:42:56.461233
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "structures",
    "habilitation_requests",
    "habilitation_request_structures",
    "habilitations",
    "habilitation_structures",
    "deposits",
)


def upgrade() -> None:
    op.create_table(
        "structures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("finess", sa.String(length=9), nullable=False),
        sa.Column("legal_entity_finess", sa.String(length=9), nullable=True),
        sa.Column("category_code", sa.String(length=8), nullable=True),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.Column("search_key", sa.String(length=320), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structures")),
        sa.UniqueConstraint("tenant_id", "finess", name=op.f("uq_structures_tenant_id_finess")),
    )
    with op.batch_alter_table("structures", schema=None) as batch_op:
        batch_op.create_index("ix_structures_search_key", ["search_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_structures_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "deposits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("structure_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(length=32), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("deposited_by_account_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trashed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trashed_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["deposited_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_deposits_deposited_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"], ["structures.id"], name=op.f("fk_deposits_structure_id_structures")
        ),
        sa.ForeignKeyConstraint(
            ["trashed_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_deposits_trashed_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposits")),
    )
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.create_index("ix_deposits_structure_year", ["structure_id", "year"], unique=False)
        batch_op.create_index(batch_op.f("ix_deposits_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "habilitation_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("application", sa.String(length=64), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("structure_type", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_habilitation_requests_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_habilitation_requests_decided_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habilitation_requests")),
    )
    with op.batch_alter_table("habilitation_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_habilitation_requests_account_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_habilitation_requests_application_status", ["application", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_habilitation_requests_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "habilitation_request_structures",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("structure_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["habilitation_requests.id"],
            name=op.f("fk_habilitation_request_structures_request_id_habilitation_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structures.id"],
            name=op.f("fk_habilitation_request_structures_structure_id_structures"),
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "structure_id", name=op.f("pk_habilitation_request_structures")
        ),
    )
    with op.batch_alter_table("habilitation_request_structures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_habilitation_request_structures_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "habilitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("application", sa.String(length=64), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_habilitations_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_habilitations_granted_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["habilitation_requests.id"],
            name=op.f("fk_habilitations_request_id_habilitation_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_habilitations_revoked_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habilitations")),
    )
    with op.batch_alter_table("habilitations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_habilitations_account_application", ["account_id", "application"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_habilitations_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "habilitation_structures",
        sa.Column("habilitation_id", sa.Uuid(), nullable=False),
        sa.Column("structure_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["habilitation_id"],
            ["habilitations.id"],
            name=op.f("fk_habilitation_structures_habilitation_id_habilitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structures.id"],
            name=op.f("fk_habilitation_structures_structure_id_structures"),
        ),
        sa.PrimaryKeyConstraint(
            "habilitation_id", "structure_id", name=op.f("pk_habilitation_structures")
        ),
    )
    with op.batch_alter_table("habilitation_structures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_habilitation_structures_structure", ["structure_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_habilitation_structures_tenant_id"), ["tenant_id"], unique=False
        )

    # Plain ALTER TABLE and a unique index: a batch copy would recreate `accounts`, which
    # other tables reference (see 0003).
    op.execute("ALTER TABLE accounts ADD COLUMN identifier VARCHAR(64)")
    op.create_index(
        "uq_accounts_tenant_id_identifier", "accounts", ["tenant_id", "identifier"], unique=True
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
            op.execute(
                f'CREATE POLICY tenant_isolation ON "{table}" '
                "USING (tenant_id = current_setting('app.tenant_id', true)) "
                "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    op.drop_index("uq_accounts_tenant_id_identifier", table_name="accounts")
    op.execute("ALTER TABLE accounts DROP COLUMN identifier")

    with op.batch_alter_table("habilitation_structures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_habilitation_structures_tenant_id"))
        batch_op.drop_index("ix_habilitation_structures_structure")

    op.drop_table("habilitation_structures")
    with op.batch_alter_table("habilitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_habilitations_tenant_id"))
        batch_op.drop_index("ix_habilitations_account_application")

    op.drop_table("habilitations")
    with op.batch_alter_table("habilitation_request_structures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_habilitation_request_structures_tenant_id"))

    op.drop_table("habilitation_request_structures")
    with op.batch_alter_table("habilitation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_habilitation_requests_tenant_id"))
        batch_op.drop_index("ix_habilitation_requests_application_status")
        batch_op.drop_index("ix_habilitation_requests_account_created")

    op.drop_table("habilitation_requests")
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposits_tenant_id"))
        batch_op.drop_index("ix_deposits_structure_year")

    op.drop_table("deposits")
    with op.batch_alter_table("structures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_structures_tenant_id"))
        batch_op.drop_index("ix_structures_search_key")

    op.drop_table("structures")
