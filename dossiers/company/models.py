"""The company space: employees (rows of the organisation's lists), the labels that group
them (per establishment, per client site…), and the alerts the organisation gets about its
employees' titles.

A row is identified as the 2014 company space did: the holder's name and their title number;
it is linked to the person's account where one exists.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class Employee(TenantScoped, Base):
    __tablename__ = "employees"
    __table_args__ = (
        UniqueConstraint("organisation_id", "title_number"),
        Index("ix_employees_organisation_created", "organisation_id", "created_at"),
        Index("ix_employees_title_number", "title_number"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    establishment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("establishments.id", ondelete="SET NULL"), index=True
    )
    family_name: Mapped[str] = mapped_column(String(100))
    given_names: Mapped[str | None] = mapped_column(String(150))
    title_number: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"), index=True)
    added_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]
    # The matched title's state (same number, same family name), kept by `dossiers` when the
    # row meets its title and whenever the title changes: the dashboard reads colours and
    # counts them from the organisation's rows alone, whatever the size of the register.
    title_id: Mapped[uuid.UUID | None]
    title_status: Mapped[str | None] = mapped_column(String(16))
    title_expires_on: Mapped[date | None]


class Label(TenantScoped, Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class EmployeeLabel(TenantScoped, Base):
    __tablename__ = "employee_labels"

    employee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AlertKind(StrEnum):
    STATUS_CHANGED = "STATUS_CHANGED"
    RENEWAL_WINDOW = "RENEWAL_WINDOW"  # 6 months before expiry: the colour turns orange
    EXPIRED = "EXPIRED"


class Alert(TenantScoped, Base):
    """Something an organisation should know about one of its employees' titles."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_organisation_created", "organisation_id", "created_at"),
        UniqueConstraint("organisation_id", "dedup_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL")
    )
    title_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("titles.id"))
    kind: Mapped[str] = mapped_column(String(24))
    colour: Mapped[str] = mapped_column(String(8))
    dedup_key: Mapped[str] = mapped_column(String(120))  # one alert per event, however often seen
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    read_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    digested_at: Mapped[datetime | None]  # included in an e-mail digest
