"""Viewer fields of the audit log: who acted for me, and by which right; what I did."""

from __future__ import annotations

import uuid

import strawberry

from auth.audit import queries as audit_log
from auth.policy import Action, Resource
from schema.audit.types import AuditEventNode
from schema.context import Info
from schema.guards import person_resource, require
from schema.pagination import After, Connection, First, to_connection


@strawberry.type
class ViewerAuditFields:
    person_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="Qui a agi pour moi, et à quel titre : chaque acte d'un tiers de confiance "
        "(avec le mandat invoqué) ou d'un autre pour mon compte, le plus récent d'abord."
    )
    async def acted_for_me(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[AuditEventNode] | None:
        require(info, Action.VIEW_AUDIT, person_resource(self.person_id))
        async with info.context.read_session() as session:
            page = await audit_log.acted_for(session, self.person_id, first, after)
        return to_connection(page, AuditEventNode.from_row)

    @strawberry.field(description="Mes propres actes, à quelque titre que ce soit.")
    async def my_activity(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[AuditEventNode] | None:
        actor = info.context.actor
        account_id = actor.account_id if actor else uuid.UUID(int=0)
        require(
            info, Action.VIEW_AUDIT, Resource("Account", account_id, owner_account_id=account_id)
        )
        async with info.context.read_session() as session:
            page = await audit_log.done_by(session, account_id, first, after)
        return to_connection(page, AuditEventNode.from_row)
