"""The audit log: who did what, for whom, in which capacity, relying on what."""

from __future__ import annotations

import uuid
from typing import Any

from auth.audit.actions import AuditAction
from auth.audit.models import AuditEvent
from auth.context import ServiceContext
from auth.policy import Capacity, Decision


def record(
    ctx: ServiceContext,
    action: AuditAction,
    *,
    subject_type: str,
    subject_id: uuid.UUID | None,
    decision: Decision | None = None,
    actor_account_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    organisation_id: uuid.UUID | None = None,
    on_behalf_of_person_id: uuid.UUID | None = None,
) -> AuditEvent:
    """Add an event to the current transaction (it is kept only if the change is).

    `organisation_id`: the organisation in whose name the actor acted (or that the act was
    on); `on_behalf_of_person_id`: the person someone else acted for.
    """
    capacity = decision.capacity if decision and decision.capacity else Capacity.ANONYMOUS
    actor = actor_account_id or (ctx.actor.account_id if ctx.actor else None)
    details = dict(details or {})
    if decision is not None and decision.permission:
        details["permission"] = decision.permission
    event = AuditEvent(
        at=ctx.clock.now(),
        action=action,
        capacity=capacity,
        actor_account_id=actor,
        subject_type=subject_type,
        subject_id=subject_id,
        via_type=decision.via_type if decision else None,
        via_id=decision.via_id if decision else None,
        organisation_id=organisation_id,
        on_behalf_of_person_id=on_behalf_of_person_id,
        ip_address=ctx.client.ip_address,
        details=details,
    )
    ctx.session.add(event)
    return event
