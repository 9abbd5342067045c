"""Running a mutation: one transaction, committed on success, rolled back on a refusal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from auth.context import ServiceContext
from schema.context import Info
from schema.errors import UserError, to_user_errors
from tenants.errors import DomainError

T = TypeVar("T")


async def run_mutation(
    info: Info, operation: Callable[[ServiceContext], Awaitable[T]]
) -> T | list[UserError]:
    """Call one service function in its own transaction.

    A `DomainError` becomes the payload's `errors` and nothing is kept, unless the refusal
    itself must be recorded (`keep_changes`: a failed sign-in, a replayed refresh token).
    Mail written to the outbox is handed to the sender once the transaction has committed.
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
            return to_user_errors(exc, context.locale)
        await session.commit()
    context.services.notify_mail()
    return result
