"""Webhooks (issue 12, item 7): an organisation's own systems told of its events over HTTPS,
signed per Standard Webhooks, delivered from an outbox with retries."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenants.models import Base, TenantScoped, new_id


class WebhookEventType(StrEnum):
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"  # the authority (or the system) wrote to it
    DOSSIER_STATE_CHANGED = "DOSSIER_STATE_CHANGED"  # one of its dossiers changed state
    TITLE_STATUS_CHANGED = "TITLE_STATUS_CHANGED"  # a title it holds or employs changed


class EndpointStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"  # after repeated failures; deliveries no longer queued


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"  # due at `next_attempt_at`
    SUCCEEDED = "SUCCEEDED"  # a 2xx answer
    FAILED = "FAILED"  # given up: the endpoint was disabled or deleted


class WebhookEndpoint(TenantScoped, Base):
    """An organisation's HTTPS endpoint. The secret is kept as given to the organisation (the
    signature needs it): it is shown once, when created or rotated, and never read back."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_organisation", "organisation_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[str] = mapped_column(String(200))  # comma-separated
    secret: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=EndpointStatus.ACTIVE)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    secret_rotated_at: Mapped[datetime]
    created_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]

    @property
    def types(self) -> list[WebhookEventType]:
        return [WebhookEventType(t) for t in self.event_types.split(",") if t]


class WebhookDelivery(TenantScoped, Base):
    """One event for one endpoint, written in the transaction of the change (the outbox).
    Its id is the `webhook-id` the receiver deduplicates on; the body holds ids and types."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # the JSON body, fixed when written
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_response_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    delivered_at: Mapped[datetime | None]
