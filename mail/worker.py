"""The sending loop: deliver due outbox messages, retry with backoff, lose nothing.

Several loops may run at once (one in each `guichet serve` of the embedded default, or
`guichet worker`s): a message is claimed with a lease by a guarded UPDATE before it is sent,
so two loops never send it together; a crashed loop's lease simply runs out. A message whose
delivery fails is retried after 30 s, 1 min, 2 min… (at most an hour apart), however long
the outage lasts: past `max_attempts` it goes on being retried hourly and each failure is
logged as an error (someone must look), but a message the server could still accept is never
given up. A permanent refusal (5xx) fails at once and is kept as FAILED.
The Message-ID is fixed when the mail is written, so a rare resend after a crash between
the server's acceptance and our bookkeeping is recognisable as the same message.

Mail carries secrets (confirmation, reset and invitation links, temporary passwords): the
outbox holds a message's body only while it is pending. Once sent, or refused for good, the
row keeps its metadata (template, recipient, Message-ID, attempts, dates, last error) and
its body is erased.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mail.models import OutboxMessage, OutboxStatus
from mail.transport import Transport, TransportError
from tenants.clock import Clock
from tenants.leases import backoff, claim, due_ids
from tenants.session import open_session

log = logging.getLogger("guichet.mail")

ERASED = ""  # the content of a message that was sent or refused for good


class MailSender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        transport: Transport,
        clock: Clock,
        tenants: Iterable[str],
        *,
        batch_size: int = 50,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 20,
        retry_base: timedelta = timedelta(seconds=30),
        retry_cap: timedelta = timedelta(hours=1),
    ) -> None:
        self.sessions = sessions
        self.transport = transport
        self.clock = clock
        self.tenants = tuple(tenants)
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.wake = asyncio.Event()

    def notify(self) -> None:
        """Something was written to the outbox: look now rather than at the next poll."""
        self.wake.set()

    async def run_once(self) -> int:
        """Send every due message of every tenant once; the number delivered."""
        sent = 0
        for tenant in self.tenants:
            sent += await self._run_tenant(tenant)
        return sent

    async def run_forever(self, stop: asyncio.Event, poll_interval: float = 5.0) -> None:
        log.info("mail sender started", extra={"worker": self.worker_id})
        while not stop.is_set():
            self.wake.clear()
            try:
                await self.run_once()
            except Exception:  # the loop must outlive a database hiccup
                log.exception("mail sending pass failed")
            waiter = asyncio.ensure_future(self.wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {waiter, stopper}, timeout=poll_interval, return_when=asyncio.FIRST_COMPLETED
            )
            for task in (waiter, stopper):
                task.cancel()

    async def _run_tenant(self, tenant: str) -> int:
        now = self.clock.now()
        async with open_session(self.sessions, tenant) as session:
            due = await due_ids(session, OutboxMessage, OutboxStatus.PENDING, now, self.batch_size)
            await session.commit()
        sent = 0
        for message_id in due:
            if await self._deliver(tenant, message_id):
                sent += 1
        return sent

    async def _deliver(self, tenant: str, message_id: uuid.UUID) -> bool:
        now = self.clock.now()
        async with open_session(self.sessions, tenant) as session:
            claimed = await claim(
                session,
                OutboxMessage,
                message_id,
                OutboxStatus.PENDING,
                now,
                self.lease,
                self.worker_id,
            )
            await session.commit()
            if not claimed:
                return False
            row = await session.get_one(OutboxMessage, message_id)
            content, attempts = row.content, row.attempts
            await session.commit()

        message = email.message_from_string(content, policy=email.policy.default)
        if not isinstance(message, EmailMessage):  # the default policy always makes one
            raise TypeError("outbox content did not parse as an EmailMessage")
        error: TransportError | None = None
        try:
            await self.transport.send(message)
        except TransportError as exc:
            error = exc

        attempts += 1
        done = self.clock.now()
        values: dict[str, object] = {"attempts": attempts, "claimed_until": None}
        # A message leaves the outbox's hands sent or refused for good: its body (links with
        # tokens, temporary passwords) is erased; the metadata and the error stay. A transient
        # failure keeps it, however many attempts it takes: an outage loses no mail.
        if error is None:
            values.update(status=OutboxStatus.SENT, sent_at=done, last_error=None, content=ERASED)
        elif error.permanent:
            values.update(status=OutboxStatus.FAILED, last_error=str(error)[:2000], content=ERASED)
        else:
            values.update(
                next_attempt_at=done + backoff(attempts, self.retry_base, self.retry_cap),
                last_error=str(error)[:2000],
            )
        async with open_session(self.sessions, tenant) as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == self.worker_id)
                .values(**values)
            )
            await session.commit()
        extra = {"tenant": tenant, "outbox_id": str(message_id), "attempts": attempts}
        if error is None:
            log.info("mail sent", extra=extra)
        elif values.get("status") == OutboxStatus.FAILED:
            log.error("mail failed for good: %s", error, extra=extra)
        elif attempts >= self.max_attempts:
            log.error("mail still undelivered, retried hourly: %s", error, extra=extra)
        else:
            log.warning("mail delivery failed, will retry: %s", error, extra=extra)
        return error is None
