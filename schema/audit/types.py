"""`AuditEvent`: who did what, for whom, in which capacity, relying on which membership or
mandate."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from auth import policy
from auth.audit.models import AuditEvent as AuditEventRow
from auth.policy import Action, Resource, decide
from schema.context import Info
from schema.enums import graphql_enum
from schema.ids import parse_uuid
from schema.nodes import VisibleNode, register_node
from schema.refs import MandateRef, node_of

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
    from auth.policy import Capacity
else:
    Capacity = graphql_enum(
        policy.Capacity,
        "Capacity",
        "À quel titre une personne a agi.",
        {
            policy.Capacity.ANONYMOUS: "Sans être connecté (un lien reçu, un mot de passe)",
            policy.Capacity.SELF: "Pour elle-même",
            policy.Capacity.ADMINISTRATOR: "Administrateur de l'organisation",
            policy.Capacity.MANAGER: "Gestionnaire de l'organisation, avec un droit délégué",
            policy.Capacity.TRUSTED_THIRD_PARTY: (
                "Tiers de confiance, sous le mandat de la personne"
            ),
            policy.Capacity.AUTHORITY_AGENT: "Agent de l'autorité",
            policy.Capacity.APPLICATION_MANAGER: "Gestionnaire d'une application (cnsa)",
            policy.Capacity.HABILITATED: "Habilité à une application sur la structure (cnsa)",
        },
    )


@strawberry.type(description="La personne qui a agi.")
class AuditActor:
    family_name: str = strawberry.field(description="Nom de famille.")
    given_names: str = strawberry.field(description="Prénoms.")
    authority_agent: bool = strawberry.field(description="Un agent de l'autorité.")


def _global_id(type_name: str | None, id_: uuid.UUID | None) -> strawberry.ID | None:
    if type_name is None or id_ is None:
        return None
    return strawberry.ID(str(relay.GlobalID(type_name, str(id_))))


def event_visible(info: Info, row: AuditEventRow) -> bool:
    """An event is seen by who did it, by the person it was done for, and by the
    administrator of the organisation it was done in the name of."""
    actor = info.context.actor
    own = Resource("AuditEvent", row.id, owner_account_id=row.actor_account_id)
    if row.on_behalf_of_person_id is not None:
        own = Resource(
            "AuditEvent",
            row.id,
            owner_account_id=row.actor_account_id,
            owner_person_id=row.on_behalf_of_person_id,
        )
    if decide(actor, Action.VIEW_AUDIT, own).allowed:
        return True
    if row.organisation_id is None:
        return False
    of_organisation = Resource("AuditEvent", row.id, organisation_id=row.organisation_id)
    return decide(actor, Action.VIEW_ORGANISATION_AUDIT, of_organisation).allowed


@strawberry.type(
    name="AuditEvent",
    description="Un acte enregistré : qui, quoi, pour qui, à quel titre, sur quel fondement.",
)
class AuditEventNode(VisibleNode):
    id: relay.NodeID[str]
    at: datetime = strawberry.field(description="Quand l'acte a eu lieu.")
    action: str = strawberry.field(description="Code de l'acte (ex. UPDATE_PERSON_CONTACT).")
    capacity: Capacity = strawberry.field(description="À quel titre la personne a agi.")
    permission: str | None = strawberry.field(
        description="Le droit délégué invoqué, quand un gestionnaire a agi."
    )
    subject_type: str = strawberry.field(
        description="La sorte d'objet sur lequel porte l'acte (nom de type GraphQL)."
    )
    subject_id: strawberry.ID | None = strawberry.field(
        description="Identifiant global de l'objet de l'acte."
    )
    via_type: str | None = strawberry.field(
        description="Sur quoi repose le droit : Membership (adhésion), Mandate (mandat)…"
    )
    via_id: strawberry.ID | None = strawberry.field(
        description="Identifiant global de l'adhésion ou du mandat invoqué."
    )
    organisation_id: strawberry.ID | None = strawberry.field(
        description="L'organisation au nom de laquelle l'acte a été fait."
    )
    row: strawberry.Private[AuditEventRow]

    @classmethod
    def from_row(cls, row: AuditEventRow) -> AuditEventNode:
        return cls(
            id=str(row.id),
            at=row.at,
            action=row.action,
            capacity=Capacity(row.capacity),
            permission=(row.details or {}).get("permission"),
            subject_type=row.subject_type,
            subject_id=_global_id(row.subject_type, row.subject_id),
            via_type=row.via_type,
            via_id=_global_id(row.via_type, row.via_id),
            organisation_id=_global_id("Organisation", row.organisation_id),
            row=row,
        )

    @strawberry.field(description="Qui a agi (son nom).")
    async def actor(self, info: Info) -> AuditActor | None:
        if self.row.actor_account_id is None:
            return None
        account = await info.context.loaders.accounts.load(self.row.actor_account_id)
        if account is None:
            return None
        person = await info.context.loaders.persons.load(account.person_id)
        if person is None:
            return None
        return AuditActor(
            family_name=person.family_name,
            given_names=person.given_names,
            authority_agent=account.kind == "AGENT",
        )

    @strawberry.field(
        description="Le mandat invoqué quand un tiers de confiance a agi (null sinon, ou si la "
        "personne connectée ne peut pas le voir)."
    )
    async def mandate(self, info: Info) -> MandateRef | None:
        if self.row.via_type != "Mandate":
            return None
        mandate: MandateRef | None = await node_of(info, "Mandate", self.row.via_id)
        return mandate

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[AuditEventNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        loader = info.context.loaders.by_id(AuditEventRow)
        rows = await loader.load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        result: list[AuditEventNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            result.append(cls.from_row(row) if row and event_visible(info, row) else None)
        return result


register_node(AuditEventNode)
