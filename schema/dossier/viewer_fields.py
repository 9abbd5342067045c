"""Viewer fields of dossiers: the viewer's own requests (filed by them or for them)."""

from __future__ import annotations

import uuid

import strawberry

from auth.policy import Action, Resource, offered
from dossiers.dossier.reads import person_dossier_pages
from schema.context import Info
from schema.dossier.types import DossierNode
from schema.guards import require
from schema.pagination import After, Connection, First, empty_connection, nested_page, to_connection


@strawberry.type
class ViewerDossierFields:
    person_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="Mes demandes (déposées par moi ou pour moi par un tiers de confiance), "
        "les plus récentes d'abord."
    )
    async def dossiers(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[DossierNode] | None:
        if not offered(info.context.pack.slug, Action.FOLLOW_DOSSIER):
            return empty_connection(first, after)
        require(
            info,
            Action.FOLLOW_DOSSIER,
            Resource("Dossier", None, owner_person_id=self.person_id),
        )
        page = await nested_page(info, person_dossier_pages, self.person_id, first, after)
        return to_connection(page, DossierNode.from_row)
