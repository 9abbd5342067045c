"""Reading mandates: a person's, or those an organisation asked for or holds, in an effective
status, a page at a time (one per parent for nested connections), and who may see one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import Actor
from auth.policy import Action, Decision, Resource, decide
from tenants.mandates import Mandate, MandateStatus
from tenants.pagination import Page, PageKey, pages_by_parent, paginate


def mandates_query(
    today: date,
    *,
    person_id: uuid.UUID | None = None,
    organisation_ids: Iterable[uuid.UUID] | None = None,
    status: str | None = None,
) -> Select[Any]:
    """Mandates of a person, or held by organisations, optionally in one effective status
    (EXPIRED: accepted and past its end date; ACCEPTED: accepted and not past it)."""
    query = select(Mandate)
    if person_id is not None:
        query = query.where(Mandate.person_id == person_id)
    if organisation_ids is not None:
        query = query.where(Mandate.organisation_id.in_(list(organisation_ids)))
    if status is None:
        return query
    accepted = Mandate.status == MandateStatus.ACCEPTED
    if status == MandateStatus.EXPIRED:
        return query.where(accepted, Mandate.ends_on.is_not(None), Mandate.ends_on < today)
    if status == MandateStatus.ACCEPTED:
        return query.where(accepted, or_(Mandate.ends_on.is_(None), Mandate.ends_on >= today))
    return query.where(Mandate.status == status)


def person_side(actor: Actor | None, mandate: Mandate) -> Decision:
    return decide(
        actor,
        Action.RESPOND_TO_MANDATE,
        Resource("Mandate", mandate.id, owner_person_id=mandate.person_id),
    )


def organisation_side(actor: Actor | None, mandate: Mandate) -> Decision:
    return decide(
        actor,
        Action.MANAGE_MANDATES,
        Resource("Mandate", mandate.id, organisation_id=mandate.organisation_id),
    )


def may_see(actor: Actor | None, mandate: Mandate) -> bool:
    """The person sees their mandates; the organisation's administrator and managers allowed
    to act as trusted third party see the organisation's."""
    return person_side(actor, mandate).allowed or organisation_side(actor, mandate).allowed


async def organisation_mandate_pages(
    session: AsyncSession, keys: Sequence[PageKey]
) -> list[Page[Any]]:
    """Keyed by organisation, filters `(today, status)`: the mandates it asked for or holds,
    in that effective status (any when None)."""

    def rows(filters: tuple[Any, ...]) -> Select[Any]:
        today, status = filters
        return mandates_query(today, status=status)

    return await pages_by_parent(session, keys, Mandate.organisation_id, rows)


async def mandates_page(
    session: AsyncSession,
    today: date,
    first: int | None,
    after: str | None,
    *,
    person_id: uuid.UUID | None = None,
    organisation_ids: Iterable[uuid.UUID] | None = None,
    status: str | None = None,
) -> Page[Mandate]:
    """One page of `mandates_query`, newest first."""
    query = mandates_query(
        today, person_id=person_id, organisation_ids=organisation_ids, status=status
    )
    return await paginate(session, query, Mandate.created_at, Mandate.id, first, after)
