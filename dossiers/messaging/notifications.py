"""Telling people there is something to read, never what: e-mails without the content of any
message, through the outbox.

- A message of the authority (or of the system) is notified to the applicant's side once it
  is `delay` old, unless that side read it meanwhile; each recipient gets one e-mail for all
  their due messages of a pass (grouped per recipient). Recipients are whoever the policy
  lets take part in the thread (the person, their trusted third parties, the organisation's
  administrator and managers allowed to message the authority), each by their preference.
- Accounts that chose DAILY get one digest a day (from 7:00, Paris time) counting their
  unread messages; agents (DAILY unless they chose NEVER) a digest counting the threads of
  their delegations awaiting an answer.
- Every message the pass looked at is stamped `notified_at` in the same transaction as the
  e-mails, so each is notified exactly once, whichever process runs the pass.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.account.models import Account, AccountKind
from auth.context import Actor, Links, ServiceContext
from auth.permit import authorise
from auth.policy import Action, decide, own_account
from auth.standing import MandateFact, MembershipFact, mandate_fact, memberships_of
from dossiers.messaging.access import thread_resource, visible_threads_condition
from dossiers.messaging.models import (
    Message,
    NotificationMode,
    NotificationPreference,
    Side,
    Thread,
    ThreadStatus,
)
from mail.outbox import enqueue
from tenants.clock import Clock
from tenants.mandates import Mandate, MandateStatus
from tenants.organisations import Membership, Organisation
from tenants.packs.base import Capability, TenantPack
from tenants.session import open_session

log = logging.getLogger("guichet.messaging")

DEFAULT_DELAY = timedelta(minutes=5)
PARIS = ZoneInfo("Europe/Paris")
DIGEST_FROM = time(7, 0)
NOBODY = uuid.UUID(int=0)


# -- preferences ---------------------------------------------------------------------------


def default_mode(account: Account) -> NotificationMode:
    return (
        NotificationMode.DAILY if account.kind == AccountKind.AGENT else NotificationMode.IMMEDIATE
    )


async def preference_of(ctx: ServiceContext) -> NotificationMode:
    grant = authorise(ctx, Action.VIEW_ACCOUNT, own_account(ctx.actor))
    row = await ctx.session.scalar(
        select(NotificationPreference.messages).where(
            NotificationPreference.account_id == grant.actor.account_id
        )
    )
    if row is not None:
        return NotificationMode(row)
    return NotificationMode.DAILY if grant.actor.is_agent else NotificationMode.IMMEDIATE


async def update_preferences(ctx: ServiceContext, messages: NotificationMode) -> NotificationMode:
    """The viewer's own choice (any account, on a portal with messaging)."""
    grant = authorise(ctx, Action.UPDATE_NOTIFICATION_PREFERENCES, own_account(ctx.actor))
    row = await ctx.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.account_id == grant.actor.account_id
        )
    )
    now = ctx.clock.now()
    if row is None:
        ctx.session.add(
            NotificationPreference(
                account_id=grant.actor.account_id, messages=messages, updated_at=now
            )
        )
    else:
        row.messages, row.updated_at = messages, now
    return messages


# -- the pass ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationsRun:
    """{tenant: e-mails queued} for the tenants done; the tenants whose pass failed."""

    done: dict[str, int] = field(default_factory=dict)
    failed: tuple[str, ...] = ()

    @property
    def queued(self) -> int:
        return sum(self.done.values())


async def run_due(
    sessions: async_sessionmaker[AsyncSession],
    packs: Iterable[TenantPack],
    clock: Clock,
    links: Links,
    delay: timedelta = DEFAULT_DELAY,
) -> NotificationsRun:
    done: dict[str, int] = {}
    failed: list[str] = []
    for pack in packs:
        if not pack.offers(Capability.MESSAGING):
            continue
        try:
            done[pack.slug] = await _run_tenant(sessions, pack, clock, links, delay)
        except Exception:  # one tenant's bad row must not starve the others
            log.exception("message notifications failed", extra={"tenant": pack.slug})
            failed.append(pack.slug)
    return NotificationsRun(done, tuple(failed))


async def _run_tenant(
    sessions: async_sessionmaker[AsyncSession],
    pack: TenantPack,
    clock: Clock,
    links: Links,
    delay: timedelta,
) -> int:
    async with open_session(sessions, pack.slug) as session:
        if not await _run_lock(session, pack.slug):
            return 0  # another process is running it right now
        now = clock.now()
        queued = await notify_new_messages(session, pack, links, now, delay)
        queued += await send_daily_digests(session, pack, links, now)
        await session.commit()
    if queued:
        log.info("message notifications", extra={"tenant": pack.slug, "queued": queued})
    return queued


async def _run_lock(session: AsyncSession, slug: str) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True
    got = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"), {"key": f"messages:{slug}"}
    )
    return bool(got)


@dataclass
class _Recipient:
    account: Account
    threads: set[uuid.UUID] = field(default_factory=set)
    messages: int = 0


async def notify_new_messages(
    session: AsyncSession, pack: TenantPack, links: Links, now: datetime, delay: timedelta
) -> int:
    """One e-mail per recipient for the authority's messages now `delay` old and still unread
    by the applicant's side; every message looked at is stamped."""
    due = list(
        (
            await session.scalars(
                select(Message)
                .where(
                    Message.notified_at.is_(None),
                    Message.side != Side.APPLICANT,
                    Message.created_at <= now - delay,
                )
                .order_by(Message.created_at)
                .with_for_update(skip_locked=session.get_bind().dialect.name == "postgresql")
            )
        ).all()
    )
    for message in due:
        message.notified_at = now
    unread = [m for m in due if m.read_by_applicant_at is None]
    if not unread:
        return 0
    threads = {
        t.id: t
        for t in await session.scalars(
            select(Thread).where(Thread.id.in_({m.thread_id for m in unread}))
        )
    }
    participants = await _applicant_participants(session, list(threads.values()), now)
    preferences = await _preferences(session, [a.id for a in _accounts(participants)])
    recipients: dict[uuid.UUID, _Recipient] = {}
    for message in unread:
        for account in participants.get(message.thread_id, []):
            if preferences.get(account.id, default_mode(account)) != NotificationMode.IMMEDIATE:
                continue
            found = recipients.setdefault(account.id, _Recipient(account))
            found.threads.add(message.thread_id)
            found.messages += 1
    for recipient in recipients.values():
        await enqueue(
            session,
            pack=pack,
            recipient=recipient.account.email,
            template="message_notification",
            locale=recipient.account.locale,
            context={
                "count": recipient.messages,
                "threads": len(recipient.threads),
                "link": links.sign_in(pack),
            },
            now=now,
        )
    return len(recipients)


def _accounts(participants: dict[uuid.UUID, list[Account]]) -> list[Account]:
    return list({a.id: a for accounts in participants.values() for a in accounts}.values())


async def _preferences(
    session: AsyncSession, account_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, NotificationMode]:
    if not account_ids:
        return {}
    rows = await session.execute(
        select(NotificationPreference.account_id, NotificationPreference.messages).where(
            NotificationPreference.account_id.in_(list(account_ids))
        )
    )
    return {account: NotificationMode(mode) for account, mode in rows}


async def _applicant_participants(
    session: AsyncSession, threads: Sequence[Thread], now: datetime
) -> dict[uuid.UUID, list[Account]]:
    """For each thread, the confirmed person accounts the policy lets take part in it on the
    applicant's side (three statements whatever the number of threads)."""
    today = now.astimezone(PARIS).date()
    persons = {t.person_id for t in threads if t.person_id}
    mandates = list(
        (
            await session.scalars(
                select(Mandate).where(
                    Mandate.person_id.in_(persons), Mandate.status == MandateStatus.ACCEPTED
                )
            )
        ).all()
        if persons
        else []
    )
    organisations = {t.organisation_id for t in threads if t.organisation_id}
    organisations |= {m.organisation_id for m in mandates}
    member_rows = (
        (
            await session.execute(
                select(Membership, Organisation.status)
                .join(Organisation, Organisation.id == Membership.organisation_id)
                .where(
                    Membership.organisation_id.in_(organisations),
                    Membership.revoked_at.is_(None),
                )
            )
        ).all()
        if organisations
        else []
    )
    facts: dict[uuid.UUID, list[MembershipFact]] = {}
    for membership, status in member_rows:
        facts.setdefault(membership.person_id, []).append(
            MembershipFact(
                membership.id,
                membership.organisation_id,
                membership.role,
                frozenset(membership.permissions or ()),
                status,
            )
        )
    candidates = persons | set(facts)
    accounts = {
        a.person_id: a
        for a in await session.scalars(
            select(Account).where(
                Account.person_id.in_(candidates),
                Account.kind == AccountKind.PERSON,
                Account.email_confirmed_at.is_not(None),
            )
        )
    }
    by_person: dict[uuid.UUID, list[MandateFact]] = {}
    for mandate in mandates:
        if mandate.person_id is not None:
            by_person.setdefault(mandate.person_id, []).append(mandate_fact(mandate, today))
    found: dict[uuid.UUID, list[Account]] = {}
    for thread in threads:
        given = by_person.get(thread.person_id, []) if thread.person_id else []
        resource = thread_resource(thread, tuple(given))
        for person_id, account in accounts.items():
            actor = Actor(
                tenant=thread.tenant_id,
                account_id=account.id,
                person_id=person_id,
                session_id=NOBODY,
                memberships=tuple(facts.get(person_id, ())),
            )
            if decide(actor, Action.TAKE_PART_IN_THREAD, resource).allowed:
                found.setdefault(thread.id, []).append(account)
    return found


async def send_daily_digests(
    session: AsyncSession, pack: TenantPack, links: Links, now: datetime
) -> int:
    """From 7:00 (Paris), once a day: applicants who chose DAILY hear how many messages they
    have not read; agents (unless they chose NEVER), how many threads of their delegations
    wait for an answer. Nothing is sent when there is nothing to count."""
    local = now.astimezone(PARIS)
    if local.time() < DIGEST_FROM:
        return 0
    today = local.date()
    rows = (
        await session.execute(
            select(Account, NotificationPreference)
            .outerjoin(NotificationPreference, NotificationPreference.account_id == Account.id)
            .where(
                Account.email_confirmed_at.is_not(None),
                (NotificationPreference.messages == NotificationMode.DAILY)
                | (NotificationPreference.id.is_(None) & (Account.kind == AccountKind.AGENT)),
                (NotificationPreference.last_digest_on.is_(None))
                | (NotificationPreference.last_digest_on < today),
            )
        )
    ).all()
    queued = 0
    for account, stored in rows:
        count = await _digest_count(session, account, today)
        preference = stored or NotificationPreference(
            account_id=account.id, messages=default_mode(account), updated_at=now
        )
        if stored is None:
            session.add(preference)
        preference.last_digest_on = today
        if count == 0:
            continue
        agent = account.kind == AccountKind.AGENT
        await enqueue(
            session,
            pack=pack,
            recipient=account.email,
            template="agent_message_digest" if agent else "message_digest",
            locale=account.locale,
            context={"count": count, "link": links.sign_in(pack)},
            now=now,
        )
        queued += 1
    return queued


async def _digest_count(session: AsyncSession, account: Account, today: Any) -> int:
    if account.kind == AccountKind.AGENT:
        delegations = sorted(account.delegations or ())
        total = await session.scalar(
            select(func.count())
            .select_from(Thread)
            .where(
                Thread.awaiting_answer_since.is_not(None),
                Thread.status == ThreadStatus.OPEN,
                Thread.delegation.is_(None) | Thread.delegation.in_(delegations),
            )
        )
        return int(total or 0)
    actor = Actor(
        tenant=account.tenant_id,
        account_id=account.id,
        person_id=account.person_id,
        session_id=NOBODY,
        memberships=await memberships_of(session, account.person_id),
    )
    condition = await visible_threads_condition(session, actor, today)
    total = await session.scalar(
        select(func.count())
        .select_from(Message)
        .join(Thread, Thread.id == Message.thread_id)
        .where(condition, Message.side != Side.APPLICANT, Message.read_by_applicant_at.is_(None))
    )
    return int(total or 0)
