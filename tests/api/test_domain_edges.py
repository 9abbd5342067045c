"""DOMAIN.md rules at their edges, over GraphQL: password lengths and classes per pack,
confirmation links at 12 h / 24 h ± 1 s, validity of AGD, PRV and FOR titles on literal
dates, every exclusive activity, French postal codes of home and organisation addresses
(overseas included), SIREN and SIRET of zeros."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from server.runtime import Runtime
from tests.conftest import unique_email
from tests.helpers.clock import TestClock
from tests.helpers.flows import (
    CONFIRM,
    REGISTER,
    cnaps_input,
    cnsa_input,
    deliver,
    link_in,
    token_of,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisation_flows import (
    REGISTER_ORGANISATION,
    documents_for,
    organisation_input,
    upload,
)
from tests.helpers.organisations import agent, fresh_siren, person
from tests.helpers.smtp import SmtpServer

# --- passwords -------------------------------------------------------------------------------

PHRASE = "les ours polaires dansent sous la lune de janvier, "  # 51 characters, no pattern


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Vjqm-Rtzx-K", ["PASSWORD_TOO_SHORT"]),  # 11 characters, 3 classes
        ("Vjqm-Rtzx-Kp", []),  # 12 characters, 3 classes (upper, lower, special)
        ("vjqm-rtzx-kp", ["PASSWORD_TOO_FEW_CHARACTER_CLASSES"]),  # 12, two classes
        ("VJQM4RTZX7KP", ["PASSWORD_TOO_FEW_CHARACTER_CLASSES"]),  # 12, two (upper, digit)
        ("vjqm4rtzx7k!", []),  # 12, three (lower, digit, special)
        ("vjqm4rtzx7k", ["PASSWORD_TOO_SHORT", "PASSWORD_TOO_FEW_CHARACTER_CLASSES"]),  # both
    ],
)
async def test_cnsa_password_at_its_edges(
    cnsa: GraphQLClient, password: str, expected: list[str]
) -> None:
    result = await cnsa(REGISTER, {"input": cnsa_input(unique_email(), password)})
    assert codes(result["register"]) == expected


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("vjqmrtzxkpw", ["PASSWORD_TOO_SHORT"]),  # 11
        ("vjqmrtzxkpwb", []),  # 12, one class: no class rule on cnaps
        ((PHRASE * 3)[:128], []),  # 128
        ((PHRASE * 3)[:129], ["PASSWORD_TOO_LONG"]),  # 129
    ],
)
async def test_cnaps_password_at_its_edges(
    cnaps: GraphQLClient, password: str, expected: list[str]
) -> None:
    result = await cnaps(REGISTER, {"input": cnaps_input(unique_email(), password)})
    assert codes(result["register"]) == expected
    if expected:
        assert result["register"]["errors"][0]["field"] == ["input", "password"]


# --- confirmation links ----------------------------------------------------------------------


@pytest.mark.parametrize(("tenant", "hours"), [("cnaps", 12), ("cnsa", 24)])
async def test_confirmation_link_expires_at_its_hour_to_the_second(
    tenant: str,
    hours: int,
    cnaps: GraphQLClient,
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    clock: TestClock,
) -> None:
    client = cnaps if tenant == "cnaps" else cnsa
    saved = clock.offset
    try:
        for shift, expected in (
            (timedelta(seconds=-1), []),
            (timedelta(seconds=1), ["TOKEN_EXPIRED"]),
        ):
            email = unique_email(tenant)
            data = cnaps_input(email) if tenant == "cnaps" else cnsa_input(email)
            before = clock.now()
            registered = (await client(REGISTER, {"input": data}))["register"]
            after = clock.now()
            expires_at = datetime.fromisoformat(registered["confirmationExpiresAt"])
            assert before + timedelta(hours=hours) <= expires_at <= after + timedelta(hours=hours)
            [message] = await deliver(runtime, smtp, email)
            clock.advance(expires_at + shift - clock.now())
            confirmed = await client(CONFIRM, {"token": token_of(link_in(message))})
            assert codes(confirmed["confirmEmail"]) == expected, (tenant, shift)
            clock.offset = saved
    finally:
        clock.offset = saved


# --- titles ----------------------------------------------------------------------------------

ISSUE = """
mutation Issue($input: IssueTitleInput!) {
  issueTitle(input: $input) {
    title { number kind issuedOn expiresOn status colour }
    errors { code field message }
  }
}
"""


async def issue(client: GraphQLClient, token: str, **given: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "departement": "44",
        "holderFamilyName": "Le Goff",
        "activities": ["SURVEILLANCE"],
    }
    data = await client(ISSUE, {"input": values | given}, token=token)
    payload: dict[str, Any] = data["issueTitle"]
    return payload


@pytest.mark.parametrize(
    ("kind", "issued_on", "expires_on"),
    [
        ("AGD", "2024-02-29", "2029-02-28"),  # 5 years from a leap day: the month's last day
        ("AGD", "2021-06-15", "2026-06-15"),
        ("PRV", "2026-08-31", "2027-02-28"),  # 6 months: the last day of February
        ("PRV", "2024-08-31", "2025-02-28"),
        ("PRV", "2023-08-31", "2024-02-29"),  # … of a leap year
        ("FOR", "2023-03-15", "2028-03-15"),  # 5 years
        ("FOR", "2020-01-10", "2025-01-10"),
    ],
)
async def test_validity_of_agd_prv_and_for_titles_on_literal_dates(
    kind: str, issued_on: str, expires_on: str, cnaps: GraphQLClient, runtime: Runtime
) -> None:
    officer = await agent(cnaps, runtime)
    activities = ["SURVEILLANCE"] if kind == "PRV" else []
    payload = await issue(
        cnaps, officer.token, kind=kind, issuedOn=issued_on, activities=activities
    )
    assert payload["errors"] == []
    title = payload["title"]
    assert (title["kind"], title["issuedOn"], title["expiresOn"]) == (kind, issued_on, expires_on)
    assert title["number"].startswith(f"{kind}-044-{expires_on}-{issued_on[:4]}")


async def test_every_exclusive_activity_stands_alone(
    cnaps: GraphQLClient, runtime: Runtime
) -> None:
    officer = await agent(cnaps, runtime)
    listed = (await cnaps("query { tenant { activities { code excludesOthers } } }"))["tenant"]
    exclusive = sorted(a["code"] for a in listed["activities"] if a["excludesOthers"])
    assert exclusive == [
        "AIRPORT_SECURITY",
        "ARMED_SURVEILLANCE",
        "CLOSE_PROTECTION",
        "PRIVATE_INVESTIGATION",
        "SHIP_PROTECTION",
    ]
    for code in exclusive:
        alone = await issue(cnaps, officer.token, kind="CAR", activities=[code])
        assert alone["errors"] == [], code
        for other in ("SURVEILLANCE", "VIDEO_PROTECTION"):
            for pair in ([code, other], [other, code]):
                refused = await issue(cnaps, officer.token, kind="CAR", activities=pair)
                assert codes(refused) == ["ACTIVITIES_EXCLUSIVE"], pair
                assert refused["errors"][0]["field"] == ["input", "activities"]
        twice = await issue(cnaps, officer.token, kind="CAR", activities=[code, code])
        assert twice["errors"] == [], code  # the same one twice is one
    others = [c for c in exclusive if c != "CLOSE_PROTECTION"]
    together = await issue(cnaps, officer.token, kind="CAR", activities=others)
    assert codes(together) == ["ACTIVITIES_EXCLUSIVE"]
    # surveillance and cash transport combine, as the others not exclusive
    combined = await issue(
        cnaps,
        officer.token,
        kind="CAR",
        activities=["SURVEILLANCE", "CASH_TRANSPORT", "DOG_HANDLER", "VIDEO_PROTECTION"],
    )
    assert combined["errors"] == []


# --- postal codes ------------------------------------------------------------------------------


def home(postal_code: str, country: str = "FR") -> dict[str, str]:
    return {
        "line1": "1 rue de la Paix",
        "postalCode": postal_code,
        "city": "Ville",
        "country": country,
    }


@pytest.mark.parametrize(
    ("postal_code", "country", "stored"),
    [
        ("ABC", "FR", None),
        ("4400", "FR", None),
        ("440000", "FR", None),
        ("00100", "FR", None),  # names no département
        ("20700", "FR", None),  # Corsica stops at 206xx
        ("97000", "FR", None),  # 970: no overseas département
        ("97700", "FR", None),
        ("98000", "FR", None),  # Monaco's, not France's
        ("44 000", "FR", "44000"),
        ("97110", "FR", "97110"),  # Guadeloupe
        ("97300", "FR", "97300"),  # Guyane
        ("97500", "FR", "97500"),  # Saint-Pierre-et-Miquelon
        ("98800", "FR", "98800"),  # Nouvelle-Calédonie
        ("20000", "FR", "20000"),  # Ajaccio
        ("1000", "BE", "1000"),  # abroad: as written
        ("SW1A 1AA", "GB", "SW1A 1AA"),
    ],
)
async def test_a_cnaps_home_postal_code_is_checked_in_france(
    postal_code: str, country: str, stored: str | None, cnaps: GraphQLClient
) -> None:
    data = cnaps_input(unique_email(), address=home(postal_code, country))
    result = (await cnaps(REGISTER, {"input": data}, lang="en"))["register"]
    if stored is None:
        assert [(e["code"], e["field"]) for e in result["errors"]] == [
            ("INVALID_POSTAL_CODE", ["input", "address", "postalCode"])
        ]
        assert result["errors"][0]["message"].startswith("This postal code is not valid")
    else:
        assert result["errors"] == []


async def test_the_postal_code_is_stored_normalised_and_checked_on_change(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnaps, runtime, smtp)
    change = """
    mutation($input: UpdatePersonContactInput!) {
      updatePersonContact(input: $input) { person { address { postalCode country } }
        errors { code field } }
    }
    """
    bad = await cnaps(
        change,
        {"input": {"personId": someone.person_id, "address": home("ABC")}},
        token=someone.token,
    )
    assert [(e["code"], e["field"]) for e in bad["updatePersonContact"]["errors"]] == [
        ("INVALID_POSTAL_CODE", ["input", "address", "postalCode"])
    ]
    good = await cnaps(
        change,
        {"input": {"personId": someone.person_id, "address": home(" 97 110 ")}},
        token=someone.token,
    )
    assert good["updatePersonContact"]["errors"] == []
    assert good["updatePersonContact"]["person"]["address"] == {
        "postalCode": "97110",
        "country": "FR",
    }


@pytest.mark.parametrize(
    ("postal_code", "delegation"),
    [
        ("97110", "ANTILLES_GUYANE"),
        ("97190", "ANTILLES_GUYANE"),
        ("97300", "ANTILLES_GUYANE"),
        ("97354", "ANTILLES_GUYANE"),
        ("97400", "OCEAN_INDIEN"),
    ],
)
async def test_an_organisation_overseas_goes_to_its_delegation(
    postal_code: str, delegation: str, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    data = organisation_input(postal_code=postal_code, city="Outre-mer")
    result = await upload(
        cnaps, REGISTER_ORGANISATION, {"input": data}, documents_for(data), token=admin.token
    )
    payload = result["registerOrganisation"]
    assert payload["errors"] == []
    assert payload["organisation"]["delegation"]["code"] == delegation


# --- identifiers -------------------------------------------------------------------------------


async def test_siren_and_siret_of_zeros_are_refused(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")

    async def errors_for(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
        result = await upload(
            cnaps, REGISTER_ORGANISATION, {"input": data}, documents_for(data), token=admin.token
        )
        payload = result["registerOrganisation"]
        assert payload["organisation"] is None
        return [(e["code"], e["field"]) for e in payload["errors"]]

    zeros = organisation_input("000 000 000", headOfficeSiret="00000000000000")
    assert await errors_for(zeros) == [
        ("INVALID_SIREN", ["input", "siren"]),
        ("INVALID_SIRET", ["input", "headOfficeSiret"]),
    ]
    siren = fresh_siren()
    siret_zeros = organisation_input(siren, headOfficeSiret="000 000 000 00000")
    assert await errors_for(siret_zeros) == [("INVALID_SIRET", ["input", "headOfficeSiret"])]
