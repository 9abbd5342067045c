"""Documents deposited for a structure (CAMSP / CMPP activity reports, seed 004): the
quantitative report (Excel) and the qualitative one (Word or PDF), for a year; deleting
moves one to the trash, from which it is restored or purged after 30 days."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class ReportKind(StrEnum):
    QUANTITATIVE = "QUANTITATIVE"  # rapport d'activité quantitatif: Excel (.xlsx)
    QUALITATIVE = "QUALITATIVE"  # rapport d'activité qualitatif: Word (.docx) or PDF


class Deposit(TenantScoped, Base):
    __tablename__ = "deposits"
    __table_args__ = (Index("ix_deposits_structure_year", "structure_id", "year"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    structure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("structures.id"))
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    storage_key: Mapped[str] = mapped_column(String(200))
    deposited_by_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]
    trashed_at: Mapped[datetime | None]
    trashed_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
