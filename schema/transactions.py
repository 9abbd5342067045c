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
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from auth.context import ServiceContext
from schema.context import Info
from schema.errors import UserError, retry_after, to_user_errors
from tenants.errors import DomainError

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
    Mail written to the outbox is handed to the sender once the transaction has committed;
    `fill` then builds the payload from the result (it may read, in its own session).
    """
    context = info.context
    async with context.read_session() as session:
        try:
            result = await operation(context.service_context(session))
        except DomainError as exc:
            if exc.keep_changes:
                await session.commit()
            else:
                await session.rollback()
            wait = retry_after(exc)
            if wait is not None and context.set_header is not None:
                context.set_header("Retry-After", str(wait))
            return payload(errors=to_user_errors(exc, context.locale))
        await session.commit()
    context.services.notify_mail()
    filled = fill(result)
    if inspect.isawaitable(filled):
        return await filled
    return filled
