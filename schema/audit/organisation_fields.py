"""Organisation fields of the audit log: what was done in the organisation's name."""

from __future__ import annotations

import uuid

import strawberry

from auth.audit import queries as audit_log
from auth.policy import Action, Resource, decide
from schema.audit.types import AuditEventNode
from schema.context import Info
from schema.pagination import Connection, to_connection


@strawberry.type
class OrganisationAuditFields:
    @strawberry.field(
        description="Ce qui a été fait au nom de l'organisation ou sur elle, le plus récent "
        "d'abord : qui, à quel titre, sur quel fondement (administrateur seulement)."
    )
    async def audit_events(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[AuditEventNode]:
        organisation_id: uuid.UUID = self.organisation_id  # type: ignore[attr-defined]
        decide(
            info.context.actor,
            Action.VIEW_ORGANISATION_AUDIT,
            Resource("Organisation", organisation_id, organisation_id=organisation_id),
        ).require()
        async with info.context.read_session() as session:
            page = await audit_log.in_name_of(session, organisation_id, first, after)
        return to_connection(page, AuditEventNode.from_row)
