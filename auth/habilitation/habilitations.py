"""Habilitations in force: an account's (Mes habilitations), the tiles they open, their
revocation by a manager of the application, what an application is told of an account
(`habilitations_for_application`, for single sign-on), and the first managers of an
application, granted by the operators' command (`guichet habilitation add-manager`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from auth.account.identity_fields import Collector
from auth.account.models import Account
from auth.account.provisioning import NewPerson, open_account_for
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import Actor, ServiceContext
from auth.habilitation.errors import HabilitationCode as H
from auth.habilitation.models import (
    Habilitation,
    HabilitationRequestStructure,
    HabilitationStructure,
)
from auth.permit import authorise, signed_in
from auth.policy import Action, Capacity, Decision, Resource, managed_applications, require_offered
from tenants.errors import CommonCode, DomainError
from tenants.packs.base import Application, TenantPack
from tenants.pagination import Page, paginate
from tenants.structures import Structure


@dataclass(frozen=True)
class HabilitationClaim:
    """One habilitation as an application is told of it: the profile and the FINESS
    numbers of its structures (none for a managing profile)."""

    application: str
    profile: str
    finess: tuple[str, ...]


async def habilitations_for_application(
    session: AsyncSession, account_id: uuid.UUID, application: str
) -> list[HabilitationClaim]:
    """The account's habilitations in force for one application (by its pack code), each
    with its profile and its structures' FINESS numbers, oldest first (one statement).
    Empty: the account may not use the application (OIDC: `access_denied`)."""
    rows = await session.execute(
        select(Habilitation.id, Habilitation.profile, Structure.finess)
        .outerjoin(HabilitationStructure, HabilitationStructure.habilitation_id == Habilitation.id)
        .outerjoin(Structure, Structure.id == HabilitationStructure.structure_id)
        .where(
            Habilitation.account_id == account_id,
            Habilitation.application == application,
            Habilitation.revoked_at.is_(None),
        )
        .order_by(Habilitation.granted_at, Habilitation.id, Structure.finess)
    )
    found: dict[uuid.UUID, tuple[str, list[str]]] = {}
    for id_, profile, finess in rows:
        entry = found.setdefault(id_, (profile, []))
        if finess is not None:
            entry[1].append(finess)
    return [
        HabilitationClaim(application, profile, tuple(numbers))
        for profile, numbers in found.values()
    ]


def tiles(pack: TenantPack, actor: Actor | None) -> list[Application]:
    """The applications the account may open, in the pack's order: those it holds a profile
    of (a managing profile opens Administration instead), and the portal's own tiles
    (Administration) when it manages an application. From the habilitations loaded with the
    actor: no statement."""
    if actor is None or not pack.applications:
        return []
    held = set()
    for fact in actor.habilitations:
        application = pack.application(fact.application)
        if application is not None and fact.profile not in application.managing_profiles:
            held.add(fact.application)
    manager = bool(managed_applications(actor))
    return [
        application
        for application in pack.applications
        if (application.portal and manager) or (not application.portal and application.code in held)
    ]


async def habilitations_of(
    session: AsyncSession, account_id: uuid.UUID, first: int | None, after: str | None
) -> Page[Habilitation]:
    """The account's habilitations in force, the latest granted first (two statements)."""
    query = select(Habilitation).where(
        Habilitation.account_id == account_id, Habilitation.revoked_at.is_(None)
    )
    return await paginate(session, query, Habilitation.granted_at, Habilitation.id, first, after)


async def structures_of_habilitations(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Structure]]:
    """For each habilitation, its structures by name (one statement for all)."""
    return await _structures_by_parent(
        session, HabilitationStructure.habilitation_id, HabilitationStructure.structure_id, ids
    )


async def structures_of_requests(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Structure]]:
    """For each request, its structures by name (one statement for all)."""
    return await _structures_by_parent(
        session,
        HabilitationRequestStructure.request_id,
        HabilitationRequestStructure.structure_id,
        ids,
    )


async def _structures_by_parent(
    session: AsyncSession,
    parent: InstrumentedAttribute[uuid.UUID],
    structure: InstrumentedAttribute[uuid.UUID],
    ids: Sequence[uuid.UUID],
) -> list[list[Structure]]:
    """Through a link table (`parent`, `structure` columns): each parent's structures."""
    rows = await session.execute(
        select(parent, Structure)
        .join(Structure, Structure.id == structure)
        .where(parent.in_(list(ids)))
        .order_by(Structure.name, Structure.finess)
    )
    grouped: dict[uuid.UUID, list[Structure]] = {id_: [] for id_ in ids}
    for parent_id, found in rows:
        grouped[parent_id].append(found)
    return [grouped[id_] for id_ in ids]


async def revoke(ctx: ServiceContext, habilitation_id: uuid.UUID | None) -> Habilitation:
    """A manager of the application revokes a habilitation (kept, dated)."""
    signed_in(ctx)
    require_offered(ctx.pack.slug, Action.REVIEW_HABILITATIONS)
    habilitation = None
    if habilitation_id is not None:
        habilitation = await ctx.session.scalar(
            select(Habilitation).where(Habilitation.id == habilitation_id).with_for_update()
        )
    if habilitation is None:
        raise DomainError.one(CommonCode.NOT_FOUND, ("habilitationId",))
    resource = Resource(
        "Habilitation", habilitation.id, tenant=ctx.pack.slug, application=habilitation.application
    )
    decision = authorise(ctx, Action.REVIEW_HABILITATIONS, resource).decision
    if habilitation.revoked_at is not None:
        raise DomainError.one(H.HABILITATION_ALREADY_REVOKED, ("habilitationId",))
    habilitation.revoked_at = ctx.clock.now()
    habilitation.revoked_by_account_id = ctx.actor.account_id if ctx.actor else None
    trail.record(
        ctx,
        AuditAction.REVOKE_HABILITATION,
        subject_type="Habilitation",
        subject_id=habilitation.id,
        decision=decision,
        details={"application": habilitation.application, "profile": habilitation.profile},
    )
    return habilitation


async def grant_managing_profile(
    ctx: ServiceContext, account_id: uuid.UUID, application: Application
) -> Habilitation | None:
    """The operators' command: the account holds the application's managing profile (its
    first managers; later ones ask and are approved). `None` when it already does."""
    profile = application.managing_profiles[0]
    held = await ctx.session.scalar(
        select(Habilitation.id).where(
            Habilitation.account_id == account_id,
            Habilitation.application == application.code,
            Habilitation.profile == profile,
            Habilitation.revoked_at.is_(None),
        )
    )
    if held is not None:
        return None
    habilitation = Habilitation(
        id=uuid.uuid4(),
        account_id=account_id,
        application=application.code,
        profile=profile,
        granted_at=ctx.clock.now(),
    )
    ctx.session.add(habilitation)
    await ctx.session.flush()
    trail.record(
        ctx,
        AuditAction.GRANT_HABILITATION,
        subject_type="Habilitation",
        subject_id=habilitation.id,
        decision=Decision(allowed=True, capacity=Capacity.ANONYMOUS),
        actor_account_id=None,
        details={"application": application.code, "profile": profile, "by": "command"},
    )
    return habilitation


@dataclass(frozen=True)
class ManagerAdded:
    account: Account
    created: bool  # the account was opened (identifier and temporary password mailed)
    granted: bool  # False: it already held the managing profile


async def add_application_manager(
    ctx: ServiceContext,
    email_input: str,
    application_code: str,
    family_name: str | None = None,
    given_names: str | None = None,
) -> ManagerAdded:
    """`guichet habilitation add-manager`: the application's managing profile for the account
    of that address, opened first (temporary password by e-mail) when there is none. A new
    account is named by the operator (`REQUIRED` on `familyName` / `givenNames` otherwise:
    nothing is guessed from the address)."""
    application = ctx.pack.application(application_code)
    if application is None or not application.managing_profiles:
        raise DomainError.one(H.UNKNOWN_APPLICATION, ("application",))
    check = Collector([])
    email = check.email(email_input, ("email",))
    if check.errors or email is None:
        raise DomainError(check.errors)
    account = await ctx.session.scalar(select(Account).where(Account.email == email))
    created = account is None
    if account is None:
        named = Collector([])
        family_name = named.text(family_name, ("familyName",), True, 100)
        given_names = named.text(given_names, ("givenNames",), True, 150)
        if named.errors or family_name is None or given_names is None:
            raise DomainError(named.errors)
        made = await open_account_for(
            ctx,
            NewPerson(email=email, family_name=family_name, given_names=given_names),
            opened_by=ctx.pack.short_name,
        )
        account = made.account
    granted = await grant_managing_profile(ctx, account.id, application)
    return ManagerAdded(account, created, granted is not None)
