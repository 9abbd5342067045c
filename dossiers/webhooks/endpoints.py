"""An organisation's administrator registers, rotates and deletes its webhook endpoints
(Action.MANAGE_WEBHOOKS, recorded in the audit log); the secret is shown once."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.permit import organisation_permit
from auth.policy import Action, Decision
from dossiers.webhooks.errors import WebhookCode
from dossiers.webhooks.models import (
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)
from tenants.errors import CommonCode, DomainError
from tenants.pagination import Page, PageKey, pages_by_parent

MAX_URL = 2000
MAX_ENDPOINTS = 10  # per organisation
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its secret, shown this once (creation, rotation)."""

    endpoint: WebhookEndpoint
    secret: str


def new_secret() -> str:
    """`whsec_` and 24 random bytes in base64, as Standard Webhooks libraries expect."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def check_url(value: str | None, *, loopback_http: bool) -> str:
    """A full https:// URL (printable ASCII: an international domain goes in punycode);
    http://127.0.0.1 or localhost only when the server allows it (outside production)."""
    field = ("url",)
    if value is None or not value.strip():
        raise DomainError.one(CommonCode.REQUIRED, field)
    url = value.strip()
    if len(url) > MAX_URL:
        raise DomainError.one(CommonCode.TOO_LONG, field, max=str(MAX_URL))
    if any(not (0x21 <= ord(c) <= 0x7E) for c in url):
        raise DomainError.one(CommonCode.INVALID_FORMAT, field)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise DomainError.one(CommonCode.INVALID_FORMAT, field) from None
    allowed = parts.scheme == "https" or (
        loopback_http and parts.scheme == "http" and host in LOOPBACK_HOSTS
    )
    if not allowed or not host or parts.username or parts.password or parts.fragment:
        raise DomainError.one(WebhookCode.WEBHOOK_URL_NOT_HTTPS, field)
    return url


def check_types(values: Sequence[WebhookEventType]) -> str:
    chosen = list(dict.fromkeys(WebhookEventType(v) for v in values))
    if not chosen:
        raise DomainError.one(CommonCode.REQUIRED, ("eventTypes",))
    return ",".join(chosen)


async def create_endpoint(
    ctx: ServiceContext,
    organisation_id: uuid.UUID | None,
    url: str | None,
    event_types: Sequence[WebhookEventType],
) -> EndpointWithSecret:
    allowed = await organisation_permit(
        ctx, organisation_id, Action.MANAGE_WEBHOOKS, ("organisationId",), lock=True
    )
    organisation = allowed.row
    checked_url = check_url(url, loopback_http=ctx.config.webhook_loopback_http)
    types = check_types(event_types)
    count = await ctx.session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.organisation_id == organisation.id)
    )
    if (count or 0) >= MAX_ENDPOINTS:
        raise DomainError.one(
            WebhookCode.WEBHOOK_ENDPOINT_LIMIT, ("organisationId",), max=str(MAX_ENDPOINTS)
        )
    now = ctx.clock.now()
    secret = new_secret()
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        organisation_id=organisation.id,
        url=checked_url,
        event_types=types,
        secret=secret,
        status=EndpointStatus.ACTIVE,
        consecutive_failures=0,
        secret_rotated_at=now,
        created_by_account_id=allowed.actor.account_id,
        created_at=now,
    )
    ctx.session.add(endpoint)
    await ctx.session.flush()
    _record(ctx, AuditAction.CREATE_WEBHOOK_ENDPOINT, endpoint, allowed.decision, types=types)
    return EndpointWithSecret(endpoint, secret)


async def _endpoint_for_admin(
    ctx: ServiceContext, endpoint_id: uuid.UUID | None
) -> tuple[WebhookEndpoint, Decision]:
    endpoint = None
    if endpoint_id is not None:
        endpoint = await ctx.session.scalar(
            select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).with_for_update()
        )
    # Whoever may not know the organisation learns nothing of its endpoints.
    allowed = await organisation_permit(
        ctx,
        endpoint.organisation_id if endpoint else None,
        Action.MANAGE_WEBHOOKS,
        ("endpointId",),
    )
    assert endpoint is not None  # noqa: S101 - organisation_permit refused a missing one
    return endpoint, allowed.decision


async def rotate_secret(ctx: ServiceContext, endpoint_id: uuid.UUID | None) -> EndpointWithSecret:
    """A new secret at once (the old one signs nothing more); shown this once."""
    endpoint, decision = await _endpoint_for_admin(ctx, endpoint_id)
    secret = new_secret()
    endpoint.secret = secret
    endpoint.secret_rotated_at = ctx.clock.now()
    await ctx.session.flush()
    _record(ctx, AuditAction.ROTATE_WEBHOOK_SECRET, endpoint, decision)
    return EndpointWithSecret(endpoint, secret)


async def delete_endpoint(ctx: ServiceContext, endpoint_id: uuid.UUID | None) -> uuid.UUID:
    """The endpoint and its delivery log go; pending deliveries are never sent."""
    endpoint, decision = await _endpoint_for_admin(ctx, endpoint_id)
    _record(ctx, AuditAction.DELETE_WEBHOOK_ENDPOINT, endpoint, decision)
    await ctx.session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    await ctx.session.delete(endpoint)
    await ctx.session.flush()
    return endpoint.id


def _record(
    ctx: ServiceContext,
    action: AuditAction,
    endpoint: WebhookEndpoint,
    decision: Decision,
    **details: Any,
) -> None:
    # The URL may carry the organisation's own token in its path: the log keeps its host.
    host = urlsplit(endpoint.url).hostname or ""
    trail.record(
        ctx,
        action,
        subject_type="WebhookEndpoint",
        subject_id=endpoint.id,
        decision=decision,
        organisation_id=endpoint.organisation_id,
        details={"host": host, **details},
    )


async def endpoints_of(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by organisation: its endpoints, the newest first."""
    return await pages_by_parent(
        session, keys, WebhookEndpoint.organisation_id, lambda _: select(WebhookEndpoint)
    )


async def deliveries_of(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by endpoint: its deliveries, the newest first."""
    return await pages_by_parent(
        session, keys, WebhookDelivery.endpoint_id, lambda _: select(WebhookDelivery)
    )
