"""`guichet serve` as a newcomer runs it: a real process, real HTTP, a real SMTP server.

The whole journey on both tenants, through the link that actually arrived by mail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.helpers.live_server import LiveServer, first_link, live_server, ok

PASSWORD = "Une-Phrase-Solide-42"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("serve")
    with live_server(workdir, secrets=(PASSWORD,)) as running:
        yield running
    assert (workdir / "guichet.db").exists()  # the embedded default: SQLite in the cwd


REGISTER = """mutation($input: RegisterInput!) {
  register(input: $input) { email errors { code field message } } }"""
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) {
  accessToken refreshToken errors { code message } } }"""
REFRESH = """mutation($t: String!) { refreshSession(input: {refreshToken: $t}) {
  accessToken refreshToken errors { code } } }"""
VIEWER = "{ viewer { person { familyName } } }"

INPUTS: dict[str, dict[str, Any]] = {
    "cnaps": {
        "familyName": "Lefèvre",
        "givenNames": "Jean",
        "birthDate": "1979-02-28",
        "birthCity": "Toulon",
        "birthCountry": "FR",
        "address": {
            "line1": "1 quai Cronstadt",
            "postalCode": "83000",
            "city": "Toulon",
            "country": "FR",
        },
        "acceptTerms": True,
    },
    "cnsa": {"familyName": "Nguyen", "givenNames": "Lan", "phone": "+33 6 01 02 03 04"},
}


@pytest.mark.parametrize("tenant", ["cnaps", "cnsa"])
def test_register_mail_link_sign_in_viewer(server: LiveServer, tenant: str) -> None:
    base = server.base
    email = f"serve.{tenant}.{time.time_ns()}@example.org"
    registered = ok(
        server.gql(
            tenant,
            REGISTER,
            {"input": {"email": email, "password": PASSWORD, **INPUTS[tenant]}},
        )
    )
    assert registered["register"]["errors"] == []
    refused = ok(server.gql(tenant, SIGN_IN, {"e": email, "p": PASSWORD}))
    assert refused["signIn"]["errors"][0]["code"] == "EMAIL_NOT_CONFIRMED"

    [mail] = server.mails(email)
    link = first_link(mail)
    assert link.startswith(f"{base}/t/{tenant}/confirm-email?token=")
    page = httpx.get(link)
    assert page.status_code == 200
    token = parse_qs(urlsplit(link).query)["token"][0]
    confirmed = httpx.post(link.split("?")[0], data={"token": token})
    assert 'data-code="EMAIL_CONFIRMED"' in confirmed.text

    tokens = ok(server.gql(tenant, SIGN_IN, {"e": email, "p": PASSWORD}))["signIn"]
    assert tokens["errors"] == []
    viewer = ok(server.gql(tenant, VIEWER, token=tokens["accessToken"]))
    assert viewer["viewer"]["person"]["familyName"] == INPUTS[tenant]["familyName"]

    other = "cnsa" if tenant == "cnaps" else "cnaps"
    assert server.gql(other, VIEWER, token=tokens["accessToken"]).status_code == 401

    rotated = ok(server.gql(tenant, REFRESH, {"t": tokens["refreshToken"]}))["refreshSession"]
    assert rotated["errors"] == []
    replayed = ok(server.gql(tenant, REFRESH, {"t": tokens["refreshToken"]}))["refreshSession"]
    assert [e["code"] for e in replayed["errors"]] == ["REFRESH_TOKEN_REUSED"]
    assert server.gql(tenant, VIEWER, token=rotated["accessToken"]).status_code == 401


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short1!a", "PASSWORD_TOO_SHORT"),
        ("alllowercaseletters", "PASSWORD_TOO_FEW_CHARACTER_CLASSES"),
        ("Abcdefghijkl-1234567890-X", "PASSWORD_TOO_LONG"),
    ],
)
def test_cnsa_policy_violations_over_http(server: LiveServer, password: str, code: str) -> None:
    email = f"policy.{time.time_ns()}@example.org"
    result = ok(
        server.gql(
            "cnsa",
            REGISTER,
            {"input": {"email": email, "password": password, **INPUTS["cnsa"]}},
        )
    )
    assert [e["code"] for e in result["register"]["errors"]] == [code]


def test_jwks_and_graphiql(server: LiveServer) -> None:
    base = server.base
    assert httpx.get(f"{base}/.well-known/jwks.json").json()["keys"][0]["alg"] == "ES256"
    page = httpx.get(f"{base}/t/cnaps/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert (
        httpx.post(f"{base}/t/unknown/graphql", json={"query": "{ tenant { slug } }"}).status_code
        == 404
    )
