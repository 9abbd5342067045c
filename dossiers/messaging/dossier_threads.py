"""A dossier's own thread: opened with the dossier, its participants those of any thread
(the applicant person or organisation, their trusted third parties, the agents of the
delegation instructing it), and the dossier's correction requests and decisions posted in it
as system messages. Called by the dossiers' event writer (`dossiers.dossier.events`), with
the dossier described by plain values (this room does not import the dossiers')."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from auth.context import ServiceContext
from dossiers.messaging.messages import next_instant, person_delegation
from dossiers.messaging.models import EventKind, Message, Side, Thread, ThreadStatus
from dossiers.messaging.webhook_events import message_received
from tenants.events import Event
from tenants.models import Person
from tenants.organisations import Organisation

SYSTEM_CAPACITY = "SYSTEM"

# What a move of the dossier says in its thread (French first: the thread's language).
SYSTEM_MESSAGES: dict[str, str] = {
    "REQUEST_CORRECTIONS": "L'autorité demande des corrections à la demande{number}.{reason}",
    "GRANT": "La demande{number} est accordée.{reason}",
    "REFUSE": "La demande{number} est refusée.{reason}",
    "CLOSE": "La demande{number} est classée sans suite.{reason}",
}


@dataclass(frozen=True)
class DossierSubject:
    """What the thread needs to know of its dossier."""

    id: uuid.UUID
    kind: str
    kind_label: str
    number: str | None
    person_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    delegation: str | None


def _subject_line(dossier: DossierSubject) -> str:
    number = f" N° {dossier.number}" if dossier.number else ""
    return f"Demande{number} : {dossier.kind_label}"[:200]


async def _delegation(ctx: ServiceContext, dossier: DossierSubject) -> str | None:
    """The dossier's delegation, else (a draft) that of the applicant's domicile or
    organisation: never every agent of the tenant for a dossier that has an applicant."""
    if dossier.delegation is not None:
        return dossier.delegation
    if dossier.person_id is not None:
        person = await ctx.session.get(Person, dossier.person_id)
        return person_delegation(ctx, person) if person else None
    if dossier.organisation_id is not None:
        organisation = await ctx.session.get(Organisation, dossier.organisation_id)
        return organisation.delegation if organisation else None
    return None


async def thread_for_dossier(ctx: ServiceContext, dossier: DossierSubject) -> Thread:
    """The dossier's thread (opened now if it has none), its subject and delegation kept in
    step with the dossier (a number once submitted, the instructing delegation)."""
    thread = await ctx.session.scalar(
        select(Thread).where(Thread.dossier_id == dossier.id).with_for_update()
    )
    delegation = await _delegation(ctx, dossier)
    if thread is None:
        now = ctx.clock.now()
        thread = Thread(
            id=uuid.uuid4(),
            subject=_subject_line(dossier),
            person_id=dossier.person_id,
            organisation_id=dossier.organisation_id if dossier.person_id is None else None,
            dossier_id=dossier.id,
            dossier_kind=dossier.kind,
            delegation=delegation,
            status=ThreadStatus.OPEN,
            opened_by_account_id=ctx.actor.account_id if ctx.actor else None,
            message_count=0,
            last_message_at=now,
            created_at=now,
        )
        ctx.session.add(thread)
        await ctx.session.flush()
        return thread
    thread.subject = _subject_line(dossier)
    thread.delegation = delegation
    return thread


async def on_dossier_moved(
    ctx: ServiceContext, dossier: DossierSubject, action: str, reason: str | None
) -> Thread:
    """After a move of the dossier: its correction requests and decisions as a system
    message; a DOSSIER_CHANGED event for the subscribers in every case."""
    thread = await thread_for_dossier(ctx, dossier)
    now = ctx.clock.now()
    template = SYSTEM_MESSAGES.get(action)
    message_id: str | None = None
    if template is not None:
        at = next_instant(thread, now)
        message = Message(
            id=uuid.uuid4(),
            thread_id=thread.id,
            side=Side.SYSTEM,
            author_account_id=None,
            capacity=SYSTEM_CAPACITY,
            body=template.format(
                number=f" N° {dossier.number}" if dossier.number else "",
                reason=f"\n{reason}" if reason else "",
            ),
            created_at=at,
        )
        ctx.session.add(message)
        thread.message_count += 1
        thread.last_message_at = at
        if thread.status == ThreadStatus.CLOSED:
            thread.status, thread.closed_at = ThreadStatus.OPEN, None
        message_id = str(message.id)
        await message_received(ctx, thread, message.id)
        ctx.events.append(
            Event(
                ctx.pack.slug,
                EventKind.MESSAGE_ADDED,
                thread_id=str(thread.id),
                message_id=message_id,
                at=at.isoformat(),
            )
        )
    ctx.events.append(
        Event(
            ctx.pack.slug,
            EventKind.DOSSIER_CHANGED,
            thread_id=str(thread.id),
            dossier_id=str(dossier.id),
            message_id=message_id,
            at=now.isoformat(),
        )
    )
    return thread
