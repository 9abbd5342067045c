"""Viewer fields of organisations: the organisations the viewer acts for, with the role and
permissions of each membership."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy import select

from auth.policy import Action, Resource, decide
from schema.context import Info
from schema.organisation.types import MembershipNode
from schema.pagination import Connection, to_connection
from tenants.organisations import Membership
from tenants.pagination import paginate


@strawberry.type
class ViewerOrganisationFields:
    person_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="Les organisations pour lesquelles la personne agit : une adhésion par "
        "organisation, avec son rôle et ses droits (l'organisation est dans `organisation`)."
    )
    async def memberships(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[MembershipNode]:
        decide(
            info.context.actor,
            Action.VIEW_PERSON,
            Resource("Person", self.person_id, owner_person_id=self.person_id),
        ).require()
        query = select(Membership).where(
            Membership.person_id == self.person_id, Membership.revoked_at.is_(None)
        )
        async with info.context.read_session() as session:
            page = await paginate(
                session, query, Membership.created_at, Membership.id, first, after
            )
        return to_connection(page, MembershipNode.from_row)
