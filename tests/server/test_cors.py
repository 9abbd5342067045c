"""Cross-origin calls: a tenant's frontend (GUICHET_FRONTEND_URLS) may call that tenant's API
from the browser; a foreign origin, or another tenant's frontend, may not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from auth.account.tokens import SigningKeys
from mail.transport import SmtpTransport
from server.app import create_app
from server.cors import allowed_origins, origin_of
from server.runtime import build_runtime
from server.settings import Settings
from tests.conftest import Database, make_settings
from tests.helpers.clock import TestClock
from tests.helpers.smtp import SmtpServer

CNAPS_APP = "https://espace.cnaps.example"
CNSA_APP = "https://portail.cnsa.example:8443"
CNAPS_DEV = "http://localhost:5173"  # GUICHET_CORS_ORIGINS
FOREIGN = "https://evil.example"
QUERY = {"query": "{ tenant { slug } }"}
HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept-Language",
    "X-Tenant",
    "Apollo-Require-Preflight",
    "X-Requested-With",
]


@pytest.fixture(scope="module")
async def http(
    database: Database,
    smtp: SmtpServer,
    signing_keys: SigningKeys,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        database,
        Path(tmp_path_factory.mktemp("cors")),
        frontend_urls={"cnaps": f"{CNAPS_APP}/app/", "cnsa": f"{CNSA_APP}/"},
        cors_origins={"cnaps": (CNAPS_DEV,)},
    )
    runtime = build_runtime(
        settings, clock=TestClock(), transport=SmtpTransport(smtp.url), keys=signing_keys
    )
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await runtime.engine.dispose()


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, accept-language",
    }


async def test_preflight_and_request_from_the_tenants_frontend(http: httpx.AsyncClient) -> None:
    preflight = await http.options("/t/cnaps/graphql", headers=preflight_headers(CNAPS_APP))
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == CNAPS_APP
    assert "POST" in preflight.headers["access-control-allow-methods"]
    allowed = {
        h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
    }
    assert allowed == {h.lower() for h in HEADERS}
    assert int(preflight.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in preflight.headers
    assert "Origin" in preflight.headers["vary"]

    response = await http.post("/t/cnaps/graphql", json=QUERY, headers={"Origin": CNAPS_APP})
    assert response.json() == {"data": {"tenant": {"slug": "cnaps"}}}
    assert response.headers["access-control-allow-origin"] == CNAPS_APP
    assert "access-control-allow-credentials" not in response.headers
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()

    other = await http.post("/t/cnsa/graphql", json=QUERY, headers={"Origin": CNSA_APP})
    assert other.headers["access-control-allow-origin"] == CNSA_APP  # a port is part of it


async def test_extra_origins_of_a_tenant(http: httpx.AsyncClient) -> None:
    preflight = await http.options("/t/cnaps/graphql", headers=preflight_headers(CNAPS_DEV))
    assert preflight.headers["access-control-allow-origin"] == CNAPS_DEV
    response = await http.post("/t/cnaps/graphql", json=QUERY, headers={"Origin": CNAPS_DEV})
    assert response.headers["access-control-allow-origin"] == CNAPS_DEV
    elsewhere = await http.options("/t/cnsa/graphql", headers=preflight_headers(CNAPS_DEV))
    assert elsewhere.status_code == 403


def test_extra_origins_are_origins() -> None:
    assert allowed_origins({}, {"cnsa": ["https://a.example:8443"]}) == {
        "cnsa": frozenset({"https://a.example:8443"})
    }
    for wrong in ("https://a.example/app", "a.example", "*", "https://a.example?x"):
        with pytest.raises(ValueError, match="GUICHET_CORS_ORIGINS"):
            allowed_origins({}, {"cnaps": [wrong]})
    settings = Settings.from_env({"GUICHET_CORS_ORIGINS": '{"cnaps": ["http://localhost:5173"]}'})
    assert settings.cors_origins == {"cnaps": ("http://localhost:5173",)}
    with pytest.raises(ValueError, match="GUICHET_CORS_ORIGINS"):
        Settings.from_env({"GUICHET_CORS_ORIGINS": '{"cnaps": "http://localhost:5173"}'})


async def test_a_foreign_origin_gets_no_allow_origin(http: httpx.AsyncClient) -> None:
    preflight = await http.options("/t/cnaps/graphql", headers=preflight_headers(FOREIGN))
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers
    response = await http.post("/t/cnaps/graphql", json=QUERY, headers={"Origin": FOREIGN})
    assert "access-control-allow-origin" not in response.headers
    assert "Origin" in response.headers["vary"]
    # Same host, another scheme or port: another origin.
    for near in ("http://espace.cnaps.example", "https://espace.cnaps.example:444"):
        refused = await http.options("/t/cnaps/graphql", headers=preflight_headers(near))
        assert refused.status_code == 403, near


async def test_one_tenants_frontend_is_foreign_to_the_other(http: httpx.AsyncClient) -> None:
    preflight = await http.options("/t/cnsa/graphql", headers=preflight_headers(CNAPS_APP))
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers
    response = await http.post("/t/cnsa/graphql", json=QUERY, headers={"Origin": CNAPS_APP})
    assert "access-control-allow-origin" not in response.headers
    unknown = await http.options("/t/nowhere/graphql", headers=preflight_headers(CNAPS_APP))
    assert unknown.status_code == 403


async def test_tenant_named_by_header(http: httpx.AsyncClient) -> None:
    """On /graphql the preflight cannot name the tenant (X-Tenant is only announced), so it
    passes for a known frontend; the request itself is checked against its X-Tenant."""
    preflight = await http.options("/graphql", headers=preflight_headers(CNAPS_APP))
    assert preflight.status_code == 204
    assert (await http.options("/graphql", headers=preflight_headers(FOREIGN))).status_code == 403
    own = await http.post(
        "/graphql", json=QUERY, headers={"Origin": CNAPS_APP, "X-Tenant": "cnaps"}
    )
    assert own.json()["data"]["tenant"]["slug"] == "cnaps"
    assert own.headers["access-control-allow-origin"] == CNAPS_APP
    other = await http.post(
        "/graphql", json=QUERY, headers={"Origin": CNAPS_APP, "X-Tenant": "cnsa"}
    )
    assert "access-control-allow-origin" not in other.headers


async def test_same_origin_requests_are_untouched(http: httpx.AsyncClient) -> None:
    response = await http.post("/t/cnaps/graphql", json=QUERY)
    assert "access-control-allow-origin" not in response.headers
    assert (await http.options("/t/cnaps/graphql")).status_code == 405  # not a preflight


def test_origin_of_a_frontend_url() -> None:
    assert origin_of("https://App.Example/portail/?x=1") == "https://app.example"
    assert origin_of("https://app.example:443/") == "https://app.example"
    assert origin_of("http://localhost:5173/") == "http://localhost:5173"
    assert origin_of("app.example") is None
