"""Running a mutation: one transaction, committed on success, rolled back on a refusal, and
the payload built in one place (after Saleor's `BaseMutation.handle_errors`).

Each mutation `doThing` takes its own `DoThingInput` and answers its own `DoThingPayload`,
a `MutationPayload`: `ok` (true iff `errors` is empty), `errors`, and the object(s) produced
as nullable fields. A resolver names its payload class and how to fill it from the service's
result:

    return await run_mutation(
        info,
        lambda ctx: labels.create_label(ctx, organisation, input.name),
        CreateLabelPayload,
        lambda label: CreateLabelPayload(label=LabelNode.from_row(label)),
    )

A refusal (`DomainError`) becomes `CreateLabelPayload(errors=[...])`; the resolver never sees
it. (`tests/api/test_schema_conventions.py` checks every mutation of the schema for this.)
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Annotated, Protocol, TypeVar

import strawberry
from strawberry.extensions import SchemaExtension

from auth.context import ServiceContext
from schema.context import GuichetContext, Info
from schema.errors import UserError, retry_after, to_user_errors
from tenants.errors import DomainError
from tenants.events import Event, EventBus

log = logging.getLogger("guichet.events")

T = TypeVar("T")
InputT = TypeVar("InputT")
P = TypeVar("P")
P_co = TypeVar("P_co", covariant=True)


MutationInput = Annotated[
    InputT,
    strawberry.argument(
        description="Les données de la mutation (un type d'entrée qui lui est propre)."
    ),
]
"""The one argument of a mutation, `input: MutationInput[DoThingInput]`."""


@strawberry.type(description="Réponse d'une mutation.")
class MutationPayload:
    """The fields every payload starts with; a payload adds what the mutation produced."""

    @strawberry.field(
        description="Vrai si et seulement si `errors` est vide : rien n'a été refusé."
    )
    def ok(self) -> bool:
        return not self.errors

    errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Les refus attendus (code, champ, message) ; vide quand tout a réussi, "
        "et alors seulement la mutation a pris effet.",
    )


class PayloadClass(Protocol[P_co]):
    """A payload type: every field has a default, and `errors` takes the refusals."""

    def __call__(self, *, errors: list[UserError]) -> P_co: ...


async def run_mutation(
    info: Info,
    operation: Callable[[ServiceContext], Awaitable[T]],
    payload: PayloadClass[P],
    fill: Callable[[T], P | Awaitable[P]],
) -> P:
    """Call one service function in one transaction and answer its payload.

    The transaction is the request's (`context.read_session()`, behind its gate): the
    authentication's check and the mutation's reads and writes share it, and GraphQL runs a
    document's mutations one after the other, each ending it. A `DomainError` becomes the
    payload's `errors` and nothing is kept, unless the refusal itself must be recorded
    (`keep_changes`: a failed sign-in, a replayed refresh token). Mail written to the outbox is
    handed to the sender, and real-time events to the bus, once the transaction has committed.

    `fill` runs after the commit (outside the gate, so it may use the DataLoaders): the payload
    describes what was kept, and its reads begin the request's next transaction. The
    DataLoaders are reset, since rows they cached were changed or rolled back.
    """
    context = info.context
    try:
        async with context.read_session() as session:
            try:
                service_context = context.service_context(session)
                result = await operation(service_context)
            except DomainError as exc:
                if exc.keep_changes:
                    await session.commit()
                else:
                    await session.rollback()
                wait = retry_after(exc)
                if wait is not None and context.set_header is not None:
                    context.set_header("Retry-After", str(wait))
                return payload(errors=to_user_errors(exc, context.locale))
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
    finally:
        context.reset_loaders()
    context.services.notify_mail()
    if service_context.events:
        await publish(context.services.events, service_context.events)
    filled = fill(result)
    if inspect.isawaitable(filled):
        return await filled
    return filled


class EndTransaction(SchemaExtension):
    """Each operation ends the request's transaction (`ROLLBACK` after reads): over HTTP the
    endpoint would too, over WebSocket nothing else would."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, GuichetContext) and context.db is not None:
            await context.db.close()


async def publish(bus: EventBus, events: Sequence[Event]) -> None:
    """After the commit: a bus that fails loses the real-time frame, never the change (the
    subscriber reads it on its next query)."""
    try:
        await bus.publish(events)
    except Exception:  # the change is committed: the caller must hear of its success
        log.exception("events not published")
