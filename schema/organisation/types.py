"""Organisation as a Relay node.

`Organisation`'s fields come from each area (mixins): the request (establishments,
documents), delegation (memberships, invitations, mandates), the company space (employees,
labels, dashboard, alerts) and the audit log. This module imports them; none of them imports
it back (they name an organisation through `schema.refs`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from auth.policy import Action, organisation_resource
from schema.account.types import Address, visible_rows
from schema.audit.organisation_fields import OrganisationAuditFields
from schema.company.organisation_fields import OrganisationCompanyFields
from schema.context import Info
from schema.delegation.enums import MembershipRole, Permission
from schema.delegation.organisation_fields import OrganisationDelegationFields
from schema.dossier.organisation_fields import OrganisationDossierFields
from schema.nodes import VisibleNode, register_node
from schema.organisation.enums import OrganisationStatus
from schema.organisation.request_fields import OrganisationRequestFields
from schema.tenant.types import Delegation
from schema.webhooks.organisation_fields import OrganisationWebhookFields
from tenants.organisations import Organisation as OrganisationRow


@strawberry.type(description="Le représentant légal de l'organisation.")
class LegalRepresentative:
    family_name: str = strawberry.field(description="Nom de famille.")
    given_names: str = strawberry.field(description="Prénoms.")
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
    OrganisationDossierFields,
    OrganisationWebhookFields,
    VisibleNode,
):
    id: relay.NodeID[str]
    kind: str = strawberry.field(description="Code d'une sorte d'organisation du portail.")
    kind_label: str = strawberry.field(description="Libellé de sa sorte, dans la langue demandée.")
    name: str = strawberry.field(description="Raison sociale.")
    siren: str = strawberry.field(description="SIREN (9 chiffres).")
    head_office_siret: str = strawberry.field(description="SIRET du siège (14 chiffres).")
    address: Address = strawberry.field(description="Adresse du siège.")
    legal_representative: LegalRepresentative = strawberry.field(
        description="Le représentant légal."
    )
    applicant_is_representative: bool = strawberry.field(
        description="Vrai si le demandeur est le représentant légal."
    )
    status: OrganisationStatus = strawberry.field(description="Où en est la validation du compte.")
    submitted_at: datetime = strawberry.field(description="Dernière soumission de la demande.")
    decided_at: datetime | None = strawberry.field(
        description="Validation ou refus (null avant la décision)."
    )
    rejection_reason: str | None = strawberry.field(description="Motif du refus (null sauf refus).")
    created_at: datetime = strawberry.field(description="Inscription de l'organisation.")
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

    @strawberry.field(
        description="La délégation territoriale compétente (d'après l'adresse du siège) : son "
        "nom, son adresse de contact, ses départements ; null hors de toute délégation."
    )
    def delegation(self, info: Info) -> Delegation | None:
        found = next(
            (d for d in info.context.pack.delegations if d.code == self.row.delegation), None
        )
        return Delegation.from_pack(found) if found else None

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
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
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
