"""Mandates: a person's consent that an organisation acts for them (trusted third party).

Only an accepted, unexpired, unrevoked mandate gives any right (`effective_status`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, update
from sqlalchemy.ext.asyncio import AsyncSession
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
        Index("ix_mandates_email", "email"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    # None while the address asked has no confirmed account: the request waits for it
    # (`claim_requests`), so asking tells the organisation nothing about who has an account.
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    email: Mapped[str | None] = mapped_column(String(254))  # the address the request went to
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


async def claim_requests(session: AsyncSession, email: str, person_id: uuid.UUID) -> None:
    """The requests sent to an address before it had an account become its person's once
    the account has confirmed the address (one statement)."""
    await session.execute(
        update(Mandate)
        .where(Mandate.email == email, Mandate.person_id.is_(None))
        .values(person_id=person_id)
    )
