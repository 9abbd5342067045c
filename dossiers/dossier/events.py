"""Moving a dossier: the one place a dossier changes state. `move()` looks the pair up in the
transition table, writes the `DossierEvent` (who, capacity, when, from, to, reason), records
the act in the audit trail, and mails the applicant and every trusted third party whose
mandate covers RECEIVE_COMMUNICATIONS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from auth.account.models import Account, AccountKind
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.delegation.managers import paris_today
from auth.policy import Capacity, Decision
from dossiers.dossier.errors import DossierCode
from dossiers.dossier.models import Dossier, DossierEvent, DossierStatus
from dossiers.dossier.transitions import DossierAction, target
from dossiers.messaging import dossier_threads
from dossiers.webhooks import outbox as webhooks
from dossiers.webhooks.models import WebhookEventType
from mail.outbox import enqueue
from tenants.errors import DomainError
from tenants.mandates import Mandate, MandateScope, MandateStatus, effective_status
from tenants.organisations import Membership, MembershipRole
from tenants.packs.base import Label

STATUS_LABELS: dict[DossierStatus, Label] = {
    DossierStatus.DRAFT: Label("brouillon", "draft"),
    DossierStatus.AWAITING_CONFIRMATION: Label(
        "en attente de confirmation", "awaiting confirmation"
    ),
    DossierStatus.SUBMITTED: Label("déposée", "submitted"),
    DossierStatus.UNDER_REVIEW: Label("en instruction", "under review"),
    DossierStatus.CORRECTIONS_REQUESTED: Label("à corriger", "corrections requested"),
    DossierStatus.GRANTED: Label("accordée", "granted"),
    DossierStatus.REFUSED: Label("refusée", "refused"),
    DossierStatus.CLOSED_WITHOUT_ACTION: Label("classée sans suite", "closed without action"),
    DossierStatus.WITHDRAWN: Label("retirée", "withdrawn"),
}

AUDIT: dict[DossierAction, AuditAction] = {
    DossierAction.SIGN: AuditAction.SIGN_DOSSIER,
    DossierAction.CONFIRM: AuditAction.CONFIRM_DOSSIER,
    DossierAction.WITHDRAW: AuditAction.WITHDRAW_DOSSIER,
    DossierAction.RESUBMIT: AuditAction.RESUBMIT_DOSSIER,
    DossierAction.START_REVIEW: AuditAction.START_DOSSIER_REVIEW,
    DossierAction.REQUEST_CORRECTIONS: AuditAction.REQUEST_DOSSIER_CORRECTIONS,
    DossierAction.GRANT: AuditAction.GRANT_DOSSIER,
    DossierAction.REFUSE: AuditAction.REFUSE_DOSSIER,
    DossierAction.CLOSE: AuditAction.CLOSE_DOSSIER,
}

# The confirmation link's own mail says what signing did.
SILENT = frozenset({DossierAction.SIGN})


def status_label(status: str, locale: str) -> str:
    return STATUS_LABELS[DossierStatus(status)].get(locale)


def require_move(dossier: Dossier, action: DossierAction) -> DossierStatus:
    """The state `action` leads to, or WRONG_STATE (nothing changed)."""
    to = target(action, DossierStatus(dossier.status))
    if to is None:
        raise DomainError.one(
            DossierCode.WRONG_STATE,
            ("dossierId",),
            state=status_label(dossier.status, "fr"),
            status=dossier.status,
        )
    return to


def record(
    ctx: ServiceContext,
    dossier: Dossier,
    action: str,
    decision: Decision | None,
    *,
    from_status: str,
    reason: str | None = None,
    actor_account_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
) -> DossierEvent:
    capacity = decision.capacity if decision and decision.capacity else Capacity.ANONYMOUS
    event = DossierEvent(
        id=uuid.uuid4(),
        dossier_id=dossier.id,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor_account_id=actor_account_id or (ctx.actor.account_id if ctx.actor else None),
        capacity=capacity.value,
        organisation_id=organisation_id,
        reason=reason,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(event)
    return event


async def move(
    ctx: ServiceContext,
    dossier: Dossier,
    action: DossierAction,
    decision: Decision | None,
    *,
    reason: str | None = None,
    actor_account_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    notice: str | None = None,
) -> DossierEvent:
    """Apply `action` (the table must allow it), write its event, audit it and mail it."""
    to = require_move(dossier, action)
    previous = dossier.status
    now = ctx.clock.now()
    dossier.status = to.value
    dossier.updated_at = now
    event = record(
        ctx,
        dossier,
        action.value,
        decision,
        from_status=previous,
        reason=reason,
        actor_account_id=actor_account_id,
        organisation_id=organisation_id,
    )
    for_person = dossier.applicant_person_id
    capacity = decision.capacity if decision is not None else None
    by_someone_else = capacity == Capacity.TRUSTED_THIRD_PARTY or (
        capacity == Capacity.ANONYMOUS and dossier.third_party_organisation_id is not None
    )
    trail.record(
        ctx,
        AUDIT[action],
        subject_type="Dossier",
        subject_id=dossier.id,
        decision=decision,
        actor_account_id=actor_account_id,
        organisation_id=organisation_id or dossier.applicant_organisation_id,
        on_behalf_of_person_id=for_person if by_someone_else else None,
        details={"from": previous, "to": to.value, "kind": dossier.kind, **(details or {})},
    )
    if action not in SILENT:
        await tell(ctx, dossier, "dossier_status", {"reason": reason or "", "notice": notice or ""})
    await dossier_threads.on_dossier_moved(ctx, thread_subject(ctx, dossier), action.value, reason)
    await webhooks.enqueue(
        ctx,
        [dossier.applicant_organisation_id, dossier.third_party_organisation_id],
        WebhookEventType.DOSSIER_STATE_CHANGED,
        {
            "dossierId": webhooks.global_id("Dossier", dossier.id),
            "kind": dossier.kind,
            "action": action.value,
            "previousStatus": previous,
            "status": to.value,
        },
    )
    return event


def thread_subject(ctx: ServiceContext, dossier: Dossier) -> dossier_threads.DossierSubject:
    """The dossier as its thread sees it (`dossiers.messaging.dossier_threads`)."""
    kind = ctx.pack.dossier_kind(dossier.kind)
    return dossier_threads.DossierSubject(
        id=dossier.id,
        kind=dossier.kind,
        kind_label=kind.label.fr if kind else dossier.kind,
        number=dossier.number,
        person_id=dossier.applicant_person_id,
        organisation_id=dossier.applicant_organisation_id,
        delegation=dossier.delegation,
    )


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str
    name: str


async def recipients(ctx: ServiceContext, dossier: Dossier) -> list[Recipient]:
    """The applicant (the person's account, or the applicant organisation's administrator)
    and the administrators of the organisations the person mandated to receive the
    authority's communications (accepted, in force). Two statements at most."""
    session = ctx.session
    found: dict[str, Recipient] = {}
    organisations: set[uuid.UUID] = set()
    persons: set[uuid.UUID] = set()
    if dossier.applicant_person_id is not None:
        persons.add(dossier.applicant_person_id)
        mandates = await session.scalars(
            select(Mandate).where(Mandate.person_id == dossier.applicant_person_id)
        )
        today = paris_today(ctx)
        for mandate in mandates:
            if effective_status(mandate, today) == MandateStatus.ACCEPTED and (
                MandateScope.RECEIVE_COMMUNICATIONS in (mandate.scopes or [])
            ):
                organisations.add(mandate.organisation_id)
    if dossier.applicant_organisation_id is not None:
        organisations.add(dossier.applicant_organisation_id)
    administrators = (
        select(Membership.person_id).where(
            Membership.organisation_id.in_(organisations),
            Membership.role == MembershipRole.ADMINISTRATOR,
            Membership.revoked_at.is_(None),
        )
        if organisations
        else None
    )
    query = select(Account).where(Account.kind == AccountKind.PERSON)
    if administrators is not None:
        query = query.where(Account.person_id.in_(persons) | Account.person_id.in_(administrators))
    else:
        query = query.where(Account.person_id.in_(persons))
    for account in await session.scalars(query):
        found.setdefault(account.email, Recipient(account.email, account.locale, ""))
    return list(found.values())


async def tell(
    ctx: ServiceContext, dossier: Dossier, template: str, context: dict[str, Any]
) -> None:
    kind = ctx.pack.dossier_kind(dossier.kind)
    links = ctx.config.links
    for recipient in await recipients(ctx, dossier):
        locale = recipient.locale
        await enqueue(
            ctx.session,
            pack=ctx.pack,
            recipient=recipient.email,
            template=template,
            locale=locale,
            context={
                "kind": kind.label.get(locale) if kind else dossier.kind,
                "number": dossier.number or "",
                "status": status_label(dossier.status, locale),
                "link": links.sign_in(ctx.pack),
                **context,
            },
            now=ctx.clock.now(),
        )
