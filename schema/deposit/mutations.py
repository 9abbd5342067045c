"""Deposit mutations (CAMSP / CMPP): deposit an activity report for a structure and a year,
move a document to the trash, restore it. Files travel as `Upload`s (multipart)."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from dossiers.deposit import deposits as rules
from dossiers.deposit.deposits import NewDeposit
from dossiers.deposit.models import ReportKind as ReportKindValue
from schema.context import Info
from schema.deposit.types import DepositNode, ReportKind
from schema.errors import UserError
from schema.ids import given_uuid, uuid_of
from schema.transactions import MutationInput, run_mutation


@strawberry.input(
    description="Un rapport d'activité à déposer pour une structure (par son identifiant ou "
    "son N°FINESS) et l'année qu'il couvre."
)
class DepositDocumentInput:
    kind: ReportKind = strawberry.field(
        description="QUANTITATIVE (Excel .xlsx) ou QUALITATIVE (Word .docx ou PDF)."
    )
    year: int = strawberry.field(description="L'année que couvre le rapport.")
    file: Upload = strawberry.field(description="Le fichier (partie multipart).")
    structure_id: strawberry.ID | None = strawberry.field(
        default=None, description="La structure (identifiant global)."
    )
    finess: str | None = strawberry.field(
        default=None, description="Ou son N°FINESS, quand l'identifiant n'est pas donné."
    )


@strawberry.type(description="Résultat de depositDocument.")
class DepositDocumentPayload:
    document: DepositNode | None = strawberry.field(default=None, description="Le document.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les erreurs ; rien n'a changé s'il y en a."
    )

    @strawberry.field(description="Vrai si et seulement s'il n'y a pas d'erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="Le document à mettre à la corbeille.")
class TrashDocumentInput:
    document_id: strawberry.ID = strawberry.field(description="Un document déposé.")


@strawberry.type(description="Résultat de trashDocument.")
class TrashDocumentPayload:
    document: DepositNode | None = strawberry.field(
        default=None, description="Le document, dans la corbeille."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les erreurs ; rien n'a changé s'il y en a."
    )

    @strawberry.field(description="Vrai si et seulement s'il n'y a pas d'erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="Le document à sortir de la corbeille.")
class RestoreDocumentInput:
    document_id: strawberry.ID = strawberry.field(description="Un document de la corbeille.")


@strawberry.type(description="Résultat de restoreDocument.")
class RestoreDocumentPayload:
    document: DepositNode | None = strawberry.field(
        default=None, description="Le document, restauré."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Les erreurs ; rien n'a changé s'il y en a."
    )

    @strawberry.field(description="Vrai si et seulement s'il n'y a pas d'erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.type
class DepositMutations:
    @strawberry.mutation(
        description="Déposer un rapport d'activité pour une structure sur laquelle je suis "
        "habilité (contenu vérifié : classeur Excel, document Word ou PDF ; pas de macros)."
    )
    async def deposit_document(
        self, info: Info, input: MutationInput[DepositDocumentInput]
    ) -> DepositDocumentPayload:
        files = info.context.services.files
        data = NewDeposit(
            structure_id=given_uuid(input.structure_id, "Structure"),
            finess=input.finess,
            kind=ReportKindValue(input.kind.value),
            year=input.year,
            file=input.file,
        )
        return await run_mutation(
            info,
            lambda ctx: rules.deposit(ctx, files, data),
            DepositDocumentPayload,
            lambda row: DepositDocumentPayload(document=DepositNode.from_row(row)),
        )

    @strawberry.mutation(description="Mettre un document à la corbeille (effacé après 30 jours).")
    async def trash_document(
        self, info: Info, input: MutationInput[TrashDocumentInput]
    ) -> TrashDocumentPayload:
        document_id = uuid_of(input.document_id, "DepositedDocument")
        return await run_mutation(
            info,
            lambda ctx: rules.trash(ctx, document_id),
            TrashDocumentPayload,
            lambda row: TrashDocumentPayload(document=DepositNode.from_row(row)),
        )

    @strawberry.mutation(description="Sortir un document de la corbeille.")
    async def restore_document(
        self, info: Info, input: MutationInput[RestoreDocumentInput]
    ) -> RestoreDocumentPayload:
        document_id = uuid_of(input.document_id, "DepositedDocument")
        return await run_mutation(
            info,
            lambda ctx: rules.restore(ctx, document_id),
            RestoreDocumentPayload,
            lambda row: RestoreDocumentPayload(document=DepositNode.from_row(row)),
        )
