"""Writing in threads: opening a general thread with its first message, sending a message
(text and attachments, once per idempotency key), marking a thread read up to a message.

Messages are append-only: nothing here edits or deletes one. Each records its author, the
capacity they wrote in (the policy's decision) and for whom (the person a trusted third party
wrote for, the organisation a manager wrote for). Attachments are checked and stored as the
organisations' documents are (`tenants.files`: type sniffed from the content, size limit,
content-addressed storage, bytes written before the row).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from auth.account.identity_fields import Collector
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.permit import may_know, signed_in
from auth.policy import Action, Capacity, Decision, Resource, decide, require_offered
from auth.standing import MandateFact
from dossiers.messaging.access import ThreadPermit, mandates_by_person, thread_permit
from dossiers.messaging.errors import MessagingCode as C
from dossiers.messaging.models import (
    EventKind,
    Message,
    MessageAttachment,
    Side,
    Thread,
    ThreadStatus,
)
from dossiers.messaging.webhook_events import message_received
from dossiers.title.issuing import viewing_resource
from dossiers.title.models import Title
from dossiers.title.numbers import delegation_of as title_delegation
from tenants.errors import CommonCode, DomainError, FieldError
from tenants.events import Event
from tenants.files import (
    CheckedFile,
    FileProblem,
    Files,
    Upload,
    check_file,
    content_key,
    read_upload,
)
from tenants.models import Person
from tenants.organisations import Organisation

MAX_BODY = 5000
MAX_SUBJECT = 200
MAX_ATTACHMENTS = 10
MAX_KEY = 64
_PROBLEMS = {
    FileProblem.EMPTY: C.ATTACHMENT_EMPTY,
    FileProblem.TOO_LARGE: C.ATTACHMENT_TOO_LARGE,
    FileProblem.TYPE_NOT_ACCEPTED: C.ATTACHMENT_TYPE_NOT_ACCEPTED,
    FileProblem.TYPE_MISMATCH: C.ATTACHMENT_TYPE_MISMATCH,
}
Field = tuple[str, ...]


@dataclass(frozen=True)
class Draft:
    """A message as sent: its text, its files, and the sender's key for retries."""

    body: str | None
    attachments: Sequence[object] = field(default_factory=tuple)
    idempotency_key: str | None = None


@dataclass(frozen=True)
class NewThread:
    subject: str | None
    draft: Draft
    person_id: uuid.UUID | None = None  # a trusted third party writing for that person
    organisation_id: uuid.UUID | None = None  # an organisation's own thread
    title_id: uuid.UUID | None = None  # about one of the person's titles


def clean_body(value: str | None) -> str | None:
    """The text as typed, line breaks kept, without surrounding blank space."""
    if value is None:
        return None
    return value.replace("\r\n", "\n").strip() or None


async def _checked_draft(
    ctx: ServiceContext, files: Files, draft: Draft, check: Collector
) -> tuple[str | None, list[tuple[int, object]]]:
    body = clean_body(draft.body)
    if body is None:
        check.add(C.MESSAGE_EMPTY, ("body",))
    elif len(body) > MAX_BODY:
        check.add(CommonCode.TOO_LONG, ("body",), max=MAX_BODY)
    if draft.idempotency_key is not None and not (
        0 < len(draft.idempotency_key) <= MAX_KEY and draft.idempotency_key.isprintable()
    ):
        check.add(CommonCode.INVALID_FORMAT, ("clientMutationId",), max=MAX_KEY)
    checked: list[tuple[int, object]] = []
    if len(draft.attachments) > MAX_ATTACHMENTS:
        check.add(C.TOO_MANY_ATTACHMENTS, ("attachments",), max=MAX_ATTACHMENTS)
        return body, checked
    for index, upload in enumerate(draft.attachments):
        where = ("attachments", str(index))
        if not isinstance(upload, Upload):
            check.add(CommonCode.REQUIRED, where)
            continue
        filename, data = await read_upload(upload, files.max_bytes)
        result = check_file(filename, data)
        if isinstance(result, FileProblem):
            max_mib = round(files.max_bytes / 1024 / 1024, 1)
            check.add(_PROBLEMS[result], where, filename=filename, max_mib=max_mib)
            continue
        checked.append((index, result))
    return body, checked


async def _replayed(ctx: ServiceContext, key: str | None) -> Message | None:
    """The message this account already sent with that key (a retried send)."""
    if key is None or ctx.actor is None:
        return None
    found: Message | None = await ctx.session.scalar(
        select(Message).where(
            Message.author_account_id == ctx.actor.account_id, Message.idempotency_key == key
        )
    )
    return found


def _for_whom(
    thread: Thread, decision: Decision, mandates: tuple[MandateFact, ...]
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """(person, organisation) the author wrote for."""
    if decision.capacity == Capacity.TRUSTED_THIRD_PARTY:
        organisation = next(
            (m.organisation_id for m in mandates if m.mandate_id == decision.via_id), None
        )
        return thread.person_id, organisation
    if decision.capacity in (Capacity.ADMINISTRATOR, Capacity.MANAGER):
        return None, thread.organisation_id
    return None, None


def next_instant(thread: Thread, now: datetime) -> datetime:
    """A new message's instant: now, or just after the thread's last one (a thread's order
    is its messages' instants, never two alike)."""
    if not thread.message_count:
        return now
    return max(now, thread.last_message_at + timedelta(microseconds=1))


def person_delegation(ctx: ServiceContext, person: Person) -> str | None:
    """The delegation of a person's domicile in France (`None` abroad or unknown: every
    agent of the tenant)."""
    if person.country != "FR" or not person.postal_code:
        return None
    found = ctx.pack.delegation_for_postal_code(person.postal_code)
    return found.code if found else None


async def _append(
    ctx: ServiceContext,
    files: Files,
    thread: Thread,
    decision: Decision,
    mandates: tuple[MandateFact, ...],
    body: str,
    checked: Sequence[tuple[int, object]],
    key: str | None,
) -> Message:
    """The message, its attachments, the thread's counters; the thread is locked by the
    caller, so `created_at` is strictly increasing within it (the thread's order)."""
    actor = signed_in(ctx)
    now = ctx.clock.now()
    at = next_instant(thread, now)
    side = Side.AUTHORITY if decision.capacity == Capacity.AUTHORITY_AGENT else Side.APPLICANT
    person, organisation = _for_whom(thread, decision, mandates)
    message = Message(
        id=uuid.uuid4(),
        thread_id=thread.id,
        side=side,
        author_account_id=actor.account_id,
        capacity=decision.capacity or Capacity.SELF,
        on_behalf_of_person_id=person,
        on_behalf_of_organisation_id=organisation,
        body=body,
        idempotency_key=key,
        created_at=at,
    )
    ctx.session.add(message)
    try:
        await ctx.session.flush()
    except IntegrityError:  # the same key sent twice at once: the other send wins
        raise DomainError.one(C.SEND_IN_PROGRESS, ("clientMutationId",)) from None
    for _index, file in checked:
        assert isinstance(file, CheckedFile)  # noqa: S101 - _checked_draft made it
        storage_key = content_key(f"{ctx.pack.slug}/message-attachments", file.sha256_hex)
        await files.storage.put(storage_key, file.data)
        ctx.session.add(
            MessageAttachment(
                message_id=message.id,
                filename=file.filename,
                content_type=str(file.content_type),
                size=file.size,
                sha256=file.sha256,
                storage_key=storage_key,
                created_at=at,
            )
        )
    thread.message_count += 1
    thread.last_message_at = at
    if side == Side.AUTHORITY:
        thread.awaiting_answer_since = None
    elif thread.awaiting_answer_since is None:
        thread.awaiting_answer_since = at
    if thread.status == ThreadStatus.CLOSED:
        thread.status, thread.closed_at = ThreadStatus.OPEN, None
    if side == Side.AUTHORITY:
        await message_received(ctx, thread, message.id)
    ctx.events.append(
        Event(
            tenant=ctx.pack.slug,
            kind=EventKind.MESSAGE_ADDED,
            thread_id=str(thread.id),
            message_id=str(message.id),
            at=at.isoformat(),
        )
    )
    trail.record(
        ctx,
        AuditAction.SEND_MESSAGE,
        subject_type="Message",
        subject_id=message.id,
        decision=decision,
        details={"thread": str(thread.id), "attachments": len(checked)},
        organisation_id=organisation,
        on_behalf_of_person_id=person,
    )
    return message


async def send_message(
    ctx: ServiceContext, files: Files, thread_id: uuid.UUID, draft: Draft
) -> Message:
    """A new message in the thread (reopening it if closed); the same key again answers the
    message already sent, and posts nothing."""
    permit = await thread_permit(ctx, thread_id, ("threadId",), lock=True)
    replayed = await _replayed(ctx, draft.idempotency_key)
    if replayed is not None:
        if replayed.thread_id != permit.thread.id:
            raise DomainError.one(C.IDEMPOTENCY_KEY_REUSED, ("clientMutationId",))
        return replayed
    check = Collector([])
    body, checked = await _checked_draft(ctx, files, draft, check)
    if check.errors or body is None:
        raise DomainError(check.errors)
    return await _append(
        ctx,
        files,
        permit.thread,
        permit.decision,
        permit.mandates,
        body,
        checked,
        draft.idempotency_key,
    )


async def _opening_resource(
    ctx: ServiceContext, data: NewThread, check: Collector
) -> tuple[Resource, tuple[MandateFact, ...]]:
    """What the thread will be about, as the policy sees it (NOT_FOUND for what the actor
    may not know of)."""
    actor = signed_in(ctx)
    if data.organisation_id is not None and (data.title_id or data.person_id):
        raise DomainError.one(C.THREAD_SUBJECT_OF_TWO, ("organisationId",))
    if data.organisation_id is not None:
        organisation = await ctx.session.get(Organisation, data.organisation_id)
        if organisation is None or not may_know(actor, organisation):
            raise DomainError.one(CommonCode.NOT_FOUND, ("organisationId",))
        resource = Resource(
            "Thread",
            None,
            tenant=organisation.tenant_id,
            organisation_id=organisation.id,
            delegation=organisation.delegation,
        )
        return resource, ()
    person_id = data.person_id or actor.person_id
    mandates: tuple[MandateFact, ...] = ()
    if person_id != actor.person_id:
        found = await mandates_by_person(ctx.session, actor, [person_id], ctx.clock.now().date())
        mandates = found.get(person_id, ())
    person = await ctx.session.get(Person, person_id)
    resource = Resource("Thread", None, owner_person_id=person_id, mandates=mandates)
    if person is None or not decide(actor, Action.TAKE_PART_IN_THREAD, resource).allowed:
        raise DomainError.one(CommonCode.NOT_FOUND, ("personId",))
    delegation = None
    if data.title_id is not None:
        title = await ctx.session.get(Title, data.title_id)
        if title is None or title.holder_person_id != person_id:
            raise DomainError.one(CommonCode.NOT_FOUND, ("titleId",))
        if not decide(actor, Action.VIEW_PERSON_TITLES, viewing_resource(title)).allowed:
            raise DomainError.one(CommonCode.NOT_FOUND, ("titleId",))
        delegation = title_delegation(title.departement, ctx.pack)
    else:
        delegation = person_delegation(ctx, person)
    return (
        Resource(
            "Thread", None, owner_person_id=person_id, delegation=delegation, mandates=mandates
        ),
        mandates,
    )


async def open_thread(ctx: ServiceContext, files: Files, data: NewThread) -> Thread:
    """A general thread opened by the applicant's side, with its first message."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.TAKE_PART_IN_THREAD)
    if actor.is_agent:
        raise DomainError.one(C.AGENTS_ANSWER_IN_THREADS)
    replayed = await _replayed(ctx, data.draft.idempotency_key)
    if replayed is not None:
        thread = await ctx.session.get(Thread, replayed.thread_id)
        if (
            thread is None
            or thread.message_count != 1
            or thread.opened_by_account_id != actor.account_id
        ):
            raise DomainError.one(C.IDEMPOTENCY_KEY_REUSED, ("clientMutationId",))
        return thread
    check = Collector([])
    subject = check.text(data.subject, ("subject",), True, MAX_SUBJECT)
    resource, mandates = await _opening_resource(ctx, data, check)
    decision = decide(actor, Action.TAKE_PART_IN_THREAD, resource).require()
    body, checked = await _checked_draft(ctx, files, data.draft, check)
    if check.errors or body is None or subject is None:
        raise DomainError(check.errors or [FieldError(CommonCode.REQUIRED)])
    now = ctx.clock.now()
    thread = Thread(
        id=uuid.uuid4(),
        subject=subject,
        person_id=resource.owner_person_id,
        organisation_id=resource.organisation_id,
        title_id=data.title_id,
        delegation=resource.delegation,
        status=ThreadStatus.OPEN,
        opened_by_account_id=actor.account_id,
        message_count=0,
        last_message_at=now,
        created_at=now,
    )
    ctx.session.add(thread)
    await ctx.session.flush()
    trail.record(
        ctx,
        AuditAction.OPEN_THREAD,
        subject_type="Thread",
        subject_id=thread.id,
        decision=decision,
        organisation_id=resource.organisation_id,
        on_behalf_of_person_id=thread.person_id if thread.person_id != actor.person_id else None,
    )
    await _append(ctx, files, thread, decision, mandates, body, checked, data.draft.idempotency_key)
    return thread


async def mark_thread_read(
    ctx: ServiceContext, thread_id: uuid.UUID, up_to: uuid.UUID | None
) -> ThreadPermit:
    """The other side's messages up to `up_to` (the whole thread when not given) are read by
    the viewer's side from now on, unless they were already (the first reading is kept)."""
    permit = await thread_permit(ctx, thread_id, ("threadId",))
    query = (
        update(Message)
        .where(Message.thread_id == permit.thread.id)
        .execution_options(synchronize_session=False)
    )
    if up_to is not None:
        last = await ctx.session.scalar(
            select(Message.created_at).where(
                Message.id == up_to, Message.thread_id == permit.thread.id
            )
        )
        if last is None:
            raise DomainError.one(CommonCode.NOT_FOUND, ("upToMessageId",))
        query = query.where(Message.created_at <= last)
    now = ctx.clock.now()
    if permit.side == Side.AUTHORITY:
        query = query.where(
            Message.side != Side.AUTHORITY, Message.read_by_authority_at.is_(None)
        ).values(read_by_authority_at=now)
    else:
        query = query.where(
            Message.side != Side.APPLICANT, Message.read_by_applicant_at.is_(None)
        ).values(read_by_applicant_at=now)
    await ctx.session.execute(query)
    ctx.events.append(
        Event(
            tenant=ctx.pack.slug,
            kind=EventKind.THREAD_READ,
            thread_id=str(permit.thread.id),
            message_id=str(up_to) if up_to else None,
            at=now.isoformat(),
        )
    )
    return permit
