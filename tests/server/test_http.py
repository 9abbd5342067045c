"""Plain routes: health, readiness, JWKS; the exported SDL; settings."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from schema import build_schema
from server.runtime import Runtime
from server.settings import SETTINGS_DOC, Settings
from tests.conftest import unique_email
from tests.helpers.flows import signed_in
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


async def test_health_and_readiness(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok"}


async def test_jwks_verifies_issued_tokens(
    http: httpx.AsyncClient, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    jwks = (await http.get("/.well-known/jwks.json")).json()
    assert all("d" not in key for key in jwks["keys"])  # public halves only
    decoded = jwt.decode(tokens["accessToken"], KeySet.import_key_set(jwks))
    assert decoded.header["alg"] == "ES256" and decoded.header["typ"] == "at+jwt"
    assert decoded.claims["iss"] == "http://testserver/t/cnaps"
    assert decoded.claims["tid"] == "cnaps"


async def test_responses_carry_safety_headers(http: httpx.AsyncClient) -> None:
    response = await http.get("/t/cnaps/confirm-email?token=x")
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-request-id"]


def test_schema_graphql_is_up_to_date() -> None:
    exported = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert exported == str(build_schema()) + "\n", (
        "schema.graphql drifted from the code: run `guichet export-schema schema.graphql`"
    )


def test_settings_from_environment() -> None:
    settings = Settings.from_env(
        {
            "GUICHET_ENV": "production",
            "GUICHET_DATABASE_URL": "postgresql+asyncpg://app@db/guichet",
            "GUICHET_SMTP_URL": "smtp://mailpit:1025",
            "GUICHET_PUBLIC_URL": "https://guichet.example",
            "GUICHET_SEND_MAIL_IN_PROCESS": "false",
            "GUICHET_FRONTEND_URLS": '{"cnsa": "https://portail.example"}',
        }
    )
    assert settings.production and not settings.send_mail_in_process
    assert settings.resolved_migration_url == "postgresql+asyncpg://app@db/guichet"
    assert settings.frontend_urls == {"cnsa": "https://portail.example"}
    assert Settings.from_env({}).resolved_database_url == "sqlite+aiosqlite:///guichet.db"
    with pytest.raises(ValueError, match="GUICHET_SEND_MAIL_IN_PROCESS"):
        Settings.from_env({"GUICHET_SEND_MAIL_IN_PROCESS": "maybe"})


def test_every_setting_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = {s.name for s in SETTINGS_DOC}
    fields = set(Settings.__dataclass_fields__)
    assert documented == fields
    for setting in SETTINGS_DOC:
        assert f"`{setting.variable}`" in readme, setting.variable


async def test_introspection_and_graphiql_are_off_in_production(
    runtime: Runtime,
) -> None:
    from dataclasses import replace

    from server.app import create_app

    production = replace(runtime, settings=replace(runtime.settings, env="production"))
    app = create_app(production)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(
            "/t/cnaps/graphql", json={"query": "{ __schema { types { name } } }"}
        )
        assert "introspection" in response.json()["errors"][0]["message"].lower()
        page = await client.get("/t/cnaps/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
    dev = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=dev, base_url="http://t") as client:
        page = await client.get("/t/cnaps/graphql", headers={"Accept": "text/html"})
        assert "graphiql" in page.text.lower()
