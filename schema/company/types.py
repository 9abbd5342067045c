"""Employee, Label and Alert as Relay nodes, with the company space's enumerations.

Employees, labels and alerts are seen by whoever manages the organisation's employees
(policy action MANAGE_EMPLOYEES: its administrator, managers with that permission). Titles
are the title area's (`schema.title.types`); establishments and organisations the
organisation area's, named through `schema.refs`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from auth.policy import Action, Resource
from dossiers.company import alerts as alert_rules
from dossiers.company import dashboard
from dossiers.company.models import Alert
from dossiers.company.models import AlertKind as AlertKindValue
from dossiers.company.models import Employee as EmployeeRow
from dossiers.company.models import Label as LabelRow
from dossiers.title import models as m
from dossiers.title.numbers import colour_of
from schema.account.types import visible_rows
from schema.context import Info
from schema.enums import graphql_enum
from schema.nodes import VisibleNode, register_node
from schema.refs import EstablishmentRef, nodes_of, organisation_field
from schema.title.types import Colour, TitleNode, today
from tenants.organisations import Establishment as EstablishmentRow

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
    from dossiers.company.models import AlertKind
else:
    AlertKind = graphql_enum(
        AlertKindValue,
        "AlertKind",
        "Ce qu'une alerte signale sur le titre d'un salarié.",
        {
            AlertKindValue.STATUS_CHANGED: "L'autorité a changé le statut du titre",
            AlertKindValue.RENEWAL_WINDOW: "Le titre expire dans les 6 mois : "
            "renouvellement à demander",
            AlertKindValue.EXPIRED: "Le titre a expiré",
        },
    )


def organisation_member(kind: str, row_id: uuid.UUID, organisation_id: uuid.UUID) -> Resource:
    return Resource(kind, row_id, organisation_id=organisation_id)


@strawberry.type(
    name="Label",
    description="Un libellé qui regroupe des salariés (par établissement, par site client…).",
)
class LabelNode(VisibleNode):
    id: relay.NodeID[str]
    name: str = strawberry.field(description="Le nom du libellé.")
    created_at: datetime = strawberry.field(description="Création du libellé.")
    organisation_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: LabelRow | dashboard.LabelView) -> LabelNode:
        return cls(
            id=str(row.id),
            name=row.name,
            created_at=row.created_at,
            organisation_id=row.organisation_id,
        )

    @strawberry.field(description="Nombre de salariés qui portent ce libellé.")
    async def employee_count(self, info: Info) -> int:
        loader = info.context.loaders.custom("label_employee_counts", dashboard.employee_counts)
        return await loader.load(uuid.UUID(str(self.id)))

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[LabelNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(LabelRow),
            lambda row: organisation_member("Label", row.id, row.organisation_id),
            Action.MANAGE_EMPLOYEES,
        )
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(
    name="Employee",
    description="Une ligne de la liste des salariés : le nom du titulaire et le numéro de son "
    "titre, reliée au compte de la personne quand il existe.",
)
class EmployeeNode(VisibleNode):
    """Built whole by `employee_nodes` (one batch per kind of related row for a whole page):
    every field is plain data, so a page of 100 costs no resolver call per row."""

    id: relay.NodeID[str]
    family_name: str = strawberry.field(description="Nom de famille.")
    given_names: str | None = strawberry.field(description="Prénoms.")
    title_number: str | None = strawberry.field(description="Numéro du titre du salarié.")
    email: str | None = strawberry.field(description="Son adresse, si elle est connue.")
    created_at: datetime = strawberry.field(description="Ajout à la liste.")
    has_account: bool = strawberry.field(
        description="La ligne est reliée au compte d'une personne (titulaire du titre, ou compte "
        "ouvert par l'organisation)."
    )
    title: TitleNode | None = strawberry.field(
        description="Le titre de ce numéro, si le nom du titulaire correspond."
    )
    colour: Colour = strawberry.field(
        description="Vert, orange ou rouge (rouge : titre inconnu compris)."
    )
    labels: list[LabelNode] = strawberry.field(description="Les libellés de la ligne, par nom.")
    establishment: EstablishmentRef | None = strawberry.field(
        description="L'établissement de rattachement."
    )
    row: strawberry.Private[EmployeeRow | dashboard.EmployeeView]

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[EmployeeNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(EmployeeRow),
            lambda row: organisation_member("Employee", row.id, row.organisation_id),
            Action.MANAGE_EMPLOYEES,
        )
        built = iter(await employee_nodes(info, [row for row in rows if row is not None]))
        return [next(built) if row is not None else None for row in rows]


async def dashboard_nodes(info: Info, rows: Sequence[dashboard.DashboardRow]) -> list[EmployeeNode]:
    """Employee nodes for the dashboard's rows, read whole in its one statement: titles,
    colours and labels come with them; their establishments are handed to the DataLoader the
    establishment nodes read from, so nothing more is read."""
    on = today(info)
    sites = info.context.loaders.by_id(EstablishmentRow)
    for row in rows:
        if row.establishment is not None:
            sites.prime(row.establishment.id, row.establishment)
    wanted = sorted({r.establishment.id for r in rows if r.establishment is not None})
    found_sites = await nodes_of(info, "Establishment", wanted) if wanted else []
    refs = {w: site for w, site in zip(wanted, found_sites, strict=True) if site}
    labels: dict[uuid.UUID, LabelNode] = {}  # one node per label of the page, shared by rows

    def label_node(label: dashboard.LabelView) -> LabelNode:
        node = labels.get(label.id)
        if node is None:
            node = labels[label.id] = LabelNode.from_row(label)
        return node

    return [
        EmployeeNode(
            id=str(row.employee.id),
            family_name=row.employee.family_name,
            given_names=row.employee.given_names,
            title_number=row.employee.title_number,
            email=row.employee.email,
            created_at=row.employee.created_at,
            has_account=row.employee.person_id is not None,
            title=TitleNode.from_row(row.title, on) if row.title is not None else None,
            colour=Colour(row.colour.value),
            labels=[label_node(label) for label in row.labels],
            establishment=refs.get(row.establishment.id) if row.establishment else None,
            row=row.employee,
        )
        for row in rows
    ]


async def employee_nodes(
    info: Info,
    rows: Sequence[EmployeeRow],
    joined: Sequence[tuple[m.Title | None, m.Colour]] | None = None,
    *,
    labels: bool = True,
    establishments: bool = True,
) -> list[EmployeeNode]:
    """Employee nodes for these rows. `joined`: their titles and colours, read with them (the
    dashboard's join); else the titles are batch-loaded by number (same name only). Labels and
    establishments: one batch each, skipped when the query does not ask for them."""
    loaders = info.context.loaders
    on = today(info)
    if joined is None:
        numbers = [row.title_number or "" for row in rows]
        loader = loaders.custom("titles_by_number", dashboard.titles_by_number)
        found = await loader.load_many(numbers) if rows else []
        titles = [
            title if title is not None and title.holder_family_name == row.family_name else None
            for row, title in zip(rows, found, strict=True)
        ]
        joined = [(title, colour_of(title, on)) for title in titles]
    label_rows: list[list[LabelRow]] = [[] for _ in rows]
    if labels and rows:
        loader_labels = loaders.custom("employee_labels", dashboard.labels_by_employee)
        label_rows = list(await loader_labels.load_many([row.id for row in rows]))
    sites: dict[uuid.UUID, EstablishmentRef] = {}
    wanted = sorted({row.establishment_id for row in rows if row.establishment_id})
    if establishments and wanted:
        found_sites = await nodes_of(info, "Establishment", wanted)
        sites = {w: site for w, site in zip(wanted, found_sites, strict=True) if site}
    return [
        EmployeeNode(
            id=str(row.id),
            family_name=row.family_name,
            given_names=row.given_names,
            title_number=row.title_number,
            email=row.email,
            created_at=row.created_at,
            has_account=row.person_id is not None,
            title=TitleNode.from_row(title, on) if title is not None else None,
            colour=Colour(colour.value),
            labels=[LabelNode.from_row(label) for label in names],
            establishment=sites.get(row.establishment_id) if row.establishment_id else None,
            row=row,
        )
        for row, (title, colour), names in zip(rows, joined, label_rows, strict=True)
    ]


@strawberry.type(
    name="Alert",
    description="Une alerte sur le titre d'un salarié : changement de statut, entrée dans la "
    "période de renouvellement (6 mois), expiration.",
)
class AlertNode(VisibleNode):
    id: relay.NodeID[str]
    kind: AlertKind = strawberry.field(description="La sorte d'alerte.")
    colour: Colour = strawberry.field(description="La couleur du titre quand l'alerte est née.")
    title_number: str = strawberry.field(description="Le numéro du titre concerné.")
    created_at: datetime = strawberry.field(description="Quand l'alerte a été émise.")
    read_at: datetime | None = strawberry.field(
        description="Quand elle a été marquée lue (null si elle ne l'est pas)."
    )
    row: strawberry.Private[Alert]

    @property
    def organisation_id(self) -> uuid.UUID:
        return self.row.organisation_id

    @classmethod
    def from_row(cls, row: Alert) -> AlertNode:
        return cls(
            id=str(row.id),
            kind=AlertKind(row.kind),
            colour=Colour(row.colour),
            title_number=str((row.details or {}).get("title_number", "")),
            created_at=row.created_at,
            read_at=row.read_at,
            row=row,
        )

    @strawberry.field(description="L'alerte en une phrase (français ou anglais).")
    def message(self, info: Info) -> str:
        return alert_rules.alert_message(self.row, info.context.locale)

    @strawberry.field(description="La ligne du salarié (null si elle a été retirée).")
    async def employee(self, info: Info) -> EmployeeNode | None:
        if self.row.employee_id is None:
            return None
        row = await info.context.loaders.by_id(EmployeeRow).load(self.row.employee_id)
        return (await employee_nodes(info, [row]))[0] if row else None

    organisation = organisation_field()

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[AlertNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(Alert),
            lambda row: organisation_member("Alert", row.id, row.organisation_id),
            Action.MANAGE_EMPLOYEES,
        )
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(description="Nombre de salariés par couleur.")
class ColourTotals:
    green: int = strawberry.field(description="Lignes au titre vert (valide, loin de l'échéance).")
    orange: int = strawberry.field(description="Lignes au titre orange (échéance proche).")
    red: int = strawberry.field(
        description="Lignes au titre rouge (échu, suspendu, retiré ou introuvable)."
    )


register_node(TitleNode)
register_node(LabelNode)
register_node(EmployeeNode)
register_node(AlertNode)

__all__ = [
    "AlertNode",
    "ColourTotals",
    "EmployeeNode",
    "LabelNode",
    "TitleNode",
    "employee_nodes",
]
