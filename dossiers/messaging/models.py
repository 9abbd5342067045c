"""Secure messaging (seed 002): threads between applicants and the authority, their
append-only messages, attachments, and when each side first read each message."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class ThreadStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"  # by an agent; a new message reopens it


class Side(StrEnum):
    """Who wrote a message: the applicant's side (the person, their trusted third party, the
    organisation's administrator or managers), the authority's agents, or the system (a
    dossier's correction request or decision)."""

    APPLICANT = "APPLICANT"
    AUTHORITY = "AUTHORITY"
    SYSTEM = "SYSTEM"


class EventKind(StrEnum):
    """What a real-time event tells (`tenants.events.Event.kind`)."""

    MESSAGE_ADDED = "MESSAGE_ADDED"
    THREAD_READ = "THREAD_READ"  # the other side's read receipts changed
    DOSSIER_CHANGED = "DOSSIER_CHANGED"


class Thread(TenantScoped, Base):
    """A conversation about a person's or an organisation's affairs (exactly one of
    `person_id` and `organisation_id`), optionally about a dossier, handled by the agents of
    `delegation` (`None`: every agent of the tenant)."""

    __tablename__ = "message_threads"
    __table_args__ = (
        Index("ix_message_threads_person", "person_id"),
        Index("ix_message_threads_organisation", "organisation_id"),
        Index("ix_message_threads_delegation", "delegation", "last_message_at"),
        Index("ix_message_threads_dossier", "dossier_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    subject: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    title_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("titles.id"))
    dossier_id: Mapped[uuid.UUID | None]  # a dossier's own thread
    dossier_kind: Mapped[str | None] = mapped_column(String(40))  # its kind (inbox filter)
    delegation: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ThreadStatus.OPEN)
    assigned_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    opened_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[datetime]
    # Since when the applicant's side waits for an answer (None: the authority spoke last).
    awaiting_answer_since: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Message(TenantScoped, Base):
    """Append-only: never edited nor deleted. `created_at` is strictly increasing within a
    thread (the order of the thread). `read_by_*_at`: when the other side first read it."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_thread", "thread_id", "created_at"),
        UniqueConstraint("tenant_id", "author_account_id", "idempotency_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    thread_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("message_threads.id"))
    side: Mapped[str] = mapped_column(String(16))
    author_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    capacity: Mapped[str] = mapped_column(String(32))  # auth.policy.Capacity, or SYSTEM
    on_behalf_of_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    on_behalf_of_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id")
    )
    body: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    read_by_authority_at: Mapped[datetime | None]
    read_by_applicant_at: Mapped[datetime | None]
    # When the notification pass dealt with it (mailed, digested later, or skipped: read).
    notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class MessageAttachment(TenantScoped, Base):
    __tablename__ = "message_attachments"
    __table_args__ = (Index("ix_message_attachments_message", "message_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    storage_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class NotificationMode(StrEnum):
    """How an account hears of new messages (the in-app unread count stays in every case)."""

    IMMEDIATE = "IMMEDIATE"  # an e-mail a few minutes after, unless read meanwhile
    DAILY = "DAILY"  # one digest a day
    NEVER = "NEVER"


class NotificationPreference(TenantScoped, Base):
    """An account's choice; without a row: IMMEDIATE for a person, DAILY for an agent."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("tenant_id", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    messages: Mapped[str] = mapped_column(String(16))
    last_digest_on: Mapped[date | None]  # the Paris day of the last daily digest
    updated_at: Mapped[datetime]
