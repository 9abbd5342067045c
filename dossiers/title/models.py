"""Titles the authority issues (docs/DOMAIN.md "Titles")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class TitleKind(StrEnum):
    """The number prefixes of docs/DOMAIN.md's table of titles."""

    CAR = "CAR"  # professional card, 5 years
    PRE = "PRE"  # prior authorisation (training), 6 months
    PRV = "PRV"  # provisional authorisation, 6 months
    REC = "REC"  # renewal receipt, until the decision
    AGD = "AGD"  # director / partner approval, 5 years
    AUT = "AUT"  # operating authorisation, company / establishment / internal service
    FOR = "FOR"  # operating authorisation, training organisation


class TitleStatus(StrEnum):
    """Stored status; EXPIRED is never stored but read off the expiry date."""

    VALID = "VALID"
    SUSPENDED = "SUSPENDED"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"


class Colour(StrEnum):
    """docs/DOMAIN.md: green valid; orange expires within 6 months; red expired, suspended,
    withdrawn or unknown."""

    GREEN = "GREEN"
    ORANGE = "ORANGE"
    RED = "RED"


class Title(TenantScoped, Base):
    __tablename__ = "titles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_titles_holder", "holder_person_id"),
        Index("ix_titles_sequence", "sequence"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(32))
    sequence: Mapped[str] = mapped_column(String(7))  # the last 7 digits (public verification)
    kind: Mapped[str] = mapped_column(String(8))
    holder_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    holder_family_name: Mapped[str] = mapped_column(String(100))
    holder_given_names: Mapped[str | None] = mapped_column(String(150))
    holder_birth_date: Mapped[date | None]
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    establishment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("establishments.id"))
    departement: Mapped[str] = mapped_column(String(3))
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    issued_on: Mapped[date]
    expires_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=TitleStatus.VALID)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]


@dataclass(frozen=True, slots=True)
class TitleView:
    """A title as a list reads it (SQLAlchemy Core columns, no ORM object): what a title node
    shows, immutable."""

    id: uuid.UUID
    number: str
    sequence: str
    kind: str
    holder_person_id: uuid.UUID | None
    holder_family_name: str
    holder_given_names: str | None
    departement: str
    activities: list[str]
    issued_on: date
    expires_on: date
    status: str
    status_reason: str | None
    status_changed_at: datetime


TITLE_VIEW_FIELDS = tuple(TitleView.__dataclass_fields__)
