"""Mandates: a person's consent that an organisation acts for them (trusted third party).

Only an accepted, unexpired, unrevoked mandate gives any right (`effective_status`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class MandateScope(StrEnum):
    FILE_DOSSIERS = "FILE_DOSSIERS"
    FOLLOW_DOSSIERS = "FOLLOW_DOSSIERS"
    RECEIVE_COMMUNICATIONS = "RECEIVE_COMMUNICATIONS"


class MandateStatus(StrEnum):
    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"  # never stored: an accepted mandate past its end date


class Mandate(TenantScoped, Base):
    __tablename__ = "mandates"
    __table_args__ = (
        Index("ix_mandates_person", "person_id", "created_at"),
        Index("ix_mandates_organisation", "organisation_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=MandateStatus.REQUESTED)
    ends_on: Mapped[date | None]  # last day it gives rights (Europe/Paris)
    requested_by_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


def effective_status(mandate: Mandate, today: date) -> MandateStatus:
    status = MandateStatus(mandate.status)
    if status == MandateStatus.ACCEPTED and mandate.ends_on is not None and today > mandate.ends_on:
        return MandateStatus.EXPIRED
    return status
