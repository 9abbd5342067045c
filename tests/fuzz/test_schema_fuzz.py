"""A permanent net: operations generated from the schema (hypothesis-graphql), sent to a live
server on SQLite and on PostgreSQL, anonymous and signed in. Whatever they hold, the answer is
an expected error or data: never `INTERNAL_SERVER_ERROR`, never an HTTP 5xx, never a traceback
in the server's log (the live-server helper checks its log when it stops)."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from graphql import StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from tests.conftest import Database
from tests.helpers.live_server import LiveServer, database_env, first_link, live_server, ok

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "schema.graphql").read_text(encoding="utf-8")
EXAMPLES = 16  # per root field: ~30 s per database on an idle machine (45 root fields)


def _root_fields(kind: str) -> list[str]:
    body = re.search(rf"\ntype {kind}\b[^{{]*\{{(.*?)\n\}}", SDL, re.DOTALL)
    assert body is not None
    return re.findall(r"\n  (\w+)[(:]", body.group(1))


FIELDS = _root_fields("Query") + _root_fields("Mutation")


def _string_node(value: str) -> StringValueNode:
    return StringValueNode(value=value)


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _global_id(type_name: str, node_id: str) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


# Values that get past the first checks (a valid e-mail, a strong password, a real-looking
# identifier) or that broke something once (crafted cursors, NUL, huge or odd text).
INTERESTING = [
    "fuzz.person@example.org",
    "Autre-Phrase-Solide-77",
    "Dupont",
    "1979-02-28",
    "FR",
    "83000",
    "+33 6 01 02 03 04",
    "73282932000074",
    "732829320",
    "\x00",
    "x" * 5000,
    "' OR 1=1 --",
    "%",
    "\\",
    "😀",
    _cursor(["2026-01-01T00:00:00", str(uuid.UUID(int=1))]),
    _cursor(["9999-12-31T23:59:59-12:00", str(uuid.UUID(int=1))]),
    _cursor(["2026-01-01T00:00:00+00:00", 1]),
    _global_id("Account", str(uuid.UUID(int=1))),
    _global_id("Person", "not-a-uuid"),
    _global_id("Organisation", str(uuid.UUID(int=2))),
    _global_id("NoSuchType", "1"),
]


def _strings(extra: list[str]) -> st.SearchStrategy[StringValueNode]:
    return st.one_of(st.text(max_size=40), st.sampled_from(INTERESTING + extra)).map(_string_node)


def _custom(extra: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "String": _strings(extra),
        "ID": _strings(extra),
        "Date": st.one_of(st.dates().map(str), st.text(max_size=12)).map(_string_node),
        "DateTime": st.one_of(st.datetimes().map(str), st.text(max_size=12)).map(_string_node),
        "Upload": st.text(max_size=8).map(_string_node),
    }


@dataclass
class Caller:
    """A confirmed, signed-in person of each tenant, signed in again when the fuzzer signs
    it out or revokes its session."""

    server: LiveServer
    email: str
    tokens: dict[str, str] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)

    def sign_in(self, tenant: str) -> str:
        signed = ok(self.server.gql(tenant, SIGN_IN, {"e": self.email, "p": PASSWORD}))
        self.tokens[tenant] = signed["signIn"]["accessToken"]
        return self.tokens[tenant]

    def register(self, tenant: str) -> None:
        person = {"email": self.email, "password": PASSWORD, **PEOPLE[tenant]}
        assert ok(self.server.gql(tenant, REGISTER, {"input": person}))["register"]["errors"] == []
        link = first_link(self.server.mails(self.email, count=len(self.tokens) + 1)[-1])
        token = parse_qs(urlsplit(link).query)["token"][0]
        httpx.post(link.split("?")[0], data={"token": token}, timeout=30).raise_for_status()
        access = self.sign_in(tenant)
        viewer = ok(self.server.gql(tenant, VIEWER, token=access))["viewer"]
        self.ids += [viewer["account"]["id"], viewer["person"]["id"]]


PASSWORD = "Une-Phrase-Du-Fuzzeur-31"
REGISTER = "mutation($input: RegisterInput!) { register(input: $input) { errors { code } } }"
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) {
  accessToken errors { code } } }"""
VIEWER = "{ viewer { account { id } person { id } } }"
PEOPLE: dict[str, dict[str, Any]] = {
    "cnaps": {
        "familyName": "Fuzz",
        "givenNames": "Hypo",
        "birthDate": "1979-02-28",
        "birthCity": "Toulon",
        "birthCountry": "FR",
        "address": {"line1": "1 quai", "postalCode": "83000", "city": "Toulon", "country": "FR"},
        "acceptTerms": True,
    },
    "cnsa": {"familyName": "Fuzz", "givenNames": "Hypo"},
}


@pytest.fixture(scope="module")
def server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp(f"fuzz-{database.backend}")
    with live_server(workdir, env=database_env(database.app_url)) as running:
        yield running


@pytest.fixture(scope="module")
def caller(server: LiveServer) -> Caller:
    person = Caller(server, f"fuzz.{time.time_ns()}@example.org")
    person.register("cnaps")
    person.register("cnsa")
    return person


def _internal(response: httpx.Response) -> str | None:
    if response.status_code >= 500:
        return f"HTTP {response.status_code}: {response.text[:500]}"
    try:
        body: Any = response.json()
    except ValueError:
        return f"not JSON: {response.text[:500]}"
    for error in body.get("errors") or ():
        if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR":
            return str(body)[:1000]
    return None


@pytest.mark.parametrize("root", FIELDS)
def test_generated_operations_never_fail_internally(
    server: LiveServer, caller: Caller, root: str
) -> None:
    client = httpx.Client(base_url=server.base, timeout=30)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        document=from_schema(SDL, fields=[root], custom_scalars=_custom(caller.ids)),
        tenant=st.sampled_from(["cnaps", "cnsa"]),
        signed_in=st.booleans(),
    )
    def check(document: str, tenant: str, signed_in: bool) -> None:
        def send() -> httpx.Response:
            headers = {}
            if signed_in:
                headers["Authorization"] = f"Bearer {caller.tokens[tenant]}"
            return client.post(f"/t/{tenant}/graphql", json={"query": document}, headers=headers)

        response = send()
        if signed_in and response.status_code == 401:  # the fuzzer closed the session
            caller.sign_in(tenant)
            response = send()
        problem = _internal(response)
        assert problem is None, f"{document}\n-> {problem}"

    with client:
        check()
