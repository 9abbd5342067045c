"""Titles as Relay nodes (cards, authorisations), with their enumerations; a person's titles.

A title is seen by its holder and the authority's agents (`dossiers.title.issuing.
viewing_resource`), and by an organisation through the employee row that names it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from auth.policy import Action, Resource, decide
from dossiers.title import models as m
from dossiers.title.issuing import title_pages, viewing_resource
from dossiers.title.numbers import colour_at, effective_status, today_of
from schema.account.types import visible_rows
from schema.context import Info
from schema.enums import graphql_enum
from schema.nodes import VisibleNode, register_node
from schema.pagination import Connection, nested_page, to_connection
from schema.tenant.types import Activity

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
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


# Domain values to their GraphQL twins by lookup (an Enum call per row costs more).
_GRAPHQL_STATUS = {s: TitleStatus(s.value) for s in m.TitleStatus}
_GRAPHQL_COLOUR = {c: Colour(c.value) for c in m.Colour}
_GRAPHQL_KIND = {k.value: TitleKind(k.value) for k in m.TitleKind}


@strawberry.type(name="Title", description="Un titre délivré par l'autorité.")
class TitleNode(VisibleNode):
    id: relay.NodeID[str]
    number: str = strawberry.field(description="PFX-DDD-AAAA-MM-JJ-NNNNNNNNNNN.")
    kind: TitleKind = strawberry.field(description="La sorte de titre.")
    holder_family_name: str = strawberry.field(description="Nom de famille du titulaire.")
    holder_given_names: str | None = strawberry.field(description="Prénoms du titulaire.")
    departement: str = strawberry.field(description="Le département du numéro (44, 2A, 974…).")
    issued_on: date = strawberry.field(description="Date de délivrance.")
    expires_on: date = strawberry.field(
        description="Date d'échéance (null pour un titre sans échéance)."
    )
    status: TitleStatus = strawberry.field(description="Statut effectif à la date du jour.")
    colour: Colour = strawberry.field(
        description="Vert, orange ou rouge, au jour de la requête (heure de Paris)."
    )
    status_changed_at: datetime = strawberry.field(description="Dernier changement de statut.")
    row: strawberry.Private[m.Title | m.TitleView]

    @classmethod
    def from_row(cls, row: m.Title | m.TitleView, on: date) -> TitleNode:
        status = effective_status(row, on)
        return cls(
            id=str(row.id),
            number=row.number,
            kind=_GRAPHQL_KIND[row.kind],
            holder_family_name=row.holder_family_name,
            holder_given_names=row.holder_given_names,
            departement=row.departement,
            issued_on=row.issued_on,
            expires_on=row.expires_on,
            status=_GRAPHQL_STATUS[status],
            colour=_GRAPHQL_COLOUR[colour_at(status, row.expires_on, on)],
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
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[TitleNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.by_id(m.Title),
            viewing_resource,
            Action.VIEW_PERSON_TITLES,
        )
        on = today(info)
        return [cls.from_row(row, on) if row else None for row in rows]


def today(info: Info) -> date:
    return today_of(info.context.services.clock)


register_node(TitleNode)


async def person_titles(
    info: Info, person_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[TitleNode]:
    """A person's titles, newest first (the caller has asked the policy); read with those of
    every other person of the response."""
    page = await nested_page(info, title_pages, person_id, first, after)
    on = today(info)
    return to_connection(page, lambda row: TitleNode.from_row(row, on))
