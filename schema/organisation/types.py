"""Organisation, Establishment and Membership as Relay nodes.

`Organisation`'s fields come from each area (mixins): the request (establishments,
documents), delegation (memberships, invitations, mandates), the company space (employees,
labels, dashboard, alerts) and the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from auth.policy import Action, Resource, decide, organisation_resource
from schema.account.types import Address, PersonNode, visible_rows
from schema.audit.organisation_fields import OrganisationAuditFields
from schema.company.organisation_fields import OrganisationCompanyFields
from schema.context import Info
from schema.delegation.organisation_fields import OrganisationDelegationFields
from schema.ids import parse_uuid
from schema.nodes import register_node
from schema.organisation.enums import MembershipRole, OrganisationStatus, Permission
from schema.organisation.fields import OrganisationRequestFields
from tenants.organisations import Establishment as EstablishmentRow
from tenants.organisations import Membership as MembershipRow
from tenants.organisations import Organisation as OrganisationRow


def membership_resource(row: MembershipRow) -> Resource:
    """A membership is seen by its member and by who manages the organisation's managers."""
    return Resource(
        "Membership", row.id, organisation_id=row.organisation_id, owner_person_id=row.person_id
    )


@strawberry.type(description="Le représentant légal de l'organisation.")
class LegalRepresentative:
    family_name: str
    given_names: str
    role: str | None = strawberry.field(description="Qualité (gérant, président…).")


@strawberry.type(
    name="Organisation",
    description="Une entreprise, un service interne de "
    "sécurité ou un organisme de formation, dont l'autorité valide le compte.",
)
class OrganisationNode(
    OrganisationRequestFields,
    OrganisationDelegationFields,
    OrganisationCompanyFields,
    OrganisationAuditFields,
    relay.Node,
):
    id: relay.NodeID[str]
    kind: str = strawberry.field(description="Code d'une sorte d'organisation du portail.")
    kind_label: str
    name: str
    siren: str
    head_office_siret: str
    address: Address
    delegation: str | None = strawberry.field(
        description="Délégation territoriale compétente (d'après l'adresse du siège)."
    )
    legal_representative: LegalRepresentative
    applicant_is_representative: bool
    status: OrganisationStatus
    submitted_at: datetime
    decided_at: datetime | None
    rejection_reason: str | None
    created_at: datetime
    row: strawberry.Private[OrganisationRow]

    @property
    def organisation_id(self) -> uuid.UUID:
        return self.row.id

    @classmethod
    def from_row(cls, row: OrganisationRow, kind_label: str = "") -> OrganisationNode:
        return cls(
            id=str(row.id),
            kind=row.kind,
            kind_label=kind_label or row.kind,
            name=row.name,
            siren=row.siren,
            head_office_siret=row.head_office_siret,
            address=Address(
                line1=row.address_line1,
                line2=row.address_line2,
                postal_code=row.postal_code,
                city=row.city,
                country=row.country,
            ),
            delegation=row.delegation,
            legal_representative=LegalRepresentative(
                family_name=row.representative_family_name,
                given_names=row.representative_given_names,
                role=row.representative_role,
            ),
            applicant_is_representative=row.applicant_is_representative,
            status=OrganisationStatus(row.status),
            submitted_at=row.submitted_at,
            decided_at=row.decided_at,
            rejection_reason=row.rejection_reason,
            created_at=row.created_at,
            row=row,
        )

    @classmethod
    def from_row_in(cls, info: Info, row: OrganisationRow) -> OrganisationNode:
        """With the kind's label in the caller's language."""
        label = next(
            (
                k.label.get(info.context.locale)
                for k in info.context.pack.organisation_kinds
                if k.code == row.kind
            ),
            row.kind,
        )
        return cls.from_row(row, label)

    @strawberry.field(description="Le rôle de la personne connectée dans l'organisation.")
    def viewer_role(self, info: Info) -> MembershipRole | None:
        actor = info.context.actor
        fact = actor.membership(self.row.id) if actor else None
        return MembershipRole(fact.role) if fact else None

    @strawberry.field(description="Les droits de la personne connectée dans l'organisation.")
    def viewer_permissions(self, info: Info) -> list[Permission]:
        actor = info.context.actor
        fact = actor.membership(self.row.id) if actor else None
        held = fact.effective_permissions if fact else frozenset()
        return [Permission(p) for p in sorted(held)]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[OrganisationNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(OrganisationRow),
            organisation_resource,
            Action.VIEW_ORGANISATION,
        )
        return [cls.from_row_in(info, row) if row else None for row in rows]


register_node(OrganisationNode)


@strawberry.type(name="Establishment", description="Un établissement (SIRET) d'une organisation.")
class EstablishmentNode(relay.Node):
    id: relay.NodeID[str]
    siret: str
    name: str
    address: Address
    head_office: bool
    created_at: datetime
    organisation_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: EstablishmentRow) -> EstablishmentNode:
        return cls(
            id=str(row.id),
            siret=row.siret,
            name=row.name,
            address=Address(
                line1=row.address_line1,
                line2=row.address_line2,
                postal_code=row.postal_code,
                city=row.city,
                country="FR",
            ),
            head_office=row.head_office,
            created_at=row.created_at,
            organisation_id=row.organisation_id,
        )

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationNode | None:
        [node] = await OrganisationNode.resolve_nodes(
            info=info, node_ids=[str(self.organisation_id)]
        )
        return node

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[EstablishmentNode | None]:
        """Seen by who may view its organisation (its members, the agents of the
        organisation's delegation): the organisation decides."""
        ids = [parse_uuid(i) for i in node_ids]
        rows = await info.context.loaders.by_id(EstablishmentRow).load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        organisations = await info.context.loaders.by_id(OrganisationRow).load_many(
            list({row.organisation_id for row in found.values()})
        )
        visible = {
            org.id
            for org in organisations
            if org is not None
            and decide(
                info.context.actor, Action.VIEW_ORGANISATION, organisation_resource(org)
            ).allowed
        }
        result: list[EstablishmentNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            result.append(cls.from_row(row) if row and row.organisation_id in visible else None)
        return result


register_node(EstablishmentNode)


@strawberry.type(
    name="Membership",
    description="Une personne qui agit pour une organisation : son administrateur ou un "
    "gestionnaire, avec les droits délégués.",
)
class MembershipNode(relay.Node):
    id: relay.NodeID[str]
    role: MembershipRole
    permissions: list[Permission] = strawberry.field(
        description="Droits effectifs (tous pour l'administrateur)."
    )
    created_at: datetime
    updated_at: datetime
    revoked_at: datetime | None
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

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationNode | None:
        [node] = await OrganisationNode.resolve_nodes(
            info=info, node_ids=[str(self.organisation_id)]
        )
        return node

    @strawberry.field(
        description="La personne (son nom ; le reste de son identité lui appartient)."
    )
    async def person(self, info: Info) -> MemberPerson | None:
        row = await info.context.loaders.persons.load(self.person_id)
        if row is None:
            return None
        return MemberPerson(family_name=row.family_name, given_names=row.given_names)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[MembershipNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(MembershipRow),
            membership_resource,
            Action.VIEW_MEMBERS,
        )
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(description="Le nom d'un membre d'une organisation.")
class MemberPerson:
    family_name: str
    given_names: str


register_node(MembershipNode)

__all__ = ["EstablishmentNode", "MembershipNode", "OrganisationNode", "PersonNode"]
