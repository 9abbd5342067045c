"""Mutations of the company space (employees, labels, import, alerts) and of titles (the
authority's agents): thin wrappers over `dossiers` services."""

from __future__ import annotations

from datetime import date
from typing import cast

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from dossiers.company import alerts, employee_accounts, employee_csv, labels
from dossiers.company import employees as company_space
from dossiers.title import issuing as titles
from dossiers.title.models import TitleKind as TitleKindValue
from dossiers.title.models import TitleStatus as TitleStatusValue
from schema.company.types import (
    AlertNode,
    EmployeeNode,
    LabelNode,
    TitleKind,
    TitleNode,
    TitleStatus,
    employee_nodes,
    today,
)
from schema.context import Info
from schema.errors import UserError
from schema.ids import given_uuid, node_uuid, node_uuids
from schema.transactions import run_mutation
from tenants.files import Upload as FileUpload


@strawberry.input(description="Ouvrir le compte d'un salarié ou stagiaire et l'ajouter à la liste.")
class CreateEmployeeAccountInput:
    organisation_id: relay.GlobalID
    email: str | None = None
    family_name: str | None = None
    given_names: str | None = None
    establishment_id: relay.GlobalID | None = None
    title_number: str | None = strawberry.field(
        default=None, description="Si la personne détient déjà un titre."
    )
    label_ids: list[relay.GlobalID] | None = None


@strawberry.input(description="Ajouter une ligne : nom du titulaire et numéro de son titre.")
class AddEmployeeInput:
    organisation_id: relay.GlobalID
    family_name: str | None = None
    title_number: str | None = strawberry.field(
        default=None, description="PFX-DDD-AAAA-MM-JJ-NNNNNNNNNNN."
    )
    given_names: str | None = None
    establishment_id: relay.GlobalID | None = None
    email: str | None = None
    label_ids: list[relay.GlobalID] | None = None


@strawberry.type
class EmployeePayload:
    employee: EmployeeNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RemoveEmployeeInput:
    employee_id: relay.GlobalID


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
    organisation_id: relay.GlobalID
    csv: str | None = strawberry.field(
        default=None, description="Le contenu du fichier (5 000 lignes au plus)…"
    )
    file: Upload | None = strawberry.field(
        default=None,
        description="… ou le fichier lui-même (requête multipart), l'un ou l'autre.",
    )


@strawberry.type
class ImportEmployeesPayload:
    imported_count: int | None = None
    created_label_count: int | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateLabelInput:
    organisation_id: relay.GlobalID
    name: str | None = None


@strawberry.input
class RenameLabelInput:
    label_id: relay.GlobalID
    name: str | None = None


@strawberry.type
class LabelPayload:
    label: LabelNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteLabelInput:
    label_id: relay.GlobalID


@strawberry.type
class DeleteLabelPayload:
    deleted_label_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Poser (ou retirer) un libellé sur des salariés (500 au plus).")
class AssignLabelInput:
    label_id: relay.GlobalID
    employee_ids: list[relay.GlobalID]


@strawberry.type
class AssignLabelPayload:
    label: LabelNode | None = None
    changed_count: int | None = strawberry.field(
        default=None, description="Lignes qui ont changé (les autres l'avaient déjà)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MarkAlertReadInput:
    alert_id: relay.GlobalID


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
    holder_person_id: relay.GlobalID | None = None
    holder_establishment_id: relay.GlobalID | None = strawberry.field(
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
    title_id: relay.GlobalID
    status: TitleStatus
    reason: str | None = strawberry.field(
        default=None, description="Obligatoire pour suspendre ou retirer."
    )


@strawberry.type
class TitlePayload:
    title: TitleNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


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
            label_ids=node_uuids(input.label_ids, "Label"),
        )
        org = node_uuid(input.organisation_id, "Organisation")
        result = await run_mutation(
            info, lambda ctx: employee_accounts.create_employee_account(ctx, org, data)
        )
        if isinstance(result, list):
            return EmployeePayload(errors=result)
        [employee] = await employee_nodes(info, [result])
        return EmployeePayload(employee=employee)

    @strawberry.mutation(description="Ajouter une ligne à la liste des salariés.")
    async def add_employee(self, info: Info, input: AddEmployeeInput) -> EmployeePayload:
        data = company_space.NewEmployee(
            family_name=input.family_name,
            title_number=input.title_number,
            given_names=input.given_names,
            establishment_id=given_uuid(input.establishment_id, "Establishment"),
            email=input.email,
            label_ids=node_uuids(input.label_ids, "Label"),
        )
        org = node_uuid(input.organisation_id, "Organisation")
        result = await run_mutation(info, lambda ctx: company_space.add_employee(ctx, org, data))
        if isinstance(result, list):
            return EmployeePayload(errors=result)
        [employee] = await employee_nodes(info, [result])
        return EmployeePayload(employee=employee)

    @strawberry.mutation(description="Retirer une ligne de la liste (ses alertes restent).")
    async def remove_employee(
        self, info: Info, input: RemoveEmployeeInput
    ) -> RemoveEmployeePayload:
        employee = node_uuid(input.employee_id, "Employee")
        result = await run_mutation(info, lambda ctx: company_space.remove_employee(ctx, employee))
        if isinstance(result, list):
            return RemoveEmployeePayload(errors=result)
        return RemoveEmployeePayload(removed_employee_id=strawberry.ID(str(input.employee_id)))

    @strawberry.mutation(description="Importer des salariés depuis un CSV : tout ou rien.")
    async def import_employees(
        self, info: Info, input: ImportEmployeesInput
    ) -> ImportEmployeesPayload:
        org = node_uuid(input.organisation_id, "Organisation")
        content: str | bytes | None = input.csv
        if input.file is not None:  # one byte past the limit is enough for the service to refuse
            upload = cast(FileUpload, input.file)
            content = await upload.read(employee_csv.MAX_BYTES + 1)
        given = content
        result = await run_mutation(
            info, lambda ctx: employee_csv.import_employees(ctx, org, given)
        )
        if isinstance(result, list):
            return ImportEmployeesPayload(errors=result)
        return ImportEmployeesPayload(
            imported_count=result.imported, created_label_count=result.labels_created
        )

    @strawberry.mutation(description="Créer un libellé (100 par organisation au plus).")
    async def create_label(self, info: Info, input: CreateLabelInput) -> LabelPayload:
        org = node_uuid(input.organisation_id, "Organisation")
        result = await run_mutation(info, lambda ctx: labels.create_label(ctx, org, input.name))
        if isinstance(result, list):
            return LabelPayload(errors=result)
        return LabelPayload(label=LabelNode.from_row(result))

    @strawberry.mutation(description="Renommer un libellé.")
    async def rename_label(self, info: Info, input: RenameLabelInput) -> LabelPayload:
        label = node_uuid(input.label_id, "Label")
        result = await run_mutation(info, lambda ctx: labels.rename_label(ctx, label, input.name))
        if isinstance(result, list):
            return LabelPayload(errors=result)
        return LabelPayload(label=LabelNode.from_row(result))

    @strawberry.mutation(description="Supprimer un libellé (les salariés restent).")
    async def delete_label(self, info: Info, input: DeleteLabelInput) -> DeleteLabelPayload:
        label = node_uuid(input.label_id, "Label")
        result = await run_mutation(info, lambda ctx: labels.delete_label(ctx, label))
        if isinstance(result, list):
            return DeleteLabelPayload(errors=result)
        return DeleteLabelPayload(deleted_label_id=strawberry.ID(str(input.label_id)))

    @strawberry.mutation(description="Poser un libellé sur des salariés.")
    async def assign_label(self, info: Info, input: AssignLabelInput) -> AssignLabelPayload:
        return await _assign(info, input, assign=True)

    @strawberry.mutation(description="Retirer un libellé de salariés.")
    async def unassign_label(self, info: Info, input: AssignLabelInput) -> AssignLabelPayload:
        return await _assign(info, input, assign=False)

    @strawberry.mutation(description="Marquer une alerte comme lue.")
    async def mark_alert_read(self, info: Info, input: MarkAlertReadInput) -> AlertPayload:
        alert = node_uuid(input.alert_id, "Alert")
        result = await run_mutation(info, lambda ctx: alerts.mark_read(ctx, alert))
        if isinstance(result, list):
            return AlertPayload(errors=result)
        return AlertPayload(alert=AlertNode.from_row(result))

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
        result = await run_mutation(info, lambda ctx: titles.issue_title(ctx, data))
        if isinstance(result, list):
            return TitlePayload(errors=result)
        return TitlePayload(title=TitleNode.from_row(result, today(info)))

    @strawberry.mutation(description="Changer le statut d'un titre, avec un motif (agents).")
    async def change_title_status(self, info: Info, input: ChangeTitleStatusInput) -> TitlePayload:
        title = node_uuid(input.title_id, "Title")
        status = TitleStatusValue(input.status.value)
        result = await run_mutation(
            info, lambda ctx: titles.change_title_status(ctx, title, status, input.reason)
        )
        if isinstance(result, list):
            return TitlePayload(errors=result)
        return TitlePayload(title=TitleNode.from_row(result, today(info)))


async def _assign(info: Info, input: AssignLabelInput, *, assign: bool) -> AssignLabelPayload:
    label = node_uuid(input.label_id, "Label")
    employees = node_uuids(input.employee_ids, "Employee")
    result = await run_mutation(
        info, lambda ctx: labels.assign_label(ctx, label, employees, assign=assign)
    )
    if isinstance(result, list):
        return AssignLabelPayload(errors=result)
    row, changed = result
    return AssignLabelPayload(label=LabelNode.from_row(row), changed_count=changed)
