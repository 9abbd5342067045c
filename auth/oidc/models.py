"""One row per authorization an application obtained: its code (single use, short-lived)
and the access token the code gave, both kept only as their SHA-256."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class OidcGrant(TenantScoped, Base):
    __tablename__ = "oidc_grants"
    __table_args__ = (Index("ix_oidc_grants_account_client", "account_id", "client_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(500))
    nonce: Mapped[str | None] = mapped_column(String(500))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    code_expires_at: Mapped[datetime]
    code_used_at: Mapped[datetime | None]
    access_token_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    access_expires_at: Mapped[datetime | None]
    auth_time: Mapped[datetime]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
