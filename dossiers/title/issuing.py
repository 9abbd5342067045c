"""Titles the authority issues (docs/DOMAIN.md "Titles"): issuing one, changing its status.

Used by the authority's agents (policy action MANAGE_TITLES, within their delegation: the
one covering the title's département) and by `guichet demo`. Dossiers, when they arrive,
call `issue_title` when a decision grants a title; they extend this module, not replace it.
Both operations tell the alert service, so organisations employing the holder learn of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from auth.account.identity_fields import Collector
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.policy import Action, Decision, Resource, decide
from dossiers.company import alerts
from dossiers.title.errors import TitleCode
from dossiers.title.holders import HolderInput, resolve_holder
from dossiers.title.models import Title, TitleKind, TitleStatus
from dossiers.title.numbers import (
    SEQUENCE_DIGITS,
    add_months,
    delegation_of,
    format_number,
    today_of,
)
from tenants.errors import CommonCode, DomainError
from tenants.packs.base import TenantPack
from tenants.pagination import Page, PageKey, pages_by_parent

MAX_REASON = 500
SETTABLE = frozenset({TitleStatus.VALID, TitleStatus.SUSPENDED, TitleStatus.WITHDRAWN})


@dataclass(frozen=True)
class NewTitle:
    """What issuing a title needs: its holder is a person of the directory, an establishment
    (operating authorisations), or a name (`dossiers.title.holders`). The département comes
    from the holder; `departement` is for a holder known by name only or living abroad, and
    must otherwise agree with the derived one."""

    kind: TitleKind
    departement: str | None = None
    activities: list[str] = field(default_factory=list)
    holder_person_id: uuid.UUID | None = None
    holder_family_name: str | None = None
    holder_given_names: str | None = None
    holder_birth_date: date | None = None
    issued_on: date | None = None  # default: today
    expires_on: date | None = None  # only for a renewal receipt (until the decision)
    holder_establishment_id: uuid.UUID | None = None


def viewing_resource(title: Title) -> Resource:
    """Seen by its holder and by any agent of the authority (titles are national)."""
    return Resource("Title", title.id, owner_person_id=title.holder_person_id)


def managing_resource(title_id: uuid.UUID | None, departement: str, pack: TenantPack) -> Resource:
    """Decided by the delegation covering the holder's département."""
    return Resource("Title", title_id, delegation=delegation_of(departement, pack))


async def issue_title(ctx: ServiceContext, data: NewTitle) -> Title:
    """An agent issues a title (MANAGE_TITLES within the delegation of its département)."""
    decide(ctx.actor, Action.MANAGE_TITLES, Resource("Title", None)).require()

    def authorise(departement: str, field: tuple[str, ...]) -> Decision:
        resource = managing_resource(None, departement, ctx.pack)
        return decide(ctx.actor, Action.MANAGE_TITLES, resource).require(field)

    return await _issue(ctx, data, authorise)


async def issue_for_dossier(ctx: ServiceContext, data: NewTitle, decision: Decision) -> Title:
    """A title a dossier's act yields, under the decision that allowed that act: the grant
    (an agent of the instructing delegation) or a timely renewal's confirmation, which
    yields its receipt at once [seed 003 art. 6]."""
    return await _issue(ctx, data, lambda _departement, _field: decision)


async def _issue(
    ctx: ServiceContext,
    data: NewTitle,
    authorise: Callable[[str, tuple[str, ...]], Decision],
) -> Title:
    check = Collector([])
    today = today_of(ctx.clock)
    holder = await resolve_holder(
        ctx,
        HolderInput(
            kind=data.kind,
            departement=data.departement,
            person_id=data.holder_person_id,
            establishment_id=data.holder_establishment_id,
            family_name=data.holder_family_name,
            given_names=data.holder_given_names,
            birth_date=data.holder_birth_date,
        ),
        check,
    )
    activities = check_activities(ctx.pack, data.kind, data.activities, check)
    issued_on = data.issued_on or today
    if issued_on > today:
        check.add(TitleCode.ISSUE_DATE_IN_FUTURE, ("issuedOn",))
    expires_on = _expiry(ctx.pack, data, issued_on, check)
    if check.errors:
        raise DomainError(check.errors)
    departement = holder.departement
    assert departement is not None and expires_on is not None  # noqa: S101
    decision = authorise(departement, holder.field)
    person_id = holder.person_id
    now = ctx.clock.now()
    sequence = await _next_sequence(ctx, issued_on.year)
    title = Title(
        number=format_number(data.kind, departement, expires_on, issued_on.year, sequence),
        sequence=f"{sequence:0{SEQUENCE_DIGITS}d}",
        kind=data.kind.value,
        holder_person_id=person_id,
        holder_family_name=holder.family_name,
        holder_given_names=holder.given_names,
        holder_birth_date=holder.birth_date,
        organisation_id=holder.organisation_id,
        establishment_id=holder.establishment_id,
        departement=departement,
        activities=activities,
        issued_on=issued_on,
        expires_on=expires_on,
        status=TitleStatus.VALID.value,
        status_changed_at=now,
        created_at=now,
    )
    ctx.session.add(title)
    await ctx.session.flush()
    await alerts.title_issued(ctx, title)
    trail.record(
        ctx,
        AuditAction.ISSUE_TITLE,
        subject_type="Title",
        subject_id=title.id,
        decision=decision,
        on_behalf_of_person_id=person_id,
        details={"number": title.number, "kind": title.kind},
    )
    return title


async def change_title_status(
    ctx: ServiceContext, title_id: uuid.UUID | None, status: TitleStatus, reason: str | None
) -> Title:
    """Suspend, withdraw, or make valid again (a withdrawal is final), with a reason."""
    # Only agents manage titles: anyone else is refused before any look-up, so an existing
    # title and a missing one get the same answer.
    decide(ctx.actor, Action.MANAGE_TITLES, Resource("Title", None)).require()
    title = (
        await ctx.session.scalar(select(Title).where(Title.id == title_id)) if title_id else None
    )
    if title is None:
        raise DomainError.one(CommonCode.NOT_FOUND, ("titleId",))
    decision: Decision = decide(
        ctx.actor, Action.MANAGE_TITLES, managing_resource(title.id, title.departement, ctx.pack)
    ).require(("titleId",))
    check = Collector([])
    previous = TitleStatus(title.status)
    if status not in SETTABLE:
        check.add(TitleCode.TITLE_STATUS_NOT_SETTABLE, ("status",))
    elif previous == TitleStatus.WITHDRAWN:
        check.add(TitleCode.TITLE_WITHDRAWN_FINAL, ("status",))
    elif status == previous:
        check.add(TitleCode.TITLE_STATUS_UNCHANGED, ("status",))
    cleaned = check.text(reason, ("reason",), status != TitleStatus.VALID, MAX_REASON)
    if check.errors:
        raise DomainError(check.errors)
    title.status = status.value
    title.status_reason = cleaned
    title.status_changed_at = ctx.clock.now()
    await ctx.session.flush()
    await alerts.title_status_changed(ctx, title)
    trail.record(
        ctx,
        AuditAction.CHANGE_TITLE_STATUS,
        subject_type="Title",
        subject_id=title.id,
        decision=decision,
        on_behalf_of_person_id=title.holder_person_id,
        details={"number": title.number, "from": previous.value, "to": status.value},
    )
    return title


async def end_title(ctx: ServiceContext, title: Title, reason: str) -> None:
    """End a title because a dossier's decision replaces it (a renewed card, its receipt):
    withdrawn with the reason, and the organisations employing the holder are told."""
    title.status = TitleStatus.WITHDRAWN.value
    title.status_reason = reason[:MAX_REASON]
    title.status_changed_at = ctx.clock.now()
    await ctx.session.flush()
    await alerts.title_status_changed(ctx, title)


def check_activities(
    pack: TenantPack, kind: TitleKind, codes: list[str], check: Collector
) -> list[str]:
    """Known activities, each once, at least one for a person's card or authorisation, and
    the pack's exclusivity rules (an exclusive activity combines only with those it lists)."""
    known = {activity.code: activity for activity in pack.activities}
    chosen: list[str] = []
    for position, code in enumerate(codes):
        if code not in known:
            check.add(TitleCode.UNKNOWN_ACTIVITY, ("activities", str(position)), activity=code)
        elif code not in chosen:
            chosen.append(code)
    title_type = pack.title_type(kind.value)
    if not chosen and not codes and title_type is not None and title_type.needs_activities:
        check.add(TitleCode.ACTIVITY_REQUIRED, ("activities",))
    for code in chosen:
        activity = known[code]
        others = [c for c in chosen if c != code and c not in activity.compatible_with]
        if activity.excludes_others and others:
            check.add(TitleCode.ACTIVITIES_EXCLUSIVE, ("activities",), activity=activity.label.fr)
            break
    return chosen


def _expiry(pack: TenantPack, data: NewTitle, issued_on: date, check: Collector) -> date | None:
    """The validity of the pack's title type; a type without one (the renewal receipt) is
    given its expiry at issue."""
    title_type = pack.title_type(data.kind.value)
    months = title_type.validity_months if title_type is not None else None
    if months is not None:
        if data.expires_on is not None:
            check.add(TitleCode.EXPIRY_NOT_APPLICABLE, ("expiresOn",))
        return add_months(issued_on, months)
    if data.expires_on is None:
        check.add(CommonCode.REQUIRED, ("expiresOn",))
        return None
    if data.expires_on <= issued_on:
        check.add(TitleCode.EXPIRY_BEFORE_ISSUE, ("expiresOn",))
        return None
    return data.expires_on


async def _next_sequence(ctx: ServiceContext, year: int) -> int:
    """The tenant's next sequence number for the year. On PostgreSQL a transaction-level
    advisory lock per tenant and year makes concurrent issues wait for each other (SQLite
    has one writer at a time)."""
    session = ctx.session
    if session.get_bind().dialect.name == "postgresql":
        key = f"titles:{ctx.pack.slug}:{year}"
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    pattern = f"%-{year:04d}{'_' * SEQUENCE_DIGITS}"
    highest = await session.scalar(
        select(func.max(Title.sequence)).where(Title.number.like(pattern))
    )
    following = int(highest or 0) + 1
    if following >= 10**SEQUENCE_DIGITS:
        raise RuntimeError(f"title sequence exhausted for {year}")
    return following


async def title_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by person: the titles they hold, newest first (the caller asked the policy)."""
    return await pages_by_parent(session, keys, Title.holder_person_id, lambda _: select(Title))
