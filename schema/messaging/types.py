"""Threads and messages as Relay nodes; their attachments; what a viewer reads of them.

A thread is seen by those who take part in it (`dossiers.messaging.access`, the one policy);
a message by those who see its thread. Anyone else gets `null`, as for an unknown ID.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from auth.account.tokens import FileLinks
from auth.policy import Capacity as DomainCapacity
from dossiers.messaging import models as m
from dossiers.messaging.access import decisions_on, viewer_side
from dossiers.messaging.reads import (
    attachments_of,
    last_messages,
    message_pages,
    thread_ids_of_dossiers,
    unread_counts,
)
from schema.audit.types import Capacity
from schema.context import Info
from schema.enums import graphql_enum
from schema.ids import parse_uuid
from schema.nodes import VisibleNode, register_node
from schema.pagination import Connection, Edge, PageInfo, to_connection
from schema.refs import OrganisationRef, node_of
from tenants.directory import rows_by_id
from tenants.errors import DomainError
from tenants.pagination import MAX_PAGE, Page, PageKey, check_page

ATTACHMENT_FILE = "message-attachment"  # the kind of file a download link names

if TYPE_CHECKING:
    from dossiers.messaging.models import NotificationMode, Side, ThreadStatus
else:
    NotificationMode = graphql_enum(
        m.NotificationMode,
        "NotificationMode",
        "Comment être prévenu des nouveaux messages (le compteur de non-lus reste toujours).",
        {
            m.NotificationMode.IMMEDIATE: "Un courriel quelques minutes après, sauf si le "
            "message a été lu entre-temps",
            m.NotificationMode.DAILY: "Un récapitulatif par jour",
            m.NotificationMode.NEVER: "Jamais",
        },
    )
    ThreadStatus = graphql_enum(
        m.ThreadStatus,
        "ThreadStatus",
        "État d'une conversation.",
        {
            m.ThreadStatus.OPEN: "Ouverte",
            m.ThreadStatus.CLOSED: "Close par un agent (un nouveau message la rouvre)",
        },
    )
    Side = graphql_enum(
        m.Side,
        "MessageSide",
        "De quel côté vient un message.",
        {
            m.Side.APPLICANT: "Le demandeur (la personne, son tiers de confiance, l'organisation)",
            m.Side.AUTHORITY: "L'autorité (un agent)",
            m.Side.SYSTEM: "Le système (demande de correction, décision sur un dossier)",
        },
    )


@strawberry.type(description="Préférences de notification du compte connecté.")
class NotificationPreferences:
    messages: NotificationMode = strawberry.field(
        description="Nouveaux messages (par défaut : courriel immédiat ; récapitulatif "
        "quotidien pour un agent)."
    )


@strawberry.type(name="MessageAttachment", description="Une pièce jointe d'un message.")
class AttachmentType:
    filename: str = strawberry.field(description="Nom du fichier envoyé.")
    content_type: str = strawberry.field(description="Type du contenu, lu dans le fichier.")
    size: int = strawberry.field(description="Taille en octets.")
    sha256: str = strawberry.field(description="Empreinte SHA-256 (hexadécimal).")
    row_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Lien de téléchargement signé, valable 5 minutes.")
    def download_url(self, info: Info) -> str:
        services = info.context.services
        links = FileLinks(services.auth.tokens)
        return links.url(info.context.pack.slug, ATTACHMENT_FILE, self.row_id, services.clock.now())


@strawberry.type(
    name="Message",
    description="Un message d'une conversation : jamais modifié ni supprimé.",
)
class MessageNode(VisibleNode):
    id: relay.NodeID[str]
    body: str = strawberry.field(description="Texte du message (texte brut).")
    side: Side = strawberry.field(description="Côté de l'auteur.")
    capacity: Capacity | None = strawberry.field(
        description="Qualité en laquelle l'auteur a écrit (null pour un message du système)."
    )
    sent_at: datetime = strawberry.field(description="Date d'envoi.")
    read_by_authority_at: datetime | None = strawberry.field(
        description="Date de première lecture par l'autorité (message du demandeur)."
    )
    read_by_applicant_at: datetime | None = strawberry.field(
        description="Date de première lecture par le demandeur (message de l'autorité)."
    )
    row: strawberry.Private[m.Message]

    @classmethod
    def from_row(cls, row: m.Message) -> MessageNode:
        capacity = row.capacity if row.capacity in DomainCapacity.__members__ else None
        return cls(
            id=str(row.id),
            body=row.body,
            side=Side(row.side),
            capacity=Capacity(capacity) if capacity else None,
            sent_at=row.created_at,
            read_by_authority_at=row.read_by_authority_at,
            read_by_applicant_at=row.read_by_applicant_at,
            row=row,
        )

    @strawberry.field(description="Qui a écrit (null pour un message du système).")
    async def author_name(self, info: Info) -> str | None:
        if self.row.author_account_id is None:
            return None
        account = await info.context.loaders.accounts.load(self.row.author_account_id)
        if account is None:
            return None
        person = await info.context.loaders.persons.load(account.person_id)
        return f"{person.given_names} {person.family_name}" if person else None

    @strawberry.field(description="Est-ce un message de la personne connectée ?")
    def mine(self, info: Info) -> bool:
        actor = info.context.actor
        return actor is not None and self.row.author_account_id == actor.account_id

    @strawberry.field(description="L'organisation au nom de laquelle l'auteur a écrit.")
    async def on_behalf_of_organisation(self, info: Info) -> OrganisationRef | None:
        found: OrganisationRef | None = await node_of(
            info, "Organisation", self.row.on_behalf_of_organisation_id
        )
        return found

    @strawberry.field(description="Les pièces jointes.")
    async def attachments(self, info: Info) -> list[AttachmentType]:
        loader = info.context.loaders.custom(attachments_of, attachments_of)
        rows = await loader.load(self.row.id)
        return [
            AttachmentType(
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256.hex(),
                row_id=a.id,
            )
            for a in rows
        ]

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[MessageNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        rows = await info.context.loaders.by_id(m.Message).load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        threads = await ThreadNode.visible_nodes(
            info, [str(row.thread_id) for row in found.values()]
        )
        seen = {t.row.id for t in threads if t is not None}
        result: list[MessageNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            result.append(cls.from_row(row) if row and row.thread_id in seen else None)
        return result


register_node(MessageNode)


@strawberry.type(description="Une page de messages, du plus ancien au plus récent.")
class MessageConnection(Connection[MessageNode]):
    pass


@strawberry.type(
    name="Thread",
    description="Une conversation sécurisée avec l'autorité : sur un dossier, un titre, "
    "une organisation ou une question générale.",
)
class ThreadNode(VisibleNode):
    id: relay.NodeID[str]
    subject: str = strawberry.field(description="Objet de la conversation.")
    status: ThreadStatus = strawberry.field(description="Ouverte ou close.")
    message_count: int = strawberry.field(description="Nombre de messages.")
    last_message_at: datetime = strawberry.field(description="Date du dernier message.")
    awaiting_answer_since: datetime | None = strawberry.field(
        description="Depuis quand le demandeur attend une réponse de l'autorité (null : "
        "l'autorité a répondu en dernier)."
    )
    created_at: datetime = strawberry.field(description="Date d'ouverture.")
    row: strawberry.Private[m.Thread]

    @classmethod
    def from_row(cls, row: m.Thread) -> ThreadNode:
        return cls(
            id=str(row.id),
            subject=row.subject,
            status=ThreadStatus(row.status),
            message_count=row.message_count,
            last_message_at=row.last_message_at,
            awaiting_answer_since=row.awaiting_answer_since,
            created_at=row.created_at,
            row=row,
        )

    @strawberry.field(description="La délégation de l'autorité qui traite la conversation.")
    def delegation(self) -> str | None:
        return self.row.delegation

    @strawberry.field(description="L'organisation dont c'est la conversation.")
    async def organisation(self, info: Info) -> OrganisationRef | None:
        found: OrganisationRef | None = await node_of(
            info, "Organisation", self.row.organisation_id
        )
        return found

    @strawberry.field(description="Vrai si un agent est chargé de la conversation.")
    def assigned(self) -> bool:
        return self.row.assigned_account_id is not None

    @strawberry.field(description="Vrai si la conversation est confiée à l'agent connecté.")
    def assigned_to_me(self, info: Info) -> bool:
        actor = info.context.actor
        return actor is not None and self.row.assigned_account_id == actor.account_id

    @strawberry.field(
        description="Messages de l'autre côté que la personne connectée n'a pas encore lus "
        "(lus par son côté : la personne ou son tiers de confiance, ou l'autorité)."
    )
    async def unread_count(self, info: Info) -> int:
        actor = info.context.actor
        if actor is None:
            return 0
        loader = info.context.loaders.custom(unread_counts, unread_counts)
        count: int = await loader.load((self.row.id, viewer_side(actor)))
        return count

    @strawberry.field(description="Le dernier message.")
    async def last_message(self, info: Info) -> MessageNode | None:
        loader = info.context.loaders.custom(last_messages, last_messages)
        row = await loader.load(self.row.id)
        return MessageNode.from_row(row) if row else None

    @strawberry.field(
        description="Les messages, du plus ancien au plus récent : `last` (au plus 100) "
        "messages avant le curseur `before` (les plus récents sans lui)."
    )
    async def messages(
        self,
        info: Info,
        last: Annotated[
            int | None,
            strawberry.argument(description="Nombre de messages (20 par défaut, 100 au plus)."),
        ] = None,
        before: Annotated[
            str | None,
            strawberry.argument(description="Curseur : les messages plus anciens que celui-ci."),
        ] = None,
    ) -> MessageConnection | None:
        try:
            check_page(last, before)
        except DomainError as error:  # the arguments' names here are `last` and `before`
            raise _renamed(error) from None
        loader = info.context.loaders.custom(message_pages, message_pages)
        page = await loader.load(PageKey(self.row.id, last, before))
        edges = [Edge(cursor=c, node=MessageNode.from_row(r)) for c, r in reversed(page.items)]
        return MessageConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=before is not None,
                has_previous_page=page.has_next,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[ThreadNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        loader = info.context.loaders.custom("visible-threads", _visible_threads(info))
        return [cls.from_row(row) if row else None for row in await loader.load_many(ids)]


register_node(ThreadNode)


def _renamed(error: DomainError) -> DomainError:
    names = {"first": "last", "after": "before"}
    return DomainError.one(
        error.errors[0].code,
        tuple(names.get(p, p) for p in error.errors[0].field or ()),
        **{"max": MAX_PAGE, **dict(error.errors[0].params)},
    )


VisibleThreads = Callable[
    [AsyncSession, Sequence[uuid.UUID | None]], Awaitable[list[m.Thread | None]]
]


def _visible_threads(info: Info) -> VisibleThreads:
    """The threads of these ids the viewer takes part in (two statements per batch)."""

    async def load(session: AsyncSession, ids: Sequence[uuid.UUID | None]) -> list[m.Thread | None]:
        rows = [r for r in await rows_by_id(session, m.Thread, [i for i in ids if i]) if r]
        actor, today = info.context.actor, info.context.now.date()
        decisions = await decisions_on(session, actor, rows, today)
        allowed = {r.id: r for r, d in zip(rows, decisions, strict=True) if d is not None}
        return [allowed.get(i) if i else None for i in ids]

    return load


def threads_connection(page: Page[m.Thread]) -> Connection[ThreadNode]:
    return to_connection(page, ThreadNode.from_row)


async def dossier_thread(info: Info, dossier_id: uuid.UUID) -> ThreadNode | None:
    """A dossier's thread, for whoever takes part in it (read with those of every other
    dossier of the response)."""
    loader = info.context.loaders.custom(thread_ids_of_dossiers, thread_ids_of_dossiers)
    thread_id = await loader.load(dossier_id)
    if thread_id is None:
        return None
    [node] = await ThreadNode.visible_nodes(info, [str(thread_id)])
    return node
