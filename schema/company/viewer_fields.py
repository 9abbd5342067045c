"""Viewer fields of the company space: the alerts of every organisation whose employees the
viewer manages, and the viewer's own titles."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from auth.policy import Action, offered, organisations_where
from dossiers.company.alerts import alerts_of
from schema.company.types import AlertNode
from schema.context import Info
from schema.guards import person_resource, require
from schema.pagination import After, Connection, First, empty_connection, to_connection
from schema.title.types import TitleNode, person_titles
from tenants.pagination import Page, check_first


@strawberry.type
class ViewerCompanyFields:
    person_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="Les alertes de toutes les organisations dont je gère les salariés "
        "(administrateur, ou gestionnaire avec ce droit), les plus récentes d'abord."
    )
    async def alerts(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Seulement les alertes non lues.")
        ] = False,
    ) -> Connection[AlertNode] | None:
        organisations = organisations_where(info.context.actor, Action.MANAGE_EMPLOYEES)
        if not organisations:
            check_first(first)
            return to_connection(Page([], False, after is not None, 0), AlertNode.from_row)
        async with info.context.read_session() as session:
            page = await alerts_of(session, organisations, unread_only, first, after)
        return to_connection(page, AlertNode.from_row)

    @strawberry.field(description="Mes titres (cartes, autorisations), les plus récents d'abord.")
    async def titles(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[TitleNode] | None:
        if not offered(info.context.pack.slug, Action.VIEW_PERSON_TITLES):
            return empty_connection(first, after)
        require(info, Action.VIEW_PERSON_TITLES, person_resource(self.person_id))
        return await person_titles(info, self.person_id, first, after)
