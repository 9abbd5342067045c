"""Password policies per pack, reset by e-mail, change, and "must change password"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from auth.account.models import Account
from server.runtime import Runtime
from tenants.session import open_session
from tests.conftest import unique_email
from tests.helpers.clock import TestClock
from tests.helpers.flows import (
    CONFIRM,
    PASSWORD,
    REGISTER,
    SIGN_IN,
    VIEWER,
    cnaps_input,
    cnsa_input,
    deliver,
    link_in,
    register,
    sign_in,
    signed_in,
    token_of,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.smtp import SmtpServer

REQUEST_RESET = """
mutation($e: String!) { requestPasswordReset(input: {email: $e}) { ok errors { code } } }
"""
RESET = """
mutation($t: String!, $p: String!) {
  resetPassword(input: {token: $t, newPassword: $p}) { ok errors { code field message } }
}
"""
CHANGE = """
mutation($c: String!, $n: String!) {
  changePassword(input: {currentPassword: $c, newPassword: $n}) {
    account { mustChangePassword } errors { code field }
  }
}
"""


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Short1!a", ["PASSWORD_TOO_SHORT"]),
        ("alllowercaseletters", ["PASSWORD_TOO_FEW_CHARACTER_CLASSES"]),
        ("Abcdefgh-1234-Ijklmnop-56", ["PASSWORD_TOO_LONG"]),  # 25 characters
        ("Azerty123456!", ["PASSWORD_TOO_COMMON"]),
        ("Bonne-Phrase-2026", []),
        ("exactement24caracteres!!", []),  # 24 characters, 3 classes
    ],
)
async def test_cnsa_password_policy(
    cnsa: GraphQLClient, password: str, expected: list[str]
) -> None:
    result = await cnsa(REGISTER, {"input": cnsa_input(unique_email(), password)})
    assert codes(result["register"]) == expected
    for error in result["register"]["errors"]:
        assert error["field"] == ["input", "password"]


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Short1!a", ["PASSWORD_TOO_SHORT"]),
        ("alllowercaseletters", []),  # no class rule on cnaps
        ("une phrase de passe bien longue et sans chiffres", []),
        ("x" * 129, ["PASSWORD_TOO_LONG", "PASSWORD_TOO_COMMON"]),
        ("qwerty123456", ["PASSWORD_TOO_COMMON"]),
        ("123456789012", ["PASSWORD_TOO_COMMON"]),
    ],
)
async def test_cnaps_password_policy(
    cnaps: GraphQLClient, password: str, expected: list[str]
) -> None:
    result = await cnaps(REGISTER, {"input": cnaps_input(unique_email(), password)})
    assert codes(result["register"]) == expected


async def test_reset_by_email_never_reveals_an_account(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    email = unique_email()
    tokens = await signed_in(cnsa, runtime, smtp, email)
    known = await cnsa(REQUEST_RESET, {"e": email})
    unknown = await cnsa(REQUEST_RESET, {"e": unique_email()})
    assert known == unknown == {"requestPasswordReset": {"ok": True, "errors": []}}
    [*_, message] = await deliver(runtime, smtp, email)
    assert "réinitialisation" in message["Subject"]
    token = token_of(link_in(message))

    weak = await cnsa(RESET, {"t": token, "p": "faible"})
    assert codes(weak["resetPassword"]) == [
        "PASSWORD_TOO_SHORT",
        "PASSWORD_TOO_FEW_CHARACTER_CLASSES",
    ]
    assert weak["resetPassword"]["errors"][0]["field"] == ["input", "newPassword"]
    done = await cnsa(RESET, {"t": token, "p": "Nouvelle-Phrase-77"})
    assert done["resetPassword"] == {"ok": True, "errors": []}
    replay = await cnsa(RESET, {"t": token, "p": "Encore-Une-Autre-78"})
    assert codes(replay["resetPassword"]) == ["TOKEN_ALREADY_USED"]
    # Old sessions end; the old password no longer works; the new one does.
    assert (await cnsa.post(VIEWER, token=tokens["accessToken"])).status_code == 401
    old = await cnsa(SIGN_IN, {"email": email, "password": PASSWORD})
    assert codes(old["signIn"]) == ["INVALID_CREDENTIALS"]
    await sign_in(cnsa, email, "Nouvelle-Phrase-77")
    changed = await deliver(runtime, smtp, email)
    assert "modifié" in changed[-1]["Subject"]

    await cnsa(REQUEST_RESET, {"e": email})
    [*_, late] = await deliver(runtime, smtp, email)
    clock.advance(timedelta(hours=1, seconds=1))
    expired = await cnsa(RESET, {"t": token_of(link_in(late)), "p": "Encore-Une-Autre-79"})
    assert codes(expired["resetPassword"]) == ["TOKEN_EXPIRED"]


async def test_reset_page_posts_the_new_password(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    client = cnaps
    email = unique_email()
    await signed_in(client, runtime, smtp, email)
    await client(REQUEST_RESET, {"e": email})
    [*_, message] = await deliver(runtime, smtp, email)
    link = link_in(message).removeprefix("http://testserver")
    page = await client.http.get(link)
    assert page.status_code == 200 and 'name="new_password"' in page.text
    bad = await client.http.post(
        "/t/cnaps/reset-password", data={"token": token_of(link), "new_password": "court"}
    )
    assert bad.status_code == 400 and 'data-code="PASSWORD_TOO_SHORT"' in bad.text
    good = await client.http.post(
        "/t/cnaps/reset-password",
        data={"token": token_of(link), "new_password": "Une-Nouvelle-Phrase-Longue"},
    )
    assert good.status_code == 200 and 'data-code="PASSWORD_RESET"' in good.text
    await sign_in(client, email, "Une-Nouvelle-Phrase-Longue")


async def test_change_password(cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer) -> None:
    email = unique_email()
    tokens = await signed_in(cnaps, runtime, smtp, email)
    other = await sign_in(cnaps, email)
    token = tokens["accessToken"]
    wrong = await cnaps(CHANGE, {"c": "pas le bon", "n": "Nouvelle-Phrase-88"}, token=token)
    assert codes(wrong["changePassword"]) == ["CURRENT_PASSWORD_INCORRECT"]
    same = await cnaps(CHANGE, {"c": PASSWORD, "n": PASSWORD}, token=token)
    assert codes(same["changePassword"]) == ["PASSWORD_UNCHANGED"]
    weak = await cnaps(CHANGE, {"c": PASSWORD, "n": "court"}, token=token)
    assert codes(weak["changePassword"]) == ["PASSWORD_TOO_SHORT"]
    ok = await cnaps(CHANGE, {"c": PASSWORD, "n": "Nouvelle-Phrase-88"}, token=token)
    assert ok["changePassword"]["errors"] == []
    assert (await cnaps(VIEWER, token=token))["viewer"] is not None  # this session stays
    assert (await cnaps.post(VIEWER, token=other["accessToken"])).status_code == 401
    anonymous = await cnaps(CHANGE, {"c": PASSWORD, "n": "Nouvelle-Phrase-89"})
    assert codes(anonymous["changePassword"]) == ["AUTHENTICATION_REQUIRED"]


async def test_an_account_that_must_change_its_password_can_do_nothing_else(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email()
    await register(cnsa, email)  # unconfirmed, like an account created for someone else
    async with open_session(runtime.services.sessions, "cnsa") as session:
        await session.execute(
            update(Account).where(Account.email == email).values(must_change_password=True)
        )
        await session.commit()
    tokens = await sign_in(cnsa, email)
    assert tokens["mustChangePassword"] is True
    token = tokens["accessToken"]
    response = await cnsa.post(
        "{ viewer { account { mustChangePassword } person { familyName } } }", token=token
    )
    body = response.json()
    # the person is refused: null, with the reason on that field only (the viewer answers)
    assert body["data"] == {"viewer": {"account": {"mustChangePassword": True}, "person": None}}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["viewer", "person"], "PASSWORD_CHANGE_REQUIRED")
    ]
    sessions = await cnsa.post("{ viewer { account { sessions { totalCount } } } }", token=token)
    assert sessions.json()["errors"][0]["extensions"]["code"] == "PASSWORD_CHANGE_REQUIRED"
    changed = await cnsa(CHANGE, {"c": PASSWORD, "n": "Ma-Propre-Phrase-9"}, token=token)
    assert changed["changePassword"] == {
        "account": {"mustChangePassword": False},
        "errors": [],
    }
    # Until the address is confirmed, the session may only wait, like a new sign-in.
    waiting = await cnsa.post(
        "{ viewer { account { emailConfirmed } person { familyName } } }", token=token
    )
    body = waiting.json()
    assert body["data"] == {"viewer": {"account": {"emailConfirmed": False}, "person": None}}
    assert [e["path"] for e in body["errors"]] == [["viewer", "person"]]
    sessions = await cnsa.post("{ viewer { account { sessions { totalCount } } } }", token=token)
    assert sessions.json()["errors"][0]["extensions"]["code"] == "EMAIL_NOT_CONFIRMED"
    again = await cnsa(CHANGE, {"c": "Ma-Propre-Phrase-9", "n": "Ma-Propre-Phrase-10"}, token=token)
    assert codes(again["changePassword"]) == ["EMAIL_NOT_CONFIRMED"]
    fresh = await cnsa(SIGN_IN, {"email": email, "password": "Ma-Propre-Phrase-9"})
    assert codes(fresh["signIn"]) == ["EMAIL_NOT_CONFIRMED"]
    # Then the address is confirmed through the link sent after the change.
    [*_, message] = await deliver(runtime, smtp, email)
    assert "confirmez" in message["Subject"]
    confirmed = await cnsa(CONFIRM, {"token": token_of(link_in(message))})
    assert confirmed["confirmEmail"]["errors"] == []
    person = await cnsa("{ viewer { person { familyName } } }", token=token)
    assert person["viewer"]["person"]["familyName"] == "Zemirli"
