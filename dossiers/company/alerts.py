"""Alerts of the company space (docs/DOMAIN.md "Company space": real-time alerts with a colour
code when a title's status changes) and their e-mail digest.

An organisation is alerted about a title when one of its employee rows matches it (same
number, same family name — the dashboard's rule) and:
- the authority changes the title's status (suspended, withdrawn, valid again);
- a renewable title (card, approval, operating authorisation) enters its renewal window (6
  months before expiry: the colour turns orange), or any title expires. A prior or
  provisional authorisation, or a receipt, is orange too near its end, but is not renewed:
  no "renew" alert for it [seed 003 arts. 6, 8]. `scan(today)` finds those; it is
  idempotent (one alert per organisation, title, expiry date and kind, kept unique by
  `dedup_key`), so it can run as often as wanted.

The e-mail digests and the periodic run are in `dossiers.company.alert_digests`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.permit import permit
from auth.policy import Action
from dossiers.company.models import Alert, AlertKind, Employee
from dossiers.title.models import Colour, Title, TitleStatus
from dossiers.title.numbers import (
    colour_of,
    effective_status,
    fold_name,
    follow,
    renewable,
    renewal_limit,
    today_of,
)
from dossiers.webhooks import outbox as webhooks
from dossiers.webhooks.models import WebhookEventType
from tenants.pagination import Page, PageKey, pages_by_parent, paginate

_CHUNK = 500

STATUS_WORDS = {
    TitleStatus.VALID: ("valide", "valid"),
    TitleStatus.SUSPENDED: ("suspendu", "suspended"),
    TitleStatus.WITHDRAWN: ("retiré", "withdrawn"),
    TitleStatus.EXPIRED: ("expiré", "expired"),
}


@dataclass(frozen=True)
class Candidate:
    """An employee row matching a title that may deserve a window or expiry alert."""

    employee_id: uuid.UUID
    organisation_id: uuid.UUID
    family_name: str
    given_names: str | None
    title_id: uuid.UUID
    number: str
    expires_on: date
    kind: str


# --- when a title changes ---------------------------------------------------------------------


async def title_issued(ctx: ServiceContext, title: Title) -> None:
    """Rows of the holder's employers learn the number: a row opened for the person before
    they held a title takes it, and a row already naming it takes the authority's spelling.
    Then, if the title is already in its window (a 6-month authorisation), they are told."""
    session = ctx.session
    if title.holder_person_id is not None:
        waiting = (
            await session.scalars(
                select(Employee).where(
                    Employee.person_id == title.holder_person_id, Employee.title_number.is_(None)
                )
            )
        ).all()
        if waiting:
            taken = set(
                (
                    await session.scalars(
                        select(Employee.organisation_id).where(
                            Employee.title_number == title.number
                        )
                    )
                ).all()
            )
            for row in waiting:
                if row.organisation_id not in taken:
                    row.title_number = title.number
                    row.family_name = title.holder_family_name
                    taken.add(row.organisation_id)
            await session.flush()  # the session does not autoflush: the next query sees them
    naming = (
        await session.scalars(select(Employee).where(Employee.title_number == title.number))
    ).all()
    for row in naming:
        if fold_name(row.family_name) == fold_name(title.holder_family_name):
            row.family_name = title.holder_family_name
            row.person_id = row.person_id or title.holder_person_id
            follow(row, title)
    await session.flush()
    today = today_of(ctx.clock)
    if title.expires_on <= renewal_limit(today):
        candidates = [
            _candidate(row, title) for row in naming if row.family_name == title.holder_family_name
        ]
        await _add_window_alerts(session, candidates, today, ctx.clock.now())


async def title_status_changed(ctx: ServiceContext, title: Title) -> None:
    """Every organisation following the title gets an alert (one per change)."""
    rows = (
        await ctx.session.scalars(
            select(Employee).where(
                Employee.title_number == title.number,
                Employee.family_name == title.holder_family_name,
            )
        )
    ).all()
    for row in rows:
        follow(row, title)
    await webhooks.enqueue(
        ctx,
        [title.organisation_id, *(row.organisation_id for row in rows)],
        WebhookEventType.TITLE_STATUS_CHANGED,
        {
            "titleId": webhooks.global_id("Title", title.id),
            "number": title.number,
            "status": title.status,
        },
    )
    today = today_of(ctx.clock)
    now = ctx.clock.now()
    colour = colour_of(title, today)
    status = effective_status(title, today)
    changed_at = title.status_changed_at.isoformat()
    for row in rows:
        ctx.session.add(
            Alert(
                organisation_id=row.organisation_id,
                employee_id=row.id,
                title_id=title.id,
                kind=AlertKind.STATUS_CHANGED.value,
                colour=colour.value,
                dedup_key=f"{AlertKind.STATUS_CHANGED.value}:{title.id}:{title.status}:{changed_at}",
                details=_details(_candidate(row, title), status),
                created_at=now,
            )
        )
    await ctx.session.flush()


# --- renewal windows and expiries -------------------------------------------------------------


async def scan(session: AsyncSession, today: date, now: datetime) -> int:
    """Alert about every followed, valid title that is expired, or renewable and in its
    renewal window, and has not been alerted yet for that expiry date. Returns how many
    alerts were created."""
    rows = await session.execute(
        select(
            Employee.id,
            Employee.organisation_id,
            Employee.family_name,
            Employee.given_names,
            Title.id,
            Title.number,
            Title.expires_on,
            Title.kind,
        )
        .join(
            Title,
            Title.id == Employee.title_id,
        )
        .where(Title.status == TitleStatus.VALID.value, Title.expires_on <= renewal_limit(today))
    )
    candidates = [Candidate(*row) for row in rows]
    return await _add_window_alerts(session, candidates, today, now)


async def _add_window_alerts(
    session: AsyncSession, candidates: Sequence[Candidate], today: date, now: datetime
) -> int:
    if not candidates:
        return 0
    title_ids = sorted({c.title_id for c in candidates})
    existing: set[tuple[uuid.UUID, str]] = set()
    for start in range(0, len(title_ids), _CHUNK):
        found = await session.execute(
            select(Alert.organisation_id, Alert.dedup_key).where(
                Alert.title_id.in_(title_ids[start : start + _CHUNK]),
                Alert.kind.in_([AlertKind.RENEWAL_WINDOW.value, AlertKind.EXPIRED.value]),
            )
        )
        existing.update((org, key) for org, key in found)
    created = 0
    for candidate in candidates:
        expired = candidate.expires_on < today
        if not expired and not renewable(candidate.kind):
            continue
        kind = AlertKind.EXPIRED if expired else AlertKind.RENEWAL_WINDOW
        key = f"{kind.value}:{candidate.title_id}:{candidate.expires_on.isoformat()}"
        if (candidate.organisation_id, key) in existing:
            continue
        existing.add((candidate.organisation_id, key))
        status = TitleStatus.EXPIRED if expired else TitleStatus.VALID
        session.add(
            Alert(
                organisation_id=candidate.organisation_id,
                employee_id=candidate.employee_id,
                title_id=candidate.title_id,
                kind=kind.value,
                colour=(Colour.RED if expired else Colour.ORANGE).value,
                dedup_key=key,
                details=_details(candidate, status),
                created_at=now,
            )
        )
        created += 1
    await session.flush()
    return created


def _candidate(row: Employee, title: Title) -> Candidate:
    return Candidate(
        employee_id=row.id,
        organisation_id=row.organisation_id,
        family_name=row.family_name,
        given_names=row.given_names,
        title_id=title.id,
        number=title.number,
        expires_on=title.expires_on,
        kind=title.kind,
    )


def _details(candidate: Candidate, status: TitleStatus) -> dict[str, Any]:
    """What the alert says, kept even if the row is removed later (never the reason of a
    suspension: that is between the authority and the holder)."""
    return {
        "title_number": candidate.number,
        "family_name": candidate.family_name,
        "given_names": candidate.given_names,
        "status": status.value,
        "expires_on": candidate.expires_on.isoformat(),
    }


# --- reading ------------------------------------------------------------------------------------


MESSAGES = {  # (French, English)
    AlertKind.RENEWAL_WINDOW: (
        "Le titre {number} de {name} arrive à échéance le {expires} : le renouvellement est à "
        "demander au moins 3 mois avant.",
        "Title {number} of {name} expires on {expires}: its renewal must be requested at "
        "least 3 months before.",
    ),
    AlertKind.EXPIRED: (
        "Le titre {number} de {name} a expiré le {expires}.",
        "Title {number} of {name} expired on {expires}.",
    ),
    AlertKind.STATUS_CHANGED: (
        "Le titre {number} de {name} est désormais {status}.",
        "Title {number} of {name} is now {status}.",
    ),
}


def alert_message(alert: Alert, locale: str) -> str:
    """One sentence, in French or English, from the alert's kind and details."""
    details = alert.details or {}
    index = 1 if locale == "en" else 0
    status = STATUS_WORDS.get(TitleStatus(details.get("status", "VALID")), ("?", "?"))
    return MESSAGES[AlertKind(alert.kind)][index].format(
        number=details.get("title_number", ""),
        name=" ".join(p for p in (details.get("family_name"), details.get("given_names")) if p),
        expires=_format_date(details.get("expires_on"), locale),
        status=status[index],
    )


def _format_date(value: str | None, locale: str) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value)
    return day.isoformat() if locale == "en" else day.strftime("%d/%m/%Y")


async def mark_read(ctx: ServiceContext, alert_id: uuid.UUID | None) -> Alert:
    """Marking an alert already read changes nothing (and is no error)."""
    allowed = await permit(ctx, Alert, alert_id, Action.MANAGE_EMPLOYEES, ("alertId",))
    alert, decision = allowed.row, allowed.decision
    already = alert.read_at is not None
    if not already:
        alert.read_at = ctx.clock.now()
        alert.read_by_account_id = allowed.actor.account_id
    trail.record(
        ctx,
        AuditAction.MARK_ALERT_READ,
        subject_type="Alert",
        subject_id=alert.id,
        decision=decision,
        organisation_id=alert.organisation_id,
        details={"already_read": already},
    )
    return alert


# Reading


def _alerts(unread_only: bool) -> Select[Any]:
    query = select(Alert)
    return query.where(Alert.read_at.is_(None)) if unread_only else query


async def alert_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by organisation, filters `(unread_only,)`: its alerts, newest first."""
    return await pages_by_parent(
        session, keys, Alert.organisation_id, lambda filters: _alerts(*filters)
    )


async def alerts_of(
    session: AsyncSession,
    organisation_ids: Sequence[uuid.UUID],
    unread_only: bool,
    first: int | None,
    after: str | None,
) -> Page[Alert]:
    """The alerts of all these organisations, newest first."""
    query = _alerts(unread_only).where(Alert.organisation_id.in_(organisation_ids))
    return await paginate(session, query, Alert.created_at, Alert.id, first, after)
