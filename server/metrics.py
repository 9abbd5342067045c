"""Prometheus metrics at `GET /metrics`: GraphQL requests and their latency per operation and
outcome, and the outbox (pending messages, age of the oldest, failed ones) per tenant.

Labels stay bounded: an operation is labelled with its name only when that name is one of the
schema's root fields (`signIn`, `SignIn` → `signIn`), `anonymous` when it has none, `other`
otherwise; an outcome is `ok`, `user_error` (a refusal: a payload's `errors`, a GraphQL
validation or limit error, a 4xx) or `error` (a failure of ours: an unexpected exception, a
5xx). Documents, variables and raw names never become labels."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry import Schema
from strawberry.http import GraphQLRequestData
from strawberry.http.async_base_view import AsyncHTTPRequestAdapter
from strawberry.types import ExecutionResult

from mail.models import OutboxMessage, OutboxStatus
from schema.context import AppServices
from schema.outcome import INTERNAL_CODE
from server.graphql_app import GuichetGraphQL
from tenants.errors import DomainError
from tenants.session import open_session

log = logging.getLogger("guichet.metrics")

OPERATION_KEY = "metrics_operation"
OUTCOME_KEY = "metrics_outcome"
ANONYMOUS, OTHER = "anonymous", "other"
OK, USER_ERROR, ERROR = "ok", "user_error", "error"
GRAPHQL_PATH = re.compile(r"^(/t/[^/]+)?/graphql$")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def root_fields(schema: Schema) -> dict[str, str]:
    """The schema's query and mutation fields, by lower-cased name: the known operations."""
    graphql_schema = schema._schema
    names: dict[str, str] = {}
    for root in (graphql_schema.query_type, graphql_schema.mutation_type):
        if root is not None:
            names.update({name.lower(): name for name in root.fields})
    return names


@lru_cache(maxsize=256)
def _sole_operation_name(document: str, max_tokens: int) -> str | None:
    """The name of a document's only operation (what is executed when the request names none);
    a frontend sends a few documents again and again, so each is parsed once."""
    try:
        parsed = parse(document, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None:
        return None
    return operations[0].name.value


def outcome_of(result: ExecutionResult) -> str:
    for error in result.errors or ():
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError | DomainError):
            return ERROR
        if (error.extensions or {}).get("code") == INTERNAL_CODE:  # shaped by the schema
            return ERROR
    if result.errors:
        return USER_ERROR
    if isinstance(result.data, dict) and any(
        isinstance(value, dict) and value.get("errors") for value in result.data.values()
    ):
        return USER_ERROR
    return OK


def outcome_of_status(status: int) -> str:
    if status >= 500:
        return ERROR
    return USER_ERROR if status >= 400 else OK


@dataclass(frozen=True)
class OutboxFigures:
    pending: int
    failed: int
    oldest_pending: datetime | None


class OutboxCollector(Collector):
    """Exposes the figures read just before the scrape (`Metrics.read_outbox`)."""

    def __init__(self) -> None:
        self.figures: dict[str, OutboxFigures] = {}
        self.now: datetime | None = None
        self.readable = True

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "guichet_outbox_readable", "1 when the outbox could be read at this scrape, else 0"
        )
        up.add_metric([], 1.0 if self.readable else 0.0)
        yield up
        pending = GaugeMetricFamily(
            "guichet_outbox_pending_messages", "Mail waiting to be sent", labels=["tenant"]
        )
        failed = GaugeMetricFamily(
            "guichet_outbox_failed_messages",
            "Mail given up on (permanent refusal or out of attempts)",
            labels=["tenant"],
        )
        age = GaugeMetricFamily(
            "guichet_outbox_oldest_pending_age_seconds",
            "Age of the oldest mail waiting to be sent (0 when none waits)",
            labels=["tenant"],
        )
        for tenant, figures in sorted(self.figures.items()):
            pending.add_metric([tenant], figures.pending)
            failed.add_metric([tenant], figures.failed)
            oldest = figures.oldest_pending
            waited = (self.now - oldest).total_seconds() if oldest and self.now else 0.0
            age.add_metric([tenant], max(waited, 0.0))
        yield from (pending, failed, age)


class Metrics:
    """One registry per application (tests build several)."""

    def __init__(
        self,
        services: AppServices,
        schema: Schema,
        tenants: Iterable[str],
        max_tokens: int = 2000,
    ) -> None:
        self.services = services
        self.tenants = tuple(tenants)
        self.max_tokens = max_tokens
        self.known_operations = root_fields(schema)
        self.registry = CollectorRegistry()
        labels = ["operation", "outcome"]
        self.requests = Counter(
            "guichet_graphql_requests",
            "GraphQL HTTP requests by operation and outcome",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "guichet_graphql_request_duration_seconds",
            "GraphQL HTTP request duration by operation and outcome",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.outbox = OutboxCollector()
        self.registry.register(self.outbox)

    def operation_label(self, request: GraphQLRequestData) -> str:
        """The request's `operationName`, else the name of its document's sole operation."""
        name = request.operation_name
        if name is None and request.query:
            name = _sole_operation_name(request.query, self.max_tokens)
        if not name:
            return ANONYMOUS
        return self.known_operations.get(name.lower(), OTHER)

    def observe(self, operation: str, outcome: str, seconds: float) -> None:
        self.requests.labels(operation, outcome).inc()
        self.latency.labels(operation, outcome).observe(seconds)

    async def read_outbox(self) -> None:
        """One grouped query per tenant (row-level security shows a session one tenant)."""
        services = self.services
        figures: dict[str, OutboxFigures] = {}
        query = (
            select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]))
            .group_by(OutboxMessage.status)
        )
        try:
            for tenant in self.tenants:
                async with open_session(services.sessions, tenant) as session:
                    rows = {row[0]: row for row in (await session.execute(query)).all()}
                pending = rows.get(OutboxStatus.PENDING)
                failed = rows.get(OutboxStatus.FAILED)
                figures[tenant] = OutboxFigures(
                    pending=pending[1] if pending else 0,
                    failed=failed[1] if failed else 0,
                    oldest_pending=pending[2] if pending else None,
                )
        except Exception as exc:  # a scrape still answers the request figures
            log.warning("outbox unreadable for metrics", extra={"error": type(exc).__name__})
            self.outbox.figures, self.outbox.readable = {}, False
            return
        self.outbox.figures, self.outbox.readable = figures, True
        self.outbox.now = services.clock.now()

    async def endpoint(self, _request: Request) -> Response:
        await self.read_outbox()
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MeasuredGraphQL(GuichetGraphQL):
    """Notes each operation's label and outcome in the request's state for `RequestMetrics`."""

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Any,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        state = request.scope.setdefault("state", {})
        state[OPERATION_KEY] = self.metrics.operation_label(request_data)
        result = await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )
        state[OUTCOME_KEY] = outcome_of(result)
        return result


class RequestMetrics:
    """Times every GraphQL HTTP request; a request refused before execution (unknown tenant,
    invalid token, malformed body) counts as `other` with the outcome of its status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not GRAPHQL_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            state = scope.get("state", {})
            by_status = outcome_of_status(status)
            outcome = by_status if by_status != OK else state.get(OUTCOME_KEY, OK)
            operation = state.get(OPERATION_KEY)
            if operation is None:
                operation = ANONYMOUS if scope["method"] == "GET" and status < 400 else OTHER
            self.metrics.observe(operation, outcome, time.perf_counter() - started)
