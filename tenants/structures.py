"""The FINESS directory of a tenant: the medico-social structures (établissements) people
ask habilitations for, imported from the public FINESS extraction (`guichet finess
import`), identified by their FINESS number (docs/DOMAIN.md "cnsa portal", "Identifiers")."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.identifiers import fold
from tenants.models import Base, TenantScoped, new_id


class Structure(TenantScoped, Base):
    """One FINESS établissement: number, category (type), name, town, postal code."""

    __tablename__ = "structures"
    __table_args__ = (
        UniqueConstraint("tenant_id", "finess"),
        Index("ix_structures_search_key", "search_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    finess: Mapped[str] = mapped_column(String(9))
    legal_entity_finess: Mapped[str | None] = mapped_column(String(9))  # nofinessej
    category_code: Mapped[str | None] = mapped_column(String(8))  # categetab (190: CAMSP)
    category: Mapped[str | None] = mapped_column(String(200))  # libcategetab
    name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    # Name, town and postal code folded (lower case, no accents, single spaces): searched.
    search_key: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]


def search_key(name: str, town: str | None, postal_code: str | None) -> str:
    return fold(" ".join(part for part in (name, town or "", postal_code or "") if part))[:320]
