"""Memberships as Relay nodes: who acts for an organisation (its administrator, its
managers), with the organisation's and the viewer's connections of them.

A membership is seen by its member and by who manages the organisation's managers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from auth.delegation.managers import membership_pages, memberships_page
from auth.policy import Action, Resource, organisation_resource
from schema.account.types import PersonSummary, person_summary, visible_rows
from schema.context import Info
from schema.delegation.enums import MembershipRole, Permission
from schema.guards import person_resource, require
from schema.nodes import VisibleNode, register_node
from schema.pagination import Connection, nested_page, to_connection
from schema.refs import organisation_field
from tenants.organisations import Membership as MembershipRow
from tenants.organisations import Organisation as OrganisationRow


def membership_resource(row: MembershipRow) -> Resource:
    """A membership is seen by its member and by who manages the organisation's managers."""
    return Resource(
        "Membership", row.id, organisation_id=row.organisation_id, owner_person_id=row.person_id
    )


@strawberry.type(
    name="Membership",
    description="Une personne qui agit pour une organisation : son administrateur ou un "
    "gestionnaire, avec les droits délégués.",
)
class MembershipNode(VisibleNode):
    id: relay.NodeID[str]
    role: MembershipRole = strawberry.field(description="Administrateur ou gestionnaire.")
    permissions: list[Permission] = strawberry.field(
        description="Droits effectifs (tous pour l'administrateur)."
    )
    created_at: datetime = strawberry.field(description="Début de l'adhésion.")
    updated_at: datetime = strawberry.field(description="Dernier changement (droits, rôle).")
    revoked_at: datetime | None = strawberry.field(
        description="Révocation (null si elle est en vigueur)."
    )
    organisation_id: strawberry.Private[uuid.UUID]
    person_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: MembershipRow) -> MembershipNode:
        return cls(
            id=str(row.id),
            role=MembershipRole(row.role),
            permissions=[Permission(p) for p in sorted(row.effective_permissions)],
            created_at=row.created_at,
            updated_at=row.updated_at,
            revoked_at=row.revoked_at,
            organisation_id=row.organisation_id,
            person_id=row.person_id,
        )

    organisation = organisation_field()

    @strawberry.field(
        description="La personne (son nom ; le reste de son identité lui appartient)."
    )
    async def person(self, info: Info) -> PersonSummary | None:
        return await person_summary(info, self.person_id)

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[MembershipNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(MembershipRow),
            membership_resource,
            Action.VIEW_MEMBERS,
        )
        return [cls.from_row(row) if row else None for row in rows]


register_node(MembershipNode)


async def organisation_memberships(
    info: Info,
    organisation: OrganisationRow,
    first: int | None,
    after: str | None,
    include_revoked: bool,
) -> Connection[MembershipNode]:
    """Who acts for the organisation (for who manages its managers)."""
    require(info, Action.VIEW_MEMBERS, organisation_resource(organisation))
    page = await nested_page(info, membership_pages, organisation.id, first, after, include_revoked)
    return to_connection(page, MembershipNode.from_row)


async def person_memberships(
    info: Info, person_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[MembershipNode]:
    """The organisations the person acts for: one membership in force each."""
    require(info, Action.VIEW_PERSON, person_resource(person_id))
    async with info.context.read_session() as session:
        page = await memberships_page(session, person_id, first, after)
    return to_connection(page, MembershipNode.from_row)
