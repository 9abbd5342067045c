"""Viewer fields of delegation: the mandates the viewer gave (or is asked for), and the
mandates held by the organisations the viewer acts for as trusted third party."""

from __future__ import annotations

import uuid

import strawberry

from auth.delegation import mandates as mandate_rules
from auth.policy import Action, Resource, decide, organisations_where
from schema.context import Info
from schema.delegation.types import MandateNode, MandateStatus, paris_today
from schema.pagination import Connection, to_connection
from tenants.mandates import Mandate
from tenants.pagination import paginate


@strawberry.type
class ViewerDelegationFields:
    person_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="Mes mandats : ceux que j'ai donnés et les demandes qui me sont faites "
        "(à accepter ou refuser), les plus récents d'abord ; statut effectif."
    )
    async def mandates_given(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: MandateStatus | None = None,
    ) -> Connection[MandateNode]:
        decide(
            info.context.actor,
            Action.VIEW_PERSON,
            Resource("Person", self.person_id, owner_person_id=self.person_id),
        ).require()
        today = paris_today(info)
        query = mandate_rules.mandates_query(
            today, person_id=self.person_id, status=getattr(status, "value", None)
        )
        async with info.context.read_session() as session:
            page = await paginate(session, query, Mandate.created_at, Mandate.id, first, after)
        return to_connection(page, lambda row: MandateNode.from_row(row, today))

    @strawberry.field(
        description="Les mandats détenus ou demandés par les organisations pour lesquelles "
        "j'agis comme tiers de confiance (administrateur, ou gestionnaire qui en a le droit)."
    )
    async def mandates_received(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: MandateStatus | None = None,
    ) -> Connection[MandateNode]:
        organisations = organisations_where(info.context.actor, Action.MANAGE_MANDATES)
        today = paris_today(info)
        query = mandate_rules.mandates_query(
            today, organisation_ids=organisations, status=getattr(status, "value", None)
        )
        async with info.context.read_session() as session:
            page = await paginate(session, query, Mandate.created_at, Mandate.id, first, after)
        return to_connection(page, lambda row: MandateNode.from_row(row, today))
