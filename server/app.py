"""The Starlette application: GraphQL per tenant, link pages, JWKS, health, metrics, the mail
loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema import build_schema
from server.cors import TenantCors, allowed_origins
from server.database import role_bypasses_rls
from server.downloads import Downloads
from server.graphiql import static_routes
from server.graphql_app import GraphQLEndpoint
from server.html import not_found
from server.metrics import MeasuredGraphQL, Metrics, RequestMetrics
from server.migrate import current_revision, head_revision
from server.oidc import OidcProvider
from server.pages import LinkPages
from server.periodic import run_alerts_forever, run_message_notifications_forever
from server.runtime import Runtime
from server.verification_pages import VerificationPages
from tenants.packs import PACKS

log = logging.getLogger("guichet.http")


class UnsafeDatabaseRole(RuntimeError):
    pass


_FILE_LINK = re.compile(r"(/files/)[^/]+")


def loggable_path(path: str) -> str:
    """The path as logged: a signed file link in it is a credential, so it is redacted."""
    return _FILE_LINK.sub(r"\1[redacted]", path)


class AccessLog:
    """One structured line per request (path without its query string: links carry tokens),
    a request id, and the headers every response should have."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        asked = Headers(scope=scope).get("x-request-id", "")
        request_id = asked if 0 < len(asked) <= 64 else uuid.uuid4().hex
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-request-id", request_id.encode("latin-1")),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            pack = scope.get("state", {}).get("pack")
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": loggable_path(scope["path"]),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "tenant": pack.slug if pack else None,
                    "request_id": request_id,
                },
            )


def _background_duties(runtime: Runtime, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """Sending mail and webhooks, the alerts pass and the message notices, until `stop`."""
    settings = runtime.settings
    tasks = [
        asyncio.create_task(runtime.sender.run_forever(stop)),
        asyncio.create_task(runtime.webhooks.run_forever(stop)),
    ]
    if settings.alerts_interval_seconds > 0:
        interval = settings.alerts_interval_seconds
        tasks.append(asyncio.create_task(run_alerts_forever(runtime, stop, interval)))
    if settings.message_notifications_interval_seconds > 0:
        every = settings.message_notifications_interval_seconds
        tasks.append(asyncio.create_task(run_message_notifications_forever(runtime, stop, every)))
    return tasks


def create_app(runtime: Runtime) -> Starlette:
    settings = runtime.settings
    schema = build_schema(
        production=settings.production,
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_cost=settings.max_query_cost,
        max_tokens=settings.max_query_tokens,
    )
    metrics = Metrics(runtime.services, schema, PACKS, max_tokens=settings.max_query_tokens)
    view = MeasuredGraphQL(
        metrics,
        services=runtime.services,
        schema=schema,
        graphql_ide=None if settings.production else "graphiql",
    )
    graphql = GraphQLEndpoint(view, runtime.services, max_body_bytes=settings.max_body_bytes)
    pages = LinkPages(
        schema,
        runtime.services,
        frontend_urls=settings.frontend_urls,
        public_url=settings.resolved_public_url,
        ide=not settings.production,
    )
    downloads = Downloads(runtime.services)
    verification_pages = VerificationPages(runtime.services)
    oidc = OidcProvider(pages, runtime.services)

    async def jwks(_request: Request) -> Response:
        return JSONResponse(
            runtime.keys.public_jwks(), headers={"Cache-Control": "public, max-age=300"}
        )

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            async with runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            current, head = await current_revision(runtime.engine), head_revision()
            checks["migrations"] = "ok" if current == head else f"at {current}, head is {head}"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if await role_bypasses_rls(runtime.engine):
            message = (
                "the database role is a superuser or has BYPASSRLS: row-level security does "
                "not protect tenants (connect as a role that owns no table)"
            )
            if settings.production:
                raise UnsafeDatabaseRole(message)
            log.warning(message)
        stop = asyncio.Event()
        tasks = _background_duties(runtime, stop) if settings.send_mail_in_process else []
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                await task
            await runtime.services.events.close()
            await runtime.engine.dispose()

    routes = [
        Route("/", pages.index),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics.endpoint),
        Route("/.well-known/jwks.json", jwks),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/t/{tenant}/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/t/{tenant}/graphql", graphql),
        Route("/t/{tenant}/confirm-email", pages.confirm_email, methods=["GET", "POST"]),
        Route("/t/{tenant}/reset-password", pages.reset_password, methods=["GET", "POST"]),
        Route("/t/{tenant}/accept-invitation", pages.accept_invitation, methods=["GET", "POST"]),
        Route("/t/{tenant}/sign-in", pages.sign_in, methods=["GET", "POST"]),
        Route("/t/{tenant}/forgot-password", pages.forgot_password, methods=["GET", "POST"]),
        Route(
            "/t/{tenant}/resend-confirmation", pages.resend_confirmation, methods=["GET", "POST"]
        ),
        Route("/t/{tenant}/confirm-dossier", pages.confirm_dossier, methods=["GET", "POST"]),
        Route("/t/{tenant}/files/{link}", downloads.file),
        Route("/t/{tenant}/verify/receipt/{token}", verification_pages.receipt),
        Route("/t/{tenant}/verify/seal/{seal}", verification_pages.seal),
        Route("/t/{tenant}/.well-known/openid-configuration", oidc.discovery),
        Route("/t/{tenant}/oidc/authorize", oidc.authorize, methods=["GET", "POST"]),
        Route("/t/{tenant}/oidc/token", oidc.token, methods=["POST"]),
        Route("/t/{tenant}/oidc/userinfo", oidc.userinfo, methods=["GET", "POST"]),
        Route("/t/{tenant}/oidc/revoke", oidc.revoke, methods=["POST"]),
        Route("/t/{tenant}/oidc/logout", oidc.logout, methods=["GET", "POST"]),
        *static_routes(ide=not settings.production),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found})
    app.state.runtime = runtime
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.add_middleware(
        TenantCors, origins=allowed_origins(settings.frontend_urls, settings.cors_origins)
    )
    app.add_middleware(AccessLog)
    return app


def app_from_environment() -> Starlette:
    """The app of one `guichet serve --workers N` process (uvicorn calls it in each)."""
    from server.logging import configure_logging
    from server.runtime import build_runtime
    from server.settings import Settings

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(build_runtime(settings))
