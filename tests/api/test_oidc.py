"""cnsa as an OpenID Connect provider, driven over HTTP like an application and a browser
would: discovery, the sign-in page, code + PKCE, tokens, userinfo, revocation, logout, and
every bad input of issue 13 (unregistered redirect URI, PKCE mismatch, reused code)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select
from strawberry.relay import GlobalID

from auth.account.models import Account
from auth.oidc.models import OidcGrant
from server.database import StatementCounter
from server.periodic import purge_grants_once
from server.runtime import Runtime
from tenants.models import Person
from tenants.session import open_session
from tests.conftest import OIDC_TEST_SECRET
from tests.helpers.clock import TestClock
from tests.helpers.flows import PASSWORD
from tests.helpers.graphql import GraphQLClient
from tests.helpers.habilitations import CAMSP, DEPOSITOR, add_structures, grant
from tests.helpers.organisations import SignedIn, person
from tests.helpers.smtp import SmtpServer

BASE = "http://testserver/t/cnsa"
CLIENT = "camsp-cmpp"
CALLBACK = "https://camsp-cmpp.cnsa.fr/oidc/callback"
PUBLIC_CLIENT = "extranet"
PUBLIC_CALLBACK = "https://extranet.cnsa.fr/auth/callback"
BASIC = (CLIENT, OIDC_TEST_SECRET)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorize_params(challenge: str, **changes: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "client_id": CLIENT,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email habilitations",
        "state": "af0ifjsldkj",
        "nonce": "n-0S6_WzA2Mj",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(changes)
    return {key: value for key, value in params.items() if value is not None}


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden fields of the sign-in form, as a browser would post them back."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    return {name: value.replace("&#39;", "'").replace("&amp;", "&") for name, value in found}


async def sign_in_at_authorize(
    http: httpx.AsyncClient, params: dict[str, str], login: str, password: str = PASSWORD
) -> httpx.Response:
    page = await http.get(f"{BASE}/oidc/authorize", params=params)
    assert page.status_code == 200, page.text
    form = hidden_fields(page.text) | {"email": login, "password": password}
    return await http.post(f"{BASE}/oidc/authorize", data=form)


def redirected(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = urlparse(response.headers["location"])
    return {key: values[0] for key, values in parse_qs(location.query).items()} | {
        "_to": f"{location.scheme}://{location.netloc}{location.path}"
    }


async def code_for(http: httpx.AsyncClient, who: SignedIn, challenge: str, **changes: str) -> str:
    answer = redirected(
        await sign_in_at_authorize(http, authorize_params(challenge, **changes), who.email)
    )
    assert answer["_to"] == changes.get("redirect_uri", CALLBACK)
    assert answer["state"] == "af0ifjsldkj"
    assert answer["iss"] == "http://testserver/t/cnsa"
    return answer["code"]


async def exchange(
    http: httpx.AsyncClient,
    code: str,
    verifier: str,
    auth: tuple[str, str] | None = BASIC,
    **more: str,
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    } | more
    if auth is None:
        return await http.post(f"{BASE}/oidc/token", data=data)
    return await http.post(f"{BASE}/oidc/token", data=data, auth=auth)


async def habilitated(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer, structures: int = 2
) -> tuple[SignedIn, list[str]]:
    who = await person(cnsa, runtime, smtp, "oidc")
    places = await add_structures(runtime, structures, name="CAMSP OIDC")
    await grant(runtime, who, places, CAMSP, DEPOSITOR)
    return who, sorted(place.finess for place in places)


async def grants_of(runtime: Runtime, client_id: str) -> list[OidcGrant]:
    async with open_session(runtime.services.sessions, "cnsa") as session:
        return list(
            (await session.scalars(select(OidcGrant).where(OidcGrant.client_id == client_id))).all()
        )


async def test_discovery_names_the_endpoints_and_pkce_s256_only(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{BASE}/.well-known/openid-configuration")
    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == "http://testserver/t/cnsa"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["jwks_uri"] == "http://testserver/.well-known/jwks.json"
    for endpoint in ("authorization", "token", "userinfo", "revocation", "end_session"):
        assert document[f"{endpoint}_endpoint"].startswith("http://testserver/t/cnsa/oidc/")
    jwks = (await http.get("/.well-known/jwks.json")).json()
    assert jwks["keys"]


async def test_cnaps_is_no_openid_provider(http: httpx.AsyncClient) -> None:
    for path in (
        "/.well-known/openid-configuration",
        "/oidc/authorize?client_id=camsp-cmpp",
        "/oidc/userinfo",
        "/oidc/logout",
    ):
        assert (await http.get(f"/t/cnaps{path}")).status_code == 404
    assert (await http.post("/t/cnaps/oidc/token", data={})).status_code == 404
    assert (await http.post("/t/cnaps/oidc/revoke", data={})).status_code == 404


async def test_code_flow_with_pkce_gives_the_habilitations_of_that_application(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, finess = await habilitated(cnsa, runtime, smtp)
    # another application's habilitation is not told to this one
    other = await add_structures(runtime, 1, name="EXTRANET OIDC")
    await grant(runtime, who, other, "EXTRANET", "MEMBRE_EXTRANET")
    verifier, challenge = pkce()
    page = await http.get(f"{BASE}/oidc/authorize", params=authorize_params(challenge))
    assert "CAMSP / CMPP" in page.text
    csp = page.headers["content-security-policy"]
    assert "form-action 'self' https://camsp-cmpp.cnsa.fr;" in csp
    assert "script-src" not in csp and "default-src 'none'" in csp
    code = await code_for(http, who, challenge)
    response = await exchange(http, code, verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 600
    keys = KeySet.import_key_set((await http.get("/.well-known/jwks.json")).json())
    decoded = jwt.decode(tokens["id_token"], keys, algorithms=["ES256"])
    claims = decoded.claims
    assert decoded.header["kid"] in {key["kid"] for key in keys.as_dict()["keys"]}
    assert claims["iss"] == "http://testserver/t/cnsa" and claims["aud"] == CLIENT
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["email"] == who.email and claims["email_verified"] is True
    assert claims["preferred_username"] and claims["family_name"] and claims["given_name"]
    assert claims["habilitations"] == [{"profile": DEPOSITOR, "finess": finess}]
    info = await http.get(
        f"{BASE}/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert info.status_code == 200
    assert info.json()["sub"] == claims["sub"]
    assert info.json()["habilitations"] == [{"profile": DEPOSITOR, "finess": finess}]
    # the ID token is no access token for the API
    viewer = await cnsa.post("query { viewer { account { id } } }", token=tokens["id_token"])
    assert viewer.status_code == 401
    # codes and tokens are kept hashed only
    stored = [
        g for g in await grants_of(runtime, CLIENT) if g.account_id == uuid.UUID(claims["sub"])
    ]
    assert len(stored) == 1
    assert stored[0].code_hash == hashlib.sha256(code.encode()).digest()
    assert stored[0].access_token_hash == hashlib.sha256(tokens["access_token"].encode()).digest()


async def test_no_habilitation_for_the_application_is_access_denied(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who = await person(cnsa, runtime, smtp, "oidc-none")
    other = await add_structures(runtime, 1, name="EXTRANET ONLY")
    await grant(runtime, who, other, "EXTRANET", "MEMBRE_EXTRANET")
    _verifier, challenge = pkce()
    before = len(await grants_of(runtime, CLIENT))
    answer = redirected(await sign_in_at_authorize(http, authorize_params(challenge), who.email))
    assert answer["_to"] == CALLBACK
    assert answer["error"] == "access_denied" and answer["state"] == "af0ifjsldkj"
    assert "code" not in answer
    assert len(await grants_of(runtime, CLIENT)) == before


async def test_unregistered_redirect_uri_is_shown_never_redirected(
    http: httpx.AsyncClient,
) -> None:
    _verifier, challenge = pkce()
    for changes in (
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": CALLBACK + "/"},
        {"redirect_uri": PUBLIC_CALLBACK},  # another client's
        {"redirect_uri": None},
        {"client_id": "unknown"},
    ):
        for response in (
            await http.get(f"{BASE}/oidc/authorize", params=authorize_params(challenge, **changes)),
            await http.post(
                f"{BASE}/oidc/authorize",
                data=authorize_params(challenge, **changes) | {"email": "x", "password": "y"},
            ),
        ):
            assert response.status_code == 400, changes
            assert "location" not in response.headers
            assert "evil.example" not in response.text
            assert "<form" not in response.text
            assert "Cette demande de connexion n&#39;est pas valable" in response.text


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"prompt": "none"}, "login_required"),
        ({"nonce": "a\x00b"}, "invalid_request"),
    ],
)
async def test_bad_authorization_requests_go_back_to_the_application(
    http: httpx.AsyncClient, changes: dict[str, str | None], error: str
) -> None:
    _verifier, challenge = pkce()
    response = await http.get(
        f"{BASE}/oidc/authorize", params=authorize_params(challenge, **changes)
    )
    answer = redirected(response)
    assert answer["_to"] == CALLBACK
    assert answer["error"] == error and answer["state"] == "af0ifjsldkj"


async def test_wrong_password_stays_on_the_page(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    _verifier, challenge = pkce()
    response = await sign_in_at_authorize(
        http, authorize_params(challenge), who.email, "Mauvais-Mot-de-Passe-1"
    )
    assert response.status_code == 400
    assert 'data-code="INVALID_CREDENTIALS"' in response.text
    assert "location" not in response.headers


async def test_pkce_verifier_that_does_not_match_is_invalid_grant_and_changes_nothing(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    verifier, challenge = pkce()
    code = await code_for(http, who, challenge)
    for wrong in (pkce()[0], "", "é" * 50, verifier + "x"):
        response = await exchange(http, code, wrong)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
    # the code was not spent by the refusals: the right verifier still works, once
    assert (await exchange(http, code, verifier)).status_code == 200


async def test_reused_code_is_refused_and_revokes_what_it_issued(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    verifier, challenge = pkce()
    code = await code_for(http, who, challenge)
    first = await exchange(http, code, verifier)
    token = first.json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await http.get(f"{BASE}/oidc/userinfo", headers=bearer)).status_code == 200
    again = await exchange(http, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    refused = await http.get(f"{BASE}/oidc/userinfo", headers=bearer)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    stored = [g for g in await grants_of(runtime, CLIENT) if g.access_token_hash is not None]
    reused = [g for g in stored if g.access_token_hash == hashlib.sha256(token.encode()).digest()]
    assert [g.revoked_reason for g in reused] == ["CODE_REUSED"]


async def test_code_expires_after_a_minute(
    http: httpx.AsyncClient,
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    clock: TestClock,
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    verifier, challenge = pkce()
    code = await code_for(http, who, challenge)
    clock.advance(timedelta(seconds=61))
    response = await exchange(http, code, verifier)
    assert response.json()["error"] == "invalid_grant"


async def test_token_endpoint_refusals(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    verifier, challenge = pkce()
    code = await code_for(http, who, challenge)
    wrong_secret = await exchange(http, code, verifier, auth=(CLIENT, "not-the-secret"))
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    no_secret = await exchange(http, code, verifier, auth=None, client_id=CLIENT)
    assert no_secret.json()["error"] == "invalid_client"
    other_client = await exchange(http, code, verifier, auth=None, client_id=PUBLIC_CLIENT)
    assert other_client.json()["error"] == "invalid_grant"
    other_uri = await exchange(http, code, verifier, redirect_uri=PUBLIC_CALLBACK)
    assert other_uri.json()["error"] == "invalid_grant"
    grant_type = await exchange(http, code, verifier, grant_type="password")
    assert grant_type.json()["error"] == "unsupported_grant_type"
    forged = await exchange(http, "x" * 43, verifier)
    assert forged.json()["error"] == "invalid_grant"
    # none of the refusals spent the code
    assert (await exchange(http, code, verifier)).status_code == 200


async def test_revocation_ends_the_access_token(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    verifier, challenge = pkce()
    token = (await exchange(http, await code_for(http, who, challenge), verifier)).json()[
        "access_token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    # another client cannot revoke it (answered 200 all the same, nothing changes)
    other = await http.post(
        f"{BASE}/oidc/revoke", data={"token": token, "client_id": PUBLIC_CLIENT}
    )
    assert other.status_code == 200
    assert (await http.get(f"{BASE}/oidc/userinfo", headers=bearer)).status_code == 200
    refused = await http.post(f"{BASE}/oidc/revoke", data={"token": token}, auth=(CLIENT, "no"))
    assert refused.json()["error"] == "invalid_client"
    unknown = await http.post(f"{BASE}/oidc/revoke", data={"token": "unknown"}, auth=BASIC)
    assert unknown.status_code == 200
    revoked = await http.post(f"{BASE}/oidc/revoke", data={"token": token}, auth=BASIC)
    assert revoked.status_code == 200
    assert (await http.get(f"{BASE}/oidc/userinfo", headers=bearer)).status_code == 401


async def test_rp_initiated_logout(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    verifier, challenge = pkce()
    tokens = (await exchange(http, await code_for(http, who, challenge), verifier)).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    unregistered = await http.get(
        f"{BASE}/oidc/logout",
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://evil.example/",
        },
    )
    assert unregistered.status_code == 400 and "location" not in unregistered.headers
    forged = await http.get(
        f"{BASE}/oidc/logout",
        params={
            "id_token_hint": "e30.e30.e30",
            "post_logout_redirect_uri": "https://camsp-cmpp.cnsa.fr/",
        },
    )
    assert forged.status_code == 400
    assert (await http.get(f"{BASE}/oidc/userinfo", headers=bearer)).status_code == 200
    response = await http.get(
        f"{BASE}/oidc/logout",
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://camsp-cmpp.cnsa.fr/",
            "state": "bye",
        },
    )
    assert response.status_code == 302
    assert response.headers["location"] == "https://camsp-cmpp.cnsa.fr/?state=bye"
    assert (await http.get(f"{BASE}/oidc/userinfo", headers=bearer)).status_code == 401


async def test_public_client_uses_pkce_alone(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who = await person(cnsa, runtime, smtp, "oidc-extranet")
    await grant(runtime, who, await add_structures(runtime, 1), "EXTRANET", "MEMBRE_EXTRANET")
    verifier, challenge = pkce()
    code = await code_for(
        http, who, challenge, client_id=PUBLIC_CLIENT, redirect_uri=PUBLIC_CALLBACK
    )
    response = await http.post(
        f"{BASE}/oidc/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": PUBLIC_CALLBACK,
            "code_verifier": verifier,
            "client_id": PUBLIC_CLIENT,
        },
    )
    assert response.status_code == 200, response.text
    claims: dict[str, Any] = jwt.decode(
        response.json()["id_token"],
        KeySet.import_key_set((await http.get("/.well-known/jwks.json")).json()),
    ).claims
    assert [h["profile"] for h in claims["habilitations"]] == ["MEMBRE_EXTRANET"]


async def test_odd_input_is_refused_with_oauth_errors_never_a_crash(
    http: httpx.AsyncClient,
) -> None:
    """NUL bytes, a lone surrogate (as percent-encoded bytes), a huge value, non-ASCII."""
    _verifier, challenge = pkce()
    form = {"content-type": "application/x-www-form-urlencoded"}

    def encoded(fields: dict[str, str]) -> str:
        return "&".join(
            f"{name}={quote(value.encode('utf-8', 'surrogatepass'))}"
            for name, value in fields.items()
        )

    for value in ("a\x00b", "\ud800", "x" * 10_000, "é"):
        for name in ("client_id", "redirect_uri", "state", "nonce", "scope", "code_challenge"):
            query = encoded(authorize_params(challenge, **{name: value}))
            response = await http.get(f"{BASE}/oidc/authorize?{query}")
            assert response.status_code in (302, 400), (name, response.status_code)
            if response.status_code == 302:
                assert response.headers["location"].startswith(CALLBACK + "?")
        for field in ("code", "code_verifier", "redirect_uri", "grant_type"):
            body = encoded({"grant_type": "authorization_code", field: value})
            refused = await http.post(f"{BASE}/oidc/token", content=body, headers=form, auth=BASIC)
            assert refused.status_code == 400 and refused.json()["error"], field
        raw = b"Bearer " + value.encode("utf-8", "surrogatepass")
        bearer = await http.get(f"{BASE}/oidc/userinfo", headers={b"Authorization": raw})
        assert bearer.status_code == 401
        logout = await http.get(f"{BASE}/oidc/logout?{encoded({'id_token_hint': value})}")
        assert logout.status_code == 400
    page = await http.get(f"{BASE}/oidc/authorize", params=authorize_params(challenge))
    for login, password in (("a\x00b", "x"), ("\ud800", "\ud800"), ("x" * 10_000, "y" * 10_000)):
        body = encoded(hidden_fields(page.text) | {"email": login, "password": password})
        signed = await http.post(f"{BASE}/oidc/authorize", content=body, headers=form)
        assert signed.status_code == 400 and 'class="error" data-code="' in signed.text
    basic = await http.post(
        f"{BASE}/oidc/token",
        data={"grant_type": "authorization_code"},
        headers={"Authorization": "Basic ***"},
    )
    assert basic.json()["error"] == "invalid_client"


async def test_a_temporary_password_is_told_on_the_page(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    async with open_session(runtime.services.sessions, "cnsa") as session:
        account = await session.get(Account, uuid.UUID(GlobalID.from_id(who.account_id).node_id))
        assert account is not None
        account.must_change_password = True
        await session.commit()
    _verifier, challenge = pkce()
    response = await sign_in_at_authorize(http, authorize_params(challenge), who.email)
    assert response.status_code == 400
    assert 'data-code="PASSWORD_CHANGE_REQUIRED"' in response.text


async def test_the_periodic_pass_erases_grants_after_a_day(
    http: httpx.AsyncClient,
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    clock: TestClock,
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    _verifier, challenge = pkce()
    await code_for(http, who, challenge)
    account_id = uuid.UUID(GlobalID.from_id(who.account_id).node_id)

    async def held() -> int:
        return len([g for g in await grants_of(runtime, CLIENT) if g.account_id == account_id])

    clock.advance(timedelta(days=1) - timedelta(seconds=1))
    await purge_grants_once(runtime)
    assert await held() == 1  # the day before
    clock.advance(timedelta(seconds=2))
    await purge_grants_once(runtime)
    assert await held() == 0


async def test_token_and_userinfo_cost_the_same_for_10_and_100_structures(
    http: httpx.AsyncClient,
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
    backend: str,
) -> None:
    counts: dict[int, tuple[int, int, int]] = {}
    for size in (10, 100):
        who, finess = await habilitated(cnsa, runtime, smtp, size)
        verifier, challenge = pkce()
        code = await code_for(http, who, challenge)
        with statements.count() as token_statements:
            response = await exchange(http, code, verifier)
        token = response.json()["access_token"]
        with statements.count() as userinfo_statements:
            info = await http.get(
                f"{BASE}/oidc/userinfo", headers={"Authorization": f"Bearer {token}"}
            )
        assert info.json()["habilitations"] == [{"profile": DEPOSITOR, "finess": finess}]
        _verifier, challenge = pkce()
        page = await http.get(f"{BASE}/oidc/authorize", params=authorize_params(challenge))
        form = hidden_fields(page.text) | {"email": who.email, "password": PASSWORD}
        with statements.count() as authorize_statements:
            assert (await http.post(f"{BASE}/oidc/authorize", data=form)).status_code == 302
        counts[size] = (
            len(authorize_statements),
            len(token_statements),
            len(userinfo_statements),
        )
    print(f"\nstatements (authorize POST, token, userinfo) {backend}: {counts}")
    assert counts[10] == counts[100]


async def test_scopes_choose_the_claims(
    http: httpx.AsyncClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    who, _finess = await habilitated(cnsa, runtime, smtp, 1)
    async with open_session(runtime.services.sessions, "cnsa") as session:
        person_row = await session.get(Person, uuid.UUID(GlobalID.from_id(who.person_id).node_id))
        assert person_row is not None
        person_row.address_line1, person_row.postal_code = "12 rue des Lilas", "44000"
        person_row.city, person_row.country = "Nantes", "FR"
        await session.commit()
    verifier, challenge = pkce()
    code = await code_for(http, who, challenge, scope="openid address unknown")
    tokens = (await exchange(http, code, verifier)).json()
    assert tokens["scope"] == "openid address"
    info = await http.get(
        f"{BASE}/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert info.json() == {
        "sub": str(uuid.UUID(GlobalID.from_id(who.account_id).node_id)),
        "address": {
            "street_address": "12 rue des Lilas",
            "postal_code": "44000",
            "locality": "Nantes",
            "country": "FR",
        },
    }
