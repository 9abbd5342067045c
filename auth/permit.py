"""Load, hide, authorise: the one way a service gets a row of an organisation to act on.

`organisation_permit` (the organisation itself) and `permit` (a row that belongs to one: an
employee, a label, an alert, a membership, an invitation, a mandate) answer, in this order:

1. AUTHENTICATION_REQUIRED or PASSWORD_CHANGE_REQUIRED before any lookup, so a caller who may
   not act learns nothing about what exists; then NOT_AVAILABLE_ON_THIS_PORTAL where the
   portal does not offer the action's capability (whatever the ID);
2. NOT_FOUND on the input's field for a row that does not exist, belongs to another tenant
   (row-level security hides it), or whose organisation the actor may not know of (not a
   member of it, and not allowed to view it): one answer for the three;
3. the policy's refusal of the action (FORBIDDEN, PERMISSION_MISSING, ORGANISATION_NOT_VALIDATED…)
   for a row the actor may know of, on no field (the ID was fine);

and otherwise a `Permit`: the row, its organisation, the decision (its capacity, and the
membership it rests on, for the audit trail) and the actor, never `None`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import select

from auth.account.errors import AuthCode
from auth.context import Actor, ServiceContext
from auth.policy import (
    Action,
    Capacity,
    Decision,
    Resource,
    decide,
    organisation_resource,
    require_offered,
    require_standing,
)
from tenants.errors import CommonCode, DomainError
from tenants.organisations import Organisation

R = TypeVar("R")
Row = TypeVar("Row")  # a model with `id` and `organisation_id` columns


@dataclass(frozen=True)
class Grant:
    """An action the policy allowed, and who takes it."""

    actor: Actor
    decision: Decision

    @property
    def capacity(self) -> Capacity | None:
        return self.decision.capacity


@dataclass(frozen=True)
class Permit(Grant, Generic[R]):
    """An action allowed on a row the actor may know of."""

    row: R
    organisation: Organisation


def signed_in(ctx: ServiceContext) -> Actor:
    """The actor, or the reason there is none that may act, asked before any lookup: nobody
    signed in, a temporary password to change, an address to confirm (the policy's
    `require_standing`), so such an account hears why rather than NOT_FOUND."""
    return require_standing(ctx.actor)


def authorise(ctx: ServiceContext, action: Action, resource: Resource) -> Grant:
    """The policy's decision on a resource that needs no lookup (the actor's own person,
    the tenant's queue of requests): the refusal, or the actor with the decision."""
    decision = decide(ctx.actor, action, resource).require()
    actor = ctx.actor
    if actor is None:  # decide() refuses an anonymous caller: this only keeps the types exact
        raise DomainError.one(AuthCode.AUTHENTICATION_REQUIRED)
    return Grant(actor, decision)


def may_know(actor: Actor, organisation: Organisation) -> bool:
    """Whether the actor may know the organisation exists: a member of it (even of a pending
    one), or whoever may view it. Anyone else gets NOT_FOUND, as for an unknown ID."""
    if actor.membership(organisation.id) is not None:
        return True
    return decide(actor, Action.VIEW_ORGANISATION, organisation_resource(organisation)).allowed


async def organisation_permit(
    ctx: ServiceContext,
    organisation_id: uuid.UUID | None,
    action: Action,
    field: tuple[str, ...],
    *,
    lock: bool = False,
) -> Permit[Organisation]:
    """The organisation, for `action` (`lock`: locked for the change). One statement."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, action)
    organisation = None
    if organisation_id is not None:
        query = select(Organisation).where(Organisation.id == organisation_id)
        organisation = await ctx.session.scalar(query.with_for_update() if lock else query)
    if organisation is None or not may_know(actor, organisation):
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    decision = decide(actor, action, organisation_resource(organisation)).require()
    return Permit(actor, decision, organisation, organisation)


Sees = Callable[[Actor, Row, Organisation], bool]
Decides = Callable[[Actor, Row, Organisation], Decision]


def _knows_organisation(actor: Actor, _row: object, organisation: Organisation) -> bool:
    return may_know(actor, organisation)


async def permit(
    ctx: ServiceContext,
    model: type[Row],
    row_id: uuid.UUID | None,
    action: Action | Decides[Row],
    field: tuple[str, ...],
    *,
    sees: Sees[Row] = _knows_organisation,
    offered_as: Action | None = None,
) -> Permit[Row]:
    """A row of `model` and its organisation, for `action` on that organisation. One
    statement.

    A row that is not only its organisation's (a mandate is also its person's) says who may
    know of it (`sees`) and decides itself (`action` as a function of actor and row); the
    capability it belongs to is then that of `offered_as`."""
    actor = signed_in(ctx)
    capability_of = action if isinstance(action, Action) else offered_as
    if capability_of is not None:
        require_offered(ctx.pack.slug, capability_of)
    table = cast(Any, model)
    found = None
    if row_id is not None:
        found = (
            await ctx.session.execute(
                select(table, Organisation)
                .join(Organisation, Organisation.id == table.organisation_id)
                .where(table.id == row_id)
            )
        ).one_or_none()
    if found is None or not sees(actor, found[0], found[1]):
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    row, organisation = cast(Row, found[0]), found[1]
    if isinstance(action, Action):
        decision = decide(actor, action, organisation_resource(organisation))
    else:
        decision = action(actor, row, organisation)
    return Permit(actor, decision.require(), row, organisation)
