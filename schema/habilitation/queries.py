"""Queries of habilitations: the FINESS directory, and the requests a manager reviews."""

from __future__ import annotations

from typing import Annotated

import strawberry

from auth.habilitation import requests as request_rules
from auth.habilitation.structures import search_structures
from auth.policy import Action, offered
from schema.context import Info
from schema.habilitation.types import HabilitationRequestNode, StructureNode
from schema.pagination import After, Connection, First, empty_connection, to_connection


@strawberry.type
class HabilitationQueries:
    @strawberry.field(
        description="Le répertoire FINESS : une structure par son N°FINESS (9 caractères), ou "
        "les structures dont le nom, la commune ou le code postal contiennent tous les mots "
        "cherchés (2 caractères au moins). Vide sur un portail sans habilitations."
    )
    async def structures(
        self,
        info: Info,
        search: Annotated[
            str, strawberry.argument(description="N°FINESS, ou mots du nom et de la ville.")
        ],
        first: First = 20,
        after: After = None,
    ) -> Connection[StructureNode] | None:
        if not offered(info.context.pack.slug, Action.REQUEST_HABILITATION):
            return empty_connection(first, after)
        async with info.context.read_session() as session:
            ctx = info.context.service_context(session)
            page = await search_structures(ctx, search, first, after)
        return to_connection(page, StructureNode.from_row)

    @strawberry.field(
        description="Gestionnaires d'applications : les demandes d'habilitation en attente pour "
        "leurs applications (adresse du demandeur confirmée), la plus récente d'abord. Refusé "
        "(NOT_APPLICATION_MANAGER) à qui ne gère aucune application."
    )
    async def habilitation_requests_to_review(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[HabilitationRequestNode] | None:
        if not offered(info.context.pack.slug, Action.REVIEW_HABILITATIONS):
            return empty_connection(first, after)
        locale = info.context.locale
        async with info.context.read_session() as session:
            ctx = info.context.service_context(session)
            page = await request_rules.requests_to_review(ctx, first, after)
        return to_connection(page, lambda row: HabilitationRequestNode.from_row(row, locale))
