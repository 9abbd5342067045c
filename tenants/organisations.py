"""Organisations and who acts for them: the organisation, its establishments, the documents
of its validation request, its memberships (administrator, managers) and manager invitations.

Invariants live here (an organisation has exactly one administrator); who may change what is
decided by `auth.policy`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class OrganisationStatus(StrEnum):
    PENDING_VALIDATION = "PENDING_VALIDATION"
    VALIDATED = "VALIDATED"
    REJECTED = "REJECTED"


class MembershipRole(StrEnum):
    ADMINISTRATOR = "ADMINISTRATOR"
    MANAGER = "MANAGER"


class Permission(StrEnum):
    """What an administrator may delegate to a manager (the administrator holds them all)."""

    MANAGE_EMPLOYEES = "MANAGE_EMPLOYEES"
    FILE_DOSSIERS = "FILE_DOSSIERS"
    ACT_AS_TRUSTED_THIRD_PARTY = "ACT_AS_TRUSTED_THIRD_PARTY"
    DECLARE_TRAINING_SESSIONS = "DECLARE_TRAINING_SESSIONS"
    MESSAGE_AUTHORITY = "MESSAGE_AUTHORITY"
    MANAGE_MANAGERS = "MANAGE_MANAGERS"


ALL_PERMISSIONS = frozenset(Permission)


def effective_permissions(role: str, delegated: Iterable[str] | None) -> frozenset[str]:
    """What a membership allows, the one place this is said: the administrator holds every
    permission, a manager those delegated to them."""
    if role == MembershipRole.ADMINISTRATOR:
        return frozenset(str(p) for p in Permission)
    return frozenset(str(p) for p in delegated or ())


class DocumentKind(StrEnum):
    """Documents checked at validation (docs/DOMAIN.md "Accounts and onboarding")."""

    COMPANY_REGISTRATION_EXTRACT = "COMPANY_REGISTRATION_EXTRACT"  # Kbis
    REPRESENTATIVE_IDENTITY = "REPRESENTATIVE_IDENTITY"
    SIGNED_MANDATE = "SIGNED_MANDATE"  # when the applicant is not the legal representative


class Organisation(TenantScoped, Base):
    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "siren"),
        Index("ix_organisations_status_created", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))  # a pack's OrganisationKind.code
    name: Mapped[str] = mapped_column(String(200))
    siren: Mapped[str] = mapped_column(String(9))
    head_office_siret: Mapped[str] = mapped_column(String(14))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="FR")
    delegation: Mapped[str | None] = mapped_column(String(16))  # from the head office's address
    representative_family_name: Mapped[str] = mapped_column(String(100))
    representative_given_names: Mapped[str] = mapped_column(String(150))
    representative_role: Mapped[str | None] = mapped_column(String(100))
    applicant_is_representative: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(24), default=OrganisationStatus.PENDING_VALIDATION)
    submitted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_by_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]

    @property
    def validated(self) -> bool:
        return self.status == OrganisationStatus.VALIDATED


class Establishment(TenantScoped, Base):
    """A site of a company, identified by its SIRET (the head office is one of them)."""

    __tablename__ = "establishments"
    __table_args__ = (UniqueConstraint("tenant_id", "siret"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    siret: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(200))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    head_office: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class OrganisationDocument(TenantScoped, Base):
    """A file of the validation request; the bytes live in the file storage under `storage_key`."""

    __tablename__ = "organisation_documents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed, not declared
    size: Mapped[int]
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]


class Membership(TenantScoped, Base):
    """A person acting for an organisation: its administrator (one) or a manager."""

    __tablename__ = "memberships"
    __table_args__ = (
        Index("ix_memberships_person", "person_id", "revoked_at"),
        # An organisation has exactly one administrator: two concurrent transfers cannot both
        # commit.
        Index(
            "uq_memberships_one_administrator",
            "organisation_id",
            unique=True,
            sqlite_where=text("role = 'ADMINISTRATOR' AND revoked_at IS NULL"),
            postgresql_where=text("role = 'ADMINISTRATOR' AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    role: Mapped[str] = mapped_column(String(16))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    granted_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    @property
    def effective_permissions(self) -> frozenset[str]:
        return effective_permissions(self.role, self.permissions)


class Invitation(TenantScoped, Base):
    """An invitation to become a manager, sent by e-mail; the token is stored hashed."""

    __tablename__ = "invitations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    invited_by_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_membership_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("memberships.id"))
    revoked_at: Mapped[datetime | None]
