"""The webhook sending loop: deliver due deliveries, signed per Standard Webhooks, retry with
exponential backoff, disable an endpoint that keeps failing and tell its administrators.

As `mail.worker`: several loops may run (a delivery is claimed with a lease by a guarded
UPDATE before it is sent, so two loops never send it together); a crash between the
receiver's answer and our bookkeeping resends the same `webhook-id`, which receivers
deduplicate on (at-least-once). Each attempt is signed afresh: `webhook-timestamp` is the
wall-clock second of the attempt (the receiver checks it against its own clock), and
`webhook-signature` is `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the
base64-decoded secret after `whsec_`.

A delivery is retried after 30 s, 1 min, 2 min… (at most 4 h apart), `max_attempts` times in
all, then FAILED. An endpoint whose last `disable_after_failures` attempts all failed, over at
least `disable_after` (10 and 24 h by default), is DISABLED: its pending deliveries fail,
nothing more is queued for it, and its administrators get an e-mail through the outbox.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.account.models import Account
from auth.context import Links
from dossiers.webhooks.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from dossiers.webhooks.outbox import global_id
from mail import outbox
from tenants.clock import Clock
from tenants.leases import backoff, claim, due_ids
from tenants.organisations import Membership, MembershipRole, Organisation
from tenants.packs import PACKS
from tenants.session import open_session

log = logging.getLogger("guichet.webhooks")

USER_AGENT = "Guichet-Webhooks/1"


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header value for one secret (Standard Webhooks v1)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class Outcome:
    code: int | None  # the HTTP status answered, None when no answer came
    error: str | None  # None: delivered (2xx)


class WebhookSender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        tenants: Iterable[str],
        links: Links,
        *,
        notify_mail: Callable[[], None] = lambda: None,
        batch_size: int = 50,
        lease: timedelta = timedelta(minutes=2),
        timeout: float = 10.0,
        max_attempts: int = 12,
        retry_base: timedelta = timedelta(seconds=30),
        retry_cap: timedelta = timedelta(hours=4),
        disable_after_failures: int = 10,
        disable_after: timedelta = timedelta(hours=24),
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.tenants = tuple(tenants)
        self.links = links
        self.notify_mail = notify_mail
        self.batch_size = batch_size
        self.lease = lease
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.disable_after_failures = disable_after_failures
        self.disable_after = disable_after
        self.wall = wall
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    async def run_once(self) -> int:
        """Attempt every due delivery of every tenant once; the number delivered."""
        delivered = 0
        async with httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=False, trust_env=False
        ) as client:
            for tenant in self.tenants:
                delivered += await self._run_tenant(client, tenant)
        return delivered

    async def run_forever(self, stop: asyncio.Event, poll_interval: float = 5.0) -> None:
        log.info("webhook sender started", extra={"worker": self.worker_id})
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # the loop must outlive a database hiccup
                log.exception("webhook sending pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll_interval)

    async def _run_tenant(self, client: httpx.AsyncClient, tenant: str) -> int:
        now = self.clock.now()
        async with open_session(self.sessions, tenant) as session:
            due = await due_ids(
                session, WebhookDelivery, DeliveryStatus.PENDING, now, self.batch_size
            )
            await session.commit()
        delivered = 0
        for delivery_id in due:
            if await self._deliver(client, tenant, delivery_id):
                delivered += 1
        return delivered

    async def _deliver(
        self, client: httpx.AsyncClient, tenant: str, delivery_id: uuid.UUID
    ) -> bool:
        now = self.clock.now()
        async with open_session(self.sessions, tenant) as session:
            claimed = await claim(
                session,
                WebhookDelivery,
                delivery_id,
                DeliveryStatus.PENDING,
                now,
                self.lease,
                self.worker_id,
            )
            await session.commit()
            if not claimed:
                return False
            delivery = await session.get_one(WebhookDelivery, delivery_id)
            endpoint = await session.get_one(WebhookEndpoint, delivery.endpoint_id)
            body, attempts = delivery.payload, delivery.attempts
            url, secret, active = endpoint.url, endpoint.secret, endpoint.status
            await session.commit()

        if active != EndpointStatus.ACTIVE:
            await self._finish(tenant, delivery_id, {"status": DeliveryStatus.FAILED})
            return False
        outcome = await self._post(client, url, secret, delivery_id, body)
        attempts += 1
        done = self.clock.now()
        values: dict[str, object] = {"attempts": attempts, "last_response_code": outcome.code}
        if outcome.error is None:
            values.update(
                status=DeliveryStatus.SUCCEEDED,
                delivered_at=done,
                last_error=None,
                next_attempt_at=None,
            )
        elif attempts >= self.max_attempts:
            values.update(
                status=DeliveryStatus.FAILED, last_error=outcome.error, next_attempt_at=None
            )
        else:
            values.update(
                last_error=outcome.error,
                next_attempt_at=done + backoff(attempts, self.retry_base, self.retry_cap),
            )
        disabled = await self._finish(tenant, delivery_id, values, outcome, done)
        extra = {"tenant": tenant, "delivery_id": str(delivery_id), "attempts": attempts}
        if outcome.error is None:
            log.info("webhook delivered", extra=extra)
        else:
            log.warning("webhook delivery failed: %s", outcome.error, extra=extra)
        if disabled:
            log.warning("webhook endpoint disabled after repeated failures", extra=extra)
        return outcome.error is None

    async def _post(
        self, client: httpx.AsyncClient, url: str, secret: str, delivery_id: uuid.UUID, body: str
    ) -> Outcome:
        message_id = f"msg_{delivery_id.hex}"
        timestamp = int(self.wall())
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body),
        }
        try:
            response = await client.post(url, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:  # no answer: refused, timed out, TLS…
            return Outcome(None, f"{type(exc).__name__}")
        if 200 <= response.status_code < 300:
            return Outcome(response.status_code, None)
        return Outcome(response.status_code, f"HTTP {response.status_code}")

    async def _finish(
        self,
        tenant: str,
        delivery_id: uuid.UUID,
        values: Mapping[str, object],
        outcome: Outcome | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Record the attempt and the endpoint's run of failures; True if it was disabled."""
        disabled = False
        async with open_session(self.sessions, tenant) as session:
            await session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.claimed_by == self.worker_id,
                )
                .values(claimed_until=None, **values)
            )
            if outcome is not None and at is not None:
                delivery = await session.get_one(WebhookDelivery, delivery_id)
                endpoint = await session.scalar(
                    select(WebhookEndpoint)
                    .where(WebhookEndpoint.id == delivery.endpoint_id)
                    .with_for_update()
                )
                if endpoint is not None:
                    disabled = await self._count(session, tenant, endpoint, outcome, at)
            await session.commit()
        if disabled:
            self.notify_mail()
        return disabled

    async def _count(
        self,
        session: AsyncSession,
        tenant: str,
        endpoint: WebhookEndpoint,
        outcome: Outcome,
        at: datetime,
    ) -> bool:
        if outcome.error is None:
            endpoint.consecutive_failures, endpoint.failing_since = 0, None
            return False
        endpoint.consecutive_failures += 1
        if endpoint.failing_since is None:
            endpoint.failing_since = at
        if (
            endpoint.status != EndpointStatus.ACTIVE
            or endpoint.consecutive_failures < self.disable_after_failures
            or at - endpoint.failing_since < self.disable_after
        ):
            return False
        endpoint.status, endpoint.disabled_at = EndpointStatus.DISABLED, at
        await session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.endpoint_id == endpoint.id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
            .values(status=DeliveryStatus.FAILED, next_attempt_at=None)
        )
        await self._tell_administrators(session, tenant, endpoint, at)
        return True

    async def _tell_administrators(
        self, session: AsyncSession, tenant: str, endpoint: WebhookEndpoint, at: datetime
    ) -> None:
        pack = PACKS[tenant]
        organisation = await session.get_one(Organisation, endpoint.organisation_id)
        administrators = (
            await session.scalars(
                select(Account)
                .join(Membership, Membership.person_id == Account.person_id)
                .where(
                    Membership.organisation_id == endpoint.organisation_id,
                    Membership.role == MembershipRole.ADMINISTRATOR,
                    Membership.revoked_at.is_(None),
                )
            )
        ).all()
        failing_since = endpoint.failing_since or at
        for account in administrators:
            await outbox.enqueue(
                session,
                pack=pack,
                recipient=account.email,
                template="webhook_disabled",
                locale=account.locale,
                context={
                    "organisation": organisation.name,
                    "url": endpoint.url,
                    "failures": endpoint.consecutive_failures,
                    "failing_since": failing_since.strftime("%d/%m/%Y %H:%M UTC"),
                    "endpoint": global_id("WebhookEndpoint", endpoint.id),
                    "link": self.links.sign_in(pack),
                },
                now=at,
            )
