"""Sign-in, tokens, refresh rotation, sign-out, lockout."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx

from server.runtime import Runtime
from tests.conftest import unique_email
from tests.helpers.clock import TestClock
from tests.helpers.flows import (
    PASSWORD,
    REFRESH,
    SIGN_IN,
    VIEWER,
    register,
    sign_in,
    signed_in,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.smtp import SmtpServer

SIGN_OUT = """
mutation($input: SignOutInput) { signOut(input: $input) { ok errors { code } } }
"""


async def test_a_token_of_one_tenant_is_refused_by_the_other(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    response = await cnsa.post(VIEWER, token=tokens["accessToken"])
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    assert response.headers["www-authenticate"].startswith("Bearer")
    # and through the X-Tenant header on the shared path, likewise
    response = await cnsa.post(
        VIEWER, token=tokens["accessToken"], path="/graphql", headers={"X-Tenant": "cnsa"}
    )
    assert response.status_code == 401
    ok = await cnaps(VIEWER, token=tokens["accessToken"])
    assert ok["viewer"]["account"]["email"]


async def test_garbage_expired_and_anonymous(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    assert (await cnaps(VIEWER))["viewer"] is None
    assert (await cnaps.post(VIEWER, token="not.a.jwt")).status_code == 401
    response = await cnaps.post(VIEWER, headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    clock.advance(timedelta(minutes=11))
    assert (await cnaps.post(VIEWER, token=tokens["accessToken"])).status_code == 401


async def test_refresh_rotates_and_a_replayed_token_revokes_the_family(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    first = await signed_in(cnsa, runtime, smtp, unique_email())
    second = (await cnsa(REFRESH, {"token": first["refreshToken"]}))["refreshSession"]
    assert second["errors"] == []
    assert second["refreshToken"] != first["refreshToken"]
    assert (await cnsa(VIEWER, token=second["accessToken"]))["viewer"] is not None

    replay = (await cnsa(REFRESH, {"token": first["refreshToken"]}))["refreshSession"]
    assert codes(replay) == ["REFRESH_TOKEN_REUSED"]
    assert replay["accessToken"] is None
    # The whole family is gone: the newer refresh token and the live access tokens too.
    third = (await cnsa(REFRESH, {"token": second["refreshToken"]}))["refreshSession"]
    assert codes(third) == ["SESSION_REVOKED"]
    assert (await cnsa.post(VIEWER, token=second["accessToken"])).status_code == 401
    assert (await cnsa.post(VIEWER, token=first["accessToken"])).status_code == 401
    unknown = (await cnsa(REFRESH, {"token": "nope"}))["refreshSession"]
    assert codes(unknown) == ["REFRESH_TOKEN_INVALID"]


async def test_refresh_token_expires(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    clock.advance(timedelta(days=14, seconds=1))
    expired = (await cnaps(REFRESH, {"token": tokens["refreshToken"]}))["refreshSession"]
    assert codes(expired) == ["REFRESH_TOKEN_EXPIRED"]


async def test_sign_out_ends_the_session_at_once(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email()
    tokens = await signed_in(cnaps, runtime, smtp, email)
    other = await sign_in(cnaps, email)
    out = await cnaps(SIGN_OUT, token=tokens["accessToken"])
    assert out["signOut"] == {"ok": True, "errors": []}
    assert (await cnaps.post(VIEWER, token=tokens["accessToken"])).status_code == 401
    refused = (await cnaps(REFRESH, {"token": tokens["refreshToken"]}))["refreshSession"]
    assert codes(refused) == ["SESSION_REVOKED"]
    # The other device is still signed in until it signs out everywhere.
    assert (await cnaps(VIEWER, token=other["accessToken"]))["viewer"] is not None
    everywhere = await cnaps(
        SIGN_OUT, {"input": {"refreshToken": other["refreshToken"], "everywhere": True}}
    )
    assert everywhere["signOut"]["ok"] is True
    assert (await cnaps.post(VIEWER, token=other["accessToken"])).status_code == 401
    anonymous = await cnaps(SIGN_OUT)
    assert codes(anonymous["signOut"]) == ["AUTHENTICATION_REQUIRED"]


async def test_wrong_password_and_unknown_address_answer_alike(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email()
    await signed_in(cnsa, runtime, smtp, email)
    wrong = (await cnsa(SIGN_IN, {"email": email, "password": "Wrong-Password-1"}))["signIn"]
    unknown = (await cnsa(SIGN_IN, {"email": unique_email(), "password": PASSWORD}))["signIn"]
    assert wrong["errors"] == unknown["errors"]
    assert codes(wrong) == ["INVALID_CREDENTIALS"]
    assert wrong["errors"][0]["field"] is None


async def test_failures_slow_down_then_lock_and_a_reset_unlocks(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    email = unique_email()
    await signed_in(cnaps, runtime, smtp, email)
    attempt = {"email": email, "password": "Mauvais-mot-de-passe"}
    for _ in range(4):
        assert codes((await cnaps(SIGN_IN, attempt))["signIn"]) == ["INVALID_CREDENTIALS"]
    fifth = (await cnaps(SIGN_IN, attempt))["signIn"]
    assert codes(fifth) == ["ACCOUNT_LOCKED"]
    assert "30 secondes" in fifth["errors"][0]["message"]
    # While locked, even the right password is refused (no oracle).
    right = (await cnaps(SIGN_IN, {"email": email, "password": PASSWORD}))["signIn"]
    assert codes(right) == ["ACCOUNT_LOCKED"]
    waits = []
    for _ in range(6):
        clock.advance(timedelta(minutes=16))
        locked = (await cnaps(SIGN_IN, attempt, lang="en"))["signIn"]
        assert codes(locked) == ["ACCOUNT_LOCKED"]
        waits.append(int(locked["errors"][0]["message"].split(" in ")[1].split(" ")[0]))
    assert waits == [60, 120, 240, 480, 900, 900]
    clock.advance(timedelta(minutes=16))
    ok = (await cnaps(SIGN_IN, {"email": email, "password": PASSWORD}))["signIn"]
    assert ok["errors"] == []
    # Success resets the count.
    assert codes((await cnaps(SIGN_IN, attempt))["signIn"]) == ["INVALID_CREDENTIALS"]


def _answer(payload: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """Code, field and message of each error; the seconds to wait left out (the two
    addresses are tried a few milliseconds apart)."""
    return [(e["code"], e["field"], re.sub(r"\d+", "N", e["message"])) for e in payload["errors"]]


async def test_an_unknown_address_is_counted_and_locked_like_a_real_one(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    """Side by side, a real address with wrong passwords and an address without an account
    get the same answers at every step: free failures, the lock, the growing waits, the lock
    lifted after its window, the count forgotten after 12 hours; spelt in capitals too."""
    real = unique_email()
    await signed_in(cnaps, runtime, smtp, real)
    unknown = unique_email()
    steps: list[tuple[timedelta, str]] = [(timedelta(), "lower")] * 4 + [
        (timedelta(), "upper"),  # the 5th failure: locked for 30 s
        (timedelta(), "lower"),  # while locked
        (timedelta(seconds=31), "lower"),  # after the window: the 6th failure, 1 min
        (timedelta(seconds=61), "upper"),  # the 7th, 2 min
        (timedelta(hours=13), "lower"),  # the count forgotten: a free failure again
    ]
    answers: dict[str, list[list[tuple[str, str | None, str]]]] = {real: [], unknown: []}
    for wait, spelling in steps:
        clock.advance(wait)
        for address in (real, unknown):
            typed = address.upper() if spelling == "upper" else address
            attempt = {"email": typed, "password": "Mauvais-mot-de-passe"}
            answers[address].append(_answer((await cnaps(SIGN_IN, attempt))["signIn"]))
    assert answers[real] == answers[unknown]
    assert [step[0][0] for step in answers[unknown]] == [
        *["INVALID_CREDENTIALS"] * 4,
        *["ACCOUNT_LOCKED"] * 4,
        "INVALID_CREDENTIALS",
    ]


async def test_unconfirmed_account_is_told_why(cnsa: GraphQLClient) -> None:
    email = unique_email()
    await register(cnsa, email)
    refused = (await cnsa(SIGN_IN, {"email": email, "password": PASSWORD}, lang="en"))["signIn"]
    assert codes(refused) == ["EMAIL_NOT_CONFIRMED"]
    assert "not confirmed" in refused["errors"][0]["message"]
    wrong = (await cnsa(SIGN_IN, {"email": email, "password": "Autre-Mot-2-Passe"}))["signIn"]
    assert codes(wrong) == ["INVALID_CREDENTIALS"]  # the reason only with the right password


async def test_sessions_are_listed_and_one_can_be_closed(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email()
    phone = await signed_in(cnsa, runtime, smtp, email)
    laptop = await sign_in(cnsa, email)
    query = "{ viewer { account { sessions(first: 10) { totalCount edges { node { id current } } } } } }"
    data = await cnsa(query, token=laptop["accessToken"])
    sessions = data["viewer"]["account"]["sessions"]
    assert sessions["totalCount"] == 2
    current = [e["node"] for e in sessions["edges"] if e["node"]["current"]]
    other = [e["node"] for e in sessions["edges"] if not e["node"]["current"]]
    assert len(current) == 1 and len(other) == 1
    revoke = """mutation($id: ID!) { revokeSession(input: {sessionId: $id}) {
        session { id revokedAt } errors { code } } }"""
    done = await cnsa(revoke, {"id": other[0]["id"]}, token=laptop["accessToken"])
    assert done["revokeSession"]["session"]["revokedAt"]
    assert (await cnsa.post(VIEWER, token=phone["accessToken"])).status_code == 401
    again = await cnsa(revoke, {"id": current[0]["id"]}, token=laptop["accessToken"])
    assert again["revokeSession"]["errors"] == []


async def test_user_agent_and_ip_are_recorded(
    http: httpx.AsyncClient, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    query = "{ viewer { account { sessions { edges { node { ipAddress userAgent } } } } } }"
    data = await cnaps(query, token=tokens["accessToken"])
    node = data["viewer"]["account"]["sessions"]["edges"][0]["node"]
    assert node["ipAddress"] == "203.0.113.7"
    assert node["userAgent"].startswith("python-httpx")
