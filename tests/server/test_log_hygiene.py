"""Logs: no literal, variable or database parameter of a request; expected refusals are info
lines without traceback; text on a terminal, JSON otherwise."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError

from server.logging import JsonFormatter, TextFormatter, configure_logging, resolve_format
from server.runtime import Runtime
from server.settings import Settings
from tests.conftest import unique_email
from tests.helpers.flows import signed_in
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer

SECRET_LITERAL = "Literal-Secret-8731"
SECRET_VARIABLE = "Variable-Secret-5902"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the production handler writes, for every logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _everything_logged(caplog: pytest.LogCaptureFixture, stream: io.StringIO) -> str:
    parts = [stream.getvalue()]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(JsonFormatter().format(record))
        parts.append(TextFormatter().format(record))
        parts.extend(str(value) for value in record.__dict__.values())
    return "\n".join(parts)


async def test_failing_operations_log_no_literal_and_no_variable(
    cnaps: GraphQLClient, caplog: pytest.LogCaptureFixture, json_log: io.StringIO
) -> None:
    caplog.set_level(logging.DEBUG)
    inline = (
        'mutation Leak { signIn(input: {email: "a@example.org", '
        f'password: "{SECRET_LITERAL}", remember: true}}) {{ accessToken }} }}'
    )
    response = await cnaps.post(inline)
    assert response.json()["errors"]  # `remember` is not an input field
    typed = 'mutation Leak2($p: Int!) { signIn(input: {email: "a@example.org", password: $p}) { accessToken } }'
    response = await cnaps.post(typed, {"p": SECRET_VARIABLE})
    assert response.json()["errors"]  # a string for an Int, a wrong type for password
    logged = _everything_logged(caplog, json_log)
    assert SECRET_LITERAL not in logged
    assert SECRET_VARIABLE not in logged
    assert "signIn(input" not in logged  # no part of the document either
    refusals = [json.loads(line) for line in json_log.getvalue().splitlines()]
    refusals = [line for line in refusals if line["message"] == "operation refused"]
    assert [line["operation"] for line in refusals] == ["Leak", "Leak2"]
    assert all(len(line["document"]) == 16 and line["codes"] for line in refusals)
    assert all(line["level"] == "info" and "exception" not in line for line in refusals)


async def test_expected_refusals_are_info_lines_without_traceback(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    caplog.set_level(logging.DEBUG)
    anonymous = await cnaps.post("{ organisationRequests { totalCount } }")
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "AUTHENTICATION_REQUIRED"
    forbidden = await cnaps.post(
        "{ organisationRequests { totalCount } }", token=tokens["accessToken"]
    )
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad_cursor = await cnaps.post(
        '{ viewer { account { sessions(after: "garbage") { totalCount } } } }',
        token=tokens["accessToken"],
    )
    assert bad_cursor.json()["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    too_many = await cnaps.post(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 101}
    )
    assert too_many.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_IDS"
    unknown = await cnaps.post("{ nope }")
    assert unknown.status_code == 200 and unknown.json()["errors"]
    invalid_token = await cnaps.post("{ viewer { account { id } } }", token="not-a-token")
    assert invalid_token.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    records = [r for r in caplog.records if r.name.startswith(("guichet", "strawberry"))]
    assert records
    assert all(r.levelno <= logging.INFO for r in records), [
        (r.name, r.levelname, r.getMessage()) for r in records if r.levelno > logging.INFO
    ]
    assert not any(r.exc_info or r.stack_info for r in records)
    codes = [code for r in records if r.getMessage() == "operation refused" for code in r.codes]  # type: ignore[attr-defined]
    assert {"AUTHENTICATION_REQUIRED", "FORBIDDEN", "INVALID_CURSOR", "TOO_MANY_IDS"} <= set(codes)


async def test_database_errors_carry_no_parameters(runtime: Runtime) -> None:
    """A failed statement's error (and so its log line) names the SQL, never the values: a
    name, a birth date or a token would otherwise be written out."""
    marker = "Dupont-1979-02-28-0601020304"
    with pytest.raises((DBAPIError, StatementError)) as failure:
        async with runtime.engine.connect() as conn:
            await conn.execute(
                text("INSERT INTO table_that_does_not_exist (name) VALUES (:name)"),
                {"name": marker},
            )
    assert marker not in str(failure.value)
    assert "hidden" in str(failure.value).lower() or "parameters" not in str(failure.value)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_format_is_text_on_a_terminal_and_json_otherwise() -> None:
    assert Settings().log_format == "auto"
    assert resolve_format("auto", _Terminal()) == "text"
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("json", _Terminal()) == "json"
    assert resolve_format("text", io.StringIO()) == "text"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", "json")
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
        configure_logging("INFO", "text")
        assert isinstance(root.handlers[0].formatter, TextFormatter)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_a_lone_surrogate_cannot_break_the_log_stream() -> None:
    record = logging.LogRecord("guichet", logging.INFO, __file__, 1, "name %s", ("\ud800",), None)
    for formatter in (JsonFormatter(), TextFormatter()):
        formatter.format(record).encode("utf-8")  # would raise UnicodeEncodeError
