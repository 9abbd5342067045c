"""Organisation fields of delegation: memberships, pending invitations, mandates. Each is
non-null: refused, it raises the policy's error (`schema.guards.require`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from auth.delegation.invitations import pending_invitation_pages
from auth.delegation.mandate_reads import organisation_mandate_pages
from auth.policy import Action, offered, organisation_resource
from schema.context import Info
from schema.delegation.members import MembershipNode, organisation_memberships
from schema.delegation.types import InvitationNode, MandateNode, MandateStatus, paris_today
from schema.guards import require
from schema.pagination import After, Connection, First, empty_connection, nested_page, to_connection

if TYPE_CHECKING:
    from tenants.organisations import Organisation as OrganisationRow


@strawberry.type
class OrganisationDelegationFields:
    if TYPE_CHECKING:
        row: OrganisationRow  # declared by OrganisationNode

    @strawberry.field(
        description="Les personnes qui agissent pour l'organisation : son administrateur et "
        "ses gestionnaires (réservé à qui gère les gestionnaires)."
    )
    async def memberships(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        include_revoked: Annotated[
            bool, strawberry.argument(description="Compter aussi les adhésions révoquées.")
        ] = False,
    ) -> Connection[MembershipNode] | None:
        return await organisation_memberships(info, self.row, first, after, include_revoked)

    @strawberry.field(
        description="Les invitations de gestionnaires en attente (envoyées, ni acceptées, ni "
        "retirées, ni expirées)."
    )
    async def invitations(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[InvitationNode] | None:
        require(info, Action.MANAGE_MANAGERS, organisation_resource(self.row))
        now = info.context.now
        page = await nested_page(info, pending_invitation_pages, self.row.id, first, after, now)
        return to_connection(page, lambda row: InvitationNode.from_row(row, now))

    @strawberry.field(
        description="Les mandats de tiers de confiance que l'organisation a demandés ou détient "
        "(statut effectif)."
    )
    async def mandates(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        status: Annotated[
            MandateStatus | None,
            strawberry.argument(description="Seulement les mandats de ce statut."),
        ] = None,
    ) -> Connection[MandateNode] | None:
        if not offered(info.context.pack.slug, Action.MANAGE_MANDATES):  # none on this portal
            return empty_connection(first, after)
        require(info, Action.MANAGE_MANDATES, organisation_resource(self.row))
        today = paris_today(info)
        wanted = getattr(status, "value", None)
        page = await nested_page(
            info, organisation_mandate_pages, self.row.id, first, after, today, wanted
        )
        return to_connection(page, lambda row: MandateNode.from_row(row, today))
