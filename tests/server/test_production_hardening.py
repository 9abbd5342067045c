"""Production settings: no "Did you mean" with introspection off, a Content-Security-Policy on
the HTML pages, and forwarded headers believed only from the proxies a setting names."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from server.app import create_app
from server.cli import uvicorn_options
from server.runtime import Runtime
from server.settings import Settings
from tests.helpers.live_server import LiveServer, first_link, live_server, ok


@pytest.fixture
async def production(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(runtime, settings=replace(runtime.settings, env="production")))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


MISTAKES = [
    "{ viewr { account { id } } }",  # a field
    "{ nodes(idz: []) { id } }",  # an argument
    "{ tenant { slg } }",
    'mutation { register(input: {emial: "a@example.org"}) { email } }',  # an input field
    "{ organisationRequests(status: PENDING_VALIDATIO) { totalCount } }",  # an enum value
]


@pytest.mark.parametrize("query", MISTAKES)
async def test_production_suggests_no_names(
    production: httpx.AsyncClient, http: httpx.AsyncClient, query: str
) -> None:
    refused = await production.post("/t/cnaps/graphql", json={"query": query})
    assert refused.json()["errors"]
    assert "Did you mean" not in refused.text
    development = await http.post("/t/cnaps/graphql", json={"query": query})
    assert "Did you mean" in development.text  # still helpful while developing


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/t/cnaps/confirm-email?token=x",
        "/t/cnaps/reset-password?token=x",
        "/t/cnsa/accept-invitation?token=x",
        "/t/cnsa/sign-in",
    ],
)
async def test_html_pages_send_a_content_security_policy(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.get(path)
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in policy


def test_uvicorn_trusts_forwarded_headers_only_from_named_proxies() -> None:
    default = uvicorn_options(Settings())
    assert default["proxy_headers"] is False and default["forwarded_allow_ips"] == []
    named = uvicorn_options(Settings(trusted_proxies="10.0.0.7, 10.1.0.0/16"))
    assert named["proxy_headers"] is True
    assert named["forwarded_allow_ips"] == ["10.0.0.7", "10.1.0.0/16"]
    assert Settings.from_env({"GUICHET_TRUSTED_PROXIES": "10.0.0.7"}).trusted_proxies == "10.0.0.7"


SIGN_IN = """mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) {
  accessToken errors { code } } }"""
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { errors { code } } }"""
SESSIONS = "{ viewer { account { sessions { edges { node { ipAddress } } } } } }"
PASSWORD = "Bonne-Phrase-de-Passe-42"
FORWARDED = "198.51.100.23"


def _session_address(server: LiveServer) -> str:
    email = f"proxy.{time.time_ns()}@example.org"
    person = {"email": email, "password": PASSWORD, "familyName": "Nguyen", "givenNames": "Lan"}
    assert ok(server.gql("cnsa", REGISTER, {"input": person}))["register"]["errors"] == []
    link = first_link(server.mails(email)[0])
    token = parse_qs(urlsplit(link).query)["token"][0]
    httpx.post(link.split("?")[0], data={"token": token}).raise_for_status()
    signed = httpx.post(
        f"{server.base}/t/cnsa/graphql",
        json={"query": SIGN_IN, "variables": {"e": email, "p": PASSWORD}},
        headers={"X-Forwarded-For": FORWARDED},
    )
    access = ok(signed)["signIn"]["accessToken"]
    edges = ok(server.gql("cnsa", SESSIONS, token=access))["viewer"]["account"]["sessions"]
    return str(edges["edges"][0]["node"]["ipAddress"])


def test_guichet_serve_ignores_x_forwarded_for_unless_the_proxy_is_trusted(
    tmp_path: Path,
) -> None:
    (tmp_path / "direct").mkdir()
    with live_server(tmp_path / "direct") as direct:
        assert _session_address(direct) == "127.0.0.1"
    (tmp_path / "proxied").mkdir()
    with live_server(tmp_path / "proxied", env={"GUICHET_TRUSTED_PROXIES": "127.0.0.1"}) as proxied:
        assert _session_address(proxied) == FORWARDED
