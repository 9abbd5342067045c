"""Which tenant a request is for: `/t/{tenant}/…`, else the `X-Tenant` header, else the host
name (`cnaps.example.org`). An unknown tenant is a 404, never a default."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import Scope

from tenants.packs import PACKS
from tenants.packs.base import TenantPack


class TenantNotFound(LookupError):
    def __init__(self, asked: str | None) -> None:
        super().__init__(asked or "")
        self.asked = asked


def resolve_tenant(scope: Scope) -> TenantPack:
    path_tenant = scope.get("path_params", {}).get("tenant")
    if path_tenant is not None:
        pack = PACKS.get(str(path_tenant).lower())
        if pack is None:
            raise TenantNotFound(str(path_tenant))
        return pack
    headers = Headers(scope=scope)
    header = headers.get("x-tenant", "").strip()
    if header:
        pack = PACKS.get(header.lower())
        if pack is None:
            raise TenantNotFound(header)
        return pack
    host = headers.get("host", "").strip().split(":", 1)[0].lower()
    for pack in PACKS.values():
        if host in pack.hosts or host.split(".", 1)[0] in pack.hosts:
            return pack
    raise TenantNotFound(None)


def preferred_locale(scope: Scope) -> str:
    """French first; English when the caller's Accept-Language prefers it."""
    header = Headers(scope=scope).get("accept-language", "")
    best, best_q = "fr", 0.0
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        q = 1.0 - position * 0.001
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        language = tag.split("-", 1)[0]
        if language in {"fr", "en"} and q > best_q:
            best, best_q = language, q
    return best
