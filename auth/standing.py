"""What the policy knows about an actor beyond their account: the organisations they act for
(with the organisation's state), and, for a person resource, the mandates that concern it.

Loaded once per request at authentication (one statement), and per resource by the services
that act for a person (one statement).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.habilitation.models import Habilitation, HabilitationStructure
from tenants.mandates import Mandate, MandateScope, MandateStatus, effective_status
from tenants.organisations import Membership, Organisation, effective_permissions


@dataclass(frozen=True)
class MembershipFact:
    membership_id: uuid.UUID
    organisation_id: uuid.UUID
    role: str  # tenants.organisations.MembershipRole
    permissions: frozenset[str]
    organisation_status: str  # tenants.organisations.OrganisationStatus

    @property
    def effective_permissions(self) -> frozenset[str]:
        """Every permission for the administrator, the delegated ones for a manager."""
        return effective_permissions(self.role, self.permissions)


@dataclass(frozen=True)
class HabilitationFact:
    """A habilitation the account holds (not revoked): an application's profile, for
    structures (none for a managing profile)."""

    habilitation_id: uuid.UUID
    application: str
    profile: str
    structure_ids: frozenset[uuid.UUID]


@dataclass(frozen=True)
class MandateFact:
    mandate_id: uuid.UUID
    organisation_id: uuid.UUID
    person_id: uuid.UUID | None  # None: asked of an address without a confirmed account yet
    scopes: frozenset[MandateScope]
    status: MandateStatus  # effective: EXPIRED past its end date


Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")

MEMBERSHIP_COLUMNS = (
    Membership.id,
    Membership.organisation_id,
    Membership.role,
    Membership.permissions,
    Organisation.status,
)
"""What a `MembershipFact` is made of, for a statement that reads it with something else (the
authentication reads the session, the account and the memberships in one)."""


def membership_join(query: Q, person_id: Any) -> Q:
    """`query` outer-joined to the memberships in force of `person_id` (a column or a value)
    and their organisations: one row per membership, or one with NULLs when none."""
    return query.outerjoin(
        Membership, and_(Membership.person_id == person_id, Membership.revoked_at.is_(None))
    ).outerjoin(Organisation, Organisation.id == Membership.organisation_id)


def membership_fact(row: Sequence[Any]) -> MembershipFact | None:
    """The fact from the five `MEMBERSHIP_COLUMNS` values (None for an outer join's NULLs)."""
    id_, org, role, permissions, status = row
    if id_ is None:
        return None
    return MembershipFact(id_, org, role, frozenset(permissions or ()), status)


async def memberships_of(session: AsyncSession, person_id: uuid.UUID) -> tuple[MembershipFact, ...]:
    rows = await session.execute(
        select(*MEMBERSHIP_COLUMNS)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.person_id == person_id, Membership.revoked_at.is_(None))
    )
    return tuple(fact for row in rows if (fact := membership_fact(tuple(row))) is not None)


def mandate_fact(mandate: Mandate, today: date) -> MandateFact:
    return MandateFact(
        mandate_id=mandate.id,
        organisation_id=mandate.organisation_id,
        person_id=mandate.person_id,
        scopes=frozenset(MandateScope(scope) for scope in mandate.scopes or ()),
        status=effective_status(mandate, today),
    )


async def mandates_for(
    session: AsyncSession,
    person_id: uuid.UUID,
    organisation_ids: Iterable[uuid.UUID],
    today: date,
    mandate_id: uuid.UUID | None = None,
) -> tuple[MandateFact, ...]:
    """The mandates `person_id` gave (or was asked for) by the given organisations, newest
    first; only `mandate_id` when one is named."""
    organisations = list(organisation_ids)
    if not organisations:
        return ()
    query = (
        select(Mandate)
        .where(Mandate.person_id == person_id, Mandate.organisation_id.in_(organisations))
        .order_by(Mandate.created_at.desc())
    )
    if mandate_id is not None:
        query = query.where(Mandate.id == mandate_id)
    return tuple(mandate_fact(m, today) for m in (await session.scalars(query)).all())


async def habilitations_of(
    session: AsyncSession, account_id: uuid.UUID
) -> tuple[HabilitationFact, ...]:
    """The account's habilitations in force, with their structures (one statement)."""
    rows = await session.execute(
        select(
            Habilitation.id,
            Habilitation.application,
            Habilitation.profile,
            HabilitationStructure.structure_id,
        )
        .outerjoin(HabilitationStructure, HabilitationStructure.habilitation_id == Habilitation.id)
        .where(Habilitation.account_id == account_id, Habilitation.revoked_at.is_(None))
        .order_by(Habilitation.granted_at, Habilitation.id)
    )
    found: dict[uuid.UUID, tuple[str, str, set[uuid.UUID]]] = {}
    for id_, application, profile, structure_id in rows:
        entry = found.setdefault(id_, (application, profile, set()))
        if structure_id is not None:
            entry[2].add(structure_id)
    return tuple(
        HabilitationFact(id_, application, profile, frozenset(structures))
        for id_, (application, profile, structures) in found.items()
    )
