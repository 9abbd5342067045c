"""Organisation fields of delegation: memberships, pending invitations, mandates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select

from auth.delegation import mandates as mandate_rules
from auth.policy import Action, Resource, decide
from schema.context import Info
from schema.delegation.types import InvitationNode, MandateNode, MandateStatus, paris_today
from schema.pagination import Connection, to_connection
from tenants.mandates import Mandate
from tenants.organisations import Invitation, Membership
from tenants.pagination import paginate

if TYPE_CHECKING:
    from schema.organisation.types import MembershipNode
    from tenants.organisations import Organisation as OrganisationRow

MembershipType = Annotated["MembershipNode", strawberry.lazy("schema.organisation.types")]


@strawberry.type
class OrganisationDelegationFields:
    if TYPE_CHECKING:
        row: OrganisationRow

    def _require(self, info: Info, action: Action) -> None:
        decide(
            info.context.actor,
            action,
            Resource("Organisation", self.row.id, organisation_id=self.row.id),
        ).require()

    @strawberry.field(
        description="Les personnes qui agissent pour l'organisation : son administrateur et "
        "ses gestionnaires (réservé à qui gère les gestionnaires)."
    )
    async def memberships(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        include_revoked: bool = False,
    ) -> Connection[MembershipType]:
        from schema.organisation.types import MembershipNode

        self._require(info, Action.VIEW_MEMBERS)
        query = select(Membership).where(Membership.organisation_id == self.row.id)
        if not include_revoked:
            query = query.where(Membership.revoked_at.is_(None))
        async with info.context.read_session() as session:
            page = await paginate(
                session, query, Membership.created_at, Membership.id, first, after
            )
        return to_connection(page, MembershipNode.from_row)

    @strawberry.field(
        description="Les invitations de gestionnaires en attente (envoyées, ni acceptées, ni "
        "retirées, ni expirées)."
    )
    async def invitations(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[InvitationNode]:
        self._require(info, Action.MANAGE_MANAGERS)
        now = info.context.services.clock.now()
        query = select(Invitation).where(
            Invitation.organisation_id == self.row.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        async with info.context.read_session() as session:
            page = await paginate(
                session, query, Invitation.created_at, Invitation.id, first, after
            )
        return to_connection(page, lambda row: InvitationNode.from_row(row, now))

    @strawberry.field(
        description="Les mandats de tiers de confiance que l'organisation a demandés ou détient "
        "(statut effectif)."
    )
    async def mandates(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: MandateStatus | None = None,
    ) -> Connection[MandateNode]:
        self._require(info, Action.MANAGE_MANDATES)
        today = paris_today(info)
        query = mandate_rules.mandates_query(
            today, organisation_ids=[self.row.id], status=getattr(status, "value", None)
        )
        async with info.context.read_session() as session:
            page = await paginate(session, query, Mandate.created_at, Mandate.id, first, after)
        return to_connection(page, lambda row: MandateNode.from_row(row, today))
