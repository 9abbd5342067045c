"""E-mail digests of the company space's alerts, and the periodic run.

`send_digests` e-mails each organisation's undigested alerts, in one message per recipient
(its administrator and the managers holding MANAGE_EMPLOYEES), then marks them digested.
`run_due` scans renewal windows (`dossiers.company.alerts.scan`) and sends the digests for every
tenant: `guichet alerts run` calls it once; `guichet serve` and `guichet worker` periodically.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.account.models import Account, AccountKind
from auth.context import Links
from dossiers.company.alerts import alert_message, scan
from dossiers.company.models import Alert
from dossiers.title.numbers import today_of
from mail.outbox import enqueue
from tenants.clock import Clock
from tenants.organisations import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
    Permission,
)
from tenants.packs.base import TenantPack
from tenants.session import open_session

log = logging.getLogger("guichet.alerts")

DIGEST_MAX_ITEMS = 50  # listed in one e-mail; the rest is counted


async def send_digests(session: AsyncSession, pack: TenantPack, links: Links, now: datetime) -> int:
    """One e-mail per recipient of each organisation with undigested unread alerts; every
    undigested alert is then marked digested. Returns the number of e-mails queued."""
    pending = (
        await session.scalars(
            select(Alert)
            .where(Alert.digested_at.is_(None))
            .order_by(Alert.organisation_id, Alert.created_at, Alert.id)
        )
    ).all()
    if not pending:
        return 0
    by_organisation: dict[uuid.UUID, list[Alert]] = {}
    for alert in pending:
        by_organisation.setdefault(alert.organisation_id, []).append(alert)
    organisations = {
        row.id: row
        for row in await session.scalars(
            select(Organisation).where(Organisation.id.in_(list(by_organisation)))
        )
    }
    recipients = await _recipients(session, list(by_organisation))
    queued = 0
    for organisation_id, alerts in by_organisation.items():
        organisation = organisations.get(organisation_id)
        unread = [a for a in alerts if a.read_at is None]
        validated = organisation is not None and organisation.status == OrganisationStatus.VALIDATED
        if organisation is not None and validated and unread:
            for email, locale in recipients.get(organisation_id, []):
                await enqueue(
                    session,
                    pack=pack,
                    recipient=email,
                    template="alert_digest",
                    locale=locale,
                    context=_digest_context(organisation, unread, locale, links, pack),
                    now=now,
                )
                queued += 1
        for alert in alerts:
            alert.digested_at = now
    await session.flush()
    return queued


def _digest_context(
    organisation: Organisation, alerts: Sequence[Alert], locale: str, links: Links, pack: TenantPack
) -> dict[str, Any]:
    shown = alerts[:DIGEST_MAX_ITEMS]
    return {
        "organisation_name": organisation.name,
        "count": len(alerts),
        "items": [
            {"colour": _colour_word(a.colour, locale), "message": alert_message(a, locale)}
            for a in shown
        ],
        "more": len(alerts) - len(shown),
        "link": links.sign_in(pack),
    }


def _colour_word(colour: str, locale: str) -> str:
    words = {"GREEN": ("VERT", "GREEN"), "ORANGE": ("ORANGE", "ORANGE"), "RED": ("ROUGE", "RED")}
    pair = words.get(colour, (colour, colour))
    return pair[1] if locale == "en" else pair[0]


async def _recipients(
    session: AsyncSession, organisation_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[str, str]]]:
    """The administrator and the managers with MANAGE_EMPLOYEES, by confirmed account."""
    rows = await session.execute(
        select(Membership.organisation_id, Membership.role, Membership.permissions, Account)
        .join(Account, Account.person_id == Membership.person_id)
        .where(
            Membership.organisation_id.in_(list(organisation_ids)),
            Membership.revoked_at.is_(None),
            Account.kind == AccountKind.PERSON.value,
            Account.email_confirmed_at.is_not(None),
        )
    )
    found: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for organisation_id, role, permissions, account in rows:
        allowed = role == MembershipRole.ADMINISTRATOR or (
            Permission.MANAGE_EMPLOYEES.value in (permissions or ())
        )
        if allowed:
            found.setdefault(organisation_id, []).append((account.email, account.locale))
    return found


async def run_due(
    sessions: async_sessionmaker[AsyncSession],
    packs: Iterable[TenantPack],
    clock: Clock,
    links: Links,
) -> dict[str, tuple[int, int]]:
    """Scan renewal windows and send digests in every tenant, one transaction each. Returns
    {tenant: (alerts created, e-mails queued)}; the caller then wakes the mail sender."""
    done: dict[str, tuple[int, int]] = {}
    for pack in packs:
        async with open_session(sessions, pack.slug) as session:
            if not await _run_lock(session, pack.slug):
                done[pack.slug] = (0, 0)  # another process is running it right now
                continue
            now = clock.now()
            created = await scan(session, today_of(clock), now)
            queued = await send_digests(session, pack, links, now)
            await session.commit()
        done[pack.slug] = (created, queued)
        if created or queued:
            log.info(
                "alerts run",
                extra={"tenant": pack.slug, "alerts_created": created, "queued": queued},
            )
    return done


async def _run_lock(session: AsyncSession, slug: str) -> bool:
    """On PostgreSQL, one run per tenant at a time across server processes (released at the
    end of the transaction); SQLite has one writer anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    got = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"), {"key": f"alerts:{slug}"}
    )
    return bool(got)
