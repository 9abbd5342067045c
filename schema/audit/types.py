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
from auth.account.models import Account as AccountRow
from auth.audit.models import AuditEvent as AuditEventRow
from auth.policy import Action, Resource, decide
from schema.account.types import PersonSummary, person_summary
from schema.context import Info
from schema.enums import Permission, graphql_enum
from schema.ids import parse_uuid
from schema.nodes import NODE_TYPES, VisibleNode, register_node
from schema.refs import MandateRef, MembershipRef, node_of, organisation_field

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


# The trail names a subject by its table's name; GraphQL by its type's name.
_NODE_NAMES = {"AuthSession": "SignInSession", "Deposit": "DepositedDocument"}


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
    at: datetime = strawberry.field(description="Quand l'acte a été fait.")
    action: str = strawberry.field(description="Code de l'acte (ex. UPDATE_PERSON_CONTACT).")
    capacity: Capacity = strawberry.field(description="À quel titre la personne a agi.")
    permission: Permission | None = strawberry.field(
        description="Le droit délégué invoqué, quand un gestionnaire a agi."
    )
    row: strawberry.Private[AuditEventRow]

    @property
    def organisation_id(self) -> uuid.UUID | None:
        return self.row.organisation_id

    @classmethod
    def from_row(cls, row: AuditEventRow) -> AuditEventNode:
        permission = str((row.details or {}).get("permission"))
        return cls(
            id=str(row.id),
            at=row.at,
            action=row.action,
            capacity=Capacity(row.capacity),
            permission=Permission(permission) if permission in Permission.__members__ else None,
            row=row,
        )

    @strawberry.field(description="Qui a agi (son nom).")
    async def actor(self, info: Info) -> PersonSummary | None:
        account = await self._actor_account(info)
        return await person_summary(info, account.person_id) if account else None

    @strawberry.field(description="Qui a agi est un agent de l'autorité.")
    async def by_authority_agent(self, info: Info) -> bool:
        account = await self._actor_account(info)
        return account is not None and account.kind == "AGENT"

    async def _actor_account(self, info: Info) -> AccountRow | None:
        if self.row.actor_account_id is None:
            return None
        account: AccountRow | None = await info.context.loaders.accounts.load(
            self.row.actor_account_id
        )
        return account

    @strawberry.field(
        description="L'objet de l'acte (un compte, une organisation, un mandat, un salarié…), "
        "s'il existe encore et que la personne connectée peut le voir ; null sinon."
    )
    async def subject(self, info: Info) -> relay.Node | None:
        type_name = _NODE_NAMES.get(self.row.subject_type, self.row.subject_type)
        if type_name not in NODE_TYPES:
            return None
        node: relay.Node | None = await node_of(info, type_name, self.row.subject_id)
        return node

    organisation = organisation_field(
        "L'organisation au nom de laquelle l'acte a été fait (null sinon, ou si la personne "
        "connectée ne peut pas la voir)."
    )

    @strawberry.field(
        description="L'adhésion invoquée quand un administrateur ou un gestionnaire a agi "
        "(null sinon, ou si la personne connectée ne peut pas la voir)."
    )
    async def membership(self, info: Info) -> MembershipRef | None:
        if self.row.via_type != "Membership":
            return None
        membership: MembershipRef | None = await node_of(info, "Membership", self.row.via_id)
        return membership

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
