"""Real time over graphql-transport-ws: `messageAdded(threadId)` and `viewerEvents`.

The connection is authenticated once (`connection_init`, see `server/graphql_app.py`); each
event is then read anew as the viewer (fresh loaders, the same policy as `node`), so a viewer
who may no longer see a thread stops hearing of it. The session is checked again when the bus
says it was closed and every `RECHECK_SECONDS`: a revoked session closes the connection
(4401). Events carry ids only; what the subscriber receives it reads itself.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.account import sessions
from auth.account.errors import AuthCode
from auth.policy import Action, require_offered
from dossiers.messaging import models as m
from dossiers.messaging.models import EventKind
from schema.context import GuichetContext, Info
from schema.enums import graphql_enum
from schema.frames import share_frame
from schema.ids import parse_uuid, uuid_of
from schema.messaging.types import MessageNode, ThreadNode
from tenants.directory import rows_by_id
from tenants.errors import CommonCode, DomainError
from tenants.events import SESSION_CLOSED, SESSIONS_CLOSED, Event
from tenants.session import RequestSession

RECHECK_SECONDS = 15.0
CLOSE_DELAY = 0.2
_CLOSING: set[asyncio.Task[None]] = set()
SESSION_CLOSED_CODE = 4401


class ViewerEventKindValue(StrEnum):
    NEW_MESSAGE = "NEW_MESSAGE"
    READ_RECEIPT = "READ_RECEIPT"
    DOSSIER_CHANGED = "DOSSIER_CHANGED"


_KINDS = {
    EventKind.MESSAGE_ADDED: ViewerEventKindValue.NEW_MESSAGE,
    EventKind.THREAD_READ: ViewerEventKindValue.READ_RECEIPT,
    EventKind.DOSSIER_CHANGED: ViewerEventKindValue.DOSSIER_CHANGED,
}

if TYPE_CHECKING:
    ViewerEventKind = ViewerEventKindValue
else:
    ViewerEventKind = graphql_enum(
        ViewerEventKindValue,
        "ViewerEventKind",
        "Ce qui vient d'arriver.",
        {
            ViewerEventKindValue.NEW_MESSAGE: "Un nouveau message dans une de mes conversations",
            ViewerEventKindValue.READ_RECEIPT: "L'autre côté (ou le mien) a lu des messages",
            ViewerEventKindValue.DOSSIER_CHANGED: "L'état d'un de mes dossiers a changé",
        },
    )


@strawberry.type(description="Un événement pour la personne connectée, en temps réel.")
class ViewerEvent:
    kind: ViewerEventKind = strawberry.field(description="Ce qui vient d'arriver.")
    at: datetime | None = strawberry.field(description="Quand.")
    thread: ThreadNode | None = strawberry.field(description="La conversation concernée.")
    message: MessageNode | None = strawberry.field(
        description="Le nouveau message (NEW_MESSAGE), ou le dernier lu (READ_RECEIPT)."
    )


async def _session_open(context: GuichetContext) -> bool:
    actor = context.actor
    if actor is None:
        return False
    async with context.read_session() as session:
        return await sessions.still_open(context.service_context(session), actor.session_id)


def _about_me(context: GuichetContext, event: Event) -> bool:
    actor = context.actor
    if actor is None:
        return False
    if event.kind == SESSION_CLOSED:
        return event.session_id == str(actor.session_id)
    return event.kind == SESSIONS_CLOSED and event.account_id == str(actor.account_id)


def _close_soon(context: GuichetContext) -> None:
    """Close the connection (4401) once the operation's error and completion are sent."""
    close = context.close_connection
    if close is None:
        return
    loop = asyncio.get_running_loop()
    task = loop.create_task(_close_after(close, CLOSE_DELAY))
    _CLOSING.add(task)
    task.add_done_callback(_CLOSING.discard)


async def _close_after(close: Callable[[int, str], Awaitable[None]], delay: float) -> None:
    await asyncio.sleep(delay)
    await close(SESSION_CLOSED_CODE, "Session closed")


async def _events(
    info: Info, prefetch: Callable[[Sequence[Event]], None]
) -> AsyncGenerator[Event, None]:
    """The tenant's events for a signed-in viewer, until their session closes; `prefetch`
    hears of the events waiting behind each one taken (to ask for their rows at once)."""
    context = info.context
    if context.actor is None:
        raise DomainError.one(AuthCode.AUTHENTICATION_REQUIRED)
    require_offered(context.pack.slug, Action.TAKE_PART_IN_THREAD)
    async with context.services.events.subscribe(context.pack.slug) as subscription:
        while True:
            await _release(context)
            event = await subscription.next(RECHECK_SECONDS)
            if (event is None or _about_me(context, event)) and not await _session_open(context):
                _close_soon(context)
                raise DomainError.one(AuthCode.SESSION_REVOKED)
            if event is not None and event.thread_id is not None:
                prefetch([event, *subscription.pending()])
                context.fresh_reads()
                yield event


async def _release(context: GuichetContext) -> None:
    """End the subscription's transaction while it waits for the next event: a waiting
    subscriber holds no pooled connection (fifty subscribers, fifty idle transactions, a pool
    of fifteen otherwise)."""
    if context.db is not None and context.db.opened:
        await context.db.close()


Batch = dict[uuid.UUID, list[asyncio.Future[Any]]]


class SharedReads:
    """Rows read once per event and process, shared by every subscription that will show
    them (each has already been allowed to see the thread by the policy): with 50
    subscribers, one read per event instead of fifty. Reads are batched: the first
    subscriber to take an event asks at once for the rows of every event waiting behind it
    (`prefetch`), and what is asked in the same turn of the loop is read in one statement, in
    its own short transaction (never in a subscriber's)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._rows: OrderedDict[tuple[str, ...], asyncio.Future[Any]] = OrderedDict()
        # Per (tenant, model): the task that will read the batch, and the batch it will read.
        self._batches: dict[tuple[str, type[Any]], tuple[asyncio.Task[None], Batch]] = {}
        self._flushing: set[asyncio.Task[None]] = set()

    async def message(self, context: GuichetContext, message_id: str) -> m.Message | None:
        """The message just announced (its row as of the announcement)."""
        row: m.Message | None = await asyncio.shield(self._message(context, message_id))
        return row

    async def thread(self, context: GuichetContext, event: Event) -> m.Thread | None:
        """The event's thread as it was when this process first asked for it."""
        row: m.Thread | None = await asyncio.shield(self._thread(context, event))
        return row

    def prefetch(
        self, context: GuichetContext, events: Iterable[Event], *, threads: bool = False
    ) -> None:
        """Ask now for the rows these events will need (read in one batch)."""
        for event in events:
            if event.kind == EventKind.MESSAGE_ADDED and event.message_id:
                self._message(context, event.message_id)
            if threads and event.thread_id:
                self._thread(context, event)

    def _message(self, context: GuichetContext, message_id: str) -> asyncio.Future[Any]:
        return self._future(context, m.Message, message_id, ())

    def _thread(self, context: GuichetContext, event: Event) -> asyncio.Future[Any]:
        stamp = (event.kind, event.message_id or "", event.at or "")
        return self._future(context, m.Thread, event.thread_id or "", stamp)

    def _future(
        self, context: GuichetContext, model: type[Any], row_id: str, stamp: tuple[str, ...]
    ) -> asyncio.Future[Any]:
        key = (context.pack.slug, model.__name__, row_id, *stamp)
        found = self._rows.get(key)
        if found is not None:
            return found
        loop = asyncio.get_running_loop()
        found = loop.create_future()
        found.add_done_callback(_retrieve)
        id_ = parse_uuid(row_id)
        if id_ is None:
            found.set_result(None)
            return found
        self._rows[key] = found
        while len(self._rows) > self.size:
            self._rows.popitem(last=False)
        batch_key = (context.pack.slug, model)
        pending = self._batches.get(batch_key)
        if pending is None or pending[0].get_loop() is not loop or pending[0].done():
            batch: Batch = {}
            task = loop.create_task(self._flush(context.services.sessions, batch_key, batch))
            self._batches[batch_key] = (task, batch)
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)
        else:
            batch = pending[1]
        batch.setdefault(id_, []).append(found)
        return found

    async def _flush(
        self,
        factory: async_sessionmaker[AsyncSession],
        batch_key: tuple[str, type[Any]],
        batch: Batch,
    ) -> None:
        await asyncio.sleep(0)  # let this turn of the loop add to the batch
        if self._batches.get(batch_key, (None, None))[1] is batch:
            del self._batches[batch_key]
        tenant, model = batch_key
        ids = list(batch)
        reads = RequestSession(factory, tenant)
        try:
            async with reads.use() as session:
                rows = await rows_by_id(session, model, ids)
            await reads.close()
        except Exception as error:  # every waiting subscriber hears it; the next asks anew
            for futures in batch.values():
                for future in futures:
                    self._forget(future)
                    if not future.done():
                        future.set_exception(error)
            await reads.close()
            return
        for id_, row in zip(ids, rows, strict=True):
            for future in batch[id_]:
                if not future.done():
                    future.set_result(row)

    def _forget(self, future: asyncio.Future[Any]) -> None:
        for key, found in list(self._rows.items()):
            if found is future:
                del self._rows[key]


def _retrieve(future: asyncio.Future[Any]) -> None:
    """A batch's error is the waiting subscribers' to report; nobody waiting: no warning."""
    if not future.cancelled():
        future.exception()


SHARED = SharedReads()


class Visibility:
    """Which threads a subscription's viewer takes part in, asked of the policy again once
    `RECHECK_SECONDS` have passed (a lost right ends the frames within that time)."""

    def __init__(self, info: Info) -> None:
        self.info = info
        self._known: dict[str, tuple[ThreadNode | None, float]] = {}

    async def thread(self, thread_id: str) -> ThreadNode | None:
        known = self._known.get(thread_id)
        now = time.monotonic()
        if known is not None and known[1] > now:
            return known[0]
        [node] = await ThreadNode.visible_nodes(self.info, [thread_id])
        # Hold no connection while waiting for a shared read (which needs one of its own).
        await _release(self.info.context)
        self._known[thread_id] = (node, now + RECHECK_SECONDS)
        return node


@strawberry.type
class MessagingSubscriptions:
    @strawberry.subscription(
        description="Les nouveaux messages d'une conversation à laquelle je prends part "
        "(graphql-transport-ws ; jeton d'accès dans le `connection_init`)."
    )
    async def message_added(
        self,
        info: Info,
        thread_id: Annotated[strawberry.ID, strawberry.argument(description="La conversation.")],
    ) -> AsyncGenerator[MessageNode, None]:
        wanted = str(uuid_of(thread_id, "Thread"))
        visibility = Visibility(info)
        if info.context.actor is not None and await visibility.thread(wanted) is None:
            raise DomainError.one(CommonCode.NOT_FOUND, ("threadId",))

        def prefetch(events: Sequence[Event]) -> None:
            SHARED.prefetch(info.context, (e for e in events if e.thread_id == wanted))

        async for event in _events(info, prefetch):
            if event.kind != EventKind.MESSAGE_ADDED or event.thread_id != wanted:
                continue
            if await visibility.thread(wanted) is None:  # the right was lost: the end
                raise DomainError.one(CommonCode.NOT_FOUND, ("threadId",))
            row = await SHARED.message(info.context, event.message_id or "")
            if row is not None and str(row.thread_id) == wanted:
                yield share_frame(MessageNode.from_row(row), ("messageAdded", event))

    @strawberry.subscription(
        description="Ce qui arrive dans mes conversations : nouveaux messages, accusés de "
        "lecture (et changements d'état de mes dossiers)."
    )
    async def viewer_events(self, info: Info) -> AsyncGenerator[ViewerEvent, None]:
        visibility = Visibility(info)

        def prefetch(events: Sequence[Event]) -> None:
            SHARED.prefetch(info.context, events, threads=True)

        async for event in _events(info, prefetch):
            known = event.kind in EventKind.__members__
            kind = _KINDS.get(EventKind(event.kind)) if known else None
            if kind is None or await visibility.thread(event.thread_id or "") is None:
                continue
            thread_row = await SHARED.thread(info.context, event)
            if thread_row is None:
                continue
            thread = ThreadNode.from_row(thread_row)
            message = None
            if event.message_id is not None:
                row = await SHARED.message(info.context, event.message_id)
                if row is not None and str(row.thread_id) == event.thread_id:
                    message = MessageNode.from_row(row)
            at = datetime.fromisoformat(event.at) if event.at else None
            yield share_frame(
                ViewerEvent(
                    kind=ViewerEventKind(kind.value), at=at, thread=thread, message=message
                ),
                ("viewerEvents", event),
            )
