"""Habilitation mutations (cnsa): ask for a profile of an application on structures, delete a
pending request; managers approve, reject, revoke. Thin wrappers over
`auth.habilitation`."""

from __future__ import annotations

import strawberry

from auth.habilitation import habilitations as habilitation_rules
from auth.habilitation import requests as request_rules
from auth.habilitation.models import Habilitation, HabilitationRequest
from auth.habilitation.requests import RequestData
from schema.context import Info
from schema.errors import UserError
from schema.habilitation.types import HabilitationNode, HabilitationRequestNode
from schema.ids import uuid_of
from schema.transactions import MutationInput, run_mutation


@strawberry.input(
    description="Une demande d'habilitation : l'application, le profil, le type de "
    "structures et les N°FINESS des structures (aucune pour un profil de gestionnaire)."
)
class RequestHabilitationInput:
    application: str = strawberry.field(description="Code de l'application (CAMSP_CMPP).")
    profile: str = strawberry.field(description="Code d'un profil de cette application.")
    structure_type: str | None = strawberry.field(
        default=None, description="Code du type de structures (ESMS) ; par défaut le seul."
    )
    finess: list[str] = strawberry.field(
        default_factory=list, description="N°FINESS des structures (50 au plus)."
    )

    def data(self) -> RequestData:
        return RequestData(
            application=self.application,
            profile=self.profile,
            structure_type=self.structure_type,
            finess=tuple(self.finess),
        )


@strawberry.type(description="Résultat de requestHabilitation.")
class RequestHabilitationPayload:
    habilitation_request: HabilitationRequestNode | None = strawberry.field(
        default=None, description="La demande, en attente."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les erreurs ; rien n'a changé s'il y en a."
    )

    @strawberry.field(description="Vrai si et seulement s'il n'y a pas d'erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="La demande en attente à supprimer.")
class DeleteHabilitationRequestInput:
    request_id: strawberry.ID = strawberry.field(description="La demande (à soi, en attente).")


@strawberry.type(description="Résultat de deleteHabilitationRequest.")
class DeleteHabilitationRequestPayload:
    habilitation_request: HabilitationRequestNode | None = strawberry.field(
        default=None, description="La demande, supprimée (WITHDRAWN)."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les erreurs ; rien n'a changé s'il y en a."
    )

    @strawberry.field(description="Vrai si et seulement s'il n'y a pas d'erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="La demande à approuver.")
class ApproveHabilitationRequestInput:
    request_id: strawberry.ID = strawberry.field(
        description="Une demande en attente d'une application que je gère."
    )


@strawberry.type(description="Résultat de approveHabilitationRequest.")
class ApproveHabilitationRequestPayload:
    habilitation: HabilitationNode | None = strawberry.field(
        default=None, description="L'habilitation accordée."
    )
    habilitation_request: HabilitationRequestNode | None = strawberry.field(
        default=None, description="La demande, approuvée."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les erreurs ; rien n'a changé s'il y en a."
    )

    @strawberry.field(description="Vrai si et seulement s'il n'y a pas d'erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="La demande à refuser, avec le motif.")
class RejectHabilitationRequestInput:
    request_id: strawberry.ID = strawberry.field(
        description="Une demande en attente d'une application que je gère."
    )
    reason: str = strawberry.field(description="Le motif, envoyé au demandeur.")


@strawberry.type(description="Résultat de rejectHabilitationRequest.")
class RejectHabilitationRequestPayload:
    habilitation_request: HabilitationRequestNode | None = strawberry.field(
        default=None, description="La demande, refusée."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les erreurs ; rien n'a changé s'il y en a."
    )

    @strawberry.field(description="Vrai si et seulement s'il n'y a pas d'erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="L'habilitation à révoquer.")
class RevokeHabilitationInput:
    habilitation_id: strawberry.ID = strawberry.field(
        description="Une habilitation d'une application que je gère."
    )


@strawberry.type(description="Résultat de revokeHabilitation.")
class RevokeHabilitationPayload:
    habilitation: HabilitationNode | None = strawberry.field(
        default=None, description="L'habilitation, révoquée."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les erreurs ; rien n'a changé s'il y en a."
    )

    @strawberry.field(description="Vrai si et seulement s'il n'y a pas d'erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.type
class HabilitationMutations:
    @strawberry.mutation(
        description="Demander un profil d'une application pour des structures ; la demande "
        "attend l'approbation d'un gestionnaire de l'application."
    )
    async def request_habilitation(
        self, info: Info, input: MutationInput[RequestHabilitationInput]
    ) -> RequestHabilitationPayload:
        locale = info.context.locale
        return await run_mutation(
            info,
            lambda ctx: request_rules.request_habilitation(ctx, input.data()),
            RequestHabilitationPayload,
            lambda row: RequestHabilitationPayload(
                habilitation_request=HabilitationRequestNode.from_row(row, locale)
            ),
        )

    @strawberry.mutation(description="Supprimer une de mes demandes en attente.")
    async def delete_habilitation_request(
        self, info: Info, input: MutationInput[DeleteHabilitationRequestInput]
    ) -> DeleteHabilitationRequestPayload:
        request_id = uuid_of(input.request_id, "HabilitationRequest")
        locale = info.context.locale
        return await run_mutation(
            info,
            lambda ctx: request_rules.delete_request(ctx, request_id),
            DeleteHabilitationRequestPayload,
            lambda row: DeleteHabilitationRequestPayload(
                habilitation_request=HabilitationRequestNode.from_row(row, locale)
            ),
        )

    @strawberry.mutation(
        description="Gestionnaires : approuver une demande, qui devient une habilitation ; "
        "le demandeur est prévenu par courriel."
    )
    async def approve_habilitation_request(
        self, info: Info, input: MutationInput[ApproveHabilitationRequestInput]
    ) -> ApproveHabilitationRequestPayload:
        request_id = uuid_of(input.request_id, "HabilitationRequest")
        locale = info.context.locale

        def approved(
            result: tuple[Habilitation, HabilitationRequest],
        ) -> ApproveHabilitationRequestPayload:
            habilitation, request = result
            return ApproveHabilitationRequestPayload(
                habilitation=HabilitationNode.from_row(habilitation),
                habilitation_request=HabilitationRequestNode.from_row(request, locale),
            )

        return await run_mutation(
            info,
            lambda ctx: request_rules.approve(ctx, request_id),
            ApproveHabilitationRequestPayload,
            approved,
        )

    @strawberry.mutation(
        description="Gestionnaires : refuser une demande avec un motif, envoyé au demandeur."
    )
    async def reject_habilitation_request(
        self, info: Info, input: MutationInput[RejectHabilitationRequestInput]
    ) -> RejectHabilitationRequestPayload:
        request_id = uuid_of(input.request_id, "HabilitationRequest")
        locale = info.context.locale
        return await run_mutation(
            info,
            lambda ctx: request_rules.reject(ctx, request_id, input.reason),
            RejectHabilitationRequestPayload,
            lambda row: RejectHabilitationRequestPayload(
                habilitation_request=HabilitationRequestNode.from_row(row, locale)
            ),
        )

    @strawberry.mutation(description="Gestionnaires : révoquer une habilitation.")
    async def revoke_habilitation(
        self, info: Info, input: MutationInput[RevokeHabilitationInput]
    ) -> RevokeHabilitationPayload:
        habilitation_id = uuid_of(input.habilitation_id, "Habilitation")
        return await run_mutation(
            info,
            lambda ctx: habilitation_rules.revoke(ctx, habilitation_id),
            RevokeHabilitationPayload,
            lambda row: RevokeHabilitationPayload(habilitation=HabilitationNode.from_row(row)),
        )
