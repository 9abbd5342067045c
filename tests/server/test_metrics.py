"""`GET /metrics`: GraphQL requests per operation and outcome, latency histograms, and the
outbox per tenant, read at scrape time; labels stay bounded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from auth.account.tokens import SigningKeys
from mail.models import OutboxMessage, OutboxStatus
from mail.transport import SmtpTransport
from server.app import create_app
from server.database import StatementCounter
from server.runtime import Runtime, build_runtime
from server.settings import Settings
from tenants.packs import PACKS
from tenants.session import open_session
from tests.conftest import unique_email
from tests.helpers.clock import TestClock
from tests.helpers.flows import register
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

SIGN_IN = """
mutation SignIn($email: String!) { signIn(input: {email: $email, password: "not-the-one"}) {
  accessToken errors { code } } }
"""


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def requests(samples: Samples, operation: str, outcome: str) -> float:
    return value(samples, "guichet_graphql_requests_total", operation=operation, outcome=outcome)


def timed(samples: Samples, operation: str, outcome: str) -> float:
    return value(
        samples,
        "guichet_graphql_request_duration_seconds_count",
        operation=operation,
        outcome=outcome,
    )


async def test_requests_are_counted_and_timed_per_operation_and_outcome(
    http: httpx.AsyncClient, cnaps: GraphQLClient
) -> None:
    before = await scrape(http)
    # a known operation that succeeds, named as frontends do (case aside)
    await cnaps("query Tenant { tenant { slug } }")
    await cnaps("query tenant { tenant { slug } }")
    # a refusal in the payload is a user error
    refused = await cnaps(SIGN_IN, {"email": unique_email()})
    assert refused["signIn"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    # unnamed, and named by a name the schema does not know (never a label of its own)
    await cnaps("{ tenant { slug } }")
    await cnaps("query Drop_Table_Users_42 { tenant { slug } }")
    # GraphQL validation error, then a refusal before execution (bad token: HTTP 401)
    invalid = await cnaps.post("query Tenant { tenant { nope } }")
    assert invalid.status_code == 200 and "errors" in invalid.json()
    unauthorised = await cnaps.post("query Tenant { tenant { slug } }", token="forged")
    assert unauthorised.status_code == 401
    after = await scrape(http)

    def delta(operation: str, outcome: str) -> float:
        return requests(after, operation, outcome) - requests(before, operation, outcome)

    assert delta("tenant", "ok") == 2
    assert delta("signIn", "user_error") == 1
    assert delta("anonymous", "ok") == 1
    assert delta("other", "ok") == 1
    assert delta("tenant", "user_error") == 1
    assert delta("other", "user_error") == 1
    for operation, outcome in [("tenant", "ok"), ("signIn", "user_error")]:
        assert timed(after, operation, outcome) == requests(after, operation, outcome)
    labels = {dict(key[1]).get("operation") for key in after if key[1]}
    assert "Drop_Table_Users_42" not in labels and "SignIn" not in labels


async def test_the_outbox_is_read_at_scrape_time(
    http: httpx.AsyncClient,
    cnsa: GraphQLClient,
    runtime: Runtime,
    clock: TestClock,
    statements: StatementCounter,
) -> None:
    async def pending_in_database() -> int:
        async with open_session(runtime.services.sessions, "cnsa") as session:
            query = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
            return int(await session.scalar(query) or 0)

    await register(cnsa, unique_email("metrics"))  # its confirmation mail waits in the outbox
    clock.advance(timedelta(minutes=10))
    with statements.count() as sent:
        samples = await scrape(http)
    # one query per tenant, in its transaction: BEGIN, set_config, the query, ROLLBACK
    assert len(sent) <= 4 * len(PACKS)
    assert value(samples, "guichet_outbox_readable") == 1
    waiting = value(samples, "guichet_outbox_pending_messages", tenant="cnsa")
    assert waiting == await pending_in_database() >= 1
    assert value(samples, "guichet_outbox_oldest_pending_age_seconds", tenant="cnsa") >= 600
    assert ("guichet_outbox_failed_messages", (("tenant", "cnaps"),)) in samples

    assert await runtime.sender.run_once() >= 1
    after = await scrape(http)
    left = value(after, "guichet_outbox_pending_messages", tenant="cnsa")
    assert left == await pending_in_database() < waiting


@pytest.fixture
async def broken(
    tmp_path: Path, smtp: SmtpServer, signing_keys: SigningKeys
) -> AsyncIterator[httpx.AsyncClient]:
    """A server whose database cannot be opened (its folder does not exist): a real failure."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'guichet.db'}"
    runtime = build_runtime(
        Settings(database_url=url, data_dir=tmp_path / "data"),
        clock=TestClock(),
        transport=SmtpTransport(smtp.url),
        keys=signing_keys,
    )
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await runtime.engine.dispose()


async def test_a_failure_of_ours_is_an_error_and_the_scrape_still_answers(
    broken: httpx.AsyncClient,
) -> None:
    client = GraphQLClient(broken, "cnaps")
    response = await client.post(SIGN_IN, {"email": unique_email()})
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    samples = await scrape(broken)
    assert requests(samples, "signIn", "error") == 1
    assert value(samples, "guichet_outbox_readable") == 0
    assert not any(key[0] == "guichet_outbox_pending_messages" for key in samples)
