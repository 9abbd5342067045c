"""Who takes part in a thread: the one policy (`auth.policy`, action TAKE_PART_IN_THREAD)
on the thread as a resource — its person (and the mandates that person gave the actor's
organisations), its organisation, its delegation. Whoever it refuses does not learn that the
thread exists (NOT_FOUND), as for an unknown ID."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import Actor, ServiceContext
from auth.permit import signed_in
from auth.policy import (
    Action,
    Capacity,
    Decision,
    Resource,
    decide,
    organisations_where,
    require_offered,
)
from auth.standing import MandateFact, mandate_fact
from dossiers.messaging.models import Side, Thread
from tenants.errors import CommonCode, DomainError
from tenants.mandates import Mandate


def thread_resource(thread: Thread, mandates: tuple[MandateFact, ...] = ()) -> Resource:
    return Resource(
        "Thread",
        thread.id,
        owner_person_id=thread.person_id,
        tenant=thread.tenant_id,
        organisation_id=thread.organisation_id,
        delegation=thread.delegation,
        mandates=mandates,
    )


def side_of(decision: Decision) -> Side:
    return Side.AUTHORITY if decision.capacity == Capacity.AUTHORITY_AGENT else Side.APPLICANT


def viewer_side(actor: Actor) -> Side:
    return Side.AUTHORITY if actor.is_agent else Side.APPLICANT


async def mandates_by_person(
    session: AsyncSession, actor: Actor, person_ids: Sequence[uuid.UUID], today: date
) -> dict[uuid.UUID, tuple[MandateFact, ...]]:
    """The mandates these persons gave the actor's organisations (one statement, none when
    the actor acts for no organisation)."""
    organisations = [fact.organisation_id for fact in actor.memberships]
    wanted = list(dict.fromkeys(person_ids))
    if not organisations or not wanted:
        return {}
    rows = await session.scalars(
        select(Mandate).where(
            Mandate.person_id.in_(wanted), Mandate.organisation_id.in_(organisations)
        )
    )
    found: dict[uuid.UUID, list[MandateFact]] = {}
    for mandate in rows:
        if mandate.person_id is not None:
            found.setdefault(mandate.person_id, []).append(mandate_fact(mandate, today))
    return {person: tuple(facts) for person, facts in found.items()}


async def decisions_on(
    session: AsyncSession, actor: Actor | None, threads: Sequence[Thread], today: date
) -> list[Decision | None]:
    """The policy's decision for each thread; `None` where the actor may not take part."""
    if actor is None:
        return [None for _ in threads]
    persons = [t.person_id for t in threads if t.person_id is not None and not actor.is_agent]
    mandates = await mandates_by_person(session, actor, persons, today)
    result: list[Decision | None] = []
    for thread in threads:
        resource = thread_resource(
            thread, mandates.get(thread.person_id, ()) if thread.person_id else ()
        )
        decision = decide(actor, Action.TAKE_PART_IN_THREAD, resource)
        result.append(decision if decision.allowed else None)
    return result


@dataclass(frozen=True)
class ThreadPermit:
    thread: Thread
    actor: Actor
    decision: Decision
    mandates: tuple[MandateFact, ...]

    @property
    def side(self) -> Side:
        return side_of(self.decision)


async def thread_permit(
    ctx: ServiceContext,
    thread_id: uuid.UUID | None,
    field: tuple[str, ...],
    *,
    lock: bool = False,
    action: Action = Action.TAKE_PART_IN_THREAD,
) -> ThreadPermit:
    """The thread, for a participant (`action`: HANDLE_MESSAGES for the inbox's acts);
    NOT_FOUND on `field` for anyone else. One or two statements."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, action)
    thread = None
    if thread_id is not None:
        query = select(Thread).where(Thread.id == thread_id)
        thread = await ctx.session.scalar(query.with_for_update() if lock else query)
    if thread is None:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    mandates: tuple[MandateFact, ...] = ()
    if thread.person_id is not None and not actor.is_agent:
        today = ctx.clock.now().date()
        found = await mandates_by_person(ctx.session, actor, [thread.person_id], today)
        mandates = found.get(thread.person_id, ())
    resource = thread_resource(thread, mandates)
    decision = decide(actor, Action.TAKE_PART_IN_THREAD, resource)
    if not decision.allowed:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    if action != Action.TAKE_PART_IN_THREAD:
        decision = decide(actor, action, resource).require()
    return ThreadPermit(thread, actor, decision, mandates)


async def visible_threads_condition(
    session: AsyncSession, actor: Actor, today: date
) -> ColumnElement[bool]:
    """The threads the actor takes part in, as a condition on `Thread` (one statement at
    most, for the mandates): an agent's are those of their delegations; a person's, their
    own, their organisations' (where the policy lets them message the authority) and those
    of the persons whose mandate their organisations hold."""
    if actor.is_agent:
        delegations = sorted(actor.agent_delegations or ())
        return or_(Thread.delegation.is_(None), Thread.delegation.in_(delegations))
    conditions: list[ColumnElement[bool]] = [Thread.person_id == actor.person_id]
    organisations = organisations_where(actor, Action.TAKE_PART_IN_THREAD)
    if organisations:
        conditions.append(Thread.organisation_id.in_(organisations))
    if actor.memberships:
        rows = await session.scalars(
            select(Mandate).where(
                Mandate.organisation_id.in_([f.organisation_id for f in actor.memberships]),
                Mandate.person_id.is_not(None),
            )
        )
        persons = {
            mandate.person_id
            for mandate in rows
            if mandate.person_id is not None
            and decide(
                actor,
                Action.TAKE_PART_IN_THREAD,
                Resource(
                    "Thread",
                    None,
                    owner_person_id=mandate.person_id,
                    mandates=(mandate_fact(mandate, today),),
                ),
            ).allowed
        }
        persons.discard(actor.person_id)
        if persons:
            conditions.append(Thread.person_id.in_(sorted(persons)))
    return or_(false(), *conditions)
