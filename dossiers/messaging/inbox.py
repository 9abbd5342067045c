"""The authority's side: the inbox of the agents' delegations (filters, oldest unanswered
first), assigning a thread to an agent, closing it (a new message reopens it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from auth.account.models import Account, AccountKind
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.permit import authorise
from auth.policy import Action, Resource
from dossiers.messaging.access import ThreadPermit, thread_permit, visible_threads_condition
from dossiers.messaging.errors import MessagingCode as C
from dossiers.messaging.models import Message, Side, Thread, ThreadStatus
from tenants.errors import CommonCode, DomainError
from tenants.pagination import Page, check_first, decode_cursor, encode_cursor


@dataclass(frozen=True)
class InboxFilter:
    unread: bool | None = None  # with a message of the applicant not read by the authority
    awaiting_answer: bool | None = None  # the applicant's side spoke last
    assigned_to_me: bool | None = None
    unassigned: bool | None = None
    status: ThreadStatus | None = None
    dossier_kind: str | None = None  # threads of dossiers of that kind


async def assign_thread(
    ctx: ServiceContext, thread_id: uuid.UUID, agent_id: uuid.UUID | None
) -> ThreadPermit:
    """To an agent of the thread's delegation (`None`: nobody)."""
    permit = await thread_permit(
        ctx, thread_id, ("threadId",), lock=True, action=Action.HANDLE_MESSAGES
    )
    thread = permit.thread
    if agent_id is not None:
        agent = await ctx.session.get(Account, agent_id)
        if agent is None or agent.kind != AccountKind.AGENT:
            raise DomainError.one(CommonCode.NOT_FOUND, ("agentId",))
        if thread.delegation is not None and thread.delegation not in (agent.delegations or ()):
            raise DomainError.one(C.NOT_AN_AGENT_OF_THE_DELEGATION, ("agentId",))
    thread.assigned_account_id = agent_id
    trail.record(
        ctx,
        AuditAction.ASSIGN_THREAD,
        subject_type="Thread",
        subject_id=thread.id,
        decision=permit.decision,
        details={"agent": str(agent_id) if agent_id else None},
    )
    return permit


async def close_thread(ctx: ServiceContext, thread_id: uuid.UUID) -> ThreadPermit:
    permit = await thread_permit(
        ctx, thread_id, ("threadId",), lock=True, action=Action.HANDLE_MESSAGES
    )
    thread = permit.thread
    if thread.status == ThreadStatus.CLOSED:
        raise DomainError.one(C.THREAD_ALREADY_CLOSED, ("threadId",))
    thread.status, thread.closed_at = ThreadStatus.CLOSED, ctx.clock.now()
    trail.record(
        ctx,
        AuditAction.CLOSE_THREAD,
        subject_type="Thread",
        subject_id=thread.id,
        decision=permit.decision,
    )
    return permit


def unread_by_authority() -> ColumnElement[bool]:
    return (
        select(Message.id)
        .where(
            Message.thread_id == Thread.id,
            Message.side != Side.AUTHORITY,
            Message.read_by_authority_at.is_(None),
        )
        .exists()
    )


# Oldest unanswered first (tier 0, by the time the applicant has been waiting), then the
# others, latest activity first (tier 1). A cursor is the tier then the usual (instant, id).
_TIER = case((Thread.awaiting_answer_since.is_(None), 1), else_=0)


def _after(cursor: str) -> ColumnElement[bool]:
    tier, rest = cursor[:1], cursor[1:]
    if tier not in ("0", "1"):
        raise DomainError.one(CommonCode.INVALID_CURSOR, ("after",))
    at, id_ = decode_cursor(rest)
    waiting = Thread.awaiting_answer_since
    if tier == "0":
        return or_(
            waiting.is_(None),
            waiting > at,
            and_(waiting == at, Thread.id > id_),
        )
    return and_(
        waiting.is_(None),
        or_(Thread.last_message_at < at, and_(Thread.last_message_at == at, Thread.id < id_)),
    )


def _cursor(thread: Thread) -> str:
    if thread.awaiting_answer_since is not None:
        return "0" + encode_cursor(thread.awaiting_answer_since, thread.id)
    return "1" + encode_cursor(thread.last_message_at, thread.id)


async def inbox_page(
    ctx: ServiceContext, filters: InboxFilter, first: int | None, after: str | None
) -> Page[Thread]:
    """The threads of the agent's delegations, as filtered. Two statements."""
    grant = authorise(ctx, Action.HANDLE_MESSAGES, Resource("Thread", None))
    size = check_first(first)
    actor = grant.actor
    conditions: list[ColumnElement[bool]] = [
        await visible_threads_condition(ctx.session, actor, ctx.clock.now().date())
    ]
    if filters.unread is not None:
        exists = unread_by_authority()
        conditions.append(exists if filters.unread else ~exists)
    if filters.awaiting_answer is not None:
        waiting = Thread.awaiting_answer_since
        conditions.append(waiting.is_not(None) if filters.awaiting_answer else waiting.is_(None))
    if filters.assigned_to_me:
        conditions.append(Thread.assigned_account_id == actor.account_id)
    if filters.unassigned:
        conditions.append(Thread.assigned_account_id.is_(None))
    if filters.status is not None:
        conditions.append(Thread.status == filters.status)
    if filters.dossier_kind is not None:
        conditions.append(Thread.dossier_kind == filters.dossier_kind)
    query = select(Thread).where(*conditions)
    total = await ctx.session.scalar(select(func.count()).select_from(query.subquery()))
    page_query = query.order_by(
        _TIER,
        case((Thread.awaiting_answer_since.is_not(None), Thread.awaiting_answer_since)).asc(),
        case((Thread.awaiting_answer_since.is_(None), Thread.last_message_at)).desc(),
        case((Thread.awaiting_answer_since.is_not(None), Thread.id)).asc(),
        case((Thread.awaiting_answer_since.is_(None), Thread.id)).desc(),
    ).limit(size + 1)
    if after:
        page_query = page_query.where(_after(after))
    rows = list((await ctx.session.scalars(page_query)).all())
    return Page(
        items=[(_cursor(row), row) for row in rows[:size]],
        has_next=len(rows) > size,
        has_previous=after is not None,
        total_count=int(total or 0),
    )
