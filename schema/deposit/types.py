"""Deposited documents (CAMSP / CMPP activity reports) as Relay nodes, and the documents of a
structure (a field `Structure` composes). Seen by the accounts habilitated on the structure
for the deposit application (policy action DEPOSIT_DOCUMENTS), by nobody else."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from auth.account.tokens import FileLinks
from dossiers.deposit import deposits as rules
from dossiers.deposit.models import Deposit
from dossiers.deposit.models import ReportKind as ReportKindValue
from schema.context import Info
from schema.enums import graphql_enum
from schema.ids import parse_uuid
from schema.nodes import VisibleNode, register_node
from schema.pagination import After, Connection, First, nested_page, to_connection

DEPOSIT_FILE = "deposit"  # the kind of file a download link names

if TYPE_CHECKING:  # mypy reads the domain enum; GraphQL gets its described twin
    from dossiers.deposit.models import ReportKind
else:
    ReportKind = graphql_enum(
        ReportKindValue,
        "ReportKind",
        "Le rapport d'activité déposé.",
        {
            ReportKindValue.QUANTITATIVE: "Rapport d'activité quantitatif (Excel, .xlsx)",
            ReportKindValue.QUALITATIVE: "Rapport d'activité qualitatif (Word .docx ou PDF)",
        },
    )


@strawberry.type(
    name="DepositedDocument",
    description="Un document déposé pour une structure : rapport d'activité d'une année.",
)
class DepositNode(VisibleNode):
    id: relay.NodeID[str]
    kind: ReportKind = strawberry.field(description="Quantitatif ou qualitatif.")
    year: int = strawberry.field(description="L'année que couvre le rapport.")
    filename: str = strawberry.field(description="Nom du fichier déposé.")
    content_type: str = strawberry.field(description="Type du contenu, lu dans le fichier.")
    size: int = strawberry.field(description="Taille en octets.")
    deposited_at: datetime = strawberry.field(description="Date du dépôt.")
    trashed_at: datetime | None = strawberry.field(
        description="Mis à la corbeille le (null hors corbeille) ; effacé 30 jours après."
    )
    structure_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Deposit) -> DepositNode:
        return cls(
            id=str(row.id),
            kind=ReportKindValue(row.kind),
            year=row.year,
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            deposited_at=row.created_at,
            trashed_at=row.trashed_at,
            structure_id=row.structure_id,
        )

    @strawberry.field(description="Lien de téléchargement signé, valable quelques minutes.")
    def download_url(self, info: Info) -> str:
        services = info.context.services
        return FileLinks(services.auth.tokens).url(
            info.context.pack.slug, DEPOSIT_FILE, uuid.UUID(str(self.id)), services.clock.now()
        )

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[DepositNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        rows = await info.context.loaders.by_id(Deposit).load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        actor, pack = info.context.actor, info.context.pack
        result: list[DepositNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            visible = row is not None and rules.may_see(actor, pack, row.structure_id)
            result.append(cls.from_row(row) if row is not None and visible else None)
        return result


register_node(DepositNode)


@strawberry.type
class StructureDepositFields:
    """What `Structure` shows of its deposited documents."""

    id: relay.NodeID[str]

    @strawberry.field(
        description="Les documents déposés pour la structure (Documents), ou ceux de la "
        "corbeille (`inTrash`), d'une année ou de toutes, les plus récents d'abord. Null pour "
        "qui n'est pas habilité sur la structure."
    )
    async def documents(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="L'année couverte ; toutes sans elle.")
        ] = None,
        in_trash: Annotated[
            bool,
            strawberry.argument(
                description="Vrai pour la corbeille (documents supprimés, purgés après 30 jours)."
            ),
        ] = False,
        first: First = 20,
        after: After = None,
    ) -> Connection[DepositNode] | None:
        structure_id = uuid.UUID(str(self.id))
        if not rules.may_see(info.context.actor, info.context.pack, structure_id):
            return None
        page = await nested_page(
            info, rules.deposit_pages, structure_id, first, after, in_trash, year
        )
        return to_connection(page, DepositNode.from_row)
