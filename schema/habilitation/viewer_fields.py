"""Viewer fields of habilitations (cnsa "Mon compte"): Mon identité, Mes habilitations, Mes
demandes, the tiles (Vos applications), and the structures the viewer deposits documents
for (Liste FINESS). Empty on a portal without habilitations."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from auth.habilitation import habilitations as reads
from auth.habilitation import requests as request_rules
from auth.habilitation.models import RequestStatus as RequestStatusValue
from auth.policy import Action, Resource, offered
from dossiers.deposit.deposits import deposit_structure_ids
from schema.context import Info
from schema.guards import require
from schema.habilitation.types import (
    ApplicationTile,
    HabilitationNode,
    HabilitationRequestNode,
    Identity,
    RequestStatus,
    StructureNode,
)
from schema.pagination import After, Connection, First, empty_connection, to_connection
from tenants.structures import Structure


def _mine(info: Info, account_id: uuid.UUID) -> bool:
    """Whether to list the viewer's own habilitations or requests: False (an empty page) on a
    portal without them; an account that may not ask (temporary password, address to
    confirm, an agent) is refused on that field only (the connection is nullable)."""
    if not offered(info.context.pack.slug, Action.REQUEST_HABILITATION):
        return False
    resource = Resource("Account", account_id, owner_account_id=account_id)
    require(info, Action.REQUEST_HABILITATION, resource)
    return True


@strawberry.type
class ViewerHabilitationFields:
    account_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="Mon identité : identifiant de connexion (cnsa), nom, prénom, adresse."
    )
    async def identity(self, info: Info) -> Identity | None:
        account = await info.context.loaders.accounts.load(self.account_id)
        if account is None:
            return None
        person = await info.context.loaders.persons.load(account.person_id)
        return Identity.of(account, person) if person is not None else None

    @strawberry.field(
        description="Mes habilitations en vigueur, la dernière approuvée d'abord (vide sur un "
        "portail sans habilitations)."
    )
    async def habilitations(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[HabilitationNode] | None:
        if not _mine(info, self.account_id):
            return empty_connection(first, after)
        async with info.context.read_session() as session:
            page = await reads.habilitations_of(session, self.account_id, first, after)
        return to_connection(page, HabilitationNode.from_row)

    @strawberry.field(
        description="Mes demandes d'habilitation (par défaut celles en attente), la plus "
        "récente d'abord."
    )
    async def habilitation_requests(
        self,
        info: Info,
        status: Annotated[
            list[RequestStatus] | None,
            strawberry.argument(description="Les états voulus ; les demandes en attente sans lui."),
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[HabilitationRequestNode] | None:
        if not _mine(info, self.account_id):
            return empty_connection(first, after)
        wanted = [RequestStatusValue(s.value) for s in status or [RequestStatusValue.PENDING]]
        locale = info.context.locale
        async with info.context.read_session() as session:
            ctx = info.context.service_context(session)
            page = await request_rules.requests_of(ctx, self.account_id, wanted, first, after)
        return to_connection(page, lambda row: HabilitationRequestNode.from_row(row, locale))

    @strawberry.field(
        description="Vos applications : les tuiles que le compte peut ouvrir, d'après ses "
        "habilitations, et celles du portail (Administration pour les gestionnaires)."
    )
    def applications(self, info: Info) -> list[ApplicationTile]:
        locale = info.context.locale
        return [
            ApplicationTile.of(application, locale)
            for application in reads.tiles(info.context.pack, info.context.actor)
        ]

    @strawberry.field(
        description="Liste FINESS : les structures pour lesquelles je dépose des documents "
        "(mes habilitations à l'application de dépôt), par nom."
    )
    async def deposit_structures(self, info: Info) -> list[StructureNode]:
        ids = deposit_structure_ids(info.context.actor, info.context.pack)
        rows = await info.context.loaders.by_id(Structure).load_many(ids)
        found = sorted((r for r in rows if r is not None), key=lambda r: (r.name, r.finess))
        return [StructureNode.from_row(row) for row in found]
