"""Public services with no account: the security code (ALTCHA proof of work, single use), the
verification of a title and of a company's authorisation, their printable pages, and the rate
limits per client address and per target — in the database, and in Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from limits import parse
from limits.aio.storage import RedisStorage

from dossiers.public.counters import StorageCounters
from dossiers.title.issuing import NewTitle
from dossiers.title.models import TitleKind
from server.app import create_app
from server.database import StatementCounter
from server.runtime import Runtime
from tests.helpers.clock import TestClock
from tests.helpers.company import Issuer, issuer, today, uuid_of
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import siret_of, validated_organisation
from tests.helpers.public import code, visitor_fixture  # noqa: F401 - the fixture
from tests.helpers.smtp import SmtpServer

VERIFY_TITLE = """
query Verify($input: VerifyTitleInput!) {
  verifyTitle(input: $input) {
    ok
    verification { result checkedAt titleKind expiresOn printUrl }
    errors { code field message }
  }
}
"""
VERIFY_AUTHORISATION = """
query Verify($input: VerifyAuthorisationInput!) {
  verifyAuthorisation(input: $input) {
    ok
    verification { result checkedAt titleKind expiresOn printUrl }
    errors { code field message }
  }
}
"""
SUSPEND = """
mutation Suspend($input: SuspendTitleInput!) {
  suspendTitle(input: $input) { ok title { id status statusReason } errors { code field } }
}
"""
WITHDRAW = """
mutation Withdraw($input: WithdrawTitleInput!) {
  withdrawTitle(input: $input) { ok title { id status } errors { code field } }
}
"""


@pytest.fixture
def tight_limits(runtime: Runtime) -> Iterator[None]:
    """Rate limits small enough to reach in a test."""
    services = runtime.services
    kept = services.public
    services.public = replace(kept, per_client=parse("4/minute"), per_target=parse("2/hour"))
    yield
    services.public = kept


async def verify(
    client: GraphQLClient, family_name: str, digits: str, security_code: str | None = None
) -> dict[str, Any]:
    variables = {
        "input": {
            "familyName": family_name,
            "digits": digits,
            "securityCode": security_code if security_code is not None else await code(client),
        }
    }
    payload: dict[str, Any] = (await client(VERIFY_TITLE, variables))["verifyTitle"]
    return payload


async def a_card(officer: Issuer, family_name: str) -> Any:
    return await officer.issue(
        NewTitle(
            kind=TitleKind.CAR,
            departement="44",
            activities=["SURVEILLANCE"],
            holder_family_name=family_name,
            holder_given_names="Yann",
        )
    )


def random_digits() -> str:
    """Digits no other test counted (the counters outlive a test)."""
    return f"{uuid.uuid4().int % 10**7:07d}"


def unique_name() -> str:
    return f"Le Guen-Hervé {uuid.uuid4().hex[:8]}"


def result(payload: dict[str, Any]) -> str:
    assert payload["errors"] == [] and payload["ok"] is True, payload
    value: str = payload["verification"]["result"]
    return value


async def test_a_title_reads_valid_then_not_valid_and_a_wrong_name_reads_as_unknown(
    cnaps: GraphQLClient, visitor: GraphQLClient, runtime: Runtime, clock: TestClock
) -> None:
    officer = await issuer(cnaps, runtime)
    name = unique_name()
    title = await a_card(officer, name)
    digits = title.sequence
    valid = await verify(visitor, name, digits)
    assert result(valid) == "VALID"
    found = valid["verification"]
    assert found["titleKind"] == "CAR" and found["expiresOn"] == title.expires_on.isoformat()
    assert found["checkedAt"].startswith(clock.now().date().isoformat())
    # Case, accents, hyphens do not matter.
    folded = name.upper().replace("É", "E").replace("-", " ")
    assert result(await verify(visitor, folded, digits)) == "VALID"
    # A wrong name and an unknown number: the same answer, no kind, no date.
    wrong = await verify(visitor, "Martin", digits)
    unknown_digits = f"{(int(digits) + 5_000_000) % 10_000_000:07d}"
    unknown = await verify(visitor, name, unknown_digits)
    for payload in (wrong, unknown):
        assert result(payload) == "UNKNOWN"
        assert payload["verification"]["titleKind"] is None
        assert payload["verification"]["expiresOn"] is None
    # Suspended: not valid.
    suspended = await cnaps(
        SUSPEND,
        {"input": {"titleId": _gid(title.id), "reason": "Enquête administrative"}},
        token=officer.officer.token,
    )
    assert suspended["suspendTitle"]["ok"] is True
    assert suspended["suspendTitle"]["title"]["status"] == "SUSPENDED"
    assert result(await verify(visitor, name, digits)) == "NOT_VALID"


async def test_a_title_is_valid_through_its_expiry_day_and_not_valid_the_day_after(
    cnaps: GraphQLClient, visitor: GraphQLClient, runtime: Runtime, clock: TestClock
) -> None:
    officer = await issuer(cnaps, runtime)
    name = unique_name()
    title = await a_card(officer, name)
    # The expiry day (in Paris), then the day after.
    days = (title.expires_on - today(runtime)).days
    clock.advance(timedelta(days=days))
    assert result(await verify(visitor, name, title.sequence)) == "VALID"
    clock.advance(timedelta(days=1, hours=1))
    assert result(await verify(visitor, name, title.sequence)) == "NOT_VALID"


async def test_a_security_code_serves_once_and_a_forged_or_expired_one_is_refused(
    visitor: GraphQLClient, clock: TestClock
) -> None:
    digits = random_digits()
    once = await code(visitor)
    assert result(await verify(visitor, "Martin", digits, once)) == "UNKNOWN"
    replayed = await verify(visitor, "Martin", digits, once)
    assert codes(replayed) == ["INVALID_SECURITY_CODE"]
    assert replayed["errors"][0]["field"] == ["input", "securityCode"]
    assert replayed["verification"] is None and replayed["ok"] is False
    for forged in ("not base64 at all", "e30=", once[:-8] + "AAAAAAA=", "x" * 5000):
        assert codes(await verify(visitor, "Martin", digits, forged)) == ["INVALID_SECURITY_CODE"]
    late = await code(visitor)
    clock.advance(timedelta(minutes=10, seconds=1))
    assert codes(await verify(visitor, "Martin", digits, late)) == ["INVALID_SECURITY_CODE"]


async def test_bad_input_answers_with_its_field_and_spends_no_security_code(
    visitor: GraphQLClient,
) -> None:
    digits = random_digits()
    kept = await code(visitor)
    short = await verify(visitor, "Martin", "12345", kept)
    assert [(e["code"], e["field"]) for e in short["errors"]] == [
        ("INVALID_VERIFICATION_DIGITS", ["input", "digits"])
    ]
    blank = await verify(visitor, "  ", "abcdefg", kept)
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [
        ("REQUIRED", ["input", "familyName"]),
        ("INVALID_VERIFICATION_DIGITS", ["input", "digits"]),
    ]
    too_long = await verify(visitor, "M" * 101, digits, kept)
    assert codes(too_long) == ["TOO_LONG"]
    odd = await visitor.post(
        VERIFY_TITLE,
        {"input": {"familyName": "Mar\x00tin", "digits": digits, "securityCode": kept}},
    )
    assert "INTERNAL_SERVER_ERROR" not in odd.text
    # The code was never spent by a refused input.
    assert result(await verify(visitor, "Martin", digits, kept)) == "UNKNOWN"


@pytest.mark.usefixtures("tight_limits")
async def test_too_many_requests_per_target_tells_nothing_about_the_target(
    cnaps: GraphQLClient, runtime: Runtime
) -> None:
    officer = await issuer(cnaps, runtime)
    name = unique_name()
    title = await a_card(officer, name)
    unknown_digits = f"{(int(title.sequence) + 5_000_000) % 10_000_000:07d}"
    refusals = []
    for digits in (title.sequence, unknown_digits):
        transport = httpx.ASGITransport(
            app=create_app(runtime), client=(f"192.0.2.{uuid.uuid4().int % 250 + 1}", 1)
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            client = GraphQLClient(http, "cnaps")
            assert result(await verify(client, name, digits)) in {"VALID", "UNKNOWN"}
            assert result(await verify(client, "Martin", digits)) == "UNKNOWN"
            refusals.append(await verify(client, name, digits))
    assert refusals[0]["errors"] == refusals[1]["errors"]
    assert codes(refusals[0]) == ["TOO_MANY_REQUESTS"]
    assert refusals[0]["errors"][0]["field"] is None


@pytest.mark.usefixtures("tight_limits")
async def test_too_many_requests_per_client_address(visitor: GraphQLClient) -> None:
    for _ in range(4):
        assert result(await verify(visitor, "Martin", random_digits())) == "UNKNOWN"
    assert codes(await verify(visitor, "Martin", random_digits())) == ["TOO_MANY_REQUESTS"]


async def test_verify_title_costs_at_most_three_statements_whatever_the_answer(
    cnaps: GraphQLClient,
    visitor: GraphQLClient,
    runtime: Runtime,
    statements: StatementCounter,
) -> None:
    officer = await issuer(cnaps, runtime)
    name = unique_name()
    title = await a_card(officer, name)
    sent: list[list[str]] = []
    for family_name, digits in ((name, title.sequence), ("Martin", title.sequence)):
        security_code = await code(visitor)
        with statements.count() as seen:
            await verify(visitor, family_name, digits, security_code)
        sent.append(list(seen))
    # SQL statements, beside the transaction's own BEGIN and COMMIT: PostgreSQL's tenant
    # setting, the counters' upsert, the look-up.
    work = [s for s in sent[0] if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert len(work) <= 3, sent[0]
    # A right and a wrong name send the very same statements.
    assert sent[0] == sent[1]


async def test_a_companys_authorisation_is_verified_by_the_establishments_siret(
    cnaps: GraphQLClient, visitor: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp, name="Vigiles de Loire")
    officer = await issuer(cnaps, runtime)
    title = await officer.issue(
        NewTitle(kind=TitleKind.AUT, holder_establishment_id=uuid_of(org.head_office_id))
    )
    siret = siret_of(org.siren)

    async def check(siret: str, digits: str) -> dict[str, Any]:
        variables = {
            "input": {"siret": siret, "digits": digits, "securityCode": await code(visitor)}
        }
        payload: dict[str, Any] = (await visitor(VERIFY_AUTHORISATION, variables))[
            "verifyAuthorisation"
        ]
        return payload

    assert result(await check(siret, title.sequence)) == "VALID"
    assert result(await check(f"{siret[:3]} {siret[3:]}", title.sequence)) == "VALID"
    other = siret_of(org.siren, int(siret[9:]) + 1)
    assert result(await check(other, title.sequence)) == "UNKNOWN"
    bad = await check("12345678901234", title.sequence)
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [
        ("INVALID_SIRET", ["input", "siret"])
    ]


async def test_the_printable_page_gives_the_result_and_the_time_of_the_consultation(
    visitor: GraphQLClient, clock: TestClock
) -> None:
    digits = random_digits()
    payload = await verify(visitor, "Martin", digits)
    url = payload["verification"]["printUrl"]
    path = url.removeprefix("http://testserver")
    page = await visitor.http.get(path)
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'data-result="UNKNOWN"' in page.text
    assert "Martin" in page.text and digits in page.text
    assert "Consultation du" in page.text and "heure de Paris" in page.text
    forged = await visitor.http.get(path[:-6] + "AAAAAA")
    assert forged.status_code == 400 and 'data-code="LINK_INVALID"' in forged.text
    clock.advance(timedelta(days=1, minutes=1))
    expired = await visitor.http.get(path)
    assert 'data-code="LINK_INVALID"' in expired.text


async def test_the_counters_live_in_redis_when_it_is_configured(
    cnaps: GraphQLClient, visitor: GraphQLClient, runtime: Runtime, backend: str
) -> None:
    storage = RedisStorage(
        "redis://127.0.0.1:6379/0", implementation="redispy", key_prefix=f"t{uuid.uuid4().hex}"
    )
    try:
        await storage.check()
    except Exception:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    services = runtime.services
    kept = services.public
    services.public = replace(kept, counters=StorageCounters(storage), per_client=parse("4/minute"))
    try:
        officer = await issuer(cnaps, runtime)
        name = unique_name()
        title = await a_card(officer, name)
        once = await code(visitor)
        assert result(await verify(visitor, name, title.sequence, once)) == "VALID"
        assert codes(await verify(visitor, name, title.sequence, once)) == ["INVALID_SECURITY_CODE"]
        assert result(await verify(visitor, "Martin", title.sequence)) == "UNKNOWN"
        assert result(await verify(visitor, "Martin", random_digits())) == "UNKNOWN"
        assert codes(await verify(visitor, name, title.sequence)) == ["TOO_MANY_REQUESTS"]
        assert await storage.get(f"cnaps/code/{_signature(once)}") == 2  # used, replayed
    finally:
        services.public = kept


def _signature(security_code: str) -> str:
    import base64
    import json

    signature: str = json.loads(base64.b64decode(security_code))["signature"]
    return signature


def _gid(id_: uuid.UUID) -> str:
    from tests.helpers.organisations import gid

    return gid("Title", id_)


async def test_ended_counters_are_purged(
    visitor: GraphQLClient, runtime: Runtime, clock: TestClock
) -> None:
    from sqlalchemy import func, select

    from dossiers.public.models import PublicCounter
    from server.periodic import purge_public_counters
    from tenants.session import open_session

    await verify(visitor, "Martin", random_digits())

    async def live() -> int:
        async with open_session(runtime.services.sessions, "cnaps") as session:
            counted = await session.scalar(
                select(func.count())
                .select_from(PublicCounter)
                .where(PublicCounter.expires_at >= clock.now())
            )
            return int(counted or 0)

    assert await live() >= 3  # client, target, security code
    clock.advance(timedelta(hours=2))
    await purge_public_counters(runtime)
    async with open_session(runtime.services.sessions, "cnaps") as session:
        left = await session.scalar(select(func.count()).select_from(PublicCounter))
    assert left == await live()
