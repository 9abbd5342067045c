"""Subscription frames executed once and shared.

graphql-core executes a subscription's selection set once per event and subscriber. When
fifty subscriptions of one viewer (tabs, devices) ask the same document with the same
variables about the same event, the fifty executions give the same result: the first one
runs, the others wait for it and send its data. A frame is shared only between subscriptions
of the same tenant, viewer (account, person, memberships, delegations, habilitations: what the
policy decides with; not the session) and language, and only for a payload the resolver marked
with `share_frame` (the event it stands for). What a viewer may see is unchanged: each
subscription was authorised by the policy before it yields the payload.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from graphql import ExecutionResult, print_ast

from schema.execution import LeanExecutionContext

FRAME_KEY = "_guichet_frame_key"
SIZE = 2048


def share_frame(payload: Any, event_key: Hashable) -> Any:
    """Mark a subscription payload as the same for every subscriber of this event."""
    object.__setattr__(payload, FRAME_KEY, event_key)
    return payload


class SharedFrames:
    """The executions in flight or just done, by (event, document, variables, viewer)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._results: OrderedDict[Hashable, asyncio.Future[ExecutionResult]] = OrderedDict()

    def get(self, key: Hashable) -> asyncio.Future[ExecutionResult] | None:
        return self._results.get(key)

    def put(self, key: Hashable, result: asyncio.Future[ExecutionResult]) -> None:
        self._results[key] = result
        while len(self._results) > self.size:
            self._results.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        self._results.pop(key, None)


FRAMES = SharedFrames()


def _viewer_key(context: Any) -> Hashable | None:
    actor = getattr(context, "actor", None)
    pack = getattr(context, "pack", None)
    if actor is None or pack is None:
        return None
    key = (
        pack.slug,
        getattr(context, "locale", "fr"),
        actor.account_id,
        actor.person_id,
        actor.must_change_password,
        actor.email_confirmed,
        actor.memberships,
        actor.agent_delegations,
        actor.habilitations,
    )
    try:
        hash(key)
    except TypeError:
        return None
    return key


class SharingExecutor(LeanExecutionContext):
    """The lean executor (`schema.execution`); a marked subscription payload's selection set
    is executed once per (event, document, variables, viewer) and its result shared."""

    _operation_key: Hashable | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        """The operation's key is computed once, on the subscription's own executor; each
        event's copy inherits it."""
        if self._operation_key is None and getattr(payload, FRAME_KEY, None) is not None:
            self._operation_key = self._compute_operation_key()
        return super().build_per_event_executor(payload)

    def _compute_operation_key(self) -> Hashable:
        viewer = _viewer_key(self.context_value)
        if viewer is None:
            return False  # not shared
        fragments = sorted(print_ast(f) for f in self.fragment_definitions.values())
        try:
            variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=str)
        except (TypeError, ValueError):
            return False
        return (print_ast(self.operation), *fragments, variables, viewer)

    def _frame_key(self) -> Hashable | None:
        event_key = getattr(self.root_value, FRAME_KEY, None)
        if event_key is None or not self._operation_key:
            return None
        return (event_key, self._operation_key)

    def execute_operation(self, serially: bool | None = None) -> Any:
        key = self._frame_key()
        if key is None:
            return super().execute_operation(serially)
        found = FRAMES.get(key)
        if found is None:
            found = asyncio.ensure_future(_awaited(super().execute_operation(serially)))
            found.add_done_callback(lambda done: _keep_if_clean(key, done))
            FRAMES.put(key, found)
        return _copy(found)


async def _awaited(result: Any) -> ExecutionResult:
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        result = await result
    if not isinstance(result, ExecutionResult):
        raise TypeError("a subscription event gives one result")
    return result


def _keep_if_clean(key: Hashable, done: asyncio.Future[ExecutionResult]) -> None:
    """A result with errors is not shared with later subscribers (each reports its own)."""
    if done.cancelled() or done.exception() is not None or done.result().errors:
        FRAMES.forget(key)


async def _copy(found: asyncio.Future[ExecutionResult]) -> ExecutionResult:
    """The shared data (read-only from here: it is only encoded), errors of its own."""
    result = await asyncio.shield(found)
    return ExecutionResult(
        data=result.data,
        errors=list(result.errors) if result.errors else None,
        extensions=result.extensions,
    )
