"""Queries of dossiers: the agents' queue."""

from __future__ import annotations

from typing import Annotated

import strawberry

from dossiers.dossier import instruction
from dossiers.dossier import models as m
from schema.context import Info
from schema.dossier.enums import DossierStatus
from schema.dossier.types import DossierNode
from schema.pagination import Connection, to_connection


@strawberry.type
class DossierQueries:
    @strawberry.field(
        description="Agents de l'autorité : les demandes déposées que leurs délégations "
        "instruisent, la plus ancienne déposée d'abord. Par défaut celles en cours "
        "d'instruction (déposées, en instruction, à corriger). Refusé (null, avec le code de "
        "l'erreur) à qui n'est pas agent."
    )
    async def dossier_queue(
        self,
        info: Info,
        status: Annotated[
            list[DossierStatus] | None,
            strawberry.argument(description="États voulus (par défaut : ceux de l'instruction)."),
        ] = None,
        kind: Annotated[str | None, strawberry.argument(description="Type de demande.")] = None,
        assigned_to_me: Annotated[
            bool, strawberry.argument(description="Seulement celles qui me sont attribuées.")
        ] = False,
        unassigned: Annotated[
            bool, strawberry.argument(description="Seulement celles attribuées à personne.")
        ] = False,
        first: Annotated[
            int | None, strawberry.argument(description="Taille de la page (100 au plus).")
        ] = 20,
        after: Annotated[str | None, strawberry.argument(description="Curseur.")] = None,
    ) -> Connection[DossierNode] | None:
        wanted = instruction.QueueFilter(
            statuses=tuple(m.DossierStatus(s.value) for s in status or ()),
            kind=kind,
            assigned_to_me=assigned_to_me,
            unassigned=unassigned,
        )
        async with info.context.read_session() as session:
            ctx = info.context.service_context(session)
            page = await instruction.queue(ctx, wanted, first, after)
        return to_connection(page, DossierNode.from_row)
