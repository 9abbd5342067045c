"""Organisation accounts, the authority's side: the agents of a delegation list the requests
of their delegation, validate or reject them with a reason; the administrator is told by
e-mail (docs/DOMAIN.md "Accounts and onboarding": validated by the authority before it is fully
operational).

A request whose head office has no delegation (abroad, or a postal code the pack does not
map) is every agent's: the policy treats "no delegation" as the whole tenant.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update

from auth.account.identity_fields import clean_text
from auth.account.models import Account, AccountKind
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.organisation.documents import document_kinds, missing_documents, missing_error
from auth.organisation.errors import OrganisationCode as C
from auth.permit import Permit, authorise, organisation_permit
from auth.policy import Action, Resource
from mail.outbox import enqueue
from tenants.errors import CommonCode, DomainError
from tenants.models import Person
from tenants.organisations import Membership, MembershipRole, Organisation, OrganisationStatus
from tenants.pagination import Page, paginate
from tenants.session import rows_changed

MAX_REASON = 2000


async def list_requests(
    ctx: ServiceContext,
    status: OrganisationStatus = OrganisationStatus.PENDING_VALIDATION,
    first: int | None = None,
    after: str | None = None,
) -> Page[Organisation]:
    """The requests of the agent's delegations (and those of no delegation) in a status,
    the last submitted first. Two statements."""
    tenant = ctx.actor.tenant if ctx.actor else None
    actor = authorise(
        ctx, Action.REVIEW_ORGANISATION, Resource("Organisation", None, tenant=tenant)
    ).actor
    delegations = actor.agent_delegations or frozenset()  # the policy allowed an agent
    query = select(Organisation).where(
        Organisation.status == status,
        or_(
            Organisation.delegation.in_(sorted(delegations)),
            Organisation.delegation.is_(None),
        ),
    )
    return await paginate(
        ctx.session, query, Organisation.submitted_at, Organisation.id, first, after
    )


async def validate(ctx: ServiceContext, organisation_id: uuid.UUID | None) -> Organisation:
    """The agent validates a complete pending request: the organisation becomes operational."""
    allowed = await _pending(ctx, organisation_id)
    organisation, decision = allowed.row, allowed.decision
    present = await document_kinds(ctx, organisation.id)
    missing = missing_documents(organisation.applicant_is_representative, present)
    if missing:
        raise DomainError([missing_error(ctx, missing, ("organisationId",))])
    await _decide(ctx, allowed, OrganisationStatus.VALIDATED, None)
    trail.record(
        ctx,
        AuditAction.VALIDATE_ORGANISATION,
        subject_type="Organisation",
        subject_id=organisation.id,
        decision=decision,
        organisation_id=organisation.id,
        details={"delegation": organisation.delegation},
    )
    await _tell_administrator(ctx, organisation, "organisation_validated", {})
    return organisation


async def reject(
    ctx: ServiceContext, organisation_id: uuid.UUID | None, reason_input: str | None
) -> Organisation:
    """The agent rejects a pending request with a reason, sent to the administrator, who
    may correct the request and submit it again."""
    allowed = await _pending(ctx, organisation_id)
    organisation, decision = allowed.row, allowed.decision
    reason = (reason_input or "").strip()
    if not clean_text(reason):
        raise DomainError.one(C.REJECTION_REASON_REQUIRED, ("reason",))
    if len(reason) > MAX_REASON:
        raise DomainError.one(CommonCode.TOO_LONG, ("reason",), max=MAX_REASON)
    await _decide(ctx, allowed, OrganisationStatus.REJECTED, reason)
    trail.record(
        ctx,
        AuditAction.REJECT_ORGANISATION,
        subject_type="Organisation",
        subject_id=organisation.id,
        decision=decision,
        organisation_id=organisation.id,
        details={"delegation": organisation.delegation, "reason": reason},
    )
    await _tell_administrator(ctx, organisation, "organisation_rejected", {"reason": reason})
    return organisation


async def _pending(ctx: ServiceContext, organisation_id: uuid.UUID | None) -> Permit[Organisation]:
    """An agent of another delegation cannot see the request: NOT_FOUND, as for an unknown
    one (OUTSIDE_DELEGATION would tell that it exists)."""
    field = ("organisationId",)
    allowed = await organisation_permit(
        ctx, organisation_id, Action.REVIEW_ORGANISATION, field, lock=True
    )
    if allowed.row.status != OrganisationStatus.PENDING_VALIDATION:
        raise DomainError.one(C.ORGANISATION_NOT_PENDING, field)
    return allowed


async def _decide(
    ctx: ServiceContext,
    allowed: Permit[Organisation],
    status: OrganisationStatus,
    reason: str | None,
) -> None:
    """Guarded by the status: of two agents deciding at once, the second is refused."""
    organisation = allowed.row
    moved = await ctx.session.execute(
        update(Organisation)
        .where(
            Organisation.id == organisation.id,
            Organisation.status == OrganisationStatus.PENDING_VALIDATION,
        )
        .values(
            status=status,
            decided_at=ctx.clock.now(),
            decided_by_account_id=allowed.actor.account_id,
            rejection_reason=reason,
        )
    )
    if rows_changed(moved) != 1:
        raise DomainError.one(C.ORGANISATION_NOT_PENDING, ("organisationId",))


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str
    family_name: str
    given_names: str


async def administrators(ctx: ServiceContext, organisation_id: uuid.UUID) -> list[Recipient]:
    """The organisation's administrator's account (one statement)."""
    rows = await ctx.session.execute(
        select(Account.email, Account.locale, Person.family_name, Person.given_names)
        .join(Membership, Membership.person_id == Account.person_id)
        .join(Person, Person.id == Account.person_id)
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role == MembershipRole.ADMINISTRATOR,
            Membership.revoked_at.is_(None),
            Account.kind == AccountKind.PERSON,
        )
    )
    return [Recipient(*row) for row in rows]


async def _tell_administrator(
    ctx: ServiceContext, organisation: Organisation, template: str, extra: dict[str, Any]
) -> None:
    for recipient in await administrators(ctx, organisation.id):
        await enqueue(
            ctx.session,
            pack=ctx.pack,
            recipient=recipient.email,
            template=template,
            locale=recipient.locale,
            context={
                "given_names": recipient.given_names,
                "family_name": recipient.family_name,
                "organisation_name": organisation.name,
                "siren": organisation.siren,
                "link": ctx.config.links.sign_in(ctx.pack),
                **extra,
            },
            now=ctx.clock.now(),
        )
