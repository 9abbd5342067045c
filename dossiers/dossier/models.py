"""Dossiers, their documents and their events (docs/DOMAIN.md "Dossiers").

A dossier is a request of one of the pack's kinds (`tenants.packs.base.DossierKind`); its
state moves only through the one transition table of `dossiers.dossier.transitions`, and each
move writes a `DossierEvent`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class DossierStatus(StrEnum):
    """The states of a dossier, after Démarches Simplifiées' (brouillon, en construction,
    en instruction, accepté, refusé, classé sans suite) with the e-mail confirmation and the
    correction round-trip of the CNAPS téléservice [seed 001 steps 9-10]."""

    DRAFT = "DRAFT"
    AWAITING_CONFIRMATION = "AWAITING_CONFIRMATION"
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    CORRECTIONS_REQUESTED = "CORRECTIONS_REQUESTED"
    GRANTED = "GRANTED"
    REFUSED = "REFUSED"
    CLOSED_WITHOUT_ACTION = "CLOSED_WITHOUT_ACTION"
    WITHDRAWN = "WITHDRAWN"


class Dossier(TenantScoped, Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_dossiers_queue", "delegation", "status", "submitted_at"),
        Index("ix_dossiers_applicant", "applicant_person_id", "created_at"),
        Index("ix_dossiers_organisation", "applicant_organisation_id", "created_at"),
        Index("ix_dossiers_assigned", "assigned_account_id", "status"),
        Index("ix_dossiers_sequence", "sequence"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))  # a pack's DossierKind.code
    status: Mapped[str] = mapped_column(String(24), default=DossierStatus.DRAFT)
    # YYYY-DDD-NNNNNNN, given at submission; `sequence` is its last 7 digits (tracking).
    number: Mapped[str | None] = mapped_column(String(16))
    sequence: Mapped[str | None] = mapped_column(String(7))
    # Who the request is for: a person, or an organisation (and its establishment) for itself.
    applicant_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    applicant_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id")
    )
    establishment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("establishments.id"))
    # Who files it: the account, and the organisation acting as trusted third party (with the
    # mandate relied on) when it is not the applicant.
    filed_by_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    third_party_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    mandate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("mandates.id"))
    # The delegation that instructs it (the applicant's domicile, or the establishment's
    # address), fixed at confirmation.
    departement: Mapped[str | None] = mapped_column(String(3))
    delegation: Mapped[str | None] = mapped_column(String(40))
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A renewal: the card renewed, and the receipt issued when filed in time.
    renewed_title_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("titles.id"))
    receipt_title_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("titles.id"))
    title_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("titles.id"))
    assigned_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    # The last correction request: its reason and the fields / documents to fix.
    correction_reason: Mapped[str | None] = mapped_column(String(1000))
    correction_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
    # Signing (the certifications of seed 001 steps 8-9) and the e-mailed confirmation link,
    # kept as its SHA-256 only.
    signed_at: Mapped[datetime | None]
    signed_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    confirmation_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    confirmation_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class DossierDocument(TenantScoped, Base):
    """A file of a dossier for one of its kind's document requirements; the bytes live in
    the file storage under `storage_key`, as organisation documents do."""

    __tablename__ = "dossier_documents"
    __table_args__ = (Index("ix_dossier_documents_dossier", "dossier_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    requirement: Mapped[str] = mapped_column(String(40))  # a DocumentRule.code of the kind
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed, not declared
    size: Mapped[int]
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    storage_key: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date | None]  # the document's date, as the applicant gives it
    uploaded_by_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]


class DossierEvent(TenantScoped, Base):
    """One transition: who, in which capacity, when, from which state to which, and why."""

    __tablename__ = "dossier_events"
    __table_args__ = (Index("ix_dossier_events_dossier", "dossier_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    capacity: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime]
