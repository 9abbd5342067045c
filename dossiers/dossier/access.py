"""Load, hide, authorise a dossier (as `auth.permit` does for organisations' rows).

Applicant side (FILE_DOSSIER, FOLLOW_DOSSIER): the person, the organisation filing for itself,
or a trusted third party under a mandate of the person. Agent side (INSTRUCT_DOSSIER): an
agent of the delegation that instructs it, and only once it is submitted. Whoever may not
know a dossier gets NOT_FOUND on its field, exactly as for an unknown ID; an agent of another
delegation too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import Actor, ServiceContext
from auth.delegation.managers import paris_today
from auth.permit import signed_in
from auth.policy import Action, Capacity, Decision, Resource, decide, require_offered
from auth.standing import MandateFact, mandate_fact, mandates_for
from dossiers.dossier.models import Dossier, DossierStatus
from tenants.errors import CommonCode, DomainError
from tenants.mandates import Mandate

# Not yet the authority's: agents do not see them.
BEFORE_SUBMISSION = frozenset({DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION})


def dossier_resource(dossier: Dossier, mandates: tuple[MandateFact, ...] = ()) -> Resource:
    return Resource(
        "Dossier",
        dossier.id,
        owner_person_id=dossier.applicant_person_id,
        tenant=dossier.tenant_id,
        organisation_id=dossier.applicant_organisation_id,
        delegation=dossier.delegation,
        mandates=mandates,
    )


def may_follow(actor: Actor | None, dossier: Dossier, mandates: tuple[MandateFact, ...]) -> bool:
    """Whether the actor may see the dossier: its applicant's side (following it, or filing
    it: a third party sees what it files), or an agent of its delegation once submitted."""
    if actor is None:
        return False
    resource = dossier_resource(dossier, mandates)
    decision = decide(actor, Action.FOLLOW_DOSSIER, resource)
    if decision.allowed and decision.capacity == Capacity.AUTHORITY_AGENT:
        return DossierStatus(dossier.status) not in BEFORE_SUBMISSION
    return decision.allowed or decide(actor, Action.FILE_DOSSIER, resource).allowed


async def mandates_of(
    ctx: ServiceContext, actor: Actor, person_id: uuid.UUID | None
) -> tuple[MandateFact, ...]:
    """The mandates the person gave to the organisations the actor acts for (none for the
    person themselves, or for an organisation's own dossier)."""
    if person_id is None or person_id == actor.person_id or not actor.memberships:
        return ()
    organisations = [fact.organisation_id for fact in actor.memberships]
    return await mandates_for(ctx.session, person_id, organisations, paris_today(ctx))


@dataclass(frozen=True)
class DossierPermit:
    actor: Actor
    dossier: Dossier
    decision: Decision
    mandates: tuple[MandateFact, ...]

    @property
    def mandate(self) -> MandateFact | None:
        """The mandate relied on, for a trusted third party."""
        return next((m for m in self.mandates if m.mandate_id == self.decision.via_id), None)


async def _load(ctx: ServiceContext, dossier_id: uuid.UUID | None, lock: bool) -> Dossier | None:
    if dossier_id is None:
        return None
    query = select(Dossier).where(Dossier.id == dossier_id)
    return await ctx.session.scalar(query.with_for_update() if lock else query)


async def applicant_permit(
    ctx: ServiceContext,
    dossier_id: uuid.UUID | None,
    field: tuple[str, ...] = ("dossierId",),
    *,
    action: Action = Action.FILE_DOSSIER,
) -> DossierPermit:
    """The dossier, for an act of its applicant's side (locked for the change)."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, action)
    dossier = await _load(ctx, dossier_id, lock=True)
    if dossier is None:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    mandates = await mandates_of(ctx, actor, dossier.applicant_person_id)
    decision = decide(actor, action, dossier_resource(dossier, mandates))
    if not decision.allowed and not mandates and not may_follow(actor, dossier, mandates):
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    decision.require()  # one who may know of it (or holds a mandate) hears why
    return DossierPermit(actor, dossier, decision, mandates)


async def agent_permit(
    ctx: ServiceContext, dossier_id: uuid.UUID | None, field: tuple[str, ...] = ("dossierId",)
) -> DossierPermit:
    """The dossier, for an agent of the delegation that instructs it (locked). Anyone but an
    agent is refused before any look-up; an agent of another delegation, or a dossier not
    yet submitted, is NOT_FOUND."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.INSTRUCT_DOSSIER)
    decide(actor, Action.INSTRUCT_DOSSIER, Resource("Dossier", None)).require()
    dossier = await _load(ctx, dossier_id, lock=True)
    if dossier is None or DossierStatus(dossier.status) in BEFORE_SUBMISSION:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    decision = decide(actor, Action.INSTRUCT_DOSSIER, dossier_resource(dossier))
    if not decision.allowed:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    return DossierPermit(actor, dossier, decision, ())


async def mandates_by_person(
    session: AsyncSession, actor: Actor | None, persons: Sequence[uuid.UUID], today: date
) -> dict[uuid.UUID, tuple[MandateFact, ...]]:
    """For many dossiers at once (node visibility): the mandates each person gave to the
    actor's organisations, in one statement."""
    if actor is None or not actor.memberships or not persons:
        return {}
    organisations = [fact.organisation_id for fact in actor.memberships]
    rows = await session.scalars(
        select(Mandate).where(
            Mandate.person_id.in_(list(set(persons))),
            Mandate.organisation_id.in_(organisations),
        )
    )
    found: dict[uuid.UUID, tuple[MandateFact, ...]] = {}
    for row in rows:
        if row.person_id is not None:
            found[row.person_id] = (*found.get(row.person_id, ()), mandate_fact(row, today))
    return found
