"""Counters of the public services kept in the database (the default, without Redis): rate
limits per client address and per target, and the security codes already used."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class PublicCounter(TenantScoped, Base):
    """One fixed-window counter (`limits`' key), reset when its window has ended."""

    __tablename__ = "public_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(200))
    count: Mapped[int]
    expires_at: Mapped[datetime]
