"""Organisation fields of the audit log: what was done in the organisation's name."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from auth.audit import queries as audit_log
from auth.policy import Action, organisation_resource
from schema.audit.types import AuditEventNode
from schema.context import Info
from schema.guards import require
from schema.pagination import After, Connection, First, nested_page, to_connection

if TYPE_CHECKING:
    from tenants.organisations import Organisation as OrganisationRow


@strawberry.type
class OrganisationAuditFields:
    if TYPE_CHECKING:
        row: OrganisationRow  # declared by OrganisationNode

    @strawberry.field(
        description="Ce qui a été fait au nom de l'organisation ou sur elle, le plus récent "
        "d'abord : qui, à quel titre, sur quel fondement (administrateur seulement)."
    )
    async def audit_events(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[AuditEventNode] | None:
        require(info, Action.VIEW_ORGANISATION_AUDIT, organisation_resource(self.row))
        page = await nested_page(info, audit_log.in_name_of, self.row.id, first, after)
        return to_connection(page, AuditEventNode.from_row)
