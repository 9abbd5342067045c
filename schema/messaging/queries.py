"""The agents' message inbox."""

from __future__ import annotations

from typing import Annotated

import strawberry

from dossiers.messaging import inbox
from dossiers.messaging.models import ThreadStatus as ThreadStatusValue
from schema.context import Info
from schema.messaging.types import ThreadNode, ThreadStatus, threads_connection
from schema.pagination import After, Connection, First


@strawberry.input(description="Filtres de la boîte de réception (tous facultatifs, cumulés).")
class MessageInboxFilter:
    unread: bool | None = strawberry.field(
        default=None, description="Vrai : avec un message du demandeur non lu par l'autorité."
    )
    awaiting_answer: bool | None = strawberry.field(
        default=None, description="Vrai : le demandeur attend une réponse de l'autorité."
    )
    assigned_to_me: bool | None = strawberry.field(
        default=None, description="Vrai : confiées à l'agent connecté."
    )
    unassigned: bool | None = strawberry.field(
        default=None, description="Vrai : confiées à aucun agent."
    )
    status: ThreadStatus | None = strawberry.field(default=None, description="Ouvertes ou closes.")
    dossier_kind: str | None = strawberry.field(
        default=None,
        description="Celles des demandes de ce type (code de `tenant { dossierKinds }`).",
    )


@strawberry.type
class MessagingQueries:
    @strawberry.field(
        description="Agents de l'autorité : les conversations de leurs délégations (et celles "
        "sans délégation) ; d'abord celles qui attendent une réponse, la plus ancienne "
        "attente en premier, puis les autres, la plus récemment active d'abord."
    )
    async def message_inbox(
        self,
        info: Info,
        filter: Annotated[
            MessageInboxFilter | None, strawberry.argument(description="Filtres.")
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[ThreadNode] | None:
        given = filter or MessageInboxFilter()
        filters = inbox.InboxFilter(
            unread=given.unread,
            awaiting_answer=given.awaiting_answer,
            assigned_to_me=given.assigned_to_me,
            unassigned=given.unassigned,
            status=ThreadStatusValue(given.status.value) if given.status else None,
            dossier_kind=given.dossier_kind,
        )
        async with info.context.read_session() as session:
            ctx = info.context.service_context(session)
            page = await inbox.inbox_page(ctx, filters, first, after)
        return threads_connection(page)
