"""Register → e-mail → link → confirm → sign in → viewer, on both tenants."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from server.runtime import Runtime
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
    confirmed_account,
    deliver,
    link_in,
    register,
    registration,
    sign_in,
    token_of,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.smtp import SmtpServer


@pytest.mark.parametrize("tenant", ["cnaps", "cnsa"])
async def test_register_confirm_by_link_sign_in_and_query_viewer(
    tenant: str, http: httpx.AsyncClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    client = GraphQLClient(http, tenant)
    email = unique_email(tenant)
    payload = await register(client, email.upper())
    assert payload["email"] == email  # normalised

    refused = await client(SIGN_IN, {"email": email, "password": PASSWORD})
    assert codes(refused["signIn"]) == ["EMAIL_NOT_CONFIRMED"]
    assert "confirm" in refused["signIn"]["errors"][0]["message"]

    [message] = await deliver(runtime, smtp, email)
    assert (
        message["From"]
        .addresses[0]
        .addr_spec.endswith("cnsa.fr" if tenant == "cnsa" else "interieur.gouv.fr")
    )
    assert "confirmez votre adresse" in message["Subject"]
    assert message.get_body(("html",)) is not None
    link = link_in(message)
    assert link.startswith(f"http://testserver/t/{tenant}/confirm-email?token=")

    # Following the link shows a page; only posting its form confirms (mail scanners GET).
    page = await http.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "Confirmer mon adresse" in page.text
    still = await client(SIGN_IN, {"email": email, "password": PASSWORD})
    assert codes(still["signIn"]) == ["EMAIL_NOT_CONFIRMED"]
    form_token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert form_token and form_token.group(1) == token_of(link)
    done = await http.post(f"/t/{tenant}/confirm-email", data={"token": form_token.group(1)})
    assert done.status_code == 200, done.text
    assert 'data-code="EMAIL_CONFIRMED"' in done.text

    tokens = await sign_in(client, email)
    assert tokens["tokenType"] == "Bearer"
    assert tokens["mustChangePassword"] is False
    viewer = await client(VIEWER, token=tokens["accessToken"])
    assert viewer["viewer"]["account"]["email"] == email
    assert viewer["viewer"]["account"]["emailConfirmed"] is True
    expected = "Dupont" if tenant == "cnaps" else "Zemirli"
    assert viewer["viewer"]["person"]["familyName"] == expected

    # The link is single-use: replayed, it is a clear error.
    replay = await client(CONFIRM, {"token": token_of(link)})
    assert codes(replay["confirmEmail"]) == ["TOKEN_ALREADY_USED"]
    page = await http.post(f"/t/{tenant}/confirm-email", data={"token": token_of(link)})
    assert page.status_code == 400
    assert 'data-code="TOKEN_ALREADY_USED"' in page.text


async def test_confirmation_link_expires_per_tenant(
    cnaps: GraphQLClient,
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    clock: TestClock,
) -> None:
    links = {}
    for client in (cnaps, cnsa):
        email = unique_email(client.tenant)
        await register(client, email)
        [message] = await deliver(runtime, smtp, email)
        links[client.tenant] = token_of(link_in(message))
    clock.advance(timedelta(hours=12, seconds=1))  # cnaps: 12 h
    try:
        expired = await cnaps(CONFIRM, {"token": links["cnaps"]})
        assert codes(expired["confirmEmail"]) == ["TOKEN_EXPIRED"]
        ok = await cnsa(CONFIRM, {"token": links["cnsa"]})  # cnsa: 24 h
        assert ok["confirmEmail"]["errors"] == []
    finally:
        clock.advance(-timedelta(hours=12, seconds=1))


async def test_a_link_of_one_tenant_is_unknown_on_the_other(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email()
    await register(cnaps, email)
    [message] = await deliver(runtime, smtp, email)
    wrong = await cnsa(CONFIRM, {"token": token_of(link_in(message))})
    assert codes(wrong["confirmEmail"]) == ["TOKEN_INVALID"]
    garbage = await cnaps(CONFIRM, {"token": "not-a-token"})
    assert codes(garbage["confirmEmail"]) == ["TOKEN_INVALID"]


async def test_same_address_holds_separate_accounts_in_two_tenants(
    cnaps: GraphQLClient, cnsa: GraphQLClient
) -> None:
    email = unique_email()
    await register(cnaps, email)
    await register(cnsa, email)
    again = await cnsa(REGISTER, {"input": cnsa_input(email.replace("@", "@").upper())})
    assert codes(again["register"]) == ["EMAIL_ALREADY_REGISTERED"]
    assert again["register"]["errors"][0]["field"] == ["input", "email"]


NON_NULL = {"email", "password", "familyName", "givenNames"}  # every pack requires them


@pytest.mark.parametrize(
    ("tenant", "missing", "field"),
    [
        ("cnaps", "birthDate", ["input", "birthDate"]),
        ("cnaps", "birthCity", ["input", "birthCity"]),
        ("cnaps", "birthCountry", ["input", "birthCountry"]),
        ("cnaps", "address", ["input", "address"]),
        ("cnaps", "acceptTerms", ["input", "acceptTerms"]),
        ("cnaps", "familyName", ["input", "familyName"]),
        ("cnsa", "familyName", ["input", "familyName"]),
        ("cnsa", "givenNames", ["input", "givenNames"]),
        ("cnsa", "email", ["input", "email"]),
        ("cnsa", "password", ["input", "password"]),
    ],
)
async def test_the_pack_decides_which_fields_are_required(
    tenant: str, missing: str, field: list[str], http: httpx.AsyncClient
) -> None:
    client = GraphQLClient(http, tenant)
    data = registration(tenant, unique_email())
    if missing in NON_NULL:
        # the schema types it as required: left out, the document is refused before any
        # resolver runs; given empty, it is the same REQUIRED error as a pack's field
        left_out = {key: value for key, value in data.items() if key != missing}
        refused = await client.post(REGISTER, {"input": left_out})
        assert refused.json()["data"] is None
        assert f"required field '{missing}'" in refused.json()["errors"][0]["message"]
        data[missing] = ""
    else:
        del data[missing]
    result = await client(REGISTER, {"input": data})
    errors = result["register"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("REQUIRED", field)]
    assert errors[0]["message"] == "Ce champ est obligatoire."


async def test_cnsa_needs_no_birth_data_and_ignores_it(cnsa: GraphQLClient) -> None:
    result = await cnsa(REGISTER, {"input": cnsa_input(unique_email(), structure=None, phone=None)})
    assert result["register"]["errors"] == []


async def test_every_bad_field_is_reported_at_once_and_nothing_is_written(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email()
    data = cnaps_input(
        email,
        password="court",
        birthDate="2999-01-01",
        birthCountry="ZZ",
        phone="06",
        acceptTerms=False,
        address={"line1": "", "postalCode": "44000", "city": "Nantes", "country": "FR"},
    )
    result = await cnaps(REGISTER, {"input": data}, lang="en")
    found = {(e["code"], tuple(e["field"])) for e in result["register"]["errors"]}
    assert found == {
        ("PASSWORD_TOO_SHORT", ("input", "password")),
        ("BIRTH_DATE_IN_FUTURE", ("input", "birthDate")),
        ("INVALID_COUNTRY", ("input", "birthCountry")),
        ("INVALID_PHONE", ("input", "phone")),
        ("TERMS_NOT_ACCEPTED", ("input", "acceptTerms")),
        ("REQUIRED", ("input", "address", "line1")),
    }
    assert all(e["message"] for e in result["register"]["errors"])
    assert "at least 12 characters" in result["register"]["errors"][0]["message"]
    # Nothing half-written: the address is free and no mail left.
    assert await deliver(runtime, smtp, email) == []
    ok = await cnaps(REGISTER, {"input": cnaps_input(email)})
    assert ok["register"]["errors"] == []


async def test_invalid_email_is_its_own_error(cnsa: GraphQLClient) -> None:
    result = await cnsa(REGISTER, {"input": cnsa_input("pas-une-adresse")})
    assert codes(result["register"]) == ["INVALID_EMAIL"]


RESEND = """
mutation($e: String!) { resendConfirmation(input: {email: $e}) { ok errors { code field message } } }
"""


async def test_resending_is_throttled_silently_and_reveals_nothing(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    """An unconfirmed address (just registered, so throttled), an unknown one and a confirmed
    one get the same answers call after call; only the mail tells the owner anything."""
    unconfirmed = unique_email()
    await register(cnsa, unconfirmed)
    confirmed = unique_email()
    await confirmed_account(cnsa, runtime, smtp, confirmed)
    unknown = unique_email()
    answers: dict[str, list[Any]] = {unconfirmed: [], unknown: [], confirmed: []}
    for wait in (timedelta(), timedelta(), timedelta(seconds=61), timedelta()):
        clock.advance(wait)
        for address, got in answers.items():
            got.append((await cnsa(RESEND, {"e": address}))["resendConfirmation"])
    assert answers[unconfirmed] == answers[unknown] == answers[confirmed]
    assert answers[unknown] == [{"ok": True, "errors": []}] * 4
    messages = await deliver(runtime, smtp, unconfirmed)
    assert len(messages) == 2  # at registration, then once the minute had passed
    # The first link was superseded by the second.
    old = await cnsa(CONFIRM, {"token": token_of(link_in(messages[0]))})
    assert codes(old["confirmEmail"]) == ["TOKEN_EXPIRED"]
    assert await deliver(runtime, smtp, unknown) == []
    done = await cnsa(CONFIRM, {"token": token_of(link_in(messages[1]))})
    assert done["confirmEmail"]["errors"] == []


async def test_resending_stops_silently_at_the_daily_limit(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    email = unique_email()
    await register(cnsa, email)
    for _ in range(6):
        clock.advance(timedelta(seconds=61))
        assert (await cnsa(RESEND, {"e": email}))["resendConfirmation"] == {
            "ok": True,
            "errors": [],
        }
    assert len(await deliver(runtime, smtp, email)) == 5  # the registration's and four more


async def test_frontend_url_per_tenant_in_links(runtime: Runtime, smtp: SmtpServer) -> None:
    from auth.context import AuthConfig
    from server.runtime import ServerLinks

    links = ServerLinks("http://testserver", {"cnsa": "https://portail.example/app/"})
    from tenants.packs import PACKS

    assert links.confirm_email(PACKS["cnsa"], "abc") == (
        "https://portail.example/app/confirm-email?token=abc"
    )
    assert links.confirm_email(PACKS["cnaps"], "abc") == (
        "http://testserver/t/cnaps/confirm-email?token=abc"
    )
    assert isinstance(runtime.services.auth, AuthConfig)
