"""The validation request of an organisation: its establishments and documents as Relay
nodes, and the organisation's fields of them (what is required, what is missing).

Each connection is read for every organisation of the response at once (a per-parent page
loader, `schema.pagination.nested_page`): two statements per batch, whether the response
holds one organisation or a hundred.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from auth.account.tokens import FileLinks
from auth.organisation.documents import missing_documents, required_documents
from auth.organisation.reads import document_kinds, document_pages, establishment_pages
from auth.policy import Action, decide, organisation_resource
from schema.account.types import Address
from schema.context import Info
from schema.guards import require
from schema.ids import parse_uuid
from schema.nodes import VisibleNode, register_node
from schema.organisation.enums import DocumentKind
from schema.pagination import After, Connection, First, nested_page, to_connection
from schema.refs import organisation_field
from tenants.organisations import Establishment as EstablishmentRow
from tenants.organisations import Organisation as OrganisationRow
from tenants.organisations import OrganisationDocument

DOCUMENT_FILE = "organisation-document"  # the kind of file a download link names


@strawberry.type(name="Establishment", description="Un établissement (SIRET) d'une organisation.")
class EstablishmentNode(VisibleNode):
    id: relay.NodeID[str]
    siret: str = strawberry.field(description="SIRET (14 chiffres).")
    name: str = strawberry.field(description="Nom de l'établissement.")
    address: Address = strawberry.field(description="Adresse de l'établissement.")
    head_office: bool = strawberry.field(description="Vrai pour le siège.")
    created_at: datetime = strawberry.field(description="Ajout de l'établissement.")
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

    organisation = organisation_field()

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
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
    name="OrganisationDocument",
    description="Une pièce de la demande de validation : le type est celui du contenu, pas "
    "celui que le fichier annonçait.",
)
class OrganisationDocumentNode(VisibleNode):
    id: relay.NodeID[str]
    kind: DocumentKind = strawberry.field(description="La nature de la pièce.")
    filename: str = strawberry.field(description="Le nom du fichier envoyé.")
    content_type: str = strawberry.field(
        description="Type lu dans le contenu : application/pdf, image/png ou image/jpeg."
    )
    size: int = strawberry.field(description="Taille en octets.")
    sha256: str = strawberry.field(description="Empreinte SHA-256 du contenu, en hexadécimal.")
    created_at: datetime = strawberry.field(description="Dépôt de la pièce.")
    organisation_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: OrganisationDocument) -> OrganisationDocumentNode:
        return cls(
            id=str(row.id),
            kind=DocumentKind(row.kind),
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256.hex(),
            created_at=row.created_at,
            organisation_id=row.organisation_id,
        )

    @strawberry.field(
        description="Lien de téléchargement signé, valable 5 minutes (à demander de nouveau "
        "ensuite) ; seuls l'administrateur et les agents chargés de la demande voient la pièce."
    )
    def download_url(self, info: Info) -> str:
        services = info.context.services
        links = FileLinks(services.auth.tokens)
        return links.url(
            info.context.pack.slug, DOCUMENT_FILE, uuid.UUID(str(self.id)), services.clock.now()
        )

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[OrganisationDocumentNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        documents = await info.context.loaders.by_id(OrganisationDocument).load_many(
            [i for i in ids if i]
        )
        found = {d.id: d for d in documents if d is not None}
        organisations = await info.context.loaders.by_id(OrganisationRow).load_many(
            list({d.organisation_id for d in found.values()})
        )
        visible = {o.id for o in organisations if o is not None and may_see_documents(info, o)}
        result: list[OrganisationDocumentNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            ok = row is not None and row.organisation_id in visible
            result.append(cls.from_row(row) if ok and row is not None else None)
        return result


register_node(OrganisationDocumentNode)


def may_see_documents(info: Info, organisation: OrganisationRow) -> bool:
    """The documents (an identity document among them) are the administrator's and the
    reviewing agents', not every manager's."""
    resource = organisation_resource(organisation)
    actor = info.context.actor
    return (
        decide(actor, Action.COMPLETE_ORGANISATION_REQUEST, resource).allowed
        or decide(actor, Action.REVIEW_ORGANISATION, resource).allowed
    )


@strawberry.type
class OrganisationRequestFields:
    if TYPE_CHECKING:
        row: OrganisationRow  # declared by OrganisationNode

    @strawberry.field(description="Les établissements (SIRET), le siège compris.")
    async def establishments(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[EstablishmentNode] | None:
        page = await nested_page(info, establishment_pages, self.row.id, first, after)
        return to_connection(page, EstablishmentNode.from_row)

    @strawberry.field(
        description="Les pièces de la demande ; pour qui n'est ni son administrateur ni un agent "
        "de l'autorité qui l'instruit, null avec l'erreur du refus sur ce champ."
    )
    async def documents(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[OrganisationDocumentNode] | None:
        if not may_see_documents(info, self.row):  # the administrator's refusal, on this field
            require(info, Action.COMPLETE_ORGANISATION_REQUEST, organisation_resource(self.row))
        page = await nested_page(info, document_pages, self.row.id, first, after)
        return to_connection(page, OrganisationDocumentNode.from_row)

    @strawberry.field(description="Les pièces exigées, selon que le demandeur est le représentant.")
    def required_documents(self) -> list[DocumentKind]:
        return [DocumentKind(k) for k in required_documents(self.row.applicant_is_representative)]

    @strawberry.field(description="Les pièces exigées qui manquent encore (vide : complète).")
    async def missing_documents(self, info: Info) -> list[DocumentKind]:
        loader = info.context.loaders.custom(document_kinds, document_kinds)
        present = await loader.load(self.row.id)
        missing = missing_documents(self.row.applicant_is_representative, present)
        return [DocumentKind(k) for k in missing]
