"""A permanent net: operations generated from the schema (hypothesis-graphql), sent to a live
server on SQLite and on PostgreSQL, anonymous and signed in. Whatever they hold, the answer is
an expected error or data: never `INTERNAL_SERVER_ERROR`, never an HTTP 5xx, never a traceback
in the server's log (the live-server helper checks its log when it stops)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from tests.conftest import Database
from tests.helpers.live_server import LiveServer, database_env, live_server

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "schema.graphql").read_text(encoding="utf-8")
EXAMPLES = 12  # per root field and caller: ~45 fields x 2 callers stays well under a minute


def _root_fields(kind: str) -> list[str]:
    body = re.search(rf"\ntype {kind}\b[^{{]*\{{(.*?)\n\}}", SDL, re.DOTALL)
    assert body is not None
    return re.findall(r"\n  (\w+)[(:]", body.group(1))


FIELDS = _root_fields("Query") + _root_fields("Mutation")


def _string_node(value: str) -> StringValueNode:
    return StringValueNode(value=value)


CUSTOM = {
    "Date": st.one_of(st.dates().map(str), st.text(max_size=12)).map(_string_node),
    "DateTime": st.one_of(st.datetimes().map(str), st.text(max_size=12)).map(_string_node),
    "Upload": st.text(max_size=8).map(_string_node),
}


@pytest.fixture(scope="module")
def server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp(f"fuzz-{database.backend}")
    with live_server(workdir, env=database_env(database.app_url)) as running:
        yield running


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


@pytest.mark.parametrize("field", FIELDS)
def test_generated_operations_never_fail_internally(server: LiveServer, field: str) -> None:
    client = httpx.Client(base_url=server.base, timeout=30)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        document=from_schema(SDL, fields=[field], custom_scalars=CUSTOM),
        tenant=st.sampled_from(["cnaps", "cnsa"]),
    )
    def check(document: str, tenant: str) -> None:
        response = client.post(f"/t/{tenant}/graphql", json={"query": document})
        problem = _internal(response)
        assert problem is None, f"{document}\n-> {problem}"

    with client:
        check()
