"""Accounts, single-use e-mail tokens, sign-in sessions with rotating refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.models import Base, Person, TenantScoped, new_id


class AccountKind(StrEnum):
    PERSON = "PERSON"
    AGENT = "AGENT"  # an authority agent, created by `guichet authority add-agent`


class Account(TenantScoped, Base):
    """A person's way in to one tenant: e-mail, password, state of onboarding."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        Index("uq_accounts_tenant_id_identifier", "tenant_id", "identifier", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # The login identifier, on portals that give one (cnsa: "yzemirli"); None elsewhere.
    identifier: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=AccountKind.PERSON)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    email_confirmed_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False)
    terms_accepted_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]
    # Agents only: the delegations (pack codes) whose organisations and dossiers they handle.
    delegations: Mapped[list[str] | None] = mapped_column(JSON)
    created_by_account_id: Mapped[uuid.UUID | None]  # set when someone else opened it

    person: Mapped[Person] = relationship(lazy="raise")

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class SignInAttempts(TenantScoped, Base):
    """Consecutive failed sign-ins for one normalised address, whether or not an account has
    it: an unknown address is counted and locked exactly like a real one, so the answers do
    not tell which addresses have accounts. Cleared by a success or a password reset."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254))
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class EmailTokenPurpose(StrEnum):
    CONFIRM_EMAIL = "CONFIRM_EMAIL"
    RESET_PASSWORD = "RESET_PASSWORD"  # noqa: S105 - a purpose, not a secret


class EmailToken(TenantScoped, Base):
    """A link sent by e-mail: random, single-use, expiring; only its SHA-256 is stored."""

    __tablename__ = "email_tokens"
    __table_args__ = (Index("ix_email_tokens_account_purpose", "account_id", "purpose"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AuthSession(TenantScoped, Base):
    """One signed-in device: the family of its refresh tokens. Revoking it ends them all."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_account_created", "account_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ip_address: Mapped[str | None] = mapped_column(String(45))


class RefreshToken(TenantScoped, Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
