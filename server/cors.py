"""Cross-origin calls, per tenant: a browser app served from a tenant's frontend (its origin
taken from GUICHET_FRONTEND_URLS, plus those GUICHET_CORS_ORIGINS lists) may call that
tenant's API, and no other origin may.

Credentials are off (the API takes bearer tokens, never cookies), preflights are cached.
The tenant of a request is found as `server/tenancy.py` finds it (path `/t/{tenant}/…`,
`X-Tenant`, host). A preflight carries no `X-Tenant` header: on a path that names no tenant
it is answered for an origin some tenant allows, and the actual request then gets
`Access-Control-Allow-Origin` only if its origin is its own tenant's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.tenancy import TenantNotFound, resolve_tenant

log = logging.getLogger("guichet.http")

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = (
    "Authorization, Content-Type, Accept-Language, X-Tenant, Apollo-Require-Preflight, "
    "X-Requested-With"
)
EXPOSED_HEADERS = "X-Request-Id"
MAX_AGE_SECONDS = 600
_TENANT_PATH = re.compile(r"^/t/([^/]+)(?:/|$)")


def origin_of(url: str) -> str | None:
    """`https://app.example:8443/some/path` → `https://app.example:8443` (None if no origin)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    default_port = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    port = "" if parts.port in (None, default_port) else f":{parts.port}"
    return f"{parts.scheme}://{host}{port}"


def allowed_origins(
    frontend_urls: Mapping[str, str], extra: Mapping[str, Sequence[str]] | None = None
) -> dict[str, frozenset[str]]:
    """Each tenant's allowed origins: its frontend URL's, plus the `extra` ones
    (GUICHET_CORS_ORIGINS); an extra one that is no origin stops the server from starting."""
    origins: dict[str, set[str]] = {}
    for tenant, url in frontend_urls.items():
        origin = origin_of(url)
        if origin is not None:
            origins.setdefault(tenant.lower(), set()).add(origin)
    for tenant, listed in (extra or {}).items():
        for entry in listed:
            origin = origin_of(entry)
            if origin is None or origin != entry.strip().rstrip("/").lower():
                raise ValueError(
                    f"GUICHET_CORS_ORIGINS: {entry!r} is not an origin "
                    "(scheme://host[:port], nothing after)"
                )
            origins.setdefault(tenant.lower(), set()).add(origin)
    return {tenant: frozenset(found) for tenant, found in origins.items()}


def _tenant(scope: Scope) -> str | None:
    """The request's tenant slug, or None when it names none (or an unknown one)."""
    found = _TENANT_PATH.match(scope.get("path", ""))
    asked = dict(scope)
    asked["path_params"] = {"tenant": found.group(1)} if found else {}
    try:
        return resolve_tenant(asked).slug
    except TenantNotFound:
        return None


class TenantCors:
    def __init__(self, app: ASGIApp, origins: Mapping[str, frozenset[str]]) -> None:
        self.app = app
        self.origins = dict(origins)
        self.any_tenant: frozenset[str] = frozenset().union(*self.origins.values())

    def _allows(self, tenant: str | None, origin: str) -> bool:
        return tenant is not None and origin in self.origins.get(tenant, frozenset())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        tenant = _tenant(scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            names_tenant = _TENANT_PATH.match(scope["path"]) is not None
            allowed = self._allows(tenant, origin) or (
                tenant is None and not names_tenant and origin in self.any_tenant
            )
            await self._preflight(allowed, origin, scope, receive, send)
            return
        allowed = self._allows(tenant, origin)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"vary", b"Origin")]
                if allowed:
                    extra += [
                        (b"access-control-allow-origin", origin.encode("latin-1")),
                        (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
                    ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self, allowed: bool, origin: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if not allowed:
            log.info("cross-origin preflight refused", extra={"origin": origin[:200]})
            response = PlainTextResponse(
                "Origine non autorisée. / Origin not allowed.",
                status_code=403,
                headers={"Vary": "Origin"},
            )
        else:
            response = PlainTextResponse(
                "",
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": ALLOWED_METHODS,
                    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                    "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
                    "Vary": "Origin",
                },
            )
        await response(scope, receive, send)
