"""Instruction by the authority [seed 000, choice]: a dossier is instructed by the delegation
of the applicant's domicile (the establishment's address for an operating authorisation).
Its agents see their queue (oldest submitted first), assign a dossier, review it, send it
back for corrections (a reason, and the fields or documents to fix), and decide: grant (the
title is issued at once through `dossiers.title.issuing`), refuse (with a reason), or close
without action. Every move goes through the one transition table (`events.move`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from auth.account.identity_fields import Collector, clean_text
from auth.account.models import Account, AccountKind
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.permit import authorise
from auth.policy import Action, Resource
from dossiers.dossier import kinds, renewal
from dossiers.dossier.access import agent_permit
from dossiers.dossier.errors import DossierCode
from dossiers.dossier.events import move, record, require_move
from dossiers.dossier.models import Dossier, DossierStatus
from dossiers.dossier.transitions import IN_INSTRUCTION, DossierAction
from dossiers.title import issuing
from dossiers.title.models import Title, TitleKind
from tenants.errors import CommonCode, DomainError
from tenants.models import Person
from tenants.pagination import Page, paginate

MAX_REASON = 1000
MAX_ITEMS = 50


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[DossierStatus, ...] = ()  # none: every state of instruction
    kind: str | None = None
    assigned_to_me: bool = False
    unassigned: bool = False


async def queue(
    ctx: ServiceContext, wanted: QueueFilter, first: int | None, after: str | None
) -> Page[Dossier]:
    """The submitted dossiers of the agent's delegations, oldest submitted first. Two
    statements."""
    tenant = ctx.actor.tenant if ctx.actor else None
    actor = authorise(ctx, Action.INSTRUCT_DOSSIER, Resource("Dossier", None, tenant=tenant)).actor
    delegations = sorted(actor.agent_delegations or ())
    statuses = [s.value for s in (wanted.statuses or tuple(IN_INSTRUCTION))]
    query = select(Dossier).where(
        Dossier.delegation.in_(delegations),
        Dossier.status.in_(statuses),
        Dossier.submitted_at.is_not(None),
    )
    if wanted.kind:
        query = query.where(Dossier.kind == wanted.kind)
    if wanted.assigned_to_me:
        query = query.where(Dossier.assigned_account_id == actor.account_id)
    if wanted.unassigned:
        query = query.where(Dossier.assigned_account_id.is_(None))
    return await paginate(
        ctx.session, query, Dossier.submitted_at, Dossier.id, first, after, ascending=True
    )


async def assign(
    ctx: ServiceContext, dossier_id: uuid.UUID | None, agent_account_id: uuid.UUID | None
) -> Dossier:
    """Give the dossier to an agent of its delegation (the caller by default)."""
    allowed = await agent_permit(ctx, dossier_id)
    dossier = allowed.dossier
    target = agent_account_id or allowed.actor.account_id
    account = await ctx.session.get(Account, target)
    if account is None or account.kind != AccountKind.AGENT:
        raise DomainError.one(CommonCode.NOT_FOUND, ("agentId",))
    if dossier.delegation not in (account.delegations or []):
        raise DomainError.one(DossierCode.NOT_AN_AGENT_OF_THIS_DELEGATION, ("agentId",))
    dossier.assigned_account_id = account.id
    dossier.updated_at = ctx.clock.now()
    record(ctx, dossier, "ASSIGN", allowed.decision, from_status=dossier.status)
    trail.record(
        ctx,
        AuditAction.ASSIGN_DOSSIER,
        subject_type="Dossier",
        subject_id=dossier.id,
        decision=allowed.decision,
        details={"agent_account_id": str(account.id)},
    )
    return dossier


async def start_review(ctx: ServiceContext, dossier_id: uuid.UUID | None) -> Dossier:
    allowed = await agent_permit(ctx, dossier_id)
    dossier = allowed.dossier
    require_move(dossier, DossierAction.START_REVIEW)
    if dossier.assigned_account_id is None:
        dossier.assigned_account_id = allowed.actor.account_id
    await move(ctx, dossier, DossierAction.START_REVIEW, allowed.decision)
    return dossier


async def request_corrections(
    ctx: ServiceContext,
    dossier_id: uuid.UUID | None,
    reason: str | None,
    items: Sequence[str],
) -> Dossier:
    """Send the dossier back to its applicant with a reason and what to fix: field names and
    document codes of its kind (`activities` for the activities)."""
    allowed = await agent_permit(ctx, dossier_id)
    dossier = allowed.dossier
    require_move(dossier, DossierAction.REQUEST_CORRECTIONS)
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    check = Collector([])
    cleaned = _reason(reason, check, required=True)
    known = {f.name for f in kind.fields} | {d.code for d in kind.documents} | {"activities"}
    wanted: list[str] = []
    if not items:
        check.add(DossierCode.CORRECTION_ITEMS_REQUIRED, ("items",))
    if len(items) > MAX_ITEMS:
        check.add(CommonCode.TOO_LONG, ("items",), max=MAX_ITEMS)
    for index, item in enumerate(items[:MAX_ITEMS]):
        if item not in known:
            check.add(DossierCode.UNKNOWN_CORRECTION_ITEM, ("items", str(index)), item=item[:50])
        elif item not in wanted:
            wanted.append(item)
    if check.errors:
        raise DomainError(check.errors)
    dossier.correction_reason = cleaned
    dossier.correction_items = wanted
    await move(
        ctx,
        dossier,
        DossierAction.REQUEST_CORRECTIONS,
        allowed.decision,
        reason=cleaned,
        details={"items": wanted},
    )
    return dossier


async def grant(ctx: ServiceContext, dossier_id: uuid.UUID | None) -> tuple[Dossier, Title]:
    """Grant: the kind's title is issued to the applicant (the person, or the establishment)
    with the dossier's activities and the pack's validity; a renewal's new title replaces
    the renewed one and ends the receipt."""
    allowed = await agent_permit(ctx, dossier_id)
    dossier = allowed.dossier
    require_move(dossier, DossierAction.GRANT)
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    departement = None
    if dossier.applicant_person_id is not None:
        person = await ctx.session.get(Person, dossier.applicant_person_id)
        if person is not None and person.country not in (None, "FR"):
            departement = dossier.departement  # abroad: the instructing delegation's
    title = await issuing.issue_for_dossier(
        ctx,
        issuing.NewTitle(
            kind=TitleKind(kind.title),
            departement=departement,
            activities=list(dossier.activities or []),
            holder_person_id=dossier.applicant_person_id,
            holder_establishment_id=dossier.establishment_id,
        ),
        allowed.decision,
    )
    dossier.title_id = title.id
    dossier.decided_at = ctx.clock.now()
    dossier.decision_reason = None
    await move(ctx, dossier, DossierAction.GRANT, allowed.decision, details={"title": title.number})
    await renewal.end_titles(ctx, dossier, f"Remplacé par le titre {title.number}", replaced=True)
    return dossier, title


async def refuse(ctx: ServiceContext, dossier_id: uuid.UUID | None, reason: str | None) -> Dossier:
    return await _decide(ctx, dossier_id, DossierAction.REFUSE, reason, required=True)


async def close(ctx: ServiceContext, dossier_id: uuid.UUID | None, reason: str | None) -> Dossier:
    return await _decide(ctx, dossier_id, DossierAction.CLOSE, reason, required=False)


async def _decide(
    ctx: ServiceContext,
    dossier_id: uuid.UUID | None,
    action: DossierAction,
    reason: str | None,
    *,
    required: bool,
) -> Dossier:
    allowed = await agent_permit(ctx, dossier_id)
    dossier = allowed.dossier
    require_move(dossier, action)
    check = Collector([])
    cleaned = _reason(reason, check, required=required)
    if check.errors:
        raise DomainError(check.errors)
    dossier.decision_reason = cleaned
    dossier.decided_at = ctx.clock.now()
    dossier.confirmation_hash = None
    await move(ctx, dossier, action, allowed.decision, reason=cleaned)
    ended = "Demande de renouvellement " + (
        "refusée" if action == DossierAction.REFUSE else "classée sans suite"
    )
    await renewal.end_titles(ctx, dossier, ended, replaced=False)
    return dossier


def _reason(value: str | None, check: Collector, *, required: bool) -> str | None:
    cleaned = clean_text(value)
    if cleaned is None:
        if required:
            check.add(DossierCode.REASON_REQUIRED, ("reason",))
        return None
    if len(cleaned) > MAX_REASON:
        check.add(CommonCode.TOO_LONG, ("reason",), max=MAX_REASON)
        return None
    return cleaned


__all__ = ["DossierStatus", "QueueFilter"]
