"""Organisation fields of the validation request: establishments, documents, what is missing.

Each connection is read for every organisation of the response at once (a DataLoader keyed
by the page asked): two statements per batch, whether the response holds one organisation
or a hundred.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased
from strawberry import relay

from auth.account.tokens import FileLinks
from auth.organisation.documents import missing_documents, required_documents
from auth.policy import Action, decide, organisation_resource
from schema.context import Info
from schema.ids import parse_uuid
from schema.nodes import register_node
from schema.organisation.enums import DocumentKind
from schema.pagination import Connection, to_connection
from tenants.organisations import Establishment, OrganisationDocument
from tenants.organisations import Organisation as OrganisationRow
from tenants.pagination import Page, check_first, decode_cursor, encode_cursor

DOCUMENT_FILE = "organisation-document"  # the kind of file a download link names

if TYPE_CHECKING:
    from schema.organisation.types import EstablishmentNode


@strawberry.type(
    name="OrganisationDocument",
    description="Une pièce de la demande de validation : le type est celui du contenu, pas "
    "celui que le fichier annonçait.",
)
class OrganisationDocumentNode(relay.Node):
    id: relay.NodeID[str]
    kind: DocumentKind
    filename: str
    content_type: str = strawberry.field(description="application/pdf, image/png, image/jpeg.")
    size: int = strawberry.field(description="Taille en octets.")
    sha256: str = strawberry.field(description="Empreinte SHA-256 du contenu, en hexadécimal.")
    created_at: datetime
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
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
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


async def pages_by_parent(
    session: AsyncSession,
    model: Any,
    parent: InstrumentedAttribute[uuid.UUID],
    parents: Sequence[uuid.UUID],
    first: int | None,
    after: str | None,
) -> list[Page[Any]]:
    """One page per parent, newest first (the `paginate` order and cursors), in two
    statements for every parent: the pages (a window function) and the totals."""
    size = check_first(first)
    created, ident = model.created_at, model.id
    rank = (
        func.row_number()
        .over(partition_by=parent, order_by=(created.desc(), ident.desc()))
        .label("rank")
    )
    inner: Select[Any] = select(model, rank).where(parent.in_(parents))
    if after:
        at, id_ = decode_cursor(after)
        inner = inner.where(or_(created < at, and_(created == at, ident < id_)))
    ranked = inner.subquery()
    row = aliased(model, ranked)
    rows = (
        await session.scalars(select(row).where(ranked.c.rank <= size + 1).order_by(ranked.c.rank))
    ).all()
    counted = await session.execute(
        select(parent, func.count()).where(parent.in_(parents)).group_by(parent)
    )
    totals: dict[uuid.UUID, int] = {key: count for key, count in counted}
    grouped: dict[uuid.UUID, list[Any]] = {p: [] for p in parents}
    for found in rows:
        grouped[getattr(found, parent.key)].append(found)
    return [
        Page(
            items=[(encode_cursor(r.created_at, r.id), r) for r in grouped[p][:size]],
            has_next=len(grouped[p]) > size,
            has_previous=after is not None,
            total_count=int(totals.get(p, 0)),
        )
        for p in parents
    ]


def _page_loader(info: Info, model: Any, parent: Any, first: int | None, after: str | None) -> Any:
    async def load(session: AsyncSession, parents: Sequence[uuid.UUID]) -> list[Page[Any]]:
        return await pages_by_parent(session, model, parent, parents, first, after)

    return info.context.loaders.custom((model.__tablename__, first, after), load)


async def _document_kinds(
    session: AsyncSession, organisations: Sequence[uuid.UUID]
) -> list[set[str]]:
    rows = await session.execute(
        select(OrganisationDocument.organisation_id, OrganisationDocument.kind)
        .where(OrganisationDocument.organisation_id.in_(organisations))
        .distinct()
    )
    kinds: dict[uuid.UUID, set[str]] = {o: set() for o in organisations}
    for organisation, kind in rows:
        kinds[organisation].add(kind)
    return [kinds[o] for o in organisations]


@strawberry.type
class OrganisationRequestFields:
    if TYPE_CHECKING:
        row: OrganisationRow  # declared by OrganisationNode

    @strawberry.field(description="Les établissements (SIRET), le siège compris.")
    async def establishments(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[EstablishmentNode, strawberry.lazy("schema.organisation.types")]]:
        from schema.organisation.types import EstablishmentNode

        check_first(first)
        loader = _page_loader(info, Establishment, Establishment.organisation_id, first, after)
        page = await loader.load(self.row.id)
        return to_connection(page, EstablishmentNode.from_row)

    @strawberry.field(
        description="Les pièces de la demande ; null pour qui n'est ni son administrateur ni "
        "un agent de l'autorité qui l'instruit."
    )
    async def documents(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[OrganisationDocumentNode] | None:
        if not may_see_documents(info, self.row):
            return None
        check_first(first)
        model = OrganisationDocument
        loader = _page_loader(info, model, model.organisation_id, first, after)
        page = await loader.load(self.row.id)
        return to_connection(page, OrganisationDocumentNode.from_row)

    @strawberry.field(description="Les pièces exigées, selon que le demandeur est le représentant.")
    def required_documents(self) -> list[DocumentKind]:
        return [DocumentKind(k) for k in required_documents(self.row.applicant_is_representative)]

    @strawberry.field(description="Les pièces exigées qui manquent encore (vide : complète).")
    async def missing_documents(self, info: Info) -> list[DocumentKind]:
        loader = info.context.loaders.custom("organisation-document-kinds", _document_kinds)
        present = await loader.load(self.row.id)
        missing = missing_documents(self.row.applicant_is_representative, present)
        return [DocumentKind(k) for k in missing]
