"""Webhook mutations: register an endpoint, rotate its secret, delete it."""

from __future__ import annotations

import strawberry

from dossiers.webhooks import endpoints as service
from dossiers.webhooks.models import WebhookEventType as WebhookEventTypeValue
from schema.context import Info
from schema.ids import uuid_of
from schema.transactions import MutationInput, MutationPayload, run_mutation
from schema.webhooks.types import WebhookEndpointNode, WebhookEventType


@strawberry.input(description="Entrée de `createWebhookEndpoint`.")
class CreateWebhookEndpointInput:
    organisation_id: strawberry.ID = strawberry.field(
        description="L'organisation (vous en êtes l'administrateur)."
    )
    url: str = strawberry.field(
        description="L'adresse https:// où envoyer les événements (2000 caractères au plus)."
    )
    event_types: list[WebhookEventType] = strawberry.field(
        description="Les types d'événements à envoyer (au moins un)."
    )


@strawberry.input(description="Entrée de `rotateWebhookSecret`.")
class RotateWebhookSecretInput:
    endpoint_id: strawberry.ID = strawberry.field(description="Le point de réception.")


@strawberry.input(description="Entrée de `deleteWebhookEndpoint`.")
class DeleteWebhookEndpointInput:
    endpoint_id: strawberry.ID = strawberry.field(description="Le point de réception.")


@strawberry.type(description="Réponse de `createWebhookEndpoint`.")
class CreateWebhookEndpointPayload(MutationPayload):
    endpoint: WebhookEndpointNode | None = strawberry.field(
        default=None, description="Le point de réception enregistré."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="Son secret (`whsec_…`), montré cette seule fois : gardez-le pour "
        "vérifier les signatures.",
    )


@strawberry.type(description="Réponse de `rotateWebhookSecret`.")
class RotateWebhookSecretPayload(MutationPayload):
    endpoint: WebhookEndpointNode | None = strawberry.field(
        default=None, description="Le point de réception."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="Le nouveau secret, montré cette seule fois ; l'ancien ne signe plus rien.",
    )


@strawberry.type(description="Réponse de `deleteWebhookEndpoint`.")
class DeleteWebhookEndpointPayload(MutationPayload):
    endpoint_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="L'identifiant du point de réception supprimé (pour l'ôter d'un cache).",
    )


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Enregistrer un point de réception de webhooks pour une organisation "
        "(administrateur) ; son secret n'est montré qu'ici."
    )
    async def create_webhook_endpoint(
        self, info: Info, input: MutationInput[CreateWebhookEndpointInput]
    ) -> CreateWebhookEndpointPayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        types = [WebhookEventTypeValue(t.value) for t in input.event_types]
        return await run_mutation(
            info,
            lambda ctx: service.create_endpoint(ctx, organisation_id, input.url, types),
            CreateWebhookEndpointPayload,
            lambda made: CreateWebhookEndpointPayload(
                endpoint=WebhookEndpointNode.from_row(made.endpoint), secret=made.secret
            ),
        )

    @strawberry.mutation(
        description="Renouveler le secret d'un point de réception (administrateur) ; le "
        "nouveau n'est montré qu'ici."
    )
    async def rotate_webhook_secret(
        self, info: Info, input: MutationInput[RotateWebhookSecretInput]
    ) -> RotateWebhookSecretPayload:
        endpoint_id = uuid_of(input.endpoint_id, "WebhookEndpoint")
        return await run_mutation(
            info,
            lambda ctx: service.rotate_secret(ctx, endpoint_id),
            RotateWebhookSecretPayload,
            lambda made: RotateWebhookSecretPayload(
                endpoint=WebhookEndpointNode.from_row(made.endpoint), secret=made.secret
            ),
        )

    @strawberry.mutation(
        description="Supprimer un point de réception et son journal (administrateur) ; ses "
        "envois en attente ne partent pas."
    )
    async def delete_webhook_endpoint(
        self, info: Info, input: MutationInput[DeleteWebhookEndpointInput]
    ) -> DeleteWebhookEndpointPayload:
        endpoint_id = uuid_of(input.endpoint_id, "WebhookEndpoint")
        return await run_mutation(
            info,
            lambda ctx: service.delete_endpoint(ctx, endpoint_id),
            DeleteWebhookEndpointPayload,
            lambda _id: DeleteWebhookEndpointPayload(endpoint_id=input.endpoint_id),
        )
