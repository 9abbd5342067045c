"""The audit log's rows: who did what, for whom, by which right."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class AuditEvent(TenantScoped, Base):
    """Who did what, for whom, by which right (ARCHITECTURE.md "Identity, delegation, audit")."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id", "at"),
        Index("ix_audit_events_actor", "actor_account_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[str] = mapped_column(String(32))
    actor_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID | None]
    via_type: Mapped[str | None] = mapped_column(String(32))
    via_id: Mapped[uuid.UUID | None]
    # The organisation in whose name it was done, and the person it was done for by someone
    # else (a trusted third party, an agent): what "who acted for me" and an organisation's
    # history read.
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    on_behalf_of_person_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
