"""Running a mutation: one transaction, committed on success, rolled back on a refusal, and
the payload built in one place (after Saleor's `BaseMutation.handle_errors`).

A resolver names its payload class and how to fill it from the service's result:

    return await run_mutation(
        info,
        lambda ctx: labels.create_label(ctx, organisation, input.name),
        LabelPayload,
        lambda label: LabelPayload(label=LabelNode.from_row(label)),
    )

A refusal (`DomainError`) becomes `LabelPayload(errors=[...])`; the resolver never sees it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from auth.context import ServiceContext
from schema.context import Info
from schema.errors import UserError, to_user_errors
from tenants.errors import DomainError
from tenants.events import Event, EventBus

log = logging.getLogger("guichet.events")

T = TypeVar("T")
P = TypeVar("P")
P_co = TypeVar("P_co", covariant=True)


class PayloadClass(Protocol[P_co]):
    """A payload type: every field has a default, and `errors` takes the refusals."""

    def __call__(self, *, errors: list[UserError]) -> P_co: ...


async def run_mutation(
    info: Info,
    operation: Callable[[ServiceContext], Awaitable[T]],
    payload: PayloadClass[P],
    fill: Callable[[T], P | Awaitable[P]],
) -> P:
    """Call one service function in its own transaction and answer its payload.

    A `DomainError` becomes the payload's `errors` and nothing is kept, unless the refusal
    itself must be recorded (`keep_changes`: a failed sign-in, a replayed refresh token).
    Mail written to the outbox is handed to the sender, and real-time events to the bus,
    once the transaction has committed;
    `fill` then builds the payload from the result (it may read, in its own session).
    """
    context = info.context
    async with context.read_session() as session:
        service_context = context.service_context(session)
        try:
            result = await operation(service_context)
        except DomainError as exc:
            if exc.keep_changes:
                await session.commit()
            else:
                await session.rollback()
            return payload(errors=to_user_errors(exc, context.locale))
        await session.commit()
    context.services.notify_mail()
    if service_context.events:
        await publish(context.services.events, service_context.events)
    filled = fill(result)
    if inspect.isawaitable(filled):
        return await filled
    return filled


async def publish(bus: EventBus, events: Sequence[Event]) -> None:
    """After the commit: a bus that fails loses the real-time frame, never the change (the
    subscriber reads it on its next query)."""
    try:
        await bus.publish(events)
    except Exception:  # the change is committed: the caller must hear of its success
        log.exception("events not published")
