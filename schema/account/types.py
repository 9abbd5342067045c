"""Account, Person and Session as Relay nodes; what the policy lets the viewer see."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from typing import Annotated, TypeVar

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader

from auth.account import sessions as account_sessions
from auth.account.models import Account as AccountRow
from auth.account.models import AuthSession
from auth.policy import Action, Resource, decide
from schema.context import Info
from schema.guards import person_resource, require
from schema.ids import parse_uuid
from schema.nodes import VisibleNode, register_node
from schema.pagination import After, Connection, First, to_connection
from tenants.models import Person as PersonRow

R = TypeVar("R")


@strawberry.enum(description="Langue des messages et des courriels.")
class Locale(Enum):
    FR = strawberry.enum_value("fr", description="Français")
    EN = strawberry.enum_value("en", description="English")


def can(info: Info, action: Action, resource: Resource) -> bool:
    return decide(info.context.actor, action, resource).allowed


async def visible_rows(
    info: Info,
    node_ids: Iterable[str],
    loader: DataLoader[uuid.UUID, R | None],
    resource: Callable[[R], Resource],
    action: Action,
) -> list[R | None]:
    """Rows for the asked IDs, in order; `None` where missing or not the viewer's to see
    (the two are indistinguishable on purpose)."""
    ids = [parse_uuid(i) for i in node_ids]
    rows = await loader.load_many([i for i in ids if i])
    found = {getattr(row, "id", None): row for row in rows if row is not None}
    result: list[R | None] = []
    for id_ in ids:
        row = found.get(id_) if id_ else None
        result.append(row if row is not None and can(info, action, resource(row)) else None)
    return result


@strawberry.type(description="Une adresse postale.")
class Address:
    line1: str | None = strawberry.field(description="Numéro et voie.")
    line2: str | None = strawberry.field(description="Complément d'adresse.")
    postal_code: str | None = strawberry.field(description="Code postal.")
    city: str | None = strawberry.field(description="Commune.")
    country: str | None = strawberry.field(description="Code pays ISO 3166 (FR).")


@strawberry.type(
    description="Une personne telle que d'autres la voient (membre d'une organisation, "
    "personne d'un mandat, auteur d'un acte) : son nom, rien d'autre. Ce n'est pas un nœud "
    "(pas d'`id`) : la `Person` elle-même n'est lisible que par qui en a le droit."
)
class PersonSummary:
    family_name: str = strawberry.field(description="Nom de famille.")
    given_names: str = strawberry.field(description="Prénoms.")

    @classmethod
    def from_row(cls, row: PersonRow) -> PersonSummary:
        return cls(family_name=row.family_name, given_names=row.given_names)


async def person_summary(info: Info, person_id: uuid.UUID | None) -> PersonSummary | None:
    """The name of a person, read through the request's DataLoader (one batch per response)."""
    if person_id is None:
        return None
    row = await info.context.loaders.persons.load(person_id)
    return PersonSummary.from_row(row) if row else None


@strawberry.type(name="Person", description="Une personne physique.")
class PersonNode(VisibleNode):
    id: relay.NodeID[str]
    family_name: str = strawberry.field(description="Nom de famille.")
    given_names: str = strawberry.field(description="Prénoms.")
    birth_date: date | None = strawberry.field(description="Date de naissance.")
    birth_city: str | None = strawberry.field(description="Commune de naissance.")
    birth_country: str | None = strawberry.field(description="Pays de naissance (code ISO 3166).")
    address: Address | None = strawberry.field(description="Adresse de domicile.")
    phone: str | None = strawberry.field(description="Au format international (+33612345678).")
    structure: str | None = strawberry.field(description="Structure d'appartenance (cnsa).")

    @classmethod
    def from_row(cls, row: PersonRow) -> PersonNode:
        has_address = any((row.address_line1, row.postal_code, row.city, row.country))
        return cls(
            id=str(row.id),
            family_name=row.family_name,
            given_names=row.given_names,
            birth_date=row.birth_date,
            birth_city=row.birth_city,
            birth_country=row.birth_country,
            address=Address(
                line1=row.address_line1,
                line2=row.address_line2,
                postal_code=row.postal_code,
                city=row.city,
                country=row.country,
            )
            if has_address
            else None,
            phone=row.phone,
            structure=row.structure,
        )

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[PersonNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.persons,
            lambda row: person_resource(row.id),
            Action.VIEW_PERSON,
        )
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(
    name="SignInSession", description="Une session de connexion ouverte (un appareil)."
)
class SessionNode(VisibleNode):
    id: relay.NodeID[str]
    created_at: datetime = strawberry.field(description="Ouverture de la session.")
    last_used_at: datetime = strawberry.field(description="Dernier renouvellement des jetons.")
    expires_at: datetime = strawberry.field(description="Fin de validité, sans renouvellement.")
    revoked_at: datetime | None = strawberry.field(
        description="Fermeture de la session (null si elle est ouverte)."
    )
    revoked_reason: str | None = strawberry.field(
        description="Pourquoi elle a été fermée (déconnexion, révocation, jeton rejoué…)."
    )
    user_agent: str | None = strawberry.field(
        description="Le navigateur ou l'application qui l'a ouverte."
    )
    ip_address: str | None = strawberry.field(description="L'adresse IP d'où elle a été ouverte.")
    current: bool = strawberry.field(description="La session de cette requête.")
    account_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: AuthSession, current: uuid.UUID | None) -> SessionNode:
        return cls(
            id=str(row.id),
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            revoked_reason=row.revoked_reason,
            user_agent=row.user_agent,
            ip_address=row.ip_address,
            current=row.id == current,
            account_id=row.account_id,
        )

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[SessionNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.sessions,
            lambda row: Resource("SignInSession", row.id, owner_account_id=row.account_id),
            Action.LIST_SESSIONS,
        )
        actor = info.context.actor
        current = actor.session_id if actor else None
        return [cls.from_row(row, current) if row else None for row in rows]


@strawberry.type(name="Account", description="Le compte d'une personne sur ce portail.")
class AccountNode(VisibleNode):
    id: relay.NodeID[str]
    email: str = strawberry.field(description="L'adresse du compte : son identifiant de connexion.")
    email_confirmed: bool = strawberry.field(description="Vrai quand l'adresse a été confirmée.")
    email_confirmed_at: datetime | None = strawberry.field(
        description="Quand l'adresse a été confirmée."
    )
    must_change_password: bool = strawberry.field(
        description="Le compte ne peut rien faire d'autre que changer son mot de passe."
    )
    locale: Locale = strawberry.field(description="La langue des courriels envoyés au compte.")
    created_at: datetime = strawberry.field(description="Ouverture du compte.")
    password_changed_at: datetime = strawberry.field(
        description="Dernier changement du mot de passe."
    )
    person_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: AccountRow) -> AccountNode:
        return cls(
            id=str(row.id),
            email=row.email,
            email_confirmed=row.email_confirmed,
            email_confirmed_at=row.email_confirmed_at,
            must_change_password=row.must_change_password,
            locale=Locale.EN if row.locale == "en" else Locale.FR,
            created_at=row.created_at,
            password_changed_at=row.password_changed_at,
            person_id=row.person_id,
        )

    @strawberry.field(
        description="La personne titulaire du compte ; refusée (mot de passe provisoire à "
        "changer, adresse à confirmer…), null avec l'erreur sur ce champ."
    )
    async def person(self, info: Info) -> PersonNode | None:
        require(info, Action.VIEW_PERSON, person_resource(self.person_id))
        row = await info.context.loaders.persons.load(self.person_id)
        return PersonNode.from_row(row) if row else None

    @strawberry.field(description="Les sessions ouvertes, les plus récentes d'abord.")
    async def sessions(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        include_revoked: Annotated[
            bool, strawberry.argument(description="Compter aussi les sessions fermées.")
        ] = False,
    ) -> Connection[SessionNode] | None:
        account_id = uuid.UUID(str(self.id))
        own = Resource("Account", account_id, owner_account_id=account_id)
        require(info, Action.LIST_SESSIONS, own)
        actor = info.context.actor
        async with info.context.read_session() as session:
            page = await account_sessions.sessions_of(
                session, account_id, active_only=not include_revoked, first=first, after=after
            )
        current = actor.session_id if actor else None
        return to_connection(page, lambda row: SessionNode.from_row(row, current))

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[AccountNode | None]:
        rows = await visible_rows(
            info,
            node_ids,
            info.context.loaders.accounts,
            lambda row: Resource("Account", row.id, owner_account_id=row.id),
            Action.VIEW_ACCOUNT,
        )
        return [cls.from_row(row) if row else None for row in rows]


register_node(AccountNode)
register_node(PersonNode)
register_node(SessionNode)
