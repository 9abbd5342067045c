"""The GraphQL endpoint: tenant, caller, language, then Strawberry; errors that leak nothing."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from auth.account import sessions
from auth.account.models import Account
from auth.account.tokens import InvalidAccessToken
from auth.context import Actor, ClientInfo, ServiceContext
from schema.context import AppServices, GuichetContext
from schema.input_guard import has_odd_characters
from schema.outcome import shape_error
from server.errors import BAD_REQUEST_REASONS, HttpCode, http_message
from server.graphiql import graphiql_page
from server.html import not_found_page, wants_html
from server.tenancy import TenantNotFound, preferred_locale, resolve_tenant
from tenants.errors import CommonCode, render_message
from tenants.packs.base import TenantPack
from tenants.session import RequestSession, open_session

log = logging.getLogger("guichet.graphql")


def graphql_error(message: str, code: str, status: int, **headers: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


def http_refusal(code: HttpCode, locale: str, status: int, **headers: str) -> JSONResponse:
    return graphql_error(http_message(code, locale), code, status, **headers)


def tenant_not_found(exc: TenantNotFound, locale: str) -> JSONResponse:
    return http_refusal(HttpCode.TENANT_NOT_FOUND, locale, 404)


def client_info(scope: Scope) -> ClientInfo:
    client = scope.get("client")
    agent = Headers(scope=scope).get("user-agent")
    return ClientInfo(
        ip_address=client[0] if client else None, user_agent=agent[:300] if agent else None
    )


MAX_FILES_PER_REQUEST = 4
CSRF_SAFE_HEADERS = frozenset(
    {"authorization", "apollo-require-preflight", "x-apollo-operation-name", "x-requested-with"}
)


class RequestTooLarge(Exception):
    pass


def _is_multipart(scope: Scope) -> bool:
    content_type = Headers(scope=scope).get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def _content_length(scope: Scope) -> int | None:
    try:
        return int(Headers(scope=scope)["content-length"])
    except (KeyError, ValueError):
        return None


def _limit_body(receive: Receive, limit: int) -> Receive:
    """Count the body as it arrives (a chunked request has no Content-Length)."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise RequestTooLarge
        return message

    return limited


def _too_large(locale: str) -> JSONResponse:
    return http_refusal(HttpCode.REQUEST_TOO_LARGE, locale, 413)


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """graphql-transport-ws speaks in text frames: the view's JSON (orjson's bytes) is sent
    as text, never as a binary frame that clients such as npm's `graphql-ws` refuse."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        if isinstance(encoded, bytes):
            encoded = encoded.decode("utf-8")
        try:
            await self.ws.send_text(encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GuichetGraphQL(GraphQL[GuichetContext, None]):
    websocket_adapter_class = TextWebSocketAdapter

    """Strawberry's ASGI view, fed by `GraphQLEndpoint` with the request's tenant and actor."""

    def __init__(self, services: AppServices, **kwargs: Any) -> None:
        # File uploads follow the GraphQL multipart request spec; `GraphQLEndpoint` keeps
        # the CSRF guard Strawberry's default refusal stood for.
        kwargs.setdefault("multipart_uploads_enabled", True)
        super().__init__(**kwargs)
        self.services = services

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page (vendored assets, strict CSP) rather than Strawberry's, which
        loads React and GraphiQL from CDNs; only called when `graphql_ide` is set."""
        return graphiql_page()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GuichetContext:
        state = request.scope["state"]
        context = GuichetContext(
            services=self.services,
            pack=state["pack"],
            locale=state["locale"],
            actor=state.get("actor"),
            viewer_account=state.get("account"),
            client=client_info(request.scope),
            set_header=response.headers.__setitem__ if isinstance(response, Response) else None,
            db=state.get("db"),  # HTTP: the session the authentication began
            access_token=state.get("token"),
        )
        if isinstance(response, WebSocket):
            socket = response

            async def close(code: int, reason: str) -> None:
                with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # already closed
                    await socket.close(code, reason)

            context.close_connection = close
        return context

    async def on_ws_connect(self, context: GuichetContext) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws: the access token comes in `connection_init`'s payload
        (`{"accessToken": "…"}`, or `{"Authorization": "Bearer …"}`); a token refused closes
        the connection (4403). Without one the connection is anonymous."""
        params = context.connection_params or {}
        token = params.get("accessToken")
        if token is None:
            header = params.get("Authorization", params.get("authorization"))
            if isinstance(header, str):
                scheme, _, credentials = header.partition(" ")
                token = credentials.strip() if scheme.lower() == "bearer" else ""
        if token is None:
            return UNSET
        found = await authenticate_token(self.services, context.pack, token, context.client)
        if found is None:
            raise ConnectionRejectionError
        context.actor, context.viewer_account = found
        context.access_token = str(token)
        context.fresh_reads()
        return UNSET

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The errors were shaped by the schema's `ShapeErrors` for every transport; shaping
        again here is a no-op, and a net for an error raised outside the operation."""
        locale = request.scope["state"].get("locale", "fr")
        response: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            response["errors"] = [shape_error(error, locale).formatted for error in result.errors]
        if result.extensions:
            response["extensions"] = result.extensions
        return response

    def encode_json(self, data: object) -> str | bytes:
        """orjson (UTF-8 bytes, several times faster than `json`); the standard encoder only
        for what orjson refuses (a lone surrogate echoed in an error message)."""
        try:
            return orjson.dumps(data)
        except (orjson.JSONEncodeError, TypeError):
            return json.dumps(data, separators=(",", ":"))

    def decode_json(self, data: str | bytes) -> object:
        """Invalid UTF-8 is malformed JSON (HTTP 400 on HTTP, a closed socket on WebSocket),
        not an internal error."""
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise json.JSONDecodeError("invalid UTF-8", "", 0) from None
        return json.loads(data)

    def parse_json(self, data: str | bytes) -> Any:
        """A request body (or its `variables`, `extensions`, multipart `operations`) is one
        JSON object; anything else is a 400, never an AttributeError."""
        decoded = super().parse_json(data)
        if not isinstance(decoded, dict):
            raise HTTPException(400, "The request body must be a JSON object.")
        return decoded

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """An operation name is echoed by "Unknown operation named …": one that is not text
        is refused here (the schema's `RefuseOddCharacters` checks everything else)."""
        data = await super().parse_http_body(request)
        for item in data if isinstance(data, list) else [data]:
            name = item.operation_name
            if isinstance(name, str) and has_odd_characters(name):
                raise OddOperationName
        return data

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:  # Strawberry's refusals, in our error format
            locale = scope.get("state", {}).get("locale", "fr")
            response = bad_request(exc.status_code, exc.reason, locale)
        except OddOperationName:
            locale = scope.get("state", {}).get("locale", "fr")
            code = CommonCode.INVALID_CHARACTERS
            response = JSONResponse(
                {
                    "errors": [
                        {
                            "message": render_message(code, locale, {}),
                            "extensions": {"code": str(code), "field": ["operationName"]},
                        }
                    ]
                },
                status_code=400,
            )
        await response(scope, receive, send)


class OddOperationName(Exception):
    pass


def bad_request(status: int, reason: str, locale: str) -> JSONResponse:
    """Strawberry's own refusals (malformed body, no query…), in our error format, with a
    message from the catalogue; an unknown reason gets the generic one."""
    known = BAD_REQUEST_REASONS.get(reason, HttpCode.HTTP_REFUSED)
    code = "BAD_REQUEST" if status == 400 else "HTTP_ERROR"
    return graphql_error(render_message(known, locale, {"status": status}), code, status)


class GraphQLEndpoint:
    """Resolves the tenant (404 if unknown) and the bearer token (401 if invalid), then hands
    over to Strawberry. A token of another tenant, expired, or of a closed session is refused:
    never silently treated as anonymous."""

    def __init__(
        self, view: GuichetGraphQL, services: AppServices, max_body_bytes: int = 1024 * 1024
    ) -> None:
        self.view = view
        self.services = services
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        locale = preferred_locale(scope)
        try:
            pack = resolve_tenant(scope)
        except TenantNotFound as exc:
            if scope["type"] == "http" and scope["method"] == "GET" and wants_html(scope):
                page = not_found_page(scope, exc.asked, tenant=True)  # a browser's navigation
                await page(scope, receive, send)
            elif scope["type"] == "http":
                await tenant_not_found(exc, locale)(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 4404})
            return
        state = scope.setdefault("state", {})
        state.update(pack=pack, locale=locale)
        if scope["type"] == "http" and _is_multipart(scope):
            refusal = self._check_multipart(scope, locale)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            receive = _limit_body(receive, self._max_request_bytes)
        elif scope["type"] == "http":  # JSON (or anything else): refused before it is parsed
            length = _content_length(scope)
            if length is not None and length > self.max_body_bytes:
                await _too_large(locale)(scope, receive, send)
                return
            receive = _limit_body(receive, self.max_body_bytes)
        # One session, one transaction for the request: the authentication's check begins
        # it, the operation's reads continue it (over WebSocket each operation has its own).
        db = RequestSession(self.services.sessions, pack.slug)
        try:
            await self._serve(db, pack, locale, scope, receive, send)
        finally:
            await db.close()

    async def _serve(
        self,
        db: RequestSession,
        pack: TenantPack,
        locale: str,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        state = scope["state"]
        token = self._bearer(scope)
        if token is not None:
            found = await self._authenticate(db, pack, token, scope)
            if found is None:
                response = http_refusal(
                    HttpCode.INVALID_TOKEN,
                    locale,
                    401,
                    **{"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
                await response(scope, receive, send)
                return
            state.update(actor=found[0], account=found[1], token=token)
        if scope["type"] == "http":
            state["db"] = db
        else:
            await db.close()
        try:
            await self.view(scope, receive, send)
        except ClientDisconnect:  # the caller left before we read its request: nothing to do
            log.info("client disconnected", extra={"tenant": pack.slug})
        except RequestTooLarge:  # raised while the body is read, before any response
            await _too_large(locale)(scope, receive, send)

    @property
    def _max_request_bytes(self) -> int:
        """A multipart request carries a few files (a registration: up to three documents)
        and the operations: room for `MAX_FILES_PER_REQUEST` files at the limit."""
        return self.services.files.max_bytes * MAX_FILES_PER_REQUEST + 1024 * 1024

    def _check_multipart(self, scope: Scope, locale: str) -> JSONResponse | None:
        """CSRF: a browser sends a cross-site multipart form without preflight, but not with
        an `Authorization` header or a custom header; require one of them."""
        if not CSRF_SAFE_HEADERS.intersection(Headers(scope=scope).keys()):
            return http_refusal(HttpCode.CSRF_PREFLIGHT_REQUIRED, locale, 400)
        length = _content_length(scope)
        if length is not None and length > self._max_request_bytes:
            return _too_large(locale)
        return None

    @staticmethod
    def _bearer(scope: Scope) -> str | None:
        value = Headers(scope=scope).get("authorization")
        if value is None:
            return None
        scheme, _, credentials = value.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
        return ""  # malformed: refused rather than ignored

    async def _authenticate(
        self, db: RequestSession, pack: TenantPack, token: str, scope: Scope
    ) -> tuple[Actor, Account] | None:
        """The bearer's actor, checked in the request's own transaction (HTTP); a WebSocket
        checks again with `authenticate_token` while its subscriptions run."""
        services = self.services
        async with db.use() as session:
            ctx = ServiceContext(
                session=session,
                pack=pack,
                clock=services.clock,
                config=services.auth,
                client=client_info(scope),
            )
            try:
                actor, account = await sessions.authenticate(ctx, token)
            except InvalidAccessToken as exc:
                log.info("access token refused", extra={"reason": str(exc), "tenant": pack.slug})
                return None
            # The account outlives any rollback of the request's transaction (a refused
            # mutation): detached, it keeps what was read.
            session.expunge(account)
            return actor, account


async def authenticate_token(
    services: AppServices, pack: TenantPack, token: object, client: ClientInfo
) -> tuple[Actor, Account] | None:
    """The actor of a bearer access token, or `None` (logged as an info line) when refused."""
    if not isinstance(token, str) or not token:
        return None
    async with open_session(services.sessions, pack.slug) as session:
        ctx = ServiceContext(
            session=session, pack=pack, clock=services.clock, config=services.auth, client=client
        )
        try:
            return await sessions.authenticate(ctx, token)
        except InvalidAccessToken as exc:
            log.info("access token refused", extra={"reason": str(exc), "tenant": pack.slug})
            return None
