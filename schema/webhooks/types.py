"""`WebhookEndpoint` (a node) and its `WebhookDelivery` log: seen by the organisation's
administrator only (Action.MANAGE_WEBHOOKS); the secret is never read back."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from auth.policy import Action, Resource
from dossiers.webhooks import endpoints as service
from dossiers.webhooks import models
from dossiers.webhooks.models import WebhookDelivery as DeliveryRow
from dossiers.webhooks.models import WebhookEndpoint as EndpointRow
from schema.account.types import visible_rows
from schema.context import Info
from schema.enums import graphql_enum
from schema.guards import require
from schema.nodes import VisibleNode, register_node
from schema.pagination import After, Connection, First, nested_page, to_connection

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
    from dossiers.webhooks.models import DeliveryStatus as WebhookDeliveryStatus
    from dossiers.webhooks.models import EndpointStatus as WebhookEndpointStatus
    from dossiers.webhooks.models import WebhookEventType
else:
    WebhookEventType = graphql_enum(
        models.WebhookEventType,
        "WebhookEventType",
        "Un événement qu'une organisation peut recevoir sur ses webhooks.",
        {
            models.WebhookEventType.MESSAGE_RECEIVED: (
                "L'autorité (ou le système) a écrit dans une conversation de l'organisation"
            ),
            models.WebhookEventType.DOSSIER_STATE_CHANGED: (
                "Une demande de l'organisation (ou déposée par elle) a changé d'état"
            ),
            models.WebhookEventType.TITLE_STATUS_CHANGED: (
                "Un titre de l'organisation ou d'un de ses salariés a changé de statut"
            ),
        },
    )
    WebhookEndpointStatus = graphql_enum(
        models.EndpointStatus,
        "WebhookEndpointStatus",
        "Si un point de réception reçoit encore les événements.",
        {
            models.EndpointStatus.ACTIVE: "Actif : les événements lui sont envoyés",
            models.EndpointStatus.DISABLED: (
                "Désactivé après des échecs répétés : plus rien ne lui est envoyé"
            ),
        },
    )
    WebhookDeliveryStatus = graphql_enum(
        models.DeliveryStatus,
        "WebhookDeliveryStatus",
        "Où en est l'envoi d'un événement.",
        {
            models.DeliveryStatus.PENDING: "À envoyer (ou à réessayer) à `nextAttemptAt`",
            models.DeliveryStatus.SUCCEEDED: "Reçu : le point de réception a répondu 2xx",
            models.DeliveryStatus.FAILED: (
                "Abandonné : trop d'essais, ou point de réception désactivé"
            ),
        },
    )


def endpoint_resource(row: EndpointRow) -> Resource:
    return Resource("WebhookEndpoint", row.id, organisation_id=row.organisation_id)


@strawberry.type(
    name="WebhookDelivery",
    description="Un envoi d'un événement à un point de réception : son état, ses essais, la "
    "dernière réponse. Le contenu envoyé n'est que des identifiants et des types.",
)
class WebhookDeliveryNode:
    webhook_id: str = strawberry.field(
        description="L'en-tête `webhook-id` de l'envoi (le même à chaque essai : le "
        "destinataire s'en sert pour ignorer un doublon)."
    )
    event_type: WebhookEventType = strawberry.field(description="Le type d'événement.")
    status: WebhookDeliveryStatus = strawberry.field(description="Où en est l'envoi.")
    attempts: int = strawberry.field(description="Nombre d'essais faits.")
    last_response_code: int | None = strawberry.field(
        description="Le code HTTP de la dernière réponse (null sans réponse ou sans essai)."
    )
    last_error: str | None = strawberry.field(
        description="Pourquoi le dernier essai a échoué (null s'il a réussi ou sans essai)."
    )
    created_at: datetime = strawberry.field(description="Quand l'événement a eu lieu.")
    next_attempt_at: datetime | None = strawberry.field(
        description="Le prochain essai (null une fois reçu ou abandonné)."
    )
    delivered_at: datetime | None = strawberry.field(
        description="Quand le point de réception l'a reçu (null sinon)."
    )

    @classmethod
    def from_row(cls, row: DeliveryRow) -> WebhookDeliveryNode:
        return cls(
            webhook_id=f"msg_{row.id.hex}",
            event_type=WebhookEventType(row.event_type),
            status=WebhookDeliveryStatus(row.status),
            attempts=row.attempts,
            last_response_code=row.last_response_code,
            last_error=row.last_error,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
        )


@strawberry.type(
    name="WebhookEndpoint",
    description="Un point de réception HTTPS d'une organisation : les événements choisis lui "
    "sont envoyés, signés selon Standard Webhooks. Son secret n'est montré qu'une fois.",
)
class WebhookEndpointNode(VisibleNode):
    id: relay.NodeID[str]
    url: str = strawberry.field(description="L'adresse https:// où les événements sont envoyés.")
    event_types: list[WebhookEventType] = strawberry.field(
        description="Les types d'événements envoyés."
    )
    status: WebhookEndpointStatus = strawberry.field(description="Actif ou désactivé.")
    consecutive_failures: int = strawberry.field(
        description="Nombre d'essais en échec depuis le dernier envoi réussi."
    )
    disabled_at: datetime | None = strawberry.field(
        description="Quand il a été désactivé (null s'il est actif)."
    )
    secret_rotated_at: datetime = strawberry.field(
        description="Quand son secret a été fixé (création ou dernier renouvellement)."
    )
    created_at: datetime = strawberry.field(description="Quand il a été enregistré.")
    row: strawberry.Private[EndpointRow]

    @property
    def endpoint_id(self) -> uuid.UUID:
        return self.row.id

    @classmethod
    def from_row(cls, row: EndpointRow) -> WebhookEndpointNode:
        return cls(
            id=str(row.id),
            url=row.url,
            event_types=[WebhookEventType(t.value) for t in row.types],
            status=WebhookEndpointStatus(row.status),
            consecutive_failures=row.consecutive_failures,
            disabled_at=row.disabled_at,
            secret_rotated_at=row.secret_rotated_at,
            created_at=row.created_at,
            row=row,
        )

    @strawberry.field(
        description="Le journal des envois, le plus récent d'abord (administrateur seulement)."
    )
    async def deliveries(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[WebhookDeliveryNode] | None:
        require(info, Action.MANAGE_WEBHOOKS, endpoint_resource(self.row))
        page = await nested_page(info, service.deliveries_of, self.row.id, first, after)
        return to_connection(page, WebhookDeliveryNode.from_row)

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[WebhookEndpointNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(EndpointRow),
            endpoint_resource,
            Action.MANAGE_WEBHOOKS,
        )
        return [cls.from_row(row) if row else None for row in rows]


register_node(WebhookEndpointNode)
