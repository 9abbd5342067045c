"""One error shaping for every transport: over graphql-transport-ws (a real uvicorn, a real
websocket client) errors carry the same codes and messages as over HTTP, and no internal text;
at the schema itself, a bug is masked whatever the way the operation runs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import connect

from schema import build_schema
from tests.conftest import Database
from tests.helpers.live_server import LiveServer, database_env, live_server

TOO_MANY = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


@pytest.fixture(scope="module")
def server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp(f"ws-{database.backend}")
    with live_server(workdir, env=database_env(database.app_url)) as running:
        yield running


def _over_websocket(server: LiveServer, tenant: str, payload: str) -> list[dict[str, Any]]:
    """Run one operation (`payload` is the raw JSON of the subscribe payload, so a test can
    send escapes `json.dumps` would refuse); every message received until `complete`."""
    url = server.base.replace("http://", "ws://") + f"/t/{tenant}/graphql"
    received: list[dict[str, Any]] = []
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        ws.send('{"id": "1", "type": "subscribe", "payload": ' + payload + "}")
        while True:
            message = json.loads(ws.recv(timeout=10))
            received.append(message)
            if message["type"] in {"complete", "error"}:
                return received


def _errors(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for message in messages:
        if message["type"] == "next":
            found.extend(message["payload"].get("errors") or [])
        elif message["type"] == "error":
            found.extend(message["payload"])
    return found


def test_domain_errors_have_their_code_and_message_over_websocket(server: LiveServer) -> None:
    payload = json.dumps({"query": TOO_MANY, "variables": {"ids": ["x"] * 101}})
    [error] = _errors(_over_websocket(server, "cnaps", payload))
    assert error["extensions"] == {"code": "TOO_MANY_IDS", "field": ["ids"], "max": 100}
    assert error["message"] == "Au plus 100 identifiants à la fois."
    over_http = server.gql("cnaps", TOO_MANY, {"ids": ["x"] * 101}).json()["errors"][0]
    assert over_http["extensions"] == error["extensions"]
    assert over_http["message"] == error["message"]


def test_odd_characters_leak_no_codec_text_over_websocket(server: LiveServer) -> None:
    """A lone surrogate used to reach Python's codecs and its text the client."""
    register = "mutation($input: RegisterInput!) { register(input: $input) { email } }"
    payload = (
        '{"query": ' + json.dumps(register) + ', "variables": {"input": '
        '{"email": "\\ud800@example.org", "password": "x", "familyName": "\\ud800"}}}'
    )
    messages = _over_websocket(server, "cnsa", payload)
    [error] = _errors(messages)
    assert error["extensions"] == {"code": "INVALID_CHARACTERS", "field": ["input", "email"]}
    text = json.dumps(messages)
    for internal in ("codec", "[SQL:", "Traceback", "surrogates not allowed"):
        assert internal not in text


def _bugs(result: Any) -> list[dict[str, Any]]:
    return [error.formatted for error in result.errors or ()]


async def test_a_bug_is_masked_by_the_schema_on_every_execution_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No context at all: the resolver fails with an AttributeError, a real bug. HTTP runs
    `execute`, graphql-transport-ws runs `stream`: both get the masked error."""
    schema = build_schema()
    caplog.set_level(logging.INFO)
    executed = _bugs(await schema.execute("{ tenant { slug } }"))
    streamed = []
    async for result in await schema.stream("{ tenant { slug } }"):
        streamed.extend(_bugs(result))
    for errors in (executed, streamed):
        [error] = errors
        assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
        assert error["message"] == "Erreur interne du serveur : l'incident est enregistré."
        assert "NoneType" not in json.dumps(error)
    bugs = [r for r in caplog.records if r.getMessage() == "unexpected error in an operation"]
    assert bugs and all(r.levelno == logging.ERROR and r.exc_info for r in bugs)
