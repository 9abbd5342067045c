"""Queries of organisation accounts: the authority's list of requests to review."""

from __future__ import annotations

from typing import Annotated

import strawberry

from auth.organisation import review as organisation_review
from schema.context import Info
from schema.organisation.enums import OrganisationStatus
from schema.organisation.types import OrganisationNode
from schema.pagination import After, Connection, First, to_connection
from tenants import organisations as o


@strawberry.type
class OrganisationQueries:
    @strawberry.field(
        description="Agents de l'autorité : les demandes de compte d'organisation de leurs "
        "délégations (et celles sans délégation), dans un état (par défaut en attente de "
        "validation), la dernière soumise d'abord."
    )
    async def organisation_requests(
        self,
        info: Info,
        status: Annotated[
            OrganisationStatus,
            strawberry.argument(description="Seulement les demandes de ce statut."),
        ] = OrganisationStatus.PENDING_VALIDATION,
        first: First = 20,
        after: After = None,
    ) -> Connection[OrganisationNode] | None:
        wanted = o.OrganisationStatus(status.value)
        async with info.context.read_session() as session:
            ctx = info.context.service_context(session)
            page = await organisation_review.list_requests(ctx, wanted, first, after)
        return to_connection(page, lambda row: OrganisationNode.from_row_in(info, row))
