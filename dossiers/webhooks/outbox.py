"""Queue an organisation's events for its endpoints, inside the transaction of the change
(the change and its deliveries are kept or rolled back together; `sender` sends them).

A payload carries the event's type, when it happened, and ids: the organisation reads
anything more through the API, as whoever its system signs in as (seed 002: nothing personal
by this channel). Ids are the API's global IDs (Relay's: base64 of `Type:uuid`).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import select

from auth.context import ServiceContext
from dossiers.webhooks.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)


def global_id(type_name: str, id_: uuid.UUID | str) -> str:
    """The API's opaque ID of a node (the encoding of `strawberry.relay.GlobalID`)."""
    return base64.b64encode(f"{type_name}:{id_}".encode()).decode()


async def enqueue(
    ctx: ServiceContext,
    organisation_ids: Iterable[uuid.UUID | None],
    event_type: WebhookEventType,
    data: Mapping[str, str],
) -> int:
    """One delivery per active endpoint of these organisations that asked for `event_type`
    (one statement, none when no organisation is concerned); the number queued."""
    organisations = {o for o in organisation_ids if o is not None}
    if not organisations:
        return 0
    endpoints = (
        await ctx.session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.organisation_id.in_(organisations),
                WebhookEndpoint.status == EndpointStatus.ACTIVE,
            )
        )
    ).all()
    now = ctx.clock.now()
    queued = 0
    for endpoint in endpoints:
        if event_type not in endpoint.types:
            continue
        delivery_id = uuid.uuid4()
        body = {
            "type": event_type.value,
            "timestamp": now.isoformat(),
            "data": {"organisationId": global_id("Organisation", endpoint.organisation_id)}
            | dict(data),
        }
        ctx.session.add(
            WebhookDelivery(
                id=delivery_id,
                endpoint_id=endpoint.id,
                event_type=event_type.value,
                payload=json.dumps(body, separators=(",", ":"), sort_keys=True),
                status=DeliveryStatus.PENDING,
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
        queued += 1
    return queued
