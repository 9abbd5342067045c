"""Titles: the authority's agents issue them and change their status; holders see theirs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dossiers.title.numbers import add_months, parse_number
from server.runtime import Runtime
from tests.helpers.company import today, uuid_of
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import agent, person
from tests.helpers.smtp import SmtpServer

ISSUE = """
mutation Issue($input: IssueTitleInput!) {
  issueTitle(input: $input) {
    title {
      id number kind status colour issuedOn expiresOn departement verificationDigits
      holderFamilyName holderGivenNames activities { code label excludesOthers } statusReason
    }
    errors { code field message }
  }
}
"""

CHANGE = """
mutation Change($input: ChangeTitleStatusInput!) {
  changeTitleStatus(input: $input) {
    title { id status colour statusReason statusChangedAt }
    errors { code field message }
  }
}
"""

MY_TITLES = """
query { viewer { titles(first: 10) { totalCount nodes { id number status statusReason } } } }
"""

NODE = "query($id: ID!) { node(id: $id) { id ... on Title { number statusReason } } }"


def card(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "CAR",
        "departement": "44",
        "activities": ["SURVEILLANCE", "CASH_TRANSPORT"],
        "holderFamilyName": "Le Goff",
        "holderGivenNames": "Yann",
    }
    values.update(changes)
    return values


async def issue(client: GraphQLClient, token: str, **changes: Any) -> dict[str, Any]:
    data = await client(ISSUE, {"input": card(**changes)}, token=token)
    payload: dict[str, Any] = data["issueTitle"]
    return payload


async def test_an_agent_issues_a_card_to_a_person_with_a_numbered_five_year_validity(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await agent(cnaps, runtime)
    holder = await person(cnaps, runtime, smtp, "holder")
    issued_on = today(runtime) - timedelta(days=10)
    payload = await issue(
        cnaps,
        officer.token,
        holderPersonId=holder.person_id,
        holderFamilyName=None,
        holderGivenNames=None,
        issuedOn=issued_on.isoformat(),
    )
    assert payload["errors"] == []
    title = payload["title"]
    expires = add_months(issued_on, 60)
    assert title["expiresOn"] == expires.isoformat()
    assert title["holderFamilyName"] == "Dupont"  # the person's name (tests.helpers.flows)
    assert title["status"] == "VALID" and title["colour"] == "GREEN"
    assert [a["code"] for a in title["activities"]] == ["SURVEILLANCE", "CASH_TRANSPORT"]
    parsed = parse_number(title["number"])
    assert parsed is not None
    assert title["number"].startswith(f"CAR-044-{expires.isoformat()}-{issued_on.year}")
    assert title["verificationDigits"] == title["number"][-7:] == parsed.sequence
    # the next title of the year takes the next sequence number
    following = await issue(cnaps, officer.token, issuedOn=issued_on.isoformat())
    assert int(following["title"]["verificationDigits"]) == int(parsed.sequence) + 1
    # the holder sees it among their titles, and by node
    mine = await cnaps(MY_TITLES, token=holder.token)
    assert [t["number"] for t in mine["viewer"]["titles"]["nodes"]] == [title["number"]]
    seen = await cnaps(NODE, {"id": title["id"]}, token=holder.token)
    assert seen["node"]["number"] == title["number"]


async def test_validity_per_kind_and_the_receipt_s_given_expiry(
    cnaps: GraphQLClient, runtime: Runtime
) -> None:
    officer = await agent(cnaps, runtime)
    day = today(runtime)
    prior = await issue(cnaps, officer.token, kind="PRE", activities=["SURVEILLANCE"])
    assert prior["title"]["expiresOn"] == add_months(day, 6).isoformat()
    assert prior["title"]["colour"] == "ORANGE"  # six months: in its renewal window at once
    company = await issue(cnaps, officer.token, kind="AUT", activities=[])
    assert company["title"]["expiresOn"] == add_months(day, 1200).isoformat()
    receipt = await issue(
        cnaps, officer.token, kind="REC", expiresOn=(day + timedelta(days=90)).isoformat()
    )
    assert receipt["title"]["expiresOn"] == (day + timedelta(days=90)).isoformat()
    assert codes(await issue(cnaps, officer.token, kind="REC")) == ["REQUIRED"]
    not_for_a_card = await issue(cnaps, officer.token, expiresOn=day.isoformat())
    assert codes(not_for_a_card) == ["EXPIRY_NOT_APPLICABLE"]


async def test_bad_inputs_are_typed_errors_all_at_once(
    cnaps: GraphQLClient, runtime: Runtime
) -> None:
    officer = await agent(cnaps, runtime)
    tomorrow = today(runtime) + timedelta(days=1)
    payload = await issue(
        cnaps,
        officer.token,
        departement="100",
        activities=["SURVEILLANCE", "TELEPORTATION"],
        holderFamilyName="",
        issuedOn=tomorrow.isoformat(),
    )
    assert payload["title"] is None
    found = {(e["code"], tuple(e["field"])) for e in payload["errors"]}
    assert found == {
        ("REQUIRED", ("input", "holderFamilyName")),
        ("INVALID_DEPARTEMENT", ("input", "departement")),
        ("UNKNOWN_ACTIVITY", ("input", "activities", "1")),
        ("ISSUE_DATE_IN_FUTURE", ("input", "issuedOn")),
    }
    exclusive = await issue(cnaps, officer.token, activities=["CLOSE_PROTECTION", "SURVEILLANCE"])
    assert codes(exclusive) == ["ACTIVITIES_EXCLUSIVE"]
    assert "Protection physique des personnes" in exclusive["errors"][0]["message"]
    assert codes(await issue(cnaps, officer.token, activities=[])) == ["ACTIVITY_REQUIRED"]
    alone = await issue(cnaps, officer.token, activities=["CLOSE_PROTECTION"])
    assert alone["errors"] == []
    corsica = await issue(cnaps, officer.token, departement="2a")
    assert codes(corsica) == ["OUTSIDE_DELEGATION"]  # Corse is the Sud delegation's
    sud = await agent(cnaps, runtime, delegations=("SUD",))
    corsican = await issue(cnaps, sud.token, departement="2a")
    assert corsican["title"]["number"].startswith("CAR-02A-")


async def test_only_agents_of_the_delegation_issue_and_change_titles(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await agent(cnaps, runtime)
    someone = await person(cnaps, runtime, smtp)
    assert codes(await issue(cnaps, someone.token)) == ["FORBIDDEN"]
    anonymous = await cnaps(ISSUE, {"input": card()})
    assert codes(anonymous["issueTitle"]) == ["AUTHENTICATION_REQUIRED"]
    paris = await agent(cnaps, runtime, delegations=("IDF",))
    outside = await issue(cnaps, paris.token)
    assert codes(outside) == ["OUTSIDE_DELEGATION"]
    assert outside["errors"][0]["field"] == ["input", "departement"]
    title = (await issue(cnaps, officer.token))["title"]
    suspend = {"titleId": title["id"], "status": "SUSPENDED", "reason": "Enquête"}
    by_paris = await cnaps(CHANGE, {"input": suspend}, token=paris.token)
    assert codes(by_paris["changeTitleStatus"]) == ["OUTSIDE_DELEGATION"]
    by_someone = await cnaps(CHANGE, {"input": suspend}, token=someone.token)
    assert codes(by_someone["changeTitleStatus"]) == ["FORBIDDEN"]
    # another tenant's agent: that portal has no titles at all
    foreign = await agent(cnsa, runtime)
    elsewhere = await cnsa(CHANGE, {"input": suspend}, token=foreign.token)
    assert codes(elsewhere["changeTitleStatus"]) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    assert (await cnsa(NODE, {"id": title["id"]}, token=foreign.token))["node"] is None
    # a stranger does not see it; any agent of the tenant does
    assert (await cnaps(NODE, {"id": title["id"]}, token=someone.token))["node"] is None
    assert (await cnaps(NODE, {"id": title["id"]}, token=paris.token))["node"]["id"]


async def test_status_changes_suspend_restore_withdraw_for_good(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await agent(cnaps, runtime)
    holder = await person(cnaps, runtime, smtp, "holder")
    title = (
        await issue(
            cnaps,
            officer.token,
            holderPersonId=holder.person_id,
            holderFamilyName=None,
            holderGivenNames=None,
        )
    )["title"]

    async def change(status: str, reason: str | None = None) -> dict[str, Any]:
        given = {"titleId": title["id"], "status": status, "reason": reason}
        payload: dict[str, Any] = (await cnaps(CHANGE, {"input": given}, token=officer.token))[
            "changeTitleStatus"
        ]
        return payload

    no_reason = await change("SUSPENDED")
    assert codes(no_reason) == ["REQUIRED"] and no_reason["errors"][0]["field"] == [
        "input",
        "reason",
    ]
    suspended = await change("SUSPENDED", "Condamnation inscrite au casier")
    assert suspended["title"]["status"] == "SUSPENDED" and suspended["title"]["colour"] == "RED"
    assert codes(await change("SUSPENDED", "encore")) == ["TITLE_STATUS_UNCHANGED"]
    assert codes(await change("EXPIRED", "non")) == ["TITLE_STATUS_NOT_SETTABLE"]
    # the holder reads the reason; the agent too
    mine = await cnaps(MY_TITLES, token=holder.token)
    assert mine["viewer"]["titles"]["nodes"][0]["statusReason"].startswith("Condamnation")
    restored = await change("VALID")
    assert restored["title"]["status"] == "VALID" and restored["title"]["colour"] == "GREEN"
    withdrawn = await change("WITHDRAWN", "Retrait définitif")
    assert withdrawn["title"]["status"] == "WITHDRAWN"
    assert codes(await change("VALID")) == ["TITLE_WITHDRAWN_FINAL"]
    assert uuid_of(title["id"])  # a real global ID
    malformed = await cnaps(
        CHANGE,
        {"input": {"titleId": holder.person_id, "status": "VALID"}},
        token=officer.token,
    )
    assert codes(malformed["changeTitleStatus"]) == ["NOT_FOUND"]
