"""Mutations of organisation accounts: register, complete, resubmit, validate, reject,
establishments. Files travel as `Upload`s (GraphQL multipart request spec)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import strawberry
from strawberry.file_uploads import Upload

from auth.account.onboarding import AddressData
from auth.organisation import registration as organisations
from auth.organisation import review as organisation_review
from auth.organisation.request_fields import DocumentUpload, OrganisationData, RepresentativeData
from auth.standing import MembershipFact
from schema.account.mutations import AddressInput
from schema.context import Info
from schema.ids import uuid_of
from schema.organisation.enums import DocumentKind
from schema.organisation.request_fields import EstablishmentNode, OrganisationDocumentNode
from schema.organisation.types import OrganisationNode
from schema.transactions import MutationInput, MutationPayload, run_mutation
from tenants.organisations import Organisation, OrganisationDocument


@strawberry.input(description="Le représentant légal de l'organisation.")
class LegalRepresentativeInput:
    family_name: str = strawberry.field(description="Nom de famille.")
    given_names: str = strawberry.field(description="Prénoms.")
    role: str | None = strawberry.field(default=None, description="Qualité (gérant, président…).")


@strawberry.input(description="Une pièce : sa nature et le fichier (PDF, PNG ou JPEG).")
class OrganisationDocumentInput:
    kind: DocumentKind = strawberry.field(description="La nature de la pièce.")
    file: Upload = strawberry.field(description="Le fichier, partie de la requête multipart.")


@strawberry.input(
    description="Inscrire une organisation. Pièces exigées : extrait Kbis, pièce d'identité "
    "du représentant légal et, si le demandeur n'est pas le représentant, mandat signé."
)
class RegisterOrganisationInput:
    kind: str = strawberry.field(
        description="Code d'une sorte d'organisation (`tenant { organisationKinds }`)."
    )
    name: str = strawberry.field(description="Raison sociale.")
    siren: str = strawberry.field(description="9 chiffres (espaces admis).")
    head_office_siret: str = strawberry.field(
        description="SIRET du siège : 14 chiffres, le SIREN suivi du NIC."
    )
    address: AddressInput = strawberry.field(
        description="Adresse du siège : son code postal désigne la délégation."
    )
    legal_representative: LegalRepresentativeInput = strawberry.field(
        description="Le représentant légal."
    )
    applicant_is_representative: bool = strawberry.field(
        default=True,
        description="Vrai si la personne connectée est le représentant légal (sinon, un "
        "mandat signé est exigé parmi les pièces).",
    )
    documents: list[OrganisationDocumentInput] = strawberry.field(
        default_factory=list, description="Les pièces (`Organisation.requiredDocuments`)."
    )


@strawberry.input(
    description="Compléter une demande en attente ou corriger une demande refusée : seuls "
    "les champs donnés changent."
)
class UpdateOrganisationRequestInput:
    organisation_id: strawberry.ID = strawberry.field(description="L'organisation.")
    kind: str | None = strawberry.field(
        default=None, description="Nouvelle sorte d'organisation (absente : inchangée)."
    )
    name: str | None = strawberry.field(
        default=None, description="Nouvelle raison sociale (absente : inchangée)."
    )
    siren: str | None = strawberry.field(
        default=None, description="Nouveau SIREN (absent : inchangé)."
    )
    head_office_siret: str | None = strawberry.field(
        default=None, description="Nouveau SIRET du siège (absent : inchangé)."
    )
    address: AddressInput | None = strawberry.field(
        default=None, description="Nouvelle adresse du siège, entière (absente : inchangée)."
    )
    legal_representative: LegalRepresentativeInput | None = strawberry.field(
        default=None, description="Nouveau représentant légal, entier (absent : inchangé)."
    )
    applicant_is_representative: bool | None = strawberry.field(
        default=None,
        description="Le demandeur est-il le représentant légal (absent : inchangé) ?",
    )


@strawberry.input(description="Entrée de `addOrganisationDocument`.")
class AddOrganisationDocumentInput:
    organisation_id: strawberry.ID = strawberry.field(description="L'organisation.")
    kind: DocumentKind = strawberry.field(description="La nature de la pièce.")
    file: Upload = strawberry.field(description="Le fichier (PDF, PNG ou JPEG).")
    replace_existing: bool = strawberry.field(
        default=False, description="Retirer d'abord les pièces de cette nature."
    )


@strawberry.input(description="Entrée de `resubmitOrganisation`.")
class ResubmitOrganisationInput:
    organisation_id: strawberry.ID = strawberry.field(
        description="L'organisation dont la demande refusée est soumise à nouveau."
    )


@strawberry.input(description="Entrée de `validateOrganisation`.")
class ValidateOrganisationInput:
    organisation_id: strawberry.ID = strawberry.field(
        description="L'organisation dont la demande est validée."
    )


@strawberry.input(description="Entrée de `rejectOrganisation`.")
class RejectOrganisationInput:
    organisation_id: strawberry.ID = strawberry.field(
        description="L'organisation dont la demande est refusée."
    )
    reason: str = strawberry.field(description="Motif du refus, envoyé au demandeur (obligatoire).")


@strawberry.input(description="Entrée de `addEstablishment`.")
class AddEstablishmentInput:
    organisation_id: strawberry.ID = strawberry.field(description="L'organisation, validée.")
    siret: str = strawberry.field(
        description="SIRET de l'établissement : 14 chiffres (espaces admis)."
    )
    name: str = strawberry.field(description="Nom de l'établissement.")
    address: AddressInput | None = strawberry.field(
        default=None, description="Adresse de l'établissement."
    )


@strawberry.type(description="Ce que répondent les mutations qui changent une organisation.")
class OrganisationResult(MutationPayload):
    organisation: OrganisationNode | None = strawberry.field(
        default=None, description="L'organisation, dans son nouvel état."
    )


@strawberry.type(description="Réponse de `registerOrganisation`.")
class RegisterOrganisationPayload(OrganisationResult):
    pass


@strawberry.type(description="Réponse de `updateOrganisationRequest`.")
class UpdateOrganisationRequestPayload(OrganisationResult):
    pass


@strawberry.type(description="Réponse de `resubmitOrganisation`.")
class ResubmitOrganisationPayload(OrganisationResult):
    pass


@strawberry.type(description="Réponse de `validateOrganisation`.")
class ValidateOrganisationPayload(OrganisationResult):
    pass


@strawberry.type(description="Réponse de `rejectOrganisation`.")
class RejectOrganisationPayload(OrganisationResult):
    pass


@strawberry.type(description="Réponse de `addOrganisationDocument`.")
class AddOrganisationDocumentPayload(MutationPayload):
    document: OrganisationDocumentNode | None = strawberry.field(
        default=None, description="La pièce ajoutée."
    )
    organisation: OrganisationNode | None = strawberry.field(
        default=None, description="L'organisation, avec ses pièces à jour."
    )


@strawberry.type(description="Réponse de `addEstablishment`.")
class AddEstablishmentPayload(MutationPayload):
    establishment: EstablishmentNode | None = strawberry.field(
        default=None, description="L'établissement ajouté."
    )


def _address(value: AddressInput | None) -> AddressData | None:
    if value is None:
        return None
    return AddressData(value.line1, value.line2, value.postal_code, value.city, value.country)


def _representative(value: LegalRepresentativeInput | None) -> RepresentativeData | None:
    if value is None:
        return None
    return RepresentativeData(value.family_name, value.given_names, value.role)


def _organisation_data(
    value: RegisterOrganisationInput | UpdateOrganisationRequestInput,
) -> OrganisationData:
    documents = getattr(value, "documents", [])
    return OrganisationData(
        kind=value.kind,
        name=value.name,
        siren=value.siren,
        head_office_siret=value.head_office_siret,
        address=_address(value.address),
        representative=_representative(value.legal_representative),
        applicant_is_representative=value.applicant_is_representative,
        documents=[DocumentUpload(str(d.kind.value), d.file) for d in documents],
    )


Result = TypeVar("Result", bound=OrganisationResult)


def _organisation(info: Info, payload: Callable[..., Result]) -> Callable[[Organisation], Result]:
    return lambda row: payload(organisation=OrganisationNode.from_row_in(info, row))


def _registered(info: Info, result: organisations.Registered) -> RegisterOrganisationPayload:
    actor = info.context.actor
    if actor is not None:  # the rest of this response sees the new membership
        membership = result.membership
        fact = MembershipFact(
            membership.id,
            membership.organisation_id,
            membership.role,
            frozenset(),
            result.organisation.status,
        )
        info.context.actor = replace(actor, memberships=(*actor.memberships, fact))
    return RegisterOrganisationPayload(
        organisation=OrganisationNode.from_row_in(info, result.organisation)
    )


def _document_added(
    info: Info, result: tuple[Organisation, OrganisationDocument]
) -> AddOrganisationDocumentPayload:
    organisation, document = result
    return AddOrganisationDocumentPayload(
        document=OrganisationDocumentNode.from_row(document),
        organisation=OrganisationNode.from_row_in(info, organisation),
    )


@strawberry.type
class OrganisationMutations:
    @strawberry.mutation(
        description="Inscrire une organisation avec ses pièces : elle attend la validation de "
        "l'autorité ; la personne connectée en devient l'administrateur."
    )
    async def register_organisation(
        self, info: Info, input: MutationInput[RegisterOrganisationInput]
    ) -> RegisterOrganisationPayload:
        files = info.context.services.files
        data = _organisation_data(input)
        return await run_mutation(
            info,
            lambda ctx: organisations.register_organisation(ctx, files, data),
            RegisterOrganisationPayload,
            lambda result: _registered(info, result),
        )

    @strawberry.mutation(description="Compléter ou corriger la demande (administrateur).")
    async def update_organisation_request(
        self, info: Info, input: MutationInput[UpdateOrganisationRequestInput]
    ) -> UpdateOrganisationRequestPayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        data = _organisation_data(input)
        return await run_mutation(
            info,
            lambda ctx: organisations.update_request(ctx, organisation_id, data),
            UpdateOrganisationRequestPayload,
            _organisation(info, UpdateOrganisationRequestPayload),
        )

    @strawberry.mutation(description="Ajouter (ou remplacer) une pièce de la demande.")
    async def add_organisation_document(
        self, info: Info, input: MutationInput[AddOrganisationDocumentInput]
    ) -> AddOrganisationDocumentPayload:
        files = info.context.services.files
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        upload = DocumentUpload(str(input.kind.value), input.file)
        return await run_mutation(
            info,
            lambda ctx: organisations.add_document(
                ctx, files, organisation_id, upload, input.replace_existing
            ),
            AddOrganisationDocumentPayload,
            lambda result: _document_added(info, result),
        )

    @strawberry.mutation(description="Soumettre à nouveau une demande refusée, corrigée.")
    async def resubmit_organisation(
        self, info: Info, input: MutationInput[ResubmitOrganisationInput]
    ) -> ResubmitOrganisationPayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: organisations.resubmit(ctx, organisation_id),
            ResubmitOrganisationPayload,
            _organisation(info, ResubmitOrganisationPayload),
        )

    @strawberry.mutation(description="Valider une demande (agent de la délégation).")
    async def validate_organisation(
        self, info: Info, input: MutationInput[ValidateOrganisationInput]
    ) -> ValidateOrganisationPayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: organisation_review.validate(ctx, organisation_id),
            ValidateOrganisationPayload,
            _organisation(info, ValidateOrganisationPayload),
        )

    @strawberry.mutation(description="Refuser une demande avec un motif (agent de la délégation).")
    async def reject_organisation(
        self, info: Info, input: MutationInput[RejectOrganisationInput]
    ) -> RejectOrganisationPayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: organisation_review.reject(ctx, organisation_id, input.reason),
            RejectOrganisationPayload,
            _organisation(info, RejectOrganisationPayload),
        )

    @strawberry.mutation(description="Ajouter un établissement (SIRET) à une organisation validée.")
    async def add_establishment(
        self, info: Info, input: MutationInput[AddEstablishmentInput]
    ) -> AddEstablishmentPayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: organisations.add_establishment(
                ctx, organisation_id, input.siret, input.name, _address(input.address)
            ),
            AddEstablishmentPayload,
            lambda row: AddEstablishmentPayload(establishment=EstablishmentNode.from_row(row)),
        )
