"""Mandate and Invitation as Relay nodes, with their enumerations.

A mandate is seen by its person (RESPOND_TO_MANDATE, as themselves) and by the organisation
that holds or asked for it (MANAGE_MANDATES: its administrator, or a manager allowed to act as
trusted third party); an invitation by who manages the organisation's managers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from auth.account.errors import AuthCode
from auth.account.onboarding import PARIS
from auth.delegation import invitations as invitation_rules
from auth.delegation import mandate_reads
from auth.policy import Action, Resource, decide
from auth.standing import MandateFact
from schema.account.types import PersonSummary, person_summary
from schema.context import Info
from schema.delegation.enums import Permission
from schema.enums import MandateScope, graphql_enum
from schema.guards import require
from schema.ids import parse_uuid
from schema.nodes import VisibleNode, register_node
from schema.pagination import After, Connection, First
from schema.refs import organisation_field
from schema.title.types import TitleNode, person_titles
from tenants import mandates as m
from tenants.errors import DomainError
from tenants.mandates import Mandate as MandateRow
from tenants.organisations import Invitation as InvitationRow
from tenants.organisations import Organisation as OrganisationRow

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
    from auth.delegation.invitations import InvitationStatus
    from tenants.mandates import MandateStatus
else:
    MandateStatus = graphql_enum(
        m.MandateStatus,
        "MandateStatus",
        "Où en est un mandat (statut effectif : un mandat accepté passé sa date de fin est échu).",
        {
            m.MandateStatus.REQUESTED: "Demandé par l'organisation, en attente de la personne",
            m.MandateStatus.ACCEPTED: "Accepté par la personne : en vigueur",
            m.MandateStatus.REFUSED: "Refusé par la personne",
            m.MandateStatus.REVOKED: "Révoqué par la personne ou l'organisation",
            m.MandateStatus.EXPIRED: "Échu : sa date de fin est passée",
        },
    )
    InvitationStatus = graphql_enum(
        invitation_rules.InvitationStatus,
        "InvitationStatus",
        "Où en est une invitation à devenir gestionnaire.",
        {
            invitation_rules.InvitationStatus.PENDING: "Envoyée, pas encore acceptée",
            invitation_rules.InvitationStatus.ACCEPTED: "Acceptée : la personne est gestionnaire",
            invitation_rules.InvitationStatus.REVOKED: "Retirée, ou remplacée par une plus récente",
            invitation_rules.InvitationStatus.EXPIRED: "Expirée sans avoir été acceptée",
        },
    )


def paris_today(info: Info) -> date:
    return info.context.services.clock.now().astimezone(PARIS).date()


@strawberry.type(
    description="Une organisation telle que la voit qui n'agit pas pour elle (la personne "
    "d'un mandat) : son nom et son SIREN. Ce n'est pas un nœud (pas d'`id`) : l'"
    "`Organisation` elle-même n'est lisible que par ses membres et l'autorité."
)
class OrganisationSummary:
    name: str = strawberry.field(description="Dénomination de l'organisation.")
    siren: str = strawberry.field(description="Numéro SIREN (9 chiffres).")


@strawberry.type(
    name="Mandate",
    description="Le consentement d'une personne à ce qu'une organisation agisse pour elle "
    "(tiers de confiance). Seul un mandat accepté, non échu et non révoqué donne un droit.",
)
class MandateNode(VisibleNode):
    id: relay.NodeID[str]
    scopes: list[MandateScope] = strawberry.field(description="Ce que le mandat couvre.")
    status: MandateStatus = strawberry.field(description="Où en est le mandat.")
    ends_on: date | None = strawberry.field(
        description="Dernier jour où le mandat donne des droits (heure de Paris) ; sans date, "
        "jusqu'à révocation."
    )
    created_at: datetime = strawberry.field(description="Demande du mandat.")
    responded_at: datetime | None = strawberry.field(
        description="Acceptation ou refus (null sinon)."
    )
    revoked_at: datetime | None = strawberry.field(description="Révocation (null sinon).")
    email: str | None = strawberry.field(
        description="L'adresse à laquelle la demande a été envoyée, qu'un compte l'ait ou non."
    )
    organisation_id: strawberry.Private[uuid.UUID]
    person_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: MandateRow, today: date) -> MandateNode:
        given = set(row.scopes or ())
        return cls(
            id=str(row.id),
            scopes=[MandateScope(s.value) for s in m.MandateScope if s in given],
            status=MandateStatus(m.effective_status(row, today).value),
            ends_on=row.ends_on,
            created_at=row.created_at,
            responded_at=row.responded_at,
            revoked_at=row.revoked_at,
            email=row.email,
            organisation_id=row.organisation_id,
            person_id=row.person_id,
        )

    @classmethod
    def from_row_in(cls, info: Info, row: MandateRow) -> MandateNode:
        return cls.from_row(row, paris_today(info))

    @strawberry.field(
        description="Les titres de la personne, pour le tiers de confiance qui suit ses dossiers "
        "(portée FOLLOW_DOSSIERS d'un mandat en vigueur) et pour la personne elle-même ; "
        "sinon l'erreur dit pourquoi (MANDATE_REVOKED, MANDATE_SCOPE_MISSING…)."
    )
    async def titles(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[TitleNode] | None:
        if self.person_id is None:  # asked of an address without an account yet
            raise DomainError.one(AuthCode.MANDATE_NOT_ACCEPTED)
        fact = MandateFact(
            mandate_id=uuid.UUID(str(self.id)),
            organisation_id=self.organisation_id,
            person_id=self.person_id,
            scopes=frozenset(m.MandateScope(scope.value) for scope in self.scopes),
            status=m.MandateStatus(self.status.value),
        )
        require(
            info,
            Action.VIEW_PERSON_TITLES,
            Resource("Person", self.person_id, owner_person_id=self.person_id, mandates=(fact,)),
        )
        return await person_titles(info, self.person_id, first, after)

    @strawberry.field(description="L'organisation qui agit (ou demande à agir) pour la personne.")
    async def organisation(self, info: Info) -> OrganisationSummary | None:
        row = await info.context.loaders.by_id(OrganisationRow).load(self.organisation_id)
        if row is None:
            return None
        return OrganisationSummary(name=row.name, siren=row.siren)

    @strawberry.field(
        description="La personne qui donne le mandat. Pour l'organisation, seulement une fois "
        "que la personne a répondu : jusque-là, une demande à une adresse sans compte et une "
        "demande à un compte se ressemblent (voir `email`)."
    )
    async def person(self, info: Info) -> PersonSummary | None:
        if self.person_id is None:
            return None
        actor = info.context.actor
        if self.responded_at is None and (actor is None or actor.person_id != self.person_id):
            return None
        return await person_summary(info, self.person_id)

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[MandateNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        loader = info.context.loaders.by_id(MandateRow)
        rows = await loader.load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        actor = info.context.actor
        today = paris_today(info)
        result: list[MandateNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            visible = row is not None and mandate_reads.may_see(actor, row)
            result.append(cls.from_row(row, today) if row is not None and visible else None)
        return result


register_node(MandateNode)


def invitation_resource(row: InvitationRow) -> Resource:
    return Resource("Invitation", row.id, organisation_id=row.organisation_id)


@strawberry.type(
    name="Invitation",
    description="Une invitation à devenir gestionnaire d'une organisation, envoyée par courriel.",
)
class InvitationNode(VisibleNode):
    id: relay.NodeID[str]
    email: str = strawberry.field(description="L'adresse à laquelle le lien a été envoyé.")
    permissions: list[Permission] = strawberry.field(description="Les droits qui seront délégués.")
    status: InvitationStatus = strawberry.field(description="Où en est l'invitation.")
    created_at: datetime = strawberry.field(description="Envoi de l'invitation.")
    expires_at: datetime = strawberry.field(description="Fin de validité du lien.")
    accepted_at: datetime | None = strawberry.field(description="Acceptation (null sinon).")
    revoked_at: datetime | None = strawberry.field(description="Retrait (null sinon).")
    organisation_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: InvitationRow, now: datetime) -> InvitationNode:
        given = set(row.permissions or ())
        return cls(
            id=str(row.id),
            email=row.email,
            permissions=[Permission(p.value) for p in Permission if p.value in given],
            status=InvitationStatus(invitation_rules.invitation_status(row, now).value),
            created_at=row.created_at,
            expires_at=row.expires_at,
            accepted_at=row.accepted_at,
            revoked_at=row.revoked_at,
            organisation_id=row.organisation_id,
        )

    @classmethod
    def from_row_in(cls, info: Info, row: InvitationRow) -> InvitationNode:
        return cls.from_row(row, info.context.services.clock.now())

    organisation = organisation_field()

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[InvitationNode | None]:
        ids = [parse_uuid(i) for i in node_ids]
        rows = await info.context.loaders.by_id(InvitationRow).load_many([i for i in ids if i])
        found = {row.id: row for row in rows if row is not None}
        actor = info.context.actor
        now = info.context.services.clock.now()
        result: list[InvitationNode | None] = []
        for id_ in ids:
            row = found.get(id_) if id_ else None
            visible = (
                row is not None
                and decide(actor, Action.MANAGE_MANAGERS, invitation_resource(row)).allowed
            )
            result.append(cls.from_row(row, now) if row is not None and visible else None)
        return result


register_node(InvitationNode)
