"""Viewer fields of the company space: the alerts of every organisation whose employees the
viewer manages, and the viewer's own titles."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy import select

from auth.policy import Action, Resource, decide, offered, organisations_where
from dossiers.company.models import Alert
from schema.company.types import AlertNode, TitleNode, person_titles
from schema.context import Info
from schema.pagination import Connection, to_connection
from tenants.pagination import Page, check_first, paginate


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
        first: int | None = 20,
        after: str | None = None,
        unread_only: bool = False,
    ) -> Connection[AlertNode]:
        organisations = organisations_where(info.context.actor, Action.MANAGE_EMPLOYEES)
        if not organisations:
            check_first(first)
            return to_connection(Page([], False, after is not None, 0), AlertNode.from_row)
        query = select(Alert).where(Alert.organisation_id.in_(organisations))
        if unread_only:
            query = query.where(Alert.read_at.is_(None))
        async with info.context.read_session() as session:
            page = await paginate(session, query, Alert.created_at, Alert.id, first, after)
        return to_connection(page, AlertNode.from_row)

    @strawberry.field(description="Mes titres (cartes, autorisations), les plus récents d'abord.")
    async def titles(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[TitleNode]:
        if not offered(info.context.pack.slug, Action.VIEW_PERSON_TITLES):
            check_first(first)
            return to_connection(Page([], False, after is not None, 0), lambda row: row)
        decide(
            info.context.actor,
            Action.VIEW_PERSON_TITLES,
            Resource("Person", self.person_id, owner_person_id=self.person_id),
        ).require()
        return await person_titles(info, self.person_id, first, after)
