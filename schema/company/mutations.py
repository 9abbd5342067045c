"""Mutations of the company space (employees, labels, import, alerts) and of titles (the
authority's agents): thin wrappers over `dossiers` services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import cast

import strawberry
from strawberry.file_uploads import Upload

from dossiers.company import alerts, employee_accounts, employee_csv, labels
from dossiers.company import employees as company_space
from dossiers.company.models import Employee, Label
from dossiers.title import issuing as titles
from dossiers.title.models import Title
from dossiers.title.models import TitleKind as TitleKindValue
from dossiers.title.models import TitleStatus as TitleStatusValue
from schema.company.types import AlertNode, EmployeeNode, LabelNode, employee_nodes
from schema.context import Info
from schema.errors import UserError
from schema.ids import given_uuid, uuid_of, uuids_of
from schema.title.types import TitleKind, TitleNode, TitleStatus, today
from schema.transactions import run_mutation
from tenants.files import Upload as FileUpload


@strawberry.input(description="Ouvrir le compte d'un salarié ou stagiaire et l'ajouter à la liste.")
class CreateEmployeeAccountInput:
    organisation_id: strawberry.ID
    email: str | None = None
    family_name: str | None = None
    given_names: str | None = None
    establishment_id: strawberry.ID | None = None
    title_number: str | None = strawberry.field(
        default=None, description="Si la personne détient déjà un titre."
    )
    label_ids: list[strawberry.ID] | None = None


@strawberry.input(description="Ajouter une ligne : nom du titulaire et numéro de son titre.")
class AddEmployeeInput:
    organisation_id: strawberry.ID
    family_name: str | None = None
    title_number: str | None = strawberry.field(
        default=None, description="PFX-DDD-AAAA-MM-JJ-NNNNNNNNNNN."
    )
    given_names: str | None = None
    establishment_id: strawberry.ID | None = None
    email: str | None = None
    label_ids: list[strawberry.ID] | None = None


@strawberry.type
class EmployeePayload:
    employee: EmployeeNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RemoveEmployeeInput:
    employee_id: strawberry.ID


@strawberry.type
class RemoveEmployeePayload:
    removed_employee_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Importer une liste de salariés en CSV (UTF-8, « ; » ou « , ») : colonnes "
    "nom, prénoms, numéro de titre, siret établissement, libellés (séparés par « | »), "
    "courriel — ou familyName, givenNames, titleNumber, establishmentSiret, labels, email. "
    "Une seule ligne fautive et rien n'est importé : chaque erreur nomme sa ligne et sa "
    'colonne (champ ["input", "csv", "line", "7", "titleNumber"]).'
)
class ImportEmployeesInput:
    organisation_id: strawberry.ID
    csv: str | None = strawberry.field(
        default=None, description="Le contenu du fichier (5 000 lignes au plus)…"
    )
    file: Upload | None = strawberry.field(
        default=None,
        description="… ou le fichier lui-même (requête multipart), l'un ou l'autre.",
    )


@strawberry.type
class ImportEmployeesPayload:
    imported_count: int = strawberry.field(
        default=0, description="Salariés importés (0 quand le fichier est refusé : tout ou rien)."
    )
    created_label_count: int = strawberry.field(
        default=0, description="Libellés créés par l'import (0 quand le fichier est refusé)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateLabelInput:
    organisation_id: strawberry.ID
    name: str | None = None


@strawberry.input
class RenameLabelInput:
    label_id: strawberry.ID
    name: str | None = None


@strawberry.type
class LabelPayload:
    label: LabelNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteLabelInput:
    label_id: strawberry.ID


@strawberry.type
class DeleteLabelPayload:
    deleted_label_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Poser (ou retirer) un libellé sur des salariés (500 au plus).")
class AssignLabelInput:
    label_id: strawberry.ID
    employee_ids: list[strawberry.ID]


@strawberry.type
class AssignLabelPayload:
    label: LabelNode | None = None
    changed_count: int | None = strawberry.field(
        default=None, description="Lignes qui ont changé (les autres l'avaient déjà)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MarkAlertReadInput:
    alert_id: strawberry.ID


@strawberry.type
class AlertPayload:
    alert: AlertNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Délivrer un titre (agents de l'autorité, dans leur délégation) : à une "
    "personne de l'annuaire, à un établissement (autorisation d'exercer AUT, FOR), ou à un "
    "nom. Le département du numéro est celui du domicile de la personne ou de l'adresse de "
    "l'établissement."
)
class IssueTitleInput:
    kind: TitleKind
    departement: str | None = strawberry.field(
        default=None,
        description="Seulement pour un titulaire connu par son nom ou domicilié à l'étranger "
        "(44, 2A, 974…) ; sinon, donné, il doit être celui du domicile ou de l'établissement.",
        deprecation_reason="Le département découle du titulaire (domicile, établissement).",
    )
    activities: list[str] = strawberry.field(
        default_factory=list, description="Codes des activités du portail (tenant.activities)."
    )
    holder_person_id: strawberry.ID | None = None
    holder_establishment_id: strawberry.ID | None = strawberry.field(
        default=None, description="L'établissement titulaire d'une autorisation d'exercer."
    )
    holder_family_name: str | None = None
    holder_given_names: str | None = None
    holder_birth_date: date | None = None
    issued_on: date | None = strawberry.field(default=None, description="Par défaut : ce jour.")
    expires_on: date | None = strawberry.field(
        default=None, description="Seulement pour un récépissé (REC) : jusqu'à la décision."
    )


@strawberry.input(description="Suspendre, retirer (définitif) ou rendre valide un titre.")
class ChangeTitleStatusInput:
    title_id: strawberry.ID
    status: TitleStatus
    reason: str | None = strawberry.field(
        default=None, description="Obligatoire pour suspendre ou retirer."
    )


@strawberry.type
class TitlePayload:
    title: TitleNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _employee_payload(info: Info, row: Employee) -> EmployeePayload:
    [employee] = await employee_nodes(info, [row])
    return EmployeePayload(employee=employee)


def _label_payload(row: Label) -> LabelPayload:
    return LabelPayload(label=LabelNode.from_row(row))


def _title_payload(info: Info) -> Callable[[Title], TitlePayload]:
    return lambda row: TitlePayload(title=TitleNode.from_row(row, today(info)))


@strawberry.type
class CompanyMutations:
    @strawberry.mutation(
        description="Ouvrir le compte d'un salarié ou stagiaire : il reçoit par courriel son "
        "identifiant et un mot de passe provisoire à changer à la première connexion."
    )
    async def create_employee_account(
        self, info: Info, input: CreateEmployeeAccountInput
    ) -> EmployeePayload:
        data = employee_accounts.NewEmployeeAccount(
            email=input.email,
            family_name=input.family_name,
            given_names=input.given_names,
            establishment_id=given_uuid(input.establishment_id, "Establishment"),
            title_number=input.title_number,
            label_ids=uuids_of(input.label_ids, "Label"),
        )
        org = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: employee_accounts.create_employee_account(ctx, org, data),
            EmployeePayload,
            lambda row: _employee_payload(info, row),
        )

    @strawberry.mutation(description="Ajouter une ligne à la liste des salariés.")
    async def add_employee(self, info: Info, input: AddEmployeeInput) -> EmployeePayload:
        data = company_space.NewEmployee(
            family_name=input.family_name,
            title_number=input.title_number,
            given_names=input.given_names,
            establishment_id=given_uuid(input.establishment_id, "Establishment"),
            email=input.email,
            label_ids=uuids_of(input.label_ids, "Label"),
        )
        org = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: company_space.add_employee(ctx, org, data),
            EmployeePayload,
            lambda row: _employee_payload(info, row),
        )

    @strawberry.mutation(description="Retirer une ligne de la liste (ses alertes restent).")
    async def remove_employee(
        self, info: Info, input: RemoveEmployeeInput
    ) -> RemoveEmployeePayload:
        employee = uuid_of(input.employee_id, "Employee")
        return await run_mutation(
            info,
            lambda ctx: company_space.remove_employee(ctx, employee),
            RemoveEmployeePayload,
            lambda _id: RemoveEmployeePayload(removed_employee_id=input.employee_id),
        )

    @strawberry.mutation(description="Importer des salariés depuis un CSV : tout ou rien.")
    async def import_employees(
        self, info: Info, input: ImportEmployeesInput
    ) -> ImportEmployeesPayload:
        org = uuid_of(input.organisation_id, "Organisation")
        content: str | bytes | None = input.csv
        if input.file is not None:  # one byte past the limit is enough for the service to refuse
            upload = cast(FileUpload, input.file)
            content = await upload.read(employee_csv.MAX_BYTES + 1)
        given = content
        return await run_mutation(
            info,
            lambda ctx: employee_csv.import_employees(ctx, org, given),
            ImportEmployeesPayload,
            lambda result: ImportEmployeesPayload(
                imported_count=result.imported, created_label_count=result.labels_created
            ),
        )

    @strawberry.mutation(description="Créer un libellé (100 par organisation au plus).")
    async def create_label(self, info: Info, input: CreateLabelInput) -> LabelPayload:
        org = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: labels.create_label(ctx, org, input.name),
            LabelPayload,
            _label_payload,
        )

    @strawberry.mutation(description="Renommer un libellé.")
    async def rename_label(self, info: Info, input: RenameLabelInput) -> LabelPayload:
        label = uuid_of(input.label_id, "Label")
        return await run_mutation(
            info,
            lambda ctx: labels.rename_label(ctx, label, input.name),
            LabelPayload,
            _label_payload,
        )

    @strawberry.mutation(description="Supprimer un libellé (les salariés restent).")
    async def delete_label(self, info: Info, input: DeleteLabelInput) -> DeleteLabelPayload:
        label = uuid_of(input.label_id, "Label")
        return await run_mutation(
            info,
            lambda ctx: labels.delete_label(ctx, label),
            DeleteLabelPayload,
            lambda _id: DeleteLabelPayload(deleted_label_id=input.label_id),
        )

    @strawberry.mutation(description="Poser un libellé sur des salariés.")
    async def assign_label(self, info: Info, input: AssignLabelInput) -> AssignLabelPayload:
        return await _assign(info, input, assign=True)

    @strawberry.mutation(description="Retirer un libellé de salariés.")
    async def unassign_label(self, info: Info, input: AssignLabelInput) -> AssignLabelPayload:
        return await _assign(info, input, assign=False)

    @strawberry.mutation(description="Marquer une alerte comme lue.")
    async def mark_alert_read(self, info: Info, input: MarkAlertReadInput) -> AlertPayload:
        alert = uuid_of(input.alert_id, "Alert")
        return await run_mutation(
            info,
            lambda ctx: alerts.mark_read(ctx, alert),
            AlertPayload,
            lambda row: AlertPayload(alert=AlertNode.from_row(row)),
        )

    @strawberry.mutation(description="Délivrer un titre (agents de l'autorité).")
    async def issue_title(self, info: Info, input: IssueTitleInput) -> TitlePayload:
        data = titles.NewTitle(
            kind=TitleKindValue(input.kind.value),
            departement=input.departement,
            activities=list(input.activities),
            holder_person_id=given_uuid(input.holder_person_id, "Person"),
            holder_establishment_id=given_uuid(input.holder_establishment_id, "Establishment"),
            holder_family_name=input.holder_family_name,
            holder_given_names=input.holder_given_names,
            holder_birth_date=input.holder_birth_date,
            issued_on=input.issued_on,
            expires_on=input.expires_on,
        )
        return await run_mutation(
            info, lambda ctx: titles.issue_title(ctx, data), TitlePayload, _title_payload(info)
        )

    @strawberry.mutation(description="Changer le statut d'un titre, avec un motif (agents).")
    async def change_title_status(self, info: Info, input: ChangeTitleStatusInput) -> TitlePayload:
        title = uuid_of(input.title_id, "Title")
        status = TitleStatusValue(input.status.value)
        return await run_mutation(
            info,
            lambda ctx: titles.change_title_status(ctx, title, status, input.reason),
            TitlePayload,
            _title_payload(info),
        )


async def _assign(info: Info, input: AssignLabelInput, *, assign: bool) -> AssignLabelPayload:
    label = uuid_of(input.label_id, "Label")
    employees = uuids_of(input.employee_ids, "Employee")
    return await run_mutation(
        info,
        lambda ctx: labels.assign_label(ctx, label, employees, assign=assign),
        AssignLabelPayload,
        lambda result: AssignLabelPayload(
            label=LabelNode.from_row(result[0]), changed_count=result[1]
        ),
    )
