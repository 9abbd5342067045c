"""Habilitation requests and habilitations (cnsa, seed 004): an account asks an application's
profile for structures (FINESS); a manager of that application approves it (a habilitation)
or rejects it with a reason."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class RequestStatus(StrEnum):
    PENDING = "PENDING"  # waiting for a manager (and, at registration, the address)
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"  # deleted by the requester while pending


class HabilitationRequest(TenantScoped, Base):
    __tablename__ = "habilitation_requests"
    __table_args__ = (
        Index("ix_habilitation_requests_application_status", "application", "status"),
        Index("ix_habilitation_requests_account_created", "account_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    application: Mapped[str] = mapped_column(String(64))  # a pack's Application.code
    profile: Mapped[str] = mapped_column(String(64))  # a Profile.code of that application
    structure_type: Mapped[str | None] = mapped_column(String(32))  # a pack's StructureType
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.PENDING)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)


class HabilitationRequestStructure(TenantScoped, Base):
    __tablename__ = "habilitation_request_structures"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("habilitation_requests.id", ondelete="CASCADE"), primary_key=True
    )
    structure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("structures.id"), primary_key=True)


class Habilitation(TenantScoped, Base):
    """A profile of an application held by an account, for structures (none for a managing
    profile). Revoked by a manager of the application; never deleted."""

    __tablename__ = "habilitations"
    __table_args__ = (Index("ix_habilitations_account_application", "account_id", "application"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    application: Mapped[str] = mapped_column(String(64))
    profile: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("habilitation_requests.id"))
    granted_at: Mapped[datetime]
    granted_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class HabilitationStructure(TenantScoped, Base):
    __tablename__ = "habilitation_structures"
    __table_args__ = (Index("ix_habilitation_structures_structure", "structure_id"),)

    habilitation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("habilitations.id", ondelete="CASCADE"), primary_key=True
    )
    structure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("structures.id"), primary_key=True)
