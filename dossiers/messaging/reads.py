"""Reading threads in batches (what the API's DataLoaders call): messages per thread, the
attachments of many messages, unread counts, the viewer's threads and their unread total.
Each costs the same number of statements for one parent or a hundred."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import Actor, ServiceContext
from auth.permit import signed_in
from auth.policy import Action, require_offered
from dossiers.messaging.access import visible_threads_condition
from dossiers.messaging.models import Message, MessageAttachment, Side, Thread
from tenants.pagination import Page, PageKey, pages_by_parent, paginate


async def message_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Message]]:
    """Newest first (the API turns each page round: newest last)."""
    return await pages_by_parent(session, keys, Message.thread_id, lambda _f: select(Message))


async def attachments_of(
    session: AsyncSession, message_ids: Sequence[uuid.UUID]
) -> list[list[MessageAttachment]]:
    rows = await session.scalars(
        select(MessageAttachment)
        .where(MessageAttachment.message_id.in_(list(message_ids)))
        .order_by(MessageAttachment.created_at, MessageAttachment.filename)
    )
    found: dict[uuid.UUID, list[MessageAttachment]] = {}
    for row in rows:
        found.setdefault(row.message_id, []).append(row)
    return [found.get(id_, []) for id_ in message_ids]


def _unread_where(side: Side) -> Any:
    """A message the `side` has not read: written by another side, not read by this one."""
    if side == Side.AUTHORITY:
        return (Message.side != Side.AUTHORITY, Message.read_by_authority_at.is_(None))
    return (Message.side != Side.APPLICANT, Message.read_by_applicant_at.is_(None))


async def unread_counts(session: AsyncSession, keys: Sequence[tuple[uuid.UUID, Side]]) -> list[int]:
    """Per (thread, side of the reader): one statement per side asked (one per request)."""
    counts: dict[tuple[uuid.UUID, Side], int] = {}
    for side in {side for _, side in keys}:
        threads = [thread for thread, s in keys if s == side]
        rows = await session.execute(
            select(Message.thread_id, func.count())
            .where(Message.thread_id.in_(threads), *_unread_where(side))
            .group_by(Message.thread_id)
        )
        for thread_id, count in rows:
            counts[(thread_id, side)] = int(count)
    return [counts.get(key, 0) for key in keys]


async def last_messages(
    session: AsyncSession, thread_ids: Sequence[uuid.UUID]
) -> list[Message | None]:
    pages = await message_pages(session, [PageKey(t, 1) for t in thread_ids])
    return [page.items[0][1] if page.items else None for page in pages]


async def viewer_threads(ctx: ServiceContext, first: int | None, after: str | None) -> Page[Thread]:
    """The threads the viewer takes part in, latest activity first."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.TAKE_PART_IN_THREAD)
    condition = await visible_threads_condition(ctx.session, actor, ctx.clock.now().date())
    return await paginate(
        ctx.session,
        select(Thread).where(condition),
        Thread.last_message_at,
        Thread.id,
        first,
        after,
    )


async def unread_total(ctx: ServiceContext, actor: Actor) -> int:
    """Unread messages over every thread the viewer takes part in (one or two statements)."""
    condition = await visible_threads_condition(ctx.session, actor, ctx.clock.now().date())
    side = Side.AUTHORITY if actor.is_agent else Side.APPLICANT
    total = await ctx.session.scalar(
        select(func.count())
        .select_from(Message)
        .join(Thread, Thread.id == Message.thread_id)
        .where(condition, *_unread_where(side))
    )
    return int(total or 0)


async def thread_ids_of_dossiers(
    session: AsyncSession, dossier_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID | None]:
    """Each dossier's thread (one statement for the batch)."""
    rows = await session.execute(
        select(Thread.dossier_id, Thread.id).where(Thread.dossier_id.in_(list(dossier_ids)))
    )
    found = {dossier: thread for dossier, thread in rows}
    return [found.get(id_) for id_ in dossier_ids]
