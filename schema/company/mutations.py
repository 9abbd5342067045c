"""Mutations of the company space (employees, labels, import, alerts) and of titles (the
authority's agents): thin wrappers over `dossiers` services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar, cast

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
from schema.ids import given_uuid, uuid_of, uuids_of
from schema.title.types import TitleKind, TitleNode, TitleStatus, today
from schema.transactions import MutationInput, MutationPayload, run_mutation
from tenants.files import Upload as FileUpload


@strawberry.input(description="Ouvrir le compte d'un salarié ou stagiaire et l'ajouter à la liste.")
class CreateEmployeeAccountInput:
    organisation_id: strawberry.ID = strawberry.field(description="L'organisation employeuse.")
    email: str = strawberry.field(
        description="L'adresse du salarié : son identifiant de connexion."
    )
    family_name: str = strawberry.field(description="Nom de famille.")
    given_names: str = strawberry.field(description="Prénoms.")
    establishment_id: strawberry.ID | None = strawberry.field(
        default=None, description="L'établissement où il travaille (facultatif)."
    )
    title_number: str | None = strawberry.field(
        default=None, description="Si la personne détient déjà un titre."
    )
    label_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Les libellés à poser sur la ligne."
    )


@strawberry.input(description="Ajouter une ligne : nom du titulaire et numéro de son titre.")
class AddEmployeeInput:
    organisation_id: strawberry.ID = strawberry.field(description="L'organisation employeuse.")
    family_name: str = strawberry.field(description="Nom de famille du titulaire.")
    title_number: str = strawberry.field(description="PFX-DDD-AAAA-MM-JJ-NNNNNNNNNNN.")
    given_names: str | None = strawberry.field(default=None, description="Prénoms.")
    establishment_id: strawberry.ID | None = strawberry.field(
        default=None, description="L'établissement où il travaille (facultatif)."
    )
    email: str | None = strawberry.field(
        default=None, description="Son adresse (facultative, sans compte ouvert)."
    )
    label_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Les libellés à poser sur la ligne."
    )


@strawberry.type(description="Ce que répondent les mutations qui ajoutent un salarié.")
class EmployeeResult(MutationPayload):
    employee: EmployeeNode | None = strawberry.field(
        default=None, description="La ligne ajoutée à la liste des salariés."
    )


@strawberry.type(description="Réponse de `createEmployeeAccount`.")
class CreateEmployeeAccountPayload(EmployeeResult):
    pass


@strawberry.type(description="Réponse de `addEmployee`.")
class AddEmployeePayload(EmployeeResult):
    pass


@strawberry.input(description="Entrée de `removeEmployee`.")
class RemoveEmployeeInput:
    employee_id: strawberry.ID = strawberry.field(description="La ligne à retirer.")


@strawberry.type(description="Réponse de `removeEmployee`.")
class RemoveEmployeePayload(MutationPayload):
    employee_id: strawberry.ID | None = strawberry.field(
        default=None, description="L'identifiant de la ligne retirée (pour l'ôter d'un cache)."
    )


@strawberry.input(
    description="Importer une liste de salariés en CSV (UTF-8, « ; » ou « , ») : colonnes "
    "nom, prénoms, numéro de titre, siret établissement, libellés (séparés par « | »), "
    "courriel — ou familyName, givenNames, titleNumber, establishmentSiret, labels, email. "
    "Une seule ligne fautive et rien n'est importé : chaque erreur nomme sa ligne et sa "
    'colonne (champ ["input", "csv", "line", "7", "titleNumber"]).'
)
class ImportEmployeesInput:
    organisation_id: strawberry.ID = strawberry.field(description="L'organisation employeuse.")
    csv: str | None = strawberry.field(
        default=None,
        description="Le contenu du fichier (5 000 lignes au plus) ; ou bien `file`, l'un ou "
        "l'autre.",
    )
    file: Upload | None = strawberry.field(
        default=None,
        description="Le fichier lui-même (partie d'une requête multipart) ; ou bien `csv`, "
        "l'un ou l'autre.",
    )


@strawberry.type(description="Réponse de `importEmployees`.")
class ImportEmployeesPayload(MutationPayload):
    imported_count: int = strawberry.field(
        default=0, description="Salariés importés (0 quand le fichier est refusé : tout ou rien)."
    )
    created_label_count: int = strawberry.field(
        default=0, description="Libellés créés par l'import (0 quand le fichier est refusé)."
    )


@strawberry.input(description="Entrée de `createLabel`.")
class CreateLabelInput:
    organisation_id: strawberry.ID = strawberry.field(description="L'organisation.")
    name: str = strawberry.field(
        description="Le nom, unique dans l'organisation (sans tenir compte de la casse).",
    )


@strawberry.type(description="Réponse de `createLabel`.")
class CreateLabelPayload(MutationPayload):
    label: LabelNode | None = strawberry.field(default=None, description="Le libellé créé.")


@strawberry.input(description="Entrée de `renameLabel`.")
class RenameLabelInput:
    label_id: strawberry.ID = strawberry.field(description="Le libellé.")
    name: str = strawberry.field(description="Le nouveau nom, unique dans l'organisation.")


@strawberry.type(description="Réponse de `renameLabel`.")
class RenameLabelPayload(MutationPayload):
    label: LabelNode | None = strawberry.field(default=None, description="Le libellé renommé.")


@strawberry.input(description="Entrée de `deleteLabel`.")
class DeleteLabelInput:
    label_id: strawberry.ID = strawberry.field(description="Le libellé à supprimer.")


@strawberry.type(description="Réponse de `deleteLabel`.")
class DeleteLabelPayload(MutationPayload):
    label_id: strawberry.ID | None = strawberry.field(
        default=None, description="L'identifiant du libellé supprimé (pour l'ôter d'un cache)."
    )


@strawberry.input(description="Poser un libellé sur des salariés (500 au plus).")
class AssignLabelInput:
    label_id: strawberry.ID = strawberry.field(description="Le libellé.")
    employee_ids: list[strawberry.ID] = strawberry.field(
        description="Les salariés (une ligne qui l'a déjà est laissée telle quelle)."
    )


@strawberry.type(description="Réponse de `assignLabel`.")
class AssignLabelPayload(MutationPayload):
    label: LabelNode | None = strawberry.field(
        default=None, description="Le libellé, avec son nombre de salariés à jour."
    )


@strawberry.input(description="Retirer un libellé de salariés (500 au plus).")
class UnassignLabelInput:
    label_id: strawberry.ID = strawberry.field(description="Le libellé.")
    employee_ids: list[strawberry.ID] = strawberry.field(
        description="Les salariés (une ligne qui ne l'a pas est laissée telle quelle)."
    )


@strawberry.type(description="Réponse de `unassignLabel`.")
class UnassignLabelPayload(MutationPayload):
    label: LabelNode | None = strawberry.field(
        default=None, description="Le libellé, avec son nombre de salariés à jour."
    )


@strawberry.input(description="Entrée de `markAlertRead`.")
class MarkAlertReadInput:
    alert_id: strawberry.ID = strawberry.field(description="L'alerte.")


@strawberry.type(description="Réponse de `markAlertRead`.")
class MarkAlertReadPayload(MutationPayload):
    alert: AlertNode | None = strawberry.field(default=None, description="L'alerte, lue.")


@strawberry.input(
    description="Délivrer un titre (agents de l'autorité, dans leur délégation) : à une "
    "personne de l'annuaire, à un établissement (autorisation d'exercer AUT, FOR), ou à un "
    "nom. Le département du numéro est celui du domicile de la personne ou de l'adresse de "
    "l'établissement."
)
class IssueTitleInput:
    kind: TitleKind = strawberry.field(description="La sorte de titre.")
    departement: str | None = strawberry.field(
        default=None,
        description="Seulement pour un titulaire connu par son nom ou domicilié à l'étranger "
        "(44, 2A, 974…) ; sinon, donné, il doit être celui du domicile ou de l'établissement.",
        deprecation_reason="Le département découle du titulaire (domicile, établissement).",
    )
    activities: list[str] = strawberry.field(
        default_factory=list, description="Codes des activités du portail (tenant.activities)."
    )
    holder_person_id: strawberry.ID | None = strawberry.field(
        default=None, description="La personne titulaire, de l'annuaire."
    )
    holder_establishment_id: strawberry.ID | None = strawberry.field(
        default=None, description="L'établissement titulaire d'une autorisation d'exercer."
    )
    holder_family_name: str | None = strawberry.field(
        default=None, description="Nom de famille d'un titulaire connu par son seul nom."
    )
    holder_given_names: str | None = strawberry.field(
        default=None, description="Prénoms d'un titulaire connu par son seul nom."
    )
    holder_birth_date: date | None = strawberry.field(
        default=None, description="Date de naissance d'un titulaire connu par son seul nom."
    )
    issued_on: date | None = strawberry.field(default=None, description="Par défaut : ce jour.")
    expires_on: date | None = strawberry.field(
        default=None, description="Seulement pour un récépissé (REC) : jusqu'à la décision."
    )


@strawberry.input(description="Suspendre, retirer (définitif) ou rendre valide un titre.")
class ChangeTitleStatusInput:
    title_id: strawberry.ID = strawberry.field(description="Le titre.")
    status: TitleStatus = strawberry.field(description="Le nouveau statut.")
    reason: str | None = strawberry.field(
        default=None, description="Obligatoire pour suspendre ou retirer."
    )


@strawberry.type(description="Ce que répondent les mutations qui changent un titre.")
class TitleResult(MutationPayload):
    title: TitleNode | None = strawberry.field(
        default=None, description="Le titre, dans son nouvel état."
    )


@strawberry.type(description="Réponse de `issueTitle`.")
class IssueTitlePayload(TitleResult):
    pass


@strawberry.type(description="Réponse de `changeTitleStatus`.")
class ChangeTitleStatusPayload(TitleResult):
    pass


E = TypeVar("E", bound=EmployeeResult)
L = TypeVar("L", CreateLabelPayload, RenameLabelPayload)
T = TypeVar("T", bound=TitleResult)


def _employee_payload(info: Info, payload: Callable[..., E]) -> Callable[[Employee], Awaitable[E]]:
    async def fill(row: Employee) -> E:
        [employee] = await employee_nodes(info, [row])
        return payload(employee=employee)

    return fill


def _label_payload(payload: Callable[..., L]) -> Callable[[Label], L]:
    return lambda row: payload(label=LabelNode.from_row(row))


def _title_payload(info: Info, payload: Callable[..., T]) -> Callable[[Title], T]:
    return lambda row: payload(title=TitleNode.from_row(row, today(info)))


@strawberry.type
class CompanyMutations:
    @strawberry.mutation(
        description="Ouvrir le compte d'un salarié ou stagiaire : il reçoit par courriel son "
        "identifiant et un mot de passe provisoire à changer à la première connexion."
    )
    async def create_employee_account(
        self, info: Info, input: MutationInput[CreateEmployeeAccountInput]
    ) -> CreateEmployeeAccountPayload:
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
            CreateEmployeeAccountPayload,
            _employee_payload(info, CreateEmployeeAccountPayload),
        )

    @strawberry.mutation(description="Ajouter une ligne à la liste des salariés.")
    async def add_employee(
        self, info: Info, input: MutationInput[AddEmployeeInput]
    ) -> AddEmployeePayload:
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
            AddEmployeePayload,
            _employee_payload(info, AddEmployeePayload),
        )

    @strawberry.mutation(description="Retirer une ligne de la liste (ses alertes restent).")
    async def remove_employee(
        self, info: Info, input: MutationInput[RemoveEmployeeInput]
    ) -> RemoveEmployeePayload:
        employee = uuid_of(input.employee_id, "Employee")
        return await run_mutation(
            info,
            lambda ctx: company_space.remove_employee(ctx, employee),
            RemoveEmployeePayload,
            lambda _id: RemoveEmployeePayload(employee_id=input.employee_id),
        )

    @strawberry.mutation(description="Importer des salariés depuis un CSV : tout ou rien.")
    async def import_employees(
        self, info: Info, input: MutationInput[ImportEmployeesInput]
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
    async def create_label(
        self, info: Info, input: MutationInput[CreateLabelInput]
    ) -> CreateLabelPayload:
        org = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: labels.create_label(ctx, org, input.name),
            CreateLabelPayload,
            _label_payload(CreateLabelPayload),
        )

    @strawberry.mutation(description="Renommer un libellé.")
    async def rename_label(
        self, info: Info, input: MutationInput[RenameLabelInput]
    ) -> RenameLabelPayload:
        label = uuid_of(input.label_id, "Label")
        return await run_mutation(
            info,
            lambda ctx: labels.rename_label(ctx, label, input.name),
            RenameLabelPayload,
            _label_payload(RenameLabelPayload),
        )

    @strawberry.mutation(description="Supprimer un libellé (les salariés restent).")
    async def delete_label(
        self, info: Info, input: MutationInput[DeleteLabelInput]
    ) -> DeleteLabelPayload:
        label = uuid_of(input.label_id, "Label")
        return await run_mutation(
            info,
            lambda ctx: labels.delete_label(ctx, label),
            DeleteLabelPayload,
            lambda _id: DeleteLabelPayload(label_id=input.label_id),
        )

    @strawberry.mutation(description="Poser un libellé sur des salariés.")
    async def assign_label(
        self, info: Info, input: MutationInput[AssignLabelInput]
    ) -> AssignLabelPayload:
        label = uuid_of(input.label_id, "Label")
        employees = uuids_of(input.employee_ids, "Employee")
        return await run_mutation(
            info,
            lambda ctx: labels.assign_label(ctx, label, employees, assign=True),
            AssignLabelPayload,
            lambda result: AssignLabelPayload(label=LabelNode.from_row(result[0])),
        )

    @strawberry.mutation(description="Retirer un libellé de salariés.")
    async def unassign_label(
        self, info: Info, input: MutationInput[UnassignLabelInput]
    ) -> UnassignLabelPayload:
        label = uuid_of(input.label_id, "Label")
        employees = uuids_of(input.employee_ids, "Employee")
        return await run_mutation(
            info,
            lambda ctx: labels.assign_label(ctx, label, employees, assign=False),
            UnassignLabelPayload,
            lambda result: UnassignLabelPayload(label=LabelNode.from_row(result[0])),
        )

    @strawberry.mutation(description="Marquer une alerte comme lue.")
    async def mark_alert_read(
        self, info: Info, input: MutationInput[MarkAlertReadInput]
    ) -> MarkAlertReadPayload:
        alert = uuid_of(input.alert_id, "Alert")
        return await run_mutation(
            info,
            lambda ctx: alerts.mark_read(ctx, alert),
            MarkAlertReadPayload,
            lambda row: MarkAlertReadPayload(alert=AlertNode.from_row(row)),
        )

    @strawberry.mutation(description="Délivrer un titre (agents de l'autorité).")
    async def issue_title(
        self, info: Info, input: MutationInput[IssueTitleInput]
    ) -> IssueTitlePayload:
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
            info,
            lambda ctx: titles.issue_title(ctx, data),
            IssueTitlePayload,
            _title_payload(info, IssueTitlePayload),
        )

    @strawberry.mutation(description="Changer le statut d'un titre, avec un motif (agents).")
    async def change_title_status(
        self, info: Info, input: MutationInput[ChangeTitleStatusInput]
    ) -> ChangeTitleStatusPayload:
        title = uuid_of(input.title_id, "Title")
        status = TitleStatusValue(input.status.value)
        return await run_mutation(
            info,
            lambda ctx: titles.change_title_status(ctx, title, status, input.reason),
            ChangeTitleStatusPayload,
            _title_payload(info, ChangeTitleStatusPayload),
        )
