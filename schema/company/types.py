"""Employee, Label, Alert and Title as Relay nodes, with the company space's enumerations.

Employees, labels and alerts are seen by whoever manages the organisation's employees
(policy action MANAGE_EMPLOYEES: its administrator, managers with that permission); a title
by its holder and the authority's agents, and by an organisation through the employee row
that names it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry import relay

from auth.policy import Action, Resource, decide
from dossiers.company import alerts as alert_rules
from dossiers.company import dashboard
from dossiers.company.models import Alert
from dossiers.company.models import AlertKind as AlertKindValue
from dossiers.company.models import Employee as EmployeeRow
from dossiers.company.models import Label as LabelRow
from dossiers.title import models as m
from dossiers.title.numbers import colour_of, effective_status, today_of
from schema.account.types import visible_rows
from schema.context import Info
from schema.enums import graphql_enum
from schema.nodes import register_node
from schema.pagination import Connection, to_connection
from schema.tenant.types import Activity
from tenants.organisations import Establishment
from tenants.pagination import paginate

if TYPE_CHECKING:
    from schema.organisation.types import EstablishmentNode, OrganisationNode

EstablishmentType = Annotated["EstablishmentNode", strawberry.lazy("schema.organisation.types")]
OrganisationType = Annotated["OrganisationNode", strawberry.lazy("schema.organisation.types")]

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
    from dossiers.company.models import AlertKind
    from dossiers.title.models import Colour, TitleKind, TitleStatus
else:
    Colour = graphql_enum(
        m.Colour,
        "Colour",
        "Code couleur d'un titre dans l'espace entreprise.",
        {
            m.Colour.GREEN: "Vert : titre valide",
            m.Colour.ORANGE: "Orange : le titre expire dans les 6 mois",
            m.Colour.RED: "Rouge : titre expiré, suspendu, retiré ou inconnu",
        },
    )
    TitleStatus = graphql_enum(
        m.TitleStatus,
        "TitleStatus",
        "Statut d'un titre (EXPIRED se lit sur la date d'échéance).",
        {
            m.TitleStatus.VALID: "Valide",
            m.TitleStatus.SUSPENDED: "Suspendu par l'autorité",
            m.TitleStatus.WITHDRAWN: "Retiré par l'autorité (définitif)",
            m.TitleStatus.EXPIRED: "Expiré : la date d'échéance est passée",
        },
    )
    TitleKind = graphql_enum(
        m.TitleKind,
        "TitleKind",
        "Sorte de titre (préfixe du numéro).",
        {
            m.TitleKind.CAR: "Carte professionnelle (5 ans)",
            m.TitleKind.PRE: "Autorisation préalable d'entrée en formation (6 mois)",
            m.TitleKind.PRV: "Autorisation provisoire (6 mois)",
            m.TitleKind.REC: "Récépissé de demande de renouvellement (jusqu'à la décision)",
            m.TitleKind.AGD: "Agrément dirigeant ou associé (5 ans)",
            m.TitleKind.AUT: "Autorisation d'exercer (entreprise, établissement, service interne)",
            m.TitleKind.FOR: "Autorisation d'exercer d'un organisme de formation (5 ans)",
        },
    )
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


def today(info: Info) -> date:
    return today_of(info.context.services.clock)


def organisation_member(kind: str, row_id: uuid.UUID, organisation_id: uuid.UUID) -> Resource:
    return Resource(kind, row_id, organisation_id=organisation_id)


@strawberry.type(name="Title", description="Un titre délivré par l'autorité.")
class TitleNode(relay.Node):
    id: relay.NodeID[str]
    number: str = strawberry.field(description="PFX-DDD-AAAA-MM-JJ-NNNNNNNNNNN.")
    kind: TitleKind
    holder_family_name: str
    holder_given_names: str | None
    departement: str
    issued_on: date
    expires_on: date
    status: TitleStatus = strawberry.field(description="Statut effectif à la date du jour.")
    colour: Colour
    status_changed_at: datetime
    row: strawberry.Private[m.Title]

    @classmethod
    def from_row(cls, row: m.Title, on: date) -> TitleNode:
        return cls(
            id=str(row.id),
            number=row.number,
            kind=TitleKind(row.kind),
            holder_family_name=row.holder_family_name,
            holder_given_names=row.holder_given_names,
            departement=row.departement,
            issued_on=row.issued_on,
            expires_on=row.expires_on,
            status=TitleStatus(effective_status(row, on).value),
            colour=Colour(colour_of(row, on).value),
            status_changed_at=row.status_changed_at,
            row=row,
        )

    @strawberry.field(description="Les 7 derniers chiffres, ceux de la vérification publique.")
    def verification_digits(self) -> str:
        return self.row.sequence

    @strawberry.field(description="Activités mentionnées sur le titre.")
    def activities(self, info: Info) -> list[Activity]:
        known = {a.code: a for a in info.context.pack.activities}
        locale = info.context.locale
        return [
            Activity(
                code=c, label=known[c].label.get(locale), excludes_others=known[c].excludes_others
            )
            if c in known
            else Activity(code=c, label=c, excludes_others=False)
            for c in self.row.activities or []
        ]

    @strawberry.field(
        description="Motif de la dernière décision (visible du titulaire et de l'autorité)."
    )
    def status_reason(self, info: Info) -> str | None:
        actor = info.context.actor
        if actor is None:
            return None
        agent = decide(actor, Action.MANAGE_TITLES, Resource("Title", None)).allowed
        holder = (
            self.row.holder_person_id is not None and self.row.holder_person_id == actor.person_id
        )
        return self.row.status_reason if agent or holder else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[TitleNode | None]:
        from dossiers.title.issuing import viewing_resource

        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(m.Title),
            viewing_resource,
            Action.VIEW_PERSON_TITLES,
        )
        on = today(info)
        return [cls.from_row(row, on) if row else None for row in rows]


@strawberry.type(
    name="Label",
    description="Un libellé qui regroupe des salariés (par établissement, par site client…).",
)
class LabelNode(relay.Node):
    id: relay.NodeID[str]
    name: str
    created_at: datetime
    organisation_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: LabelRow) -> LabelNode:
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
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[LabelNode | None]:
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
class EmployeeNode(relay.Node):
    """Built whole by `employee_nodes` (one batch per kind of related row for a whole page):
    every field is plain data, so a page of 100 costs no resolver call per row."""

    id: relay.NodeID[str]
    family_name: str
    given_names: str | None
    title_number: str | None
    email: str | None
    created_at: datetime
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
    establishment: EstablishmentType | None = strawberry.field(
        description="L'établissement de rattachement."
    )
    row: strawberry.Private[EmployeeRow]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[EmployeeNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(EmployeeRow),
            lambda row: organisation_member("Employee", row.id, row.organisation_id),
            Action.MANAGE_EMPLOYEES,
        )
        built = iter(await employee_nodes(info, [row for row in rows if row is not None]))
        return [next(built) if row is not None else None for row in rows]


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
    from schema.organisation.types import EstablishmentNode

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
    sites: dict[uuid.UUID, Establishment] = {}
    wanted = sorted({row.establishment_id for row in rows if row.establishment_id})
    if establishments and wanted:
        found_sites = await loaders.by_id(Establishment).load_many(wanted)
        sites = {site.id: site for site in found_sites if site is not None}
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
            establishment=EstablishmentNode.from_row(sites[row.establishment_id])
            if row.establishment_id in sites
            else None,
            row=row,
        )
        for row, (title, colour), names in zip(rows, joined, label_rows, strict=True)
    ]


@strawberry.type(
    name="Alert",
    description="Une alerte sur le titre d'un salarié : changement de statut, entrée dans la "
    "période de renouvellement (6 mois), expiration.",
)
class AlertNode(relay.Node):
    id: relay.NodeID[str]
    kind: AlertKind
    colour: Colour = strawberry.field(description="La couleur du titre quand l'alerte est née.")
    title_number: str
    created_at: datetime
    read_at: datetime | None
    row: strawberry.Private[Alert]

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

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationType | None:
        from schema.organisation.types import OrganisationNode

        [node] = await OrganisationNode.resolve_nodes(
            info=info, node_ids=[str(self.row.organisation_id)]
        )
        return node

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[AlertNode | None]:
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
    green: int
    orange: int
    red: int


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


async def person_titles(
    info: Info, person_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[TitleNode]:
    """A person's titles, newest first (the caller has asked the policy)."""
    query = select(m.Title).where(m.Title.holder_person_id == person_id)
    async with info.context.read_session() as session:
        page = await paginate(session, query, m.Title.created_at, m.Title.id, first, after)
    on = today(info)
    return to_connection(page, lambda row: TitleNode.from_row(row, on))
