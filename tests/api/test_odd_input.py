"""Odd input never reaches the database or Python's codecs: a lone surrogate, a NUL byte, a
crafted cursor, a body that is not UTF-8 JSON or too large each get a clear, typed error."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.runtime import Runtime
from tests.conftest import unique_email
from tests.helpers.flows import REGISTER, cnsa_input, signed_in
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer

SESSIONS = "query($after: String) { viewer { account { sessions(after: $after) { totalCount } } } }"


def _only_error(response: httpx.Response, data: Any = None) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == data, body
    [error] = body["errors"]
    assert "Traceback" not in response.text and "codec" not in response.text
    return dict(error)


def _raw_json(query: str, variables: str) -> bytes:
    """A body with the escapes as a client could write them (json.dumps would refuse)."""
    return f'{{"query": {json.dumps(query)}, "variables": {variables}}}'.encode()


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ('{"input": {"email": "\\ud800@example.org"}}', ["input", "email"]),
        ('{"input": {"familyName": "Nguy\\udfffen"}}', ["input", "familyName"]),
        ('{"input": {"familyName": "Nguy\\u0000en"}}', ["input", "familyName"]),
        ('{"input": {"\\ud800": "x"}}', ["input", "?"]),
    ],
)
async def test_odd_characters_in_variables_are_refused_with_their_path(
    cnsa: GraphQLClient, variables: str, field: list[str]
) -> None:
    response = await cnsa.http.post(
        "/t/cnsa/graphql",
        content=_raw_json(REGISTER, variables),
        headers={"Content-Type": "application/json"},
    )
    error = _only_error(response)
    assert error["extensions"] == {"code": "INVALID_CHARACTERS", "field": field}
    assert error["message"].startswith("Ce texte contient des caractères interdits")


async def test_odd_characters_in_the_operation_name_and_in_english(cnsa: GraphQLClient) -> None:
    body = b'{"query": "query Q { tenant { slug } }", "operationName": "Q\\ud800"}'
    response = await cnsa.http.post(
        "/t/cnsa/graphql",
        content=body,
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert response.status_code == 400  # a malformed request: the name is not text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_CHARACTERS", "field": ["operationName"]}
    assert error["message"].startswith("This text contains forbidden characters")


async def test_a_nul_byte_in_a_name_never_reaches_the_database(
    cnaps: GraphQLClient, cnsa: GraphQLClient
) -> None:
    """On PostgreSQL a NUL in a text column was an internal error (and logged the person)."""
    registered = cnsa_input(unique_email(), familyName="Nguy\x00en")
    response = await cnsa.post(REGISTER, {"input": registered})
    assert _only_error(response)["extensions"]["field"] == ["input", "familyName"]
    literal = (
        'mutation { register(input: {email: "EMAIL", password: "Bonne-Phrase-de-Passe-42", '
        'familyName: "Dupont", givenNames: "Marie\\u0000Claire", birthDate: "1988-05-17", '
        'birthCity: "Nantes", birthCountry: "FR", acceptTerms: true, address: {line1: "3 rue", '
        'postalCode: "44000", city: "Nantes", country: "FR"}}) { email } }'
    ).replace("EMAIL", unique_email())
    error = _only_error(await cnaps.post(literal))
    assert error["extensions"] == {"code": "INVALID_CHARACTERS", "field": ["input", "givenNames"]}


def _cursor(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CRAFTED = [
    _cursor(["2026-01-01T00:00:00", str(uuid.uuid4())]),  # naive date
    _cursor(["2026-01-01T00:00:00+00:00", 12345]),  # an integer id
    _cursor(["9999-12-31T23:59:59-12:00", str(uuid.uuid4())]),  # past year 9999 in UTC
    _cursor(["9999-12-31T00:00:00+00:00", str(uuid.uuid4())]),  # year 9999
    _cursor({"at": "2026-01-01T00:00:00+00:00"}),  # not a pair
    _cursor(["2026-01-01T00:00:00+00:00", "not-a-uuid"]),
    _cursor(b"\xff\xfe\x00garbage"),  # not UTF-8 once decoded
    "!!!not base64!!!",
    "é" * 5,
    "W" * 5000,  # a long (deeply nested once decoded, if it were JSON) cursor
    base64.urlsafe_b64encode(b"[" * 3000).decode(),
]


@pytest.fixture(scope="module")
async def viewer_token(
    http: httpx.AsyncClient, runtime: Runtime, smtp: SmtpServer
) -> AsyncIterator[str]:
    tokens = await signed_in(GraphQLClient(http, "cnaps"), runtime, smtp, unique_email())
    yield tokens["accessToken"]


@pytest.mark.parametrize("cursor", CRAFTED)
async def test_crafted_cursors_are_invalid_cursor_on_after(
    cnaps: GraphQLClient, viewer_token: str, cursor: str
) -> None:
    response = await cnaps.post(SESSIONS, {"after": cursor}, token=viewer_token)
    error = _only_error(response, data={"viewer": {"account": {"sessions": None}}})
    assert error["extensions"] == {"code": "INVALID_CURSOR", "field": ["after"]}
    assert error["path"] == ["viewer", "account", "sessions"]


async def test_a_cursor_from_a_page_still_works(cnaps: GraphQLClient, viewer_token: str) -> None:
    query = "query($after: String) { viewer { account { sessions(first: 1, after: $after) { edges { cursor } } } } }"
    page = await cnaps(query, token=viewer_token)
    cursor = page["viewer"]["account"]["sessions"]["edges"][0]["cursor"]
    assert "errors" not in (await cnaps.post(query, {"after": cursor}, token=viewer_token)).json()


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe{}",
        b'{"query": "{ tenant { slug } }"\xc3',
        b"[]",
        b'"{ tenant { slug } }"',
        b"3",
        b"null",
        b"{not json",
        b'{"query": "{ tenant { slug } }", "variables": [1]}',
    ],
)
async def test_a_malformed_body_is_a_400_with_a_json_error(
    http: httpx.AsyncClient, body: bytes
) -> None:
    response = await http.post(
        "/t/cnaps/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"].startswith("Requête HTTP refusée (400)")


async def test_a_body_past_the_limit_is_refused_before_it_is_parsed(
    http: httpx.AsyncClient, runtime: Runtime
) -> None:
    limit = runtime.settings.max_body_bytes
    assert limit == 1024 * 1024
    filler = "x" * limit
    body = json.dumps({"query": "{ tenant { slug } }", "variables": {"x": filler}}).encode()
    response = await http.post(
        "/t/cnaps/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    chunked = await http.post(
        "/t/cnaps/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert chunked.status_code == 413
    small = await http.post("/t/cnaps/graphql", json={"query": "{ tenant { slug } }"})
    assert small.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ tenant { slug(x: \\"\\ud800\\") } }"}',
        b'{"query": "{ tenant { slug } } # \\ud800"}',
        b'{"query": "{ tenant { \\ud800 } }"}',
        b'{"query": "{ tenant { slug } }", "extensions": {"\\ud800": "\\udfff"}}',
        b'{"query": "{ tenant { slug } }", "variables": {"\\ud800": 1}}',
        b'{"query": "query($x: String) { tenant { slug } }", "variables": {"x": "\\u0000"}}',
    ],
)
async def test_odd_characters_anywhere_else_get_a_clean_answer(
    http: httpx.AsyncClient, body: bytes
) -> None:
    response = await http.post(
        "/t/cnaps/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in {200, 400}, response.text
    response.content.decode("utf-8")  # valid UTF-8 JSON, whatever was sent
    errors = response.json().get("errors") or []  # unused `extensions` are ignored
    assert "INTERNAL_SERVER_ERROR" not in [e.get("extensions", {}).get("code") for e in errors]


async def test_odd_characters_in_a_get_request(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/t/cnaps/graphql",
        params={"query": "query($x: ID!) { node(id: $x) { id } }", "variables": '{"x": "\\ud800"}'},
    )
    assert response.status_code == 200, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_CHARACTERS", "field": ["x"]}


IMPORT = """
mutation($input: ImportEmployeesInput!) {
  importEmployees(input: $input) { importedCount errors { code } }
}
"""


@pytest.mark.parametrize(
    "send",
    [
        # a string where a file is expected, inline and as a variable
        lambda c: c.http.post(
            f"/t/{c.tenant}/graphql",
            json={
                "query": 'mutation { importEmployees(input: {organisationId: "x", file: "a"}) '
                "{ importedCount } }"
            },
        ),
        lambda c: c.http.post(
            f"/t/{c.tenant}/graphql",
            json={"query": IMPORT, "variables": {"input": {"organisationId": "x", "file": "a"}}},
        ),
    ],
)
async def test_a_file_that_is_not_a_multipart_part_is_a_bad_input(
    cnaps: GraphQLClient, send: Any
) -> None:
    response = await send(cnaps)
    body = response.json()
    assert "Traceback" not in response.text
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_FORMAT"
    assert "multipart" in error["message"]
