"""Single sign-on proven by a client no one here wrote: npm's `openid-client`
(tests/interop/openid-client, installed by `npm ci` in .ci/run) runs the whole code + PKCE
flow against a running `guichet serve`, for an account whose habilitation was asked,
approved by a manager made with `guichet habilitation add-manager`, and signs in by its
identifier on the sign-in page."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers.live_server import LiveServer, first_link, live_server, ok

INTEROP = Path(__file__).parent.parent / "interop" / "openid-client"
SAMPLE = Path(__file__).parent.parent / "data" / "finess_etablissements_sample.csv"
PASSWORD = "Une-Phrase-Solide-42"
SECRET = "camsp-cmpp-live-secret-0123456789"
T = "cnsa"

REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { errors { code } } }"""
CONFIRM = """mutation($t: String!) { confirmEmail(input: {token: $t}) { errors { code } } }"""
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) {
  accessToken errors { code } } }"""
REQUEST = """mutation($input: RequestHabilitationInput!) { requestHabilitation(input: $input) {
  ok errors { code } habilitationRequest { id } } }"""
APPROVE = """mutation($id: ID!) { approveHabilitationRequest(input: {requestId: $id}) {
  ok errors { code } } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"GUICHET_OIDC_CLIENT_SECRETS": json.dumps({"cnsa/camsp-cmpp": SECRET})}
    with live_server(
        tmp_path_factory.mktemp("oidc"), secrets=(PASSWORD, SECRET), env=env
    ) as running:
        yield running


def person(server: LiveServer, name: str) -> tuple[str, str]:
    """Register on cnsa, confirm by the mailed link, sign in: (e-mail, access token)."""
    email = f"{name}.{time.time_ns()}@example.org"
    identity = {
        "email": email,
        "password": PASSWORD,
        "familyName": name.capitalize(),
        "givenNames": "Yamile",
        "structure": "CAMSP Janine Levy",
        "phone": "+33 (0) 6 12 34 56 78",
    }
    assert ok(server.gql(T, REGISTER, {"input": identity}))["register"]["errors"] == []
    [mail] = server.mails(email)
    token = parse_qs(urlsplit(first_link(mail)).query)["token"][0]
    assert ok(server.gql(T, CONFIRM, {"t": token}))["confirmEmail"]["errors"] == []
    signed = ok(server.gql(T, SIGN_IN, {"e": email, "p": PASSWORD}))["signIn"]
    assert signed["errors"] == []
    return email, signed["accessToken"]


def run_openid_client(server: LiveServer, login: str) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "Node.js is needed (see README: Tests)"
    assert (INTEROP / "node_modules" / "openid-client").is_dir(), (
        "run `(cd tests/interop/openid-client && npm ci)` first"
    )
    env = {
        "PATH": str(Path(node).parent),
        "OIDC_ISSUER": f"{server.base}/t/cnsa",
        "OIDC_CLIENT_ID": "camsp-cmpp",
        "OIDC_CLIENT_SECRET": SECRET,
        "OIDC_REDIRECT_URI": "https://camsp-cmpp.cnsa.fr/oidc/callback",
        "OIDC_POST_LOGOUT_REDIRECT_URI": "https://camsp-cmpp.cnsa.fr/",
        "OIDC_LOGIN": login,
        "OIDC_PASSWORD": PASSWORD,
    }
    done = subprocess.run(  # noqa: S603 - node on our own script
        [node, "flow.mjs"],
        cwd=INTEROP,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_openid_client_signs_in_with_the_habilitation_claims(server: LiveServer) -> None:
    imported = server.guichet("finess", "import", str(SAMPLE), "--quiet")
    assert imported.returncode == 0, imported.stderr
    manager_email, manager = person(server, "gestionnaire")
    added = server.guichet(
        "habilitation", "add-manager", "--email", manager_email, "--application", "CAMSP_CMPP"
    )
    assert added.returncode == 0, added.stderr
    email, token = person(server, "zemirli")
    ask = {
        "application": "CAMSP_CMPP",
        "profile": "GESTIONNAIRE_CAMSP_CMPP",
        "structureType": "ESMS",
        "finess": ["750790073", "440001014"],
    }
    made = ok(server.gql(T, REQUEST, {"input": ask}, token=token))["requestHabilitation"]
    assert made["ok"], made
    request_id = made["habilitationRequest"]["id"]
    approved = ok(server.gql(T, APPROVE, {"id": request_id}, token=manager))
    assert approved["approveHabilitationRequest"]["ok"], approved
    me = ok(server.gql(T, "{ viewer { identity { identifier } } }", token=token))
    identifier = me["viewer"]["identity"]["identifier"]
    assert identifier.startswith("yzemirli")

    result = run_openid_client(server, identifier)

    assert result["issuer"] == f"{server.base}/t/cnsa"
    assert result["endSession"] == f"{server.base}/t/cnsa/oidc/logout"
    claims = result["claims"]
    assert claims["email"] == email and claims["preferred_username"] == identifier
    assert claims["given_name"] == "Yamile" and claims["family_name"] == "Zemirli"
    expected = [{"profile": "GESTIONNAIRE_CAMSP_CMPP", "finess": ["440001014", "750790073"]}]
    assert claims["habilitations"] == expected
    assert result["userinfo"]["habilitations"] == expected
    assert result["userinfo"]["sub"] == claims["sub"]
    assert result["replay"] == "invalid_grant"
    assert result["afterReplay"] == 401
    assert result["afterRevocation"] == 401
    assert result["logout"] == {"status": 302, "location": "https://camsp-cmpp.cnsa.fr/?state=bye"}
