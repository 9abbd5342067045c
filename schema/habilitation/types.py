"""Structures (FINESS), habilitations and habilitation requests as Relay nodes, the
applications (tiles) and profiles they name, and the person's identity (Mon identité).

Structures are public directory data on a portal with habilitations; a habilitation or a
request is seen by its account and by the managers of its application.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from auth.account.models import Account
from auth.habilitation import habilitations as reads
from auth.habilitation.models import Habilitation, HabilitationRequest
from auth.habilitation.models import RequestStatus as RequestStatusValue
from auth.policy import Action, Resource, decide, offered
from schema.context import Info
from schema.deposit.types import StructureDepositFields
from schema.enums import graphql_enum
from schema.ids import parse_uuid
from schema.nodes import VisibleNode, register_node
from tenants.models import Person
from tenants.packs.base import Application, TenantPack
from tenants.structures import Structure

if TYPE_CHECKING:  # mypy reads the domain enum; GraphQL gets its described twin
    from auth.habilitation.models import RequestStatus
else:
    RequestStatus = graphql_enum(
        RequestStatusValue,
        "HabilitationRequestStatus",
        "Où en est une demande d'habilitation.",
        {
            RequestStatusValue.PENDING: "En attente de l'approbation d'un gestionnaire",
            RequestStatusValue.APPROVED: "Approuvée : devenue une habilitation",
            RequestStatusValue.REJECTED: "Refusée par un gestionnaire, avec un motif",
            RequestStatusValue.WITHDRAWN: "Supprimée par le demandeur",
        },
    )


@strawberry.type(name="ApplicationTile", description="Une application du portail (une tuile).")
class ApplicationTile:
    code: str = strawberry.field(description="Code de l'application (CAMSP_CMPP…).")
    name: str = strawberry.field(description="Nom affiché sur la tuile.")
    description: str = strawberry.field(description="Ce que fait l'application.")
    url: str | None = strawberry.field(description="Où la tuile mène.")

    @classmethod
    def of(cls, application: Application, locale: str) -> ApplicationTile:
        return cls(
            code=application.code,
            name=application.name,
            description=application.description.get(locale),
            url=application.url,
        )


@strawberry.type(name="HabilitationProfile", description="Un profil d'une application.")
class HabilitationProfile:
    code: str = strawberry.field(description="Code du profil.")
    label: str = strawberry.field(description="Nom du profil (Gestionnaire CAMSP CMPP…).")
    description: str = strawberry.field(description="Ce que le profil permet.")


def _application(pack: TenantPack, code: str, locale: str) -> ApplicationTile:
    application = pack.application(code)
    if application is None:  # an application a later pack no longer lists
        return ApplicationTile(code=code, name=code, description="", url=None)
    return ApplicationTile.of(application, locale)


def _profile(pack: TenantPack, application: str, code: str, locale: str) -> HabilitationProfile:
    found = pack.application(application)
    profile = found.profile(code) if found else None
    if profile is None:
        return HabilitationProfile(code=code, label=code, description="")
    return HabilitationProfile(
        code=code, label=profile.label.get(locale), description=profile.description.get(locale)
    )


@strawberry.type(
    name="Structure",
    description="Une structure du répertoire FINESS (établissement ou service médico-social).",
)
class StructureNode(StructureDepositFields, VisibleNode):
    id: relay.NodeID[str]
    finess: str = strawberry.field(description="N°FINESS de l'établissement (9 caractères).")
    name: str = strawberry.field(description="Raison sociale.")
    town: str | None = strawberry.field(description="Commune (ligne d'acheminement).")
    postal_code: str | None = strawberry.field(description="Code postal.")
    category_code: str | None = strawberry.field(
        description="Code de catégorie FINESS (190 : CAMSP, 189 : CMPP…)."
    )
    category: str | None = strawberry.field(
        description="Type de structure : libellé de la catégorie FINESS."
    )

    @classmethod
    def from_row(cls, row: Structure) -> StructureNode:
        return cls(
            id=str(row.id),
            finess=row.finess,
            name=row.name,
            town=row.town,
            postal_code=row.postal_code,
            category_code=row.category_code,
            category=row.category,
        )

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[StructureNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        if not offered(info.context.pack.slug, Action.REQUEST_HABILITATION):
            return [None for _ in ids]
        rows = await info.context.loaders.by_id(Structure).load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        return [cls.from_row(found[i]) if i is not None and i in found else None for i in ids]


def _owned_resource(
    kind: str, row_id: uuid.UUID, account_id: uuid.UUID, application: str
) -> Resource:
    return Resource(kind, row_id, owner_account_id=account_id, application=application)


def _visible(info: Info, kind: str, row: Habilitation | HabilitationRequest) -> bool:
    """Its account's (REQUEST_HABILITATION as self), or a manager's of its application."""
    actor = info.context.actor
    resource = _owned_resource(kind, row.id, row.account_id, row.application)
    if decide(actor, Action.REQUEST_HABILITATION, resource).allowed:
        return True
    return decide(actor, Action.REVIEW_HABILITATIONS, resource).allowed


@strawberry.type(name="Identity", description="Mon identité : l'identifiant et la personne.")
class Identity:
    identifier: str | None = strawberry.field(
        description="Identifiant de connexion (cnsa : « yzemirli ») ; null sur les portails "
        "où l'on se connecte par l'adresse."
    )
    email: str = strawberry.field(description="Adresse électronique.")
    family_name: str = strawberry.field(description="Nom.")
    given_names: str = strawberry.field(description="Prénom(s).")
    structure: str | None = strawberry.field(description="Structure d'appartenance déclarée.")
    phone: str | None = strawberry.field(description="Téléphone professionnel.")

    @classmethod
    def of(cls, account: Account, person: Person) -> Identity:
        return cls(
            identifier=account.identifier,
            email=account.email,
            family_name=person.family_name,
            given_names=person.given_names,
            structure=person.structure,
            phone=person.phone,
        )


async def _structures(info: Info, key: str, parent: uuid.UUID) -> list[StructureNode]:
    load = (
        reads.structures_of_habilitations if key == "habilitation" else reads.structures_of_requests
    )
    loader = info.context.loaders.custom(load, load)
    rows: list[Structure] = await loader.load(parent)
    return [StructureNode.from_row(row) for row in rows]


@strawberry.type(
    name="Habilitation",
    description="Un profil d'une application détenu pour des structures (aucune pour un "
    "profil de gestionnaire).",
)
class HabilitationNode(VisibleNode):
    id: relay.NodeID[str]
    granted_at: datetime = strawberry.field(description="Date de l'approbation.")
    application_code: strawberry.Private[str]
    profile_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Habilitation) -> HabilitationNode:
        return cls(
            id=str(row.id),
            granted_at=row.granted_at,
            application_code=row.application,
            profile_code=row.profile,
        )

    @strawberry.field(description="L'application.")
    def application(self, info: Info) -> ApplicationTile:
        return _application(info.context.pack, self.application_code, info.context.locale)

    @strawberry.field(description="Le profil détenu.")
    def profile(self, info: Info) -> HabilitationProfile:
        return _profile(
            info.context.pack, self.application_code, self.profile_code, info.context.locale
        )

    @strawberry.field(
        description="Les structures sur lesquelles le profil est détenu (au plus 50), par nom."
    )
    async def structures(self, info: Info) -> list[StructureNode]:
        return await _structures(info, "habilitation", uuid.UUID(str(self.id)))

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[HabilitationNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        rows = await info.context.loaders.by_id(Habilitation).load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        result: list[HabilitationNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            ok = row is not None and _visible(info, "Habilitation", row)
            result.append(cls.from_row(row) if row is not None and ok else None)
        return result


@strawberry.type(
    name="HabilitationRequest",
    description="Une demande d'habilitation : un profil d'une application pour des "
    "structures, en attente de l'approbation d'un gestionnaire de l'application.",
)
class HabilitationRequestNode(VisibleNode):
    id: relay.NodeID[str]
    status: RequestStatus = strawberry.field(description="Où en est la demande.")
    request_type: str = strawberry.field(description="Type de demande (« Ajout de profil »).")
    created_at: datetime = strawberry.field(description="Date de la demande.")
    decided_at: datetime | None = strawberry.field(
        description="Date de l'approbation, du refus ou de la suppression."
    )
    rejection_reason: str | None = strawberry.field(description="Motif du refus.")
    application_code: strawberry.Private[str]
    profile_code: strawberry.Private[str]
    structure_type_code: strawberry.Private[str | None]
    account_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: HabilitationRequest, locale: str = "fr") -> HabilitationRequestNode:
        return cls(
            id=str(row.id),
            status=RequestStatusValue(row.status),
            request_type="Profile addition" if locale == "en" else "Ajout de profil",
            created_at=row.created_at,
            decided_at=row.decided_at,
            rejection_reason=row.rejection_reason,
            application_code=row.application,
            profile_code=row.profile,
            structure_type_code=row.structure_type,
            account_id=row.account_id,
        )

    @strawberry.field(description="L'application demandée.")
    def application(self, info: Info) -> ApplicationTile:
        return _application(info.context.pack, self.application_code, info.context.locale)

    @strawberry.field(description="Le profil demandé.")
    def profile(self, info: Info) -> HabilitationProfile:
        return _profile(
            info.context.pack, self.application_code, self.profile_code, info.context.locale
        )

    @strawberry.field(description="Le type de structures (Établissements et Services…).")
    def structure_type(self, info: Info) -> str | None:
        for kind in info.context.pack.structure_types:
            if kind.code == self.structure_type_code:
                return kind.label.get(info.context.locale)
        return None

    @strawberry.field(description="Les structures demandées (au plus 50), par nom.")
    async def structures(self, info: Info) -> list[StructureNode]:
        return await _structures(info, "request", uuid.UUID(str(self.id)))

    @strawberry.field(description="Qui demande : pour les gestionnaires qui examinent.")
    async def requester(self, info: Info) -> Identity | None:
        account = await info.context.loaders.accounts.load(self.account_id)
        if account is None:
            return None
        person = await info.context.loaders.persons.load(account.person_id)
        return Identity.of(account, person) if person is not None else None

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[HabilitationRequestNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        loader = info.context.loaders.by_id(HabilitationRequest)
        rows = await loader.load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        result: list[HabilitationRequestNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            ok = row is not None and _visible(info, "HabilitationRequest", row)
            result.append(cls.from_row(row, info.context.locale) if row and ok else None)
        return result


register_node(StructureNode)
register_node(HabilitationNode)
register_node(HabilitationRequestNode)
