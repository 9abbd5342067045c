"""Managers of an organisation: change a manager's permissions, revoke a manager, transfer the
administration (docs/DOMAIN.md "Delegation"; invitations are in `auth.delegation.invitations`).

Rules beyond the policy's `MANAGE_MANAGERS` (administrator, or manager with that permission):

- an organisation always has exactly one administrator: the administrator's membership is
  never revoked nor has its permissions changed; it only moves by a transfer, to an active
  manager, and the previous administrator stays on as a manager holding every permission;
- a manager who manages managers can only delegate, withdraw or take away rights they hold
  themselves: no escalation, and no undoing of a better-endowed colleague.

Also the helpers the other delegation use-cases share (the date in Paris, the permissions an
actor holds, who a person is); loading, hiding and authorising is `auth.permit`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.account.models import Account, AccountKind
from auth.account.onboarding import PARIS
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import Actor, ServiceContext
from auth.delegation.errors import DelegationCode
from auth.permit import Permit, permit
from auth.policy import Action
from mail.outbox import enqueue
from tenants.errors import DomainError, FieldError
from tenants.models import Person
from tenants.organisations import (
    ALL_PERMISSIONS,
    Membership,
    MembershipRole,
    Permission,
)
from tenants.pagination import Page, PageKey, pages_by_parent, paginate

# Shared by the delegation use-cases


def paris_today(ctx: ServiceContext) -> date:
    """Mandates end on a calendar day in Europe/Paris."""
    return ctx.clock.now().astimezone(PARIS).date()


def held_permissions(actor: Actor, organisation_id: uuid.UUID) -> frozenset[str]:
    fact = actor.membership(organisation_id)
    return fact.effective_permissions if fact is not None else frozenset()


def canonical(permissions: Iterable[str]) -> list[str]:
    """Without duplicates, in the order of `Permission`."""
    given = {str(p) for p in permissions}
    return [str(p) for p in Permission if p in given]


def not_held(
    actor: Actor, organisation_id: uuid.UUID, touched: Iterable[str], field: tuple[str, ...]
) -> list[FieldError]:
    """One PERMISSION_NOT_HELD per permission the actor would grant or withdraw without
    holding it."""
    held = held_permissions(actor, organisation_id)
    return [
        FieldError(DelegationCode.PERMISSION_NOT_HELD, field, {"permission": permission})
        for permission in canonical(touched)
        if permission not in held
    ]


async def person_account(ctx: ServiceContext, person_id: uuid.UUID) -> Account | None:
    return await ctx.session.scalar(
        select(Account).where(Account.person_id == person_id, Account.kind == AccountKind.PERSON)
    )


async def full_name(ctx: ServiceContext, person_id: uuid.UUID) -> str:
    person = await ctx.session.get(Person, person_id)
    return f"{person.given_names} {person.family_name}".strip() if person else ""


# Managers


async def _active_membership(
    ctx: ServiceContext, membership_id: uuid.UUID | None, action: Action
) -> Permit[Membership]:
    """A membership of an organisation where the actor may take `action`, still in force."""
    allowed = await permit(ctx, Membership, membership_id, action, ("membershipId",))
    if allowed.row.revoked_at is not None:
        raise DomainError.one(DelegationCode.MEMBERSHIP_REVOKED, ("membershipId",))
    return allowed


async def set_manager_permissions(
    ctx: ServiceContext, membership_id: uuid.UUID | None, permissions: Iterable[str]
) -> Membership:
    grant = await _active_membership(ctx, membership_id, Action.MANAGE_MANAGERS)
    membership, org, actor, decision = grant.row, grant.organisation, grant.actor, grant.decision
    if membership.role == MembershipRole.ADMINISTRATOR:
        raise DomainError.one(DelegationCode.ADMINISTRATOR_PERMISSIONS_FIXED, ("membershipId",))
    before = canonical(membership.permissions or ())
    after = canonical(permissions)
    changed = set(before) ^ set(after)
    errors = not_held(actor, org.id, changed, ("permissions",))
    if errors:
        raise DomainError(errors)
    now = ctx.clock.now()
    membership.permissions = after
    membership.updated_at = now
    membership.granted_by_account_id = actor.account_id
    trail.record(
        ctx,
        AuditAction.SET_MANAGER_PERMISSIONS,
        subject_type="Membership",
        subject_id=membership.id,
        decision=decision,
        organisation_id=org.id,
        details={"person_id": str(membership.person_id), "before": before, "after": after},
    )
    return membership


async def revoke_manager(ctx: ServiceContext, membership_id: uuid.UUID | None) -> Membership:
    grant = await _active_membership(ctx, membership_id, Action.MANAGE_MANAGERS)
    membership, org, actor, decision = grant.row, grant.organisation, grant.actor, grant.decision
    if membership.role == MembershipRole.ADMINISTRATOR:
        raise DomainError.one(DelegationCode.ADMINISTRATOR_REQUIRED, ("membershipId",))
    errors = not_held(actor, org.id, membership.permissions or (), ("membershipId",))
    if errors:
        raise DomainError(errors)
    now = ctx.clock.now()
    membership.revoked_at = now
    membership.updated_at = now
    trail.record(
        ctx,
        AuditAction.REVOKE_MANAGER,
        subject_type="Membership",
        subject_id=membership.id,
        decision=decision,
        organisation_id=org.id,
        details={
            "person_id": str(membership.person_id),
            "permissions": canonical(membership.permissions or ()),
        },
    )
    return membership


@dataclass(frozen=True)
class Transferred:
    administrator: Membership
    previous: Membership


async def transfer_administration(
    ctx: ServiceContext, membership_id: uuid.UUID | None
) -> Transferred:
    """The administration moves to an active manager; the administrator stays on as a manager
    with every permission (the new administrator may then change or revoke that)."""
    grant = await _active_membership(ctx, membership_id, Action.TRANSFER_ADMINISTRATION)
    target, org, actor, decision = grant.row, grant.organisation, grant.actor, grant.decision
    if target.role == MembershipRole.ADMINISTRATOR:
        raise DomainError.one(DelegationCode.ALREADY_ADMINISTRATOR, ("membershipId",))
    previous = await ctx.session.scalar(
        select(Membership).where(
            Membership.organisation_id == org.id,
            Membership.role == MembershipRole.ADMINISTRATOR,
            Membership.revoked_at.is_(None),
        )
    )
    if previous is None:  # the policy allowed an administrator: their membership exists
        raise DomainError.one(DelegationCode.ADMINISTRATOR_REQUIRED)
    now = ctx.clock.now()
    previous.role = MembershipRole.MANAGER
    previous.permissions = canonical(ALL_PERMISSIONS)
    previous.granted_by_account_id = actor.account_id
    previous.updated_at = now
    # One administrator at a time (a unique index holds it): demote before promoting.
    await ctx.session.flush()
    target.role = MembershipRole.ADMINISTRATOR
    target.permissions = []
    target.granted_by_account_id = actor.account_id
    target.updated_at = now
    account = await person_account(ctx, target.person_id)
    if account is not None:
        await enqueue(
            ctx.session,
            pack=ctx.pack,
            recipient=account.email,
            template="administration_transferred",
            locale=account.locale,
            context={
                "given_names": (await ctx.session.get_one(Person, target.person_id)).given_names,
                "organisation": org.name,
                "previous_administrator": await full_name(ctx, previous.person_id),
                "link": ctx.config.links.sign_in(ctx.pack),
            },
            now=now,
        )
    trail.record(
        ctx,
        AuditAction.TRANSFER_ADMINISTRATION,
        subject_type="Membership",
        subject_id=target.id,
        decision=decision,
        organisation_id=org.id,
        details={
            "person_id": str(target.person_id),
            "previous_membership_id": str(previous.id),
            "previous_person_id": str(previous.person_id),
        },
    )
    return Transferred(administrator=target, previous=previous)


# Reading


async def membership_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by organisation, filters `(include_revoked,)`: who acts for it."""

    def rows(filters: tuple[Any, ...]) -> Select[Any]:
        (include_revoked,) = filters
        query = select(Membership)
        return query if include_revoked else query.where(Membership.revoked_at.is_(None))

    return await pages_by_parent(session, keys, Membership.organisation_id, rows)


async def memberships_page(
    session: AsyncSession, person_id: uuid.UUID, first: int | None, after: str | None
) -> Page[Membership]:
    """The person's memberships in force: the organisations they act for."""
    query = select(Membership).where(
        Membership.person_id == person_id, Membership.revoked_at.is_(None)
    )
    return await paginate(session, query, Membership.created_at, Membership.id, first, after)
