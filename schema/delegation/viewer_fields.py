"""Viewer fields of delegation: the organisations the viewer acts for (memberships), the
mandates the viewer gave (or is asked for), and the mandates held by the organisations the
viewer acts for as trusted third party."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from auth.delegation.mandate_reads import mandates_page
from auth.policy import Action, organisations_where
from schema.context import Info
from schema.delegation.members import MembershipNode, person_memberships
from schema.delegation.types import MandateNode, MandateStatus, paris_today
from schema.guards import person_resource, require
from schema.pagination import After, Connection, First, to_connection


@strawberry.type
class ViewerDelegationFields:
    person_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="Les organisations pour lesquelles la personne agit : une adhésion par "
        "organisation, avec son rôle et ses droits (l'organisation est dans `organisation`)."
    )
    async def memberships(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[MembershipNode] | None:
        return await person_memberships(info, self.person_id, first, after)

    @strawberry.field(
        description="Mes mandats : ceux que j'ai donnés et les demandes qui me sont faites "
        "(à accepter ou refuser), les plus récents d'abord ; statut effectif."
    )
    async def mandates_given(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        status: Annotated[
            MandateStatus | None,
            strawberry.argument(description="Seulement les mandats de ce statut."),
        ] = None,
    ) -> Connection[MandateNode] | None:
        require(info, Action.VIEW_PERSON, person_resource(self.person_id))
        today = paris_today(info)
        async with info.context.read_session() as session:
            page = await mandates_page(
                session,
                today,
                first,
                after,
                person_id=self.person_id,
                status=getattr(status, "value", None),
            )
        return to_connection(page, lambda row: MandateNode.from_row(row, today))

    @strawberry.field(
        description="Les mandats détenus ou demandés par les organisations pour lesquelles "
        "j'agis comme tiers de confiance (administrateur, ou gestionnaire qui en a le droit)."
    )
    async def mandates_received(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        status: Annotated[
            MandateStatus | None,
            strawberry.argument(description="Seulement les mandats de ce statut."),
        ] = None,
    ) -> Connection[MandateNode] | None:
        organisations = organisations_where(info.context.actor, Action.MANAGE_MANDATES)
        today = paris_today(info)
        async with info.context.read_session() as session:
            page = await mandates_page(
                session,
                today,
                first,
                after,
                organisation_ids=organisations,
                status=getattr(status, "value", None),
            )
        return to_connection(page, lambda row: MandateNode.from_row(row, today))
