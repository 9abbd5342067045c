"""Organisation fields of the company space: the dashboard of employees, labels, alerts, and
the CSV export. Each needs MANAGE_EMPLOYEES on the organisation; refused, the field is null
(`schema.guards`: the rest of the organisation still answers).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from auth.policy import Action, offered, organisation_resource
from dossiers.company import dashboard as dashboard_query
from dossiers.company.alerts import alert_pages
from dossiers.company.dashboard import MAX_FILTER_IDS, DashboardFilter, export_employees
from dossiers.company.labels import label_pages
from dossiers.title.models import Colour as ColourValue
from schema.company.types import (
    AlertNode,
    ColourTotals,
    EmployeeNode,
    LabelNode,
    dashboard_nodes,
)
from schema.context import Info
from schema.guards import require
from schema.ids import uuid_of
from schema.pagination import After, Connection, Edge, First, PageInfo, nested_page, to_connection
from schema.title.types import Colour, today
from tenants.errors import CommonCode, DomainError

if TYPE_CHECKING:
    from tenants.organisations import Organisation as OrganisationRow

NO_MATCH = uuid.UUID(int=0)


@strawberry.type(
    name="EmployeeDashboardConnection",
    description="Le tableau de bord : une page de salariés avec leur titre et sa couleur, le "
    "nombre de lignes retenues par les filtres et les totaux par couleur.",
)
class EmployeeDashboard(Connection[EmployeeNode]):
    totals: ColourTotals = strawberry.field(
        description="Par couleur, sous les filtres de libellé et d'établissement (pas celui "
        "de couleur : de quoi afficher chaque onglet)."
    )


@strawberry.input(description="Filtres du tableau de bord (combinés : tous doivent tenir).")
class DashboardFilterInput:
    label_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Les salariés portant l'un de ces libellés."
    )
    establishment_id: strawberry.ID | None = strawberry.field(
        default=None, description="Les salariés de cet établissement."
    )
    colours: list[Colour] | None = strawberry.field(
        default=None, description="L'une de ces couleurs."
    )


def _id(value: strawberry.ID | None, type_name: str) -> uuid.UUID:
    """An ID of the wrong type or malformed matches nothing (never widens the filter)."""
    return NO_MATCH if value is None else uuid_of(value, type_name)


def selects(selections: Sequence[Selection], name: str) -> bool:
    """Whether `name` is asked anywhere under these selections (fragments included)."""
    for selection in selections:
        if isinstance(selection, SelectedField) and selection.name == name:
            return True
        if selects(selection.selections, name):
            return True
    return False


def dashboard_filter(value: DashboardFilterInput | None) -> DashboardFilter:
    if value is None:
        return DashboardFilter()
    labels = value.label_ids or []
    if len(labels) > MAX_FILTER_IDS:
        raise DomainError.one(CommonCode.TOO_MANY_IDS, ("filter", "labelIds"), max=MAX_FILTER_IDS)
    return DashboardFilter(
        label_ids=[_id(i, "Label") for i in labels],
        establishment_id=_id(value.establishment_id, "Establishment")
        if value.establishment_id
        else None,
        colours=[ColourValue(c.value) for c in value.colours or []],
    )


@strawberry.type
class OrganisationCompanyFields:
    if TYPE_CHECKING:
        row: OrganisationRow

    def _manage_employees(self, info: Info) -> bool:
        """False on a portal without the company space (the field is null, no error);
        refused, the field is null with the policy's error on its path."""
        if not offered(info.context.pack.slug, Action.MANAGE_EMPLOYEES):
            return False
        require(info, Action.MANAGE_EMPLOYEES, organisation_resource(self.row))
        return True

    @strawberry.field(
        description="Tableau de bord de l'espace entreprise : les salariés (les plus récemment "
        "ajoutés d'abord) avec leur titre, sa couleur et leurs libellés ; filtres par libellé, "
        "établissement et couleur ; totaux par couleur."
    )
    async def dashboard(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            DashboardFilterInput | None,
            strawberry.argument(description="Les filtres (libellés, établissement, couleurs)."),
        ] = None,
    ) -> EmployeeDashboard | None:
        if not self._manage_employees(info):
            return None
        filters = dashboard_filter(filter)
        async with info.context.read_session() as session:
            result = await dashboard_query.dashboard(
                session,
                self.row.id,
                filters,
                today(info),
                first,
                after,
                labels=selects(info.selected_fields, "labels"),
                establishments=selects(info.selected_fields, "establishment"),
            )
        items = result.page.items
        nodes = await dashboard_nodes(info, [row for _, row in items])
        edges = [
            Edge(cursor=cursor, node=node) for (cursor, _), node in zip(items, nodes, strict=True)
        ]
        return EmployeeDashboard(
            edges=edges,
            page_info=PageInfo(
                has_next_page=result.page.has_next,
                has_previous_page=result.page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=result.page.total_count,
            totals=ColourTotals(
                green=result.totals[ColourValue.GREEN],
                orange=result.totals[ColourValue.ORANGE],
                red=result.totals[ColourValue.RED],
            ),
        )

    @strawberry.field(description="Les libellés de l'organisation, les plus récents d'abord.")
    async def labels(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[LabelNode] | None:
        if not self._manage_employees(info):
            return None
        page = await nested_page(info, label_pages, self.row.id, first, after)
        return to_connection(page, LabelNode.from_row)

    @strawberry.field(
        description="Les alertes sur les titres des salariés, les plus récentes d'abord."
    )
    async def alerts(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Seulement les alertes non lues.")
        ] = False,
    ) -> Connection[AlertNode] | None:
        if not self._manage_employees(info):
            return None
        page = await nested_page(info, alert_pages, self.row.id, first, after, unread_only)
        return to_connection(page, AlertNode.from_row)

    @strawberry.field(
        description="La liste des salariés en CSV (séparateur « ; », en-têtes en français, "
        "triée par nom) : les colonnes de l'import, plus statut, couleur et échéance du titre. "
        "Mêmes filtres que le tableau de bord ; 20 000 lignes au plus."
    )
    async def employees_csv(
        self,
        info: Info,
        filter: Annotated[
            DashboardFilterInput | None,
            strawberry.argument(description="Les filtres (libellés, établissement, couleurs)."),
        ] = None,
    ) -> str | None:
        if not self._manage_employees(info):
            return None
        filters = dashboard_filter(filter)
        async with info.context.read_session() as session:
            return await export_employees(session, self.row.id, filters, today(info))
