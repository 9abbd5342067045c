"""Organisation fields of dossiers: the requests it filed for itself (operating
authorisations), for its administrator and the managers holding FILE_DOSSIERS; anyone else
reads null."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from auth.policy import Action, organisation_resource
from dossiers.dossier.reads import organisation_dossier_pages
from schema.context import Info
from schema.dossier.types import DossierNode
from schema.guards import allowed
from schema.pagination import After, Connection, First, nested_page, to_connection

if TYPE_CHECKING:
    from tenants.organisations import Organisation as OrganisationRow


@strawberry.type
class OrganisationDossierFields:
    if TYPE_CHECKING:
        row: OrganisationRow

    @strawberry.field(
        description="Les demandes de l'organisation pour elle-même (autorisations d'exercer), "
        "les plus récentes d'abord ; null sans le droit FILE_DOSSIERS."
    )
    async def dossiers(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[DossierNode] | None:
        if not allowed(info, Action.FILE_DOSSIER, organisation_resource(self.row)):
            return None
        page = await nested_page(info, organisation_dossier_pages, self.row.id, first, after)
        return to_connection(page, DossierNode.from_row)
