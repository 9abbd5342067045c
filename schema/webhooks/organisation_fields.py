"""Organisation fields of webhooks: its endpoints (administrator only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from auth.policy import Action, organisation_resource
from dossiers.webhooks import endpoints as service
from schema.context import Info
from schema.guards import require
from schema.pagination import After, Connection, First, nested_page, to_connection
from schema.webhooks.types import WebhookEndpointNode

if TYPE_CHECKING:
    from tenants.organisations import Organisation as OrganisationRow


@strawberry.type
class OrganisationWebhookFields:
    if TYPE_CHECKING:
        row: OrganisationRow  # declared by OrganisationNode

    @strawberry.field(
        description="Les points de réception de webhooks de l'organisation, le plus récent "
        "d'abord (administrateur seulement)."
    )
    async def webhook_endpoints(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[WebhookEndpointNode] | None:
        require(info, Action.MANAGE_WEBHOOKS, organisation_resource(self.row))
        page = await nested_page(info, service.endpoints_of, self.row.id, first, after)
        return to_connection(page, WebhookEndpointNode.from_row)
