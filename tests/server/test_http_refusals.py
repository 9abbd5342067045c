"""The refusals the HTTP layer answers itself (unknown tenant, bad token, forged multipart):
typed codes, French first, English when the caller prefers it, from the one catalogue; and
they stay out of the GraphQL `ErrorCode` enum, which only lists what a payload can carry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import GraphQLEnumType
from graphql import build_schema as parse_sdl

from schema import build_schema
from server.errors import HttpCode
from tenants.errors import catalogue, render_message

QUERY = {"query": "{ tenant { slug } }"}
MULTIPART = {  # form fields of a multipart body (no file needed to be refused)
    "operations": (None, '{"query": "{ tenant { slug } }", "variables": {}}'),
    "map": (None, "{}"),
}
ENGLISH = "en-GB,en;q=0.9,fr;q=0.5"


async def _refusal(
    http: httpx.AsyncClient, case: str, language: str | None
) -> tuple[httpx.Response, dict[str, Any]]:
    headers = {"Accept-Language": language} if language else {}
    if case == "unknown tenant":
        response = await http.post("/t/nope/graphql", json=QUERY, headers=headers)
    elif case == "no tenant":
        response = await http.post("/graphql", json=QUERY, headers=headers)
    elif case == "invalid token":
        headers["Authorization"] = "Bearer not-a-token"
        response = await http.post("/t/cnaps/graphql", json=QUERY, headers=headers)
    else:  # a cross-site form: multipart without Authorization or a preflight header
        response = await http.post("/t/cnaps/graphql", files=MULTIPART, headers=headers)
    return response, response.json()["errors"][0]


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("unknown tenant", 404, HttpCode.TENANT_NOT_FOUND),
        ("no tenant", 404, HttpCode.TENANT_NOT_FOUND),
        ("invalid token", 401, HttpCode.INVALID_TOKEN),
        ("forged multipart", 400, HttpCode.CSRF_PREFLIGHT_REQUIRED),
    ],
)
async def test_http_refusals_speak_french_first_and_english_when_asked(
    http: httpx.AsyncClient, case: str, status: int, code: HttpCode
) -> None:
    response, french = await _refusal(http, case, None)
    assert response.status_code == status
    assert french["extensions"]["code"] == code
    assert french["message"] == render_message(code, "fr", {})
    _, also_french = await _refusal(http, case, "fr-FR,fr;q=0.9,en;q=0.8")
    assert also_french["message"] == french["message"]
    _, english = await _refusal(http, case, ENGLISH)
    assert english["extensions"]["code"] == code
    assert english["message"] == render_message(code, "en", {})
    assert english["message"] != french["message"]


def test_every_http_code_has_both_messages_and_is_no_error_code() -> None:
    error_code = parse_sdl(str(build_schema())).get_type("ErrorCode")
    assert isinstance(error_code, GraphQLEnumType)
    for code in HttpCode:
        assert render_message(code, "fr", {}) != code  # registered, not echoed back
        assert render_message(code, "en", {}) != render_message(code, "fr", {})
        assert code not in catalogue()
        assert code.value not in error_code.values
    assert "NOT_FOUND" in error_code.values  # the user errors are still there


async def test_request_id_is_echoed_when_sane(http: httpx.AsyncClient) -> None:
    kept = await http.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    too_long = await http.get("/healthz", headers={"X-Request-Id": "x" * 65})
    assert too_long.headers["x-request-id"] != "x" * 65
    assert len(too_long.headers["x-request-id"]) == 32  # a fresh one
