"""Mutations of dossiers: the applicant's side files (create, complete, sign, confirm by the
mailed link, withdraw, resubmit, start a renewal); the agents instruct (assign, review, ask
for corrections, grant, refuse, close). Each takes its own input and returns its own payload
with `ok`, `errors` and what it produced; a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

import strawberry
from strawberry.file_uploads import Upload

from dossiers.dossier import filing, instruction
from dossiers.dossier.models import Dossier, DossierDocument
from dossiers.dossier.renewal import LATE_RENEWAL
from dossiers.title.models import Title
from schema.context import Info
from schema.dossier.types import DossierDocumentNode, DossierNode, visible_dossiers
from schema.errors import UserError
from schema.ids import given_uuid, uuid_of
from schema.title.types import TitleNode, today
from schema.transactions import MutationInput, run_mutation

P = TypeVar("P")


@strawberry.type(description="Le résultat d'une mutation : ok et les erreurs.")
class Outcome:
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les refus (code, champ, message) ; rien n'a changé."
    )

    @strawberry.field(description="Vrai si et seulement si il n'y a aucune erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="La valeur d'un champ du formulaire (vide : l'effacer).")
class DossierFieldInput:
    name: str = strawberry.field(description="Nom du champ (`tenant { dossierKinds { fields } }`).")
    value: str | None = strawberry.field(default=None, description="Valeur, en texte.")


def _fields(values: list[DossierFieldInput] | None) -> list[tuple[str, str | None]] | None:
    return None if values is None else [(v.name, v.value) for v in values]


@strawberry.input(description="Ouvrir une demande (brouillon).")
class CreateDossierInput:
    kind: str | None = strawberry.field(
        default=None, description="Code du type de demande (`tenant { dossierKinds }`)."
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="La personne pour qui un tiers de confiance dépose (par défaut : moi).",
    )
    establishment_id: strawberry.ID | None = strawberry.field(
        default=None, description="L'établissement, pour la demande d'une organisation."
    )
    activities: list[str] | None = strawberry.field(
        default=None, description="Codes des activités demandées (`tenant { activities }`)."
    )
    fields: list[DossierFieldInput] | None = strawberry.field(
        default=None, description="Valeurs des champs du formulaire."
    )
    renewed_title_id: strawberry.ID | None = strawberry.field(
        default=None, description="Le titre à renouveler (demande de renouvellement)."
    )


@strawberry.type(description="Résultat de createDossier.")
class CreateDossierPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="Le brouillon.")


@strawberry.input(description="Modifier un brouillon ou une demande à corriger.")
class UpdateDossierInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")
    activities: list[str] | None = strawberry.field(
        default=None, description="Les activités (remplacent les précédentes)."
    )
    fields: list[DossierFieldInput] | None = strawberry.field(
        default=None, description="Les champs à changer (les autres restent)."
    )


@strawberry.type(description="Résultat de updateDossier.")
class UpdateDossierPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Déposer une pièce (fichier PDF, PNG ou JPEG en multipart).")
class AddDossierDocumentInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")
    kind: str | None = strawberry.field(
        default=None, description="Code de la pièce exigée (`dossierKinds { documents }`)."
    )
    file: Upload | None = strawberry.field(default=None, description="Le fichier.")
    issued_on: date | None = strawberry.field(
        default=None,
        description="Date de délivrance du document (exigée quand sa durée de validité est "
        "limitée, ex. moins de trois mois).",
    )


@strawberry.type(description="Résultat de addDossierDocument.")
class AddDossierDocumentPayload(Outcome):
    document: DossierDocumentNode | None = strawberry.field(
        default=None, description="La pièce déposée."
    )
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Retirer une pièce d'un brouillon ou d'une demande à corriger.")
class RemoveDossierDocumentInput:
    document_id: strawberry.ID = strawberry.field(description="La pièce.")


@strawberry.type(description="Résultat de removeDossierDocument.")
class RemoveDossierDocumentPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(
    description="Signer la demande : les trois cases du téléservice. Un lien de confirmation "
    "est envoyé par courriel au signataire."
)
class SignDossierInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")
    certify_exact: bool = strawberry.field(
        default=False,
        description="Case « Je certifie que les informations fournies sont exactes ».",
    )
    accept_conditions: bool = strawberry.field(
        default=False,
        description="Case « Je certifie avoir lu et accepter sans réserve les conditions "
        "énoncées ».",
    )
    sign: bool = strawberry.field(default=False, description="Case « Je signe ma demande ».")


@strawberry.type(description="Résultat de signDossier.")
class SignDossierPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Confirmer le dépôt par le jeton du lien reçu par courriel.")
class ConfirmDossierSubmissionInput:
    token: str | None = strawberry.field(default=None, description="Le jeton du lien.")


@strawberry.type(description="Résultat de confirmDossierSubmission.")
class ConfirmDossierSubmissionPayload(Outcome):
    number: str | None = strawberry.field(default=None, description="Numéro de la demande.")
    dossier: DossierNode | None = strawberry.field(
        default=None, description="La demande (si la personne connectée peut la voir)."
    )
    receipt: TitleNode | None = strawberry.field(
        default=None,
        description="Le récépissé d'un renouvellement déposé trois mois au moins avant "
        "l'échéance (si la personne connectée peut le voir).",
    )
    receipt_number: str | None = strawberry.field(
        default=None, description="Numéro du récépissé délivré."
    )
    notice: str | None = strawberry.field(
        default=None,
        description="Avertissement : un renouvellement déposé trop tard n'a pas de récépissé.",
    )


@strawberry.input(description="Retirer la demande avant la décision.")
class WithdrawDossierInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")
    reason: str | None = strawberry.field(default=None, description="Motif (facultatif).")


@strawberry.type(description="Résultat de withdrawDossier.")
class WithdrawDossierPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Ouvrir le renouvellement d'un titre, prérempli depuis celui-ci.")
class StartRenewalInput:
    title_id: strawberry.ID = strawberry.field(description="Le titre à renouveler.")


@strawberry.type(description="Résultat de startRenewal.")
class StartRenewalPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="Le brouillon.")
    notice: str | None = strawberry.field(
        default=None,
        description="Avertissement : trop tard pour un récépissé (moins de trois mois avant "
        "l'échéance).",
    )


@strawberry.input(description="Attribuer une demande à un agent de sa délégation.")
class AssignDossierInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")
    agent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Le compte de l'agent (par défaut : moi)."
    )


@strawberry.type(description="Résultat de assignDossier.")
class AssignDossierPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Commencer l'instruction d'une demande déposée.")
class StartReviewInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")


@strawberry.type(description="Résultat de startReview.")
class StartReviewPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Renvoyer la demande au demandeur pour corrections.")
class RequestCorrectionsInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")
    reason: str | None = strawberry.field(default=None, description="Motif (obligatoire).")
    items: list[str] = strawberry.field(
        default_factory=list,
        description="Champs (noms) et pièces (codes) à corriger ; `activities` pour les activités.",
    )


@strawberry.type(description="Résultat de requestCorrections.")
class RequestCorrectionsPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Renvoyer à l'instruction une demande corrigée.")
class ResubmitDossierInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")


@strawberry.type(description="Résultat de resubmitDossier.")
class ResubmitDossierPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Accorder la demande : le titre est délivré aussitôt.")
class GrantDossierInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")


@strawberry.type(description="Résultat de grantDossier.")
class GrantDossierPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")
    title: TitleNode | None = strawberry.field(default=None, description="Le titre délivré.")


@strawberry.input(description="Refuser la demande, avec son motif.")
class RefuseDossierInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")
    reason: str | None = strawberry.field(default=None, description="Motif (obligatoire).")


@strawberry.type(description="Résultat de refuseDossier.")
class RefuseDossierPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


@strawberry.input(description="Classer la demande sans suite.")
class CloseDossierWithoutActionInput:
    dossier_id: strawberry.ID = strawberry.field(description="La demande.")
    reason: str | None = strawberry.field(default=None, description="Motif (facultatif).")


@strawberry.type(description="Résultat de closeDossierWithoutAction.")
class CloseDossierWithoutActionPayload(Outcome):
    dossier: DossierNode | None = strawberry.field(default=None, description="La demande.")


async def _visible(info: Info, dossier: Dossier) -> DossierNode | None:
    seen = await visible_dossiers(info, [dossier.id], [dossier])
    return DossierNode.from_row(dossier) if dossier.id in seen else None


def _dossier_payload(info: Info, payload: Callable[..., P]) -> Callable[[Dossier], Awaitable[P]]:
    """The `fill` of a mutation answering the dossier it changed (as the viewer may see it)."""

    async def fill(dossier: Dossier) -> P:
        return payload(dossier=await _visible(info, dossier))

    return fill


def _title(info: Info, title: Title | None) -> TitleNode | None:
    actor = info.context.actor
    if title is None or actor is None:
        return None
    if title.holder_person_id != actor.person_id:
        return None
    return TitleNode.from_row(title, today(info))


@strawberry.type
class DossierMutations:
    @strawberry.mutation(
        description="Ouvrir une demande : pour moi, pour une personne qui m'a mandaté (tiers "
        "de confiance, droit FILE_DOSSIERS) ou pour un établissement de mon organisation."
    )
    async def create_dossier(
        self, info: Info, input: MutationInput[CreateDossierInput]
    ) -> CreateDossierPayload:
        data = filing.NewDossier(
            kind=input.kind,
            person_id=given_uuid(input.person_id, "Person"),
            establishment_id=given_uuid(input.establishment_id, "Establishment"),
            activities=input.activities,
            fields=_fields(input.fields) or [],
            renewed_title_id=given_uuid(input.renewed_title_id, "Title"),
        )

        fill = _dossier_payload(info, CreateDossierPayload)

        return await run_mutation(
            info, lambda ctx: filing.create_dossier(ctx, data), CreateDossierPayload, fill
        )

    @strawberry.mutation(description="Modifier les activités et les champs d'une demande.")
    async def update_dossier(
        self, info: Info, input: MutationInput[UpdateDossierInput]
    ) -> UpdateDossierPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")
        change = filing.DossierChange(activities=input.activities, fields=_fields(input.fields))

        fill = _dossier_payload(info, UpdateDossierPayload)

        return await run_mutation(
            info,
            lambda ctx: filing.update_dossier(ctx, dossier_id, change),
            UpdateDossierPayload,
            fill,
        )

    @strawberry.mutation(description="Déposer une pièce dans une demande.")
    async def add_dossier_document(
        self, info: Info, input: MutationInput[AddDossierDocumentInput]
    ) -> AddDossierDocumentPayload:
        files = info.context.services.files
        dossier_id = uuid_of(input.dossier_id, "Dossier")

        async def fill(result: tuple[Dossier, DossierDocument]) -> AddDossierDocumentPayload:
            dossier, document = result
            return AddDossierDocumentPayload(
                document=DossierDocumentNode.from_row(document),
                dossier=await _visible(info, dossier),
            )

        return await run_mutation(
            info,
            lambda ctx: filing.add_document(
                ctx, files, dossier_id, input.kind, input.file, input.issued_on
            ),
            AddDossierDocumentPayload,
            fill,
        )

    @strawberry.mutation(description="Retirer une pièce d'une demande.")
    async def remove_dossier_document(
        self, info: Info, input: MutationInput[RemoveDossierDocumentInput]
    ) -> RemoveDossierDocumentPayload:
        document_id = uuid_of(input.document_id, "DossierDocument")

        fill = _dossier_payload(info, RemoveDossierDocumentPayload)

        return await run_mutation(
            info,
            lambda ctx: filing.remove_document(ctx, document_id),
            RemoveDossierDocumentPayload,
            fill,
        )

    @strawberry.mutation(
        description="Signer la demande complète : un lien de confirmation est envoyé par "
        "courriel ; signer à nouveau envoie un nouveau lien."
    )
    async def sign_dossier(
        self, info: Info, input: MutationInput[SignDossierInput]
    ) -> SignDossierPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")
        signature = filing.Signature(input.certify_exact, input.accept_conditions, input.sign)

        fill = _dossier_payload(info, SignDossierPayload)

        return await run_mutation(
            info,
            lambda ctx: filing.sign_dossier(ctx, dossier_id, signature),
            SignDossierPayload,
            fill,
        )

    @strawberry.mutation(
        description="Confirmer le dépôt par le lien reçu (sans connexion) : la demande est "
        "déposée auprès de la délégation du domicile et numérotée ; un renouvellement déposé "
        "à temps reçoit aussitôt son récépissé."
    )
    async def confirm_dossier_submission(
        self, info: Info, input: MutationInput[ConfirmDossierSubmissionInput]
    ) -> ConfirmDossierSubmissionPayload:
        async def fill(result: filing.Confirmed) -> ConfirmDossierSubmissionPayload:
            notice = LATE_RENEWAL.get(info.context.locale) if result.late_renewal else None
            return ConfirmDossierSubmissionPayload(
                number=result.dossier.number,
                dossier=await _visible(info, result.dossier),
                receipt=_title(info, result.receipt),
                receipt_number=result.receipt.number if result.receipt else None,
                notice=notice,
            )

        return await run_mutation(
            info,
            lambda ctx: filing.confirm_submission(ctx, input.token),
            ConfirmDossierSubmissionPayload,
            fill,
        )

    @strawberry.mutation(description="Retirer la demande avant la décision.")
    async def withdraw_dossier(
        self, info: Info, input: MutationInput[WithdrawDossierInput]
    ) -> WithdrawDossierPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")

        fill = _dossier_payload(info, WithdrawDossierPayload)

        return await run_mutation(
            info,
            lambda ctx: filing.withdraw_dossier(ctx, dossier_id, input.reason),
            WithdrawDossierPayload,
            fill,
        )

    @strawberry.mutation(
        description="Ouvrir le renouvellement d'une carte (ou d'un agrément), prérempli : "
        "possible dès six mois avant l'échéance et tant que le titre est valide."
    )
    async def start_renewal(
        self, info: Info, input: MutationInput[StartRenewalInput]
    ) -> StartRenewalPayload:
        title_id = uuid_of(input.title_id, "Title")

        async def fill(started: filing.Started) -> StartRenewalPayload:
            notice = LATE_RENEWAL.get(info.context.locale) if started.late else None
            return StartRenewalPayload(dossier=await _visible(info, started.dossier), notice=notice)

        return await run_mutation(
            info, lambda ctx: filing.start_renewal(ctx, title_id), StartRenewalPayload, fill
        )

    @strawberry.mutation(description="Agents : attribuer une demande à un agent de la délégation.")
    async def assign_dossier(
        self, info: Info, input: MutationInput[AssignDossierInput]
    ) -> AssignDossierPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")
        agent_id = given_uuid(input.agent_id, "Account")

        fill = _dossier_payload(info, AssignDossierPayload)

        return await run_mutation(
            info,
            lambda ctx: instruction.assign(ctx, dossier_id, agent_id),
            AssignDossierPayload,
            fill,
        )

    @strawberry.mutation(description="Agents : commencer l'instruction d'une demande déposée.")
    async def start_review(
        self, info: Info, input: MutationInput[StartReviewInput]
    ) -> StartReviewPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")

        fill = _dossier_payload(info, StartReviewPayload)

        return await run_mutation(
            info, lambda ctx: instruction.start_review(ctx, dossier_id), StartReviewPayload, fill
        )

    @strawberry.mutation(
        description="Agents : renvoyer la demande au demandeur, avec le motif et ce qu'il faut "
        "corriger."
    )
    async def request_corrections(
        self, info: Info, input: MutationInput[RequestCorrectionsInput]
    ) -> RequestCorrectionsPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")

        fill = _dossier_payload(info, RequestCorrectionsPayload)

        return await run_mutation(
            info,
            lambda ctx: instruction.request_corrections(ctx, dossier_id, input.reason, input.items),
            RequestCorrectionsPayload,
            fill,
        )

    @strawberry.mutation(description="Renvoyer à l'instruction une demande corrigée.")
    async def resubmit_dossier(
        self, info: Info, input: MutationInput[ResubmitDossierInput]
    ) -> ResubmitDossierPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")

        fill = _dossier_payload(info, ResubmitDossierPayload)

        return await run_mutation(
            info,
            lambda ctx: filing.resubmit_dossier(ctx, dossier_id),
            ResubmitDossierPayload,
            fill,
        )

    @strawberry.mutation(
        description="Agents : accorder la demande ; le titre est délivré aussitôt (numéro, "
        "validité, activités, titulaire)."
    )
    async def grant_dossier(
        self, info: Info, input: MutationInput[GrantDossierInput]
    ) -> GrantDossierPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")

        async def fill(result: tuple[Dossier, Title]) -> GrantDossierPayload:
            dossier, title = result
            return GrantDossierPayload(
                dossier=await _visible(info, dossier), title=TitleNode.from_row(title, today(info))
            )

        return await run_mutation(
            info, lambda ctx: instruction.grant(ctx, dossier_id), GrantDossierPayload, fill
        )

    @strawberry.mutation(description="Agents : refuser la demande, avec son motif.")
    async def refuse_dossier(
        self, info: Info, input: MutationInput[RefuseDossierInput]
    ) -> RefuseDossierPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")

        fill = _dossier_payload(info, RefuseDossierPayload)

        return await run_mutation(
            info,
            lambda ctx: instruction.refuse(ctx, dossier_id, input.reason),
            RefuseDossierPayload,
            fill,
        )

    @strawberry.mutation(description="Agents : classer la demande sans suite.")
    async def close_dossier_without_action(
        self, info: Info, input: MutationInput[CloseDossierWithoutActionInput]
    ) -> CloseDossierWithoutActionPayload:
        dossier_id = uuid_of(input.dossier_id, "Dossier")

        fill = _dossier_payload(info, CloseDossierWithoutActionPayload)

        return await run_mutation(
            info,
            lambda ctx: instruction.close(ctx, dossier_id, input.reason),
            CloseDossierWithoutActionPayload,
            fill,
        )
