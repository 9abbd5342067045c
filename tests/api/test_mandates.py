"""Trusted third parties: a mandate asked for, seen and answered by the person, used, revoked;
refused; ended by its date; out of reach of managers without the right and of other tenants."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.database import StatementCounter
from server.runtime import Runtime
from tests.api.test_invitations import make_manager
from tests.conftest import unique_email
from tests.helpers.clock import TestClock
from tests.helpers.flows import CONFIRM, deliver, link_in, register, sign_in, token_of
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import Org, SignedIn, person, validated_organisation
from tests.helpers.smtp import SmtpServer

REQUEST = """
mutation($input: RequestMandateInput!) {
  requestMandate(input: $input) {
    mandate {
      id status scopes endsOn email organisation { name } person { familyName }
    }
    errors { code field message }
  }
}
"""
ANSWER = """
mutation($id: ID!) {
  %s(input: {mandateId: $id}) {
    mandate { id status respondedAt revokedAt } errors { code field message }
  }
}
"""
GIVEN = """
query($status: MandateStatus) { viewer { mandatesGiven(first: 10, status: $status) {
  totalCount nodes { id status scopes endsOn organisation { name siren } person { familyName } } } } }
"""
RECEIVED = """
query { viewer { mandatesReceived(first: 10) { totalCount nodes { id status } } } }
"""
RECEIVED_PERSON = """
query { viewer { mandatesReceived(first: 10) {
  totalCount nodes { id status email scopes endsOn person { familyName givenNames } } } } }
"""
UPDATE = """
mutation($input: UpdatePersonContactInput!) {
  updatePersonContact(input: $input) {
    person { id phone address { line1 city } }
    mandate { id status }
    errors { code field message }
  }
}
"""
ACTED_FOR_ME = """
query { viewer { actedForMe(first: 10) {
  totalCount nodes {
    action capacity subject { __typename id } organisation { id }
    mandate { id organisation { name siren } }
  } } } }
"""
MY_PHONE = "query { viewer { person { phone address { line1 city } } } }"
ADDRESS = {
    "line1": "8 allée des Tilleuls",
    "postalCode": "35000",
    "city": "Rennes",
    "country": "FR",
}


def paris_today(clock: TestClock) -> date:
    return clock.now().astimezone(ZoneInfo("Europe/Paris")).date()


async def request(
    client: GraphQLClient,
    org: Org,
    email: str,
    scopes: list[str],
    token: str | None = None,
    ends_on: date | None = None,
) -> dict[str, Any]:
    variables = {
        "input": {
            "organisationId": org.id,
            "email": email,
            "scopes": scopes,
            "endsOn": ends_on.isoformat() if ends_on else None,
        }
    }
    payload: dict[str, Any] = (await client(REQUEST, variables, token=token or org.admin.token))[
        "requestMandate"
    ]
    return payload


async def answer(client: GraphQLClient, verb: str, mandate: str, token: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client(ANSWER % verb, {"id": mandate}, token=token))[verb]
    return payload


async def update_contact(
    client: GraphQLClient, token: str, person_id: str, **fields: Any
) -> dict[str, Any]:
    data = await client(UPDATE, {"input": {"personId": person_id, **fields}}, token=token)
    payload: dict[str, Any] = data["updatePersonContact"]
    return payload


async def mandate_in_force(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    scopes: list[str],
    ends_on: date | None = None,
) -> tuple[Org, SignedIn, str]:
    org = await validated_organisation(client, runtime, smtp)
    someone = await person(client, runtime, smtp, "worker")
    asked = await request(client, org, someone.email, scopes, ends_on=ends_on)
    assert asked["errors"] == [], asked
    mandate = asked["mandate"]["id"]
    assert (await answer(client, "acceptMandate", mandate, someone.token))["errors"] == []
    return org, someone, mandate


async def test_a_mandate_is_asked_accepted_used_revoked_then_refused(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp, name="Tiers Confiance SAS")
    worker = await person(cnaps, runtime, smtp, "worker")
    asked = await request(cnaps, org, worker.email.upper(), ["FOLLOW_DOSSIERS", "FILE_DOSSIERS"])
    assert asked["errors"] == []
    mandate = asked["mandate"]
    assert mandate["status"] == "REQUESTED"
    assert mandate["scopes"] == ["FILE_DOSSIERS", "FOLLOW_DOSSIERS"]
    # Until the person answers, the organisation sees the address it asked, not who has it.
    assert mandate["person"] is None and mandate["email"] == worker.email
    [mail] = [
        m
        for m in await deliver(runtime, smtp, worker.email)
        if m["X-Guichet-Template"] == "mandate_requested"
    ]
    assert "Tiers Confiance SAS" in mail["Subject"]

    # Before the person accepts, the request gives no right.
    early = await update_contact(cnaps, org.admin.token, worker.person_id, phone="0611223344")
    assert codes(early) == ["MANDATE_NOT_ACCEPTED"]

    # The person sees the request among their mandates and accepts it, as themselves.
    given = (await cnaps(GIVEN, token=worker.token))["viewer"]["mandatesGiven"]
    assert given["totalCount"] == 1
    assert given["nodes"][0]["organisation"]["name"] == "Tiers Confiance SAS"
    assert given["nodes"][0]["status"] == "REQUESTED"
    by_org = await answer(cnaps, "acceptMandate", mandate["id"], org.admin.token)
    assert codes(by_org) == ["FORBIDDEN"]
    accepted = await answer(cnaps, "acceptMandate", mandate["id"], worker.token)
    assert accepted["errors"] == [] and accepted["mandate"]["status"] == "ACCEPTED"
    seen = await cnaps(RECEIVED_PERSON, token=org.admin.token)
    given_names = (await cnaps("query { viewer { person { givenNames } } }", token=worker.token))[
        "viewer"
    ]["person"]["givenNames"]
    # the person as the organisation sees them: a name, no ID of another type's object
    assert seen["viewer"]["mandatesReceived"]["nodes"][0]["person"] == {
        "familyName": "Dupont",
        "givenNames": given_names,
    }
    assert codes(await answer(cnaps, "acceptMandate", mandate["id"], worker.token)) == [
        "MANDATE_ALREADY_ACCEPTED"
    ]
    received = (await cnaps(RECEIVED, token=org.admin.token))["viewer"]["mandatesReceived"]
    assert [n["id"] for n in received["nodes"]] == [mandate["id"]]

    # The organisation acts for the person: the act records the mandate it relied on.
    used = await update_contact(
        cnaps, org.admin.token, worker.person_id, phone="+33 6 11 22 33 44", address=ADDRESS
    )
    assert used["errors"] == []
    assert used["mandate"] == {"id": mandate["id"], "status": "ACCEPTED"}
    assert used["person"]["phone"] == "+33611223344"  # FOLLOW_DOSSIERS: it may see the person
    mine = (await cnaps(MY_PHONE, token=worker.token))["viewer"]["person"]
    assert mine == {
        "phone": "+33611223344",
        "address": {"line1": ADDRESS["line1"], "city": "Rennes"},
    }
    acted = (await cnaps(ACTED_FOR_ME, token=worker.token))["viewer"]["actedForMe"]
    [event] = [n for n in acted["nodes"] if n["action"] == "UPDATE_PERSON_CONTACT"]
    assert event["capacity"] == "TRUSTED_THIRD_PARTY"
    # what the act points to, as nodes: the person acted on, the mandate relied on (with the
    # organisation's name); the organisation node itself is its members' only
    assert event["subject"] == {"__typename": "Person", "id": worker.person_id}
    assert event["mandate"]["id"] == mandate["id"]
    assert event["mandate"]["organisation"]["name"] == mandate["organisation"]["name"]
    assert event["organisation"] is None

    # The person revokes: the organisation is told, and the same act is refused.
    revoked = await answer(cnaps, "revokeMandate", mandate["id"], worker.token)
    assert revoked["errors"] == [] and revoked["mandate"]["revokedAt"]
    told = await deliver(runtime, smtp, org.admin.email)
    assert any(m["X-Guichet-Template"] == "mandate_revoked" for m in told)
    refused = await update_contact(
        cnaps, org.admin.token, worker.person_id, phone="+33 7 00 00 00 00", mandateId=mandate["id"]
    )
    assert codes(refused) == ["MANDATE_REVOKED"]
    assert (await cnaps(MY_PHONE, token=worker.token))["viewer"]["person"][
        "phone"
    ] == "+33611223344"
    assert codes(await answer(cnaps, "revokeMandate", mandate["id"], worker.token)) == [
        "MANDATE_REVOKED"
    ]
    assert codes(await answer(cnaps, "acceptMandate", mandate["id"], worker.token)) == [
        "MANDATE_REVOKED"
    ]
    acted = (await cnaps(ACTED_FOR_ME, token=worker.token))["viewer"]["actedForMe"]
    assert [n["action"] for n in acted["nodes"]].count("UPDATE_PERSON_CONTACT") == 1

    # The person changes their own contact as themselves.
    own = await update_contact(cnaps, worker.token, worker.person_id, phone="")
    assert own["errors"] == [] and own["mandate"] is None and own["person"]["phone"] is None


async def test_a_refused_mandate_gives_nothing_and_a_new_request_may_follow(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    worker = await person(cnaps, runtime, smtp, "refuser")
    mandate = (await request(cnaps, org, worker.email, ["FILE_DOSSIERS"]))["mandate"]["id"]
    duplicate = await request(cnaps, org, worker.email, ["FOLLOW_DOSSIERS"])
    assert codes(duplicate) == ["MANDATE_ALREADY_EXISTS"]
    refused = await answer(cnaps, "refuseMandate", mandate, worker.token)
    assert refused["errors"] == [] and refused["mandate"]["status"] == "REFUSED"
    told = await deliver(runtime, smtp, org.admin.email)
    assert any(m["X-Guichet-Template"] == "mandate_answered" for m in told)
    assert codes(await answer(cnaps, "acceptMandate", mandate, worker.token)) == ["MANDATE_REFUSED"]
    used = await update_contact(cnaps, org.admin.token, worker.person_id, phone="+33611223344")
    assert codes(used) == ["MANDATE_REFUSED"]
    listed = await cnaps(GIVEN, {"status": "REFUSED"}, token=worker.token)
    assert listed["viewer"]["mandatesGiven"]["totalCount"] == 1
    # Once refused, the organisation may ask again.
    assert (await request(cnaps, org, worker.email, ["FILE_DOSSIERS"]))["errors"] == []
    # The organisation withdraws its new request: the person is told, and can no longer accept.
    again = (await cnaps(GIVEN, {"status": "REQUESTED"}, token=worker.token))["viewer"]
    pending = again["mandatesGiven"]["nodes"][0]["id"]
    withdrawn = await answer(cnaps, "revokeMandate", pending, org.admin.token)
    assert withdrawn["mandate"]["status"] == "REVOKED"
    mails = await deliver(runtime, smtp, worker.email)
    assert any(m["X-Guichet-Template"] == "mandate_revoked" for m in mails)
    assert codes(await answer(cnaps, "acceptMandate", pending, worker.token)) == ["MANDATE_REVOKED"]


def _same_shape(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without what differs by construction: the new ID, the instant, and the
    address typed."""
    mandate = dict(payload["mandate"])
    for key in ("id", "email"):
        mandate.pop(key)
    return {"mandate": mandate, "errors": payload["errors"]}


async def test_asking_does_not_tell_which_addresses_have_accounts(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """An address with an account, one without, one with an account in the other tenant: the
    same answer, the same list for the organisation. The address without an account is
    invited to open one; once it is confirmed, the request waits in the person's space."""
    org = await validated_organisation(cnaps, runtime, smtp, name="Oméga Tiers")
    known = await person(cnaps, runtime, smtp, "known")
    unknown = unique_email("unknown")
    elsewhere = await person(cnsa, runtime, smtp, "elsewhere")
    scopes = ["FOLLOW_DOSSIERS"]
    asked = {
        a: await request(cnaps, org, a, scopes) for a in (known.email, unknown, elsewhere.email)
    }
    shapes = [_same_shape(p) for p in asked.values()]
    assert shapes[0] == shapes[1] == shapes[2]
    assert shapes[0]["errors"] == [] and shapes[0]["mandate"]["person"] is None
    assert [p["mandate"]["email"] for p in asked.values()] == [
        known.email,
        unknown,
        elsewhere.email,
    ]
    listed = (await cnaps(RECEIVED_PERSON, token=org.admin.token))["viewer"]["mandatesReceived"]
    by_email = {n["email"]: {**n, "id": None, "email": None} for n in listed["nodes"]}
    assert by_email[known.email] == by_email[unknown] == by_email[elsewhere.email]
    again = await request(cnaps, org, unknown.upper(), scopes)
    assert codes(again) == codes(await request(cnaps, org, known.email, scopes))
    assert codes(again) == ["MANDATE_ALREADY_EXISTS"]

    [invited] = await deliver(runtime, smtp, unknown)
    assert invited["X-Guichet-Template"] == "mandate_invitation"
    assert "Oméga Tiers" in invited["Subject"]
    body = invited.get_body(("plain",))
    assert body is not None and unknown in body.get_content()
    [told] = [
        m
        for m in await deliver(runtime, smtp, known.email)
        if m["X-Guichet-Template"] == "mandate_requested"
    ]
    assert told["Subject"] == invited["Subject"]

    # The address's owner opens an account: the request is theirs once the address is proven.
    await register(cnaps, unknown)
    [confirmation] = [
        m
        for m in await deliver(runtime, smtp, unknown)
        if m["X-Guichet-Template"] == "confirm_email"
    ]
    await cnaps(CONFIRM, {"token": token_of(link_in(confirmation))})
    newcomer = await sign_in(cnaps, unknown)
    given = (await cnaps(GIVEN, token=newcomer["accessToken"]))["viewer"]["mandatesGiven"]
    assert [n["id"] for n in given["nodes"]] == [asked[unknown]["mandate"]["id"]]
    accepted = await answer(
        cnaps, "acceptMandate", asked[unknown]["mandate"]["id"], newcomer["accessToken"]
    )
    assert accepted["errors"] == [] and accepted["mandate"]["status"] == "ACCEPTED"
    listed = (await cnaps(RECEIVED_PERSON, token=org.admin.token))["viewer"]["mandatesReceived"]
    [now_known] = [n for n in listed["nodes"] if n["email"] == unknown]
    assert now_known["person"]["familyName"] == "Dupont"
    # The request to the other tenant's person stays an address: nobody here can answer it.
    withdrawn = await answer(
        cnaps, "revokeMandate", asked[elsewhere.email]["mandate"]["id"], org.admin.token
    )
    assert withdrawn["errors"] == [] and withdrawn["mandate"]["revokedAt"]


async def test_bad_requests_change_nothing(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    worker = await person(cnaps, runtime, smtp, "asked")
    yesterday = paris_today(clock) - timedelta(days=1)
    several = await request(cnaps, org, worker.email, [], ends_on=yesterday)
    assert sorted(codes(several)) == ["MANDATE_END_DATE_PAST", "REQUIRED"]
    assert {tuple(e["field"]) for e in several["errors"]} == {
        ("input", "scopes"),
        ("input", "endsOn"),
    }
    given = (await cnaps(GIVEN, token=worker.token))["viewer"]["mandatesGiven"]
    assert given["totalCount"] == 0
    assert [
        m
        for m in await deliver(runtime, smtp, worker.email)
        if "mandate" in m["X-Guichet-Template"]
    ] == []
    stranger = await person(cnaps, runtime, smtp, "stranger")
    assert codes(
        await request(cnaps, org, worker.email, ["FILE_DOSSIERS"], token=stranger.token)
    ) == ["NOT_FOUND"]
    assert codes(await update_contact(cnaps, stranger.token, worker.person_id, phone="")) == [
        "NOT_FOUND"
    ]
    nothing = await update_contact(cnaps, worker.token, worker.person_id)
    assert codes(nothing) == ["NOTHING_TO_CHANGE"]
    half = await update_contact(
        cnaps, worker.token, worker.person_id, phone="12", address={"line1": "1 rue"}
    )
    assert sorted(codes(half)) == ["INVALID_PHONE", "REQUIRED", "REQUIRED", "REQUIRED"]


async def test_a_mandate_works_on_its_last_day_and_not_the_day_after(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    """Moves the shared clock forward by one day."""
    today = paris_today(clock)
    org, worker, mandate = await mandate_in_force(
        cnaps, runtime, smtp, ["FILE_DOSSIERS"], ends_on=today
    )
    on_last_day = await update_contact(
        cnaps, org.admin.token, worker.person_id, phone="+33611111111", mandateId=mandate
    )
    assert on_last_day["errors"] == []
    assert on_last_day["person"] is None  # FILE_DOSSIERS alone does not show the person

    clock.advance(timedelta(days=1))
    admin = (await sign_in(cnaps, org.admin.email))["accessToken"]
    access = (await sign_in(cnaps, worker.email))["accessToken"]
    expired = await update_contact(cnaps, admin, worker.person_id, phone="+33622222222")
    assert codes(expired) == ["MANDATE_EXPIRED"]
    assert (await cnaps(MY_PHONE, token=access))["viewer"]["person"]["phone"] == "+33611111111"
    listed = await cnaps(GIVEN, {"status": "EXPIRED"}, token=access)
    assert [n["id"] for n in listed["viewer"]["mandatesGiven"]["nodes"]] == [mandate]
    assert (await cnaps(GIVEN, {"status": "ACCEPTED"}, token=access))["viewer"]["mandatesGiven"][
        "totalCount"
    ] == 0
    assert codes(await answer(cnaps, "revokeMandate", mandate, access)) == ["MANDATE_EXPIRED"]
    # An expired mandate no longer blocks a new request.
    assert (await request(cnaps, org, worker.email, ["FILE_DOSSIERS"], token=admin))["errors"] == []


async def test_only_managers_allowed_to_act_as_trusted_third_party_use_mandates(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org, worker, mandate = await mandate_in_force(cnaps, runtime, smtp, ["FILE_DOSSIERS"])
    plain, _ = await make_manager(cnaps, runtime, smtp, org, ["MANAGE_EMPLOYEES"], "plain")
    trusted, _ = await make_manager(
        cnaps, runtime, smtp, org, ["ACT_AS_TRUSTED_THIRD_PARTY"], "trusted"
    )
    denied = await update_contact(cnaps, plain.token, worker.person_id, phone="+33633333333")
    assert codes(denied) == ["PERMISSION_MISSING"]
    assert codes(
        await request(cnaps, org, unique_email("x"), ["FILE_DOSSIERS"], token=plain.token)
    ) == ["PERMISSION_MISSING"]
    assert codes(await answer(cnaps, "revokeMandate", mandate, plain.token)) == [
        "PERMISSION_MISSING"
    ]
    assert (await cnaps(RECEIVED, token=plain.token))["viewer"]["mandatesReceived"][
        "totalCount"
    ] == 0
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await cnaps(node, {"id": mandate}, token=plain.token))["node"] is None
    assert (await cnaps(MY_PHONE, token=worker.token))["viewer"]["person"]["phone"] is None

    allowed = await update_contact(cnaps, trusted.token, worker.person_id, phone="+33644444444")
    assert allowed["errors"] == [] and allowed["mandate"]["id"] == mandate
    assert (await cnaps(node, {"id": mandate}, token=trusted.token))["node"]["id"] == mandate
    acted = (await cnaps(ACTED_FOR_ME, token=worker.token))["viewer"]["actedForMe"]["nodes"]
    assert acted[0]["capacity"] == "TRUSTED_THIRD_PARTY" and acted[0]["mandate"]["id"] == mandate


async def test_a_mandate_of_another_tenant_or_person_is_not_found(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org, worker, mandate = await mandate_in_force(cnaps, runtime, smtp, ["FILE_DOSSIERS"])
    node = "query($id: ID!) { node(id: $id) { id ... on Mandate { status } } }"
    assert (await cnaps(node, {"id": mandate}, token=worker.token))["node"]["status"] == "ACCEPTED"
    elsewhere = await validated_organisation(cnsa, runtime, smtp)
    assert (await cnsa(node, {"id": mandate}, token=elsewhere.admin.token))["node"] is None
    # cnsa has no mandates at all: the same answer for this ID as for any, nothing learnt
    foreign = await answer(cnsa, "revokeMandate", mandate, elsewhere.admin.token)
    assert codes(foreign) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    across = await update_contact(cnsa, elsewhere.admin.token, worker.person_id, phone="")
    assert codes(across) == ["NOT_FOUND"]
    stranger = await person(cnaps, runtime, smtp, "stranger")
    assert (await cnaps(node, {"id": mandate}, token=stranger.token))["node"] is None
    assert codes(await answer(cnaps, "refuseMandate", mandate, stranger.token)) == ["NOT_FOUND"]
    assert codes(await answer(cnaps, "acceptMandate", "garbage", worker.token)) == ["NOT_FOUND"]
    # Another organisation cannot rely on this mandate, even naming it.
    other = await validated_organisation(cnaps, runtime, smtp)
    borrowed = await update_contact(
        cnaps, other.admin.token, worker.person_id, phone="", mandateId=mandate
    )
    assert codes(borrowed) == ["NOT_FOUND"]
    assert borrowed["errors"][0]["field"] == ["input", "mandateId"]
    # Still in force for its organisation.
    assert (await answer(cnaps, "revokeMandate", mandate, org.admin.token))["errors"] == []


async def test_mandates_given_costs_the_same_for_10_and_50(
    cnaps: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
    backend: str,
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    worker = await person(cnaps, runtime, smtp, "many")
    for _ in range(11):
        asked = await request(cnaps, org, worker.email, ["FILE_DOSSIERS"])
        await answer(cnaps, "revokeMandate", asked["mandate"]["id"], org.admin.token)
    await request(cnaps, org, worker.email, ["FOLLOW_DOSSIERS"])
    counts = {}
    for first in (10, 50):
        query = f"""{{ viewer {{ mandatesGiven(first: {first}) {{ totalCount
          edges {{ cursor node {{ id status scopes organisation {{ name }} person {{ familyName }} }} }}
        }} }} }}"""
        with statements.count() as seen:
            data = await cnaps(query, token=worker.token)
        counts[first] = len(seen)
        connection = data["viewer"]["mandatesGiven"]
        assert connection["totalCount"] == 12
        assert len(connection["edges"]) == min(first, 12)
    assert counts[10] == counts[50], counts
    print(f"\nviewer.mandatesGiven statements ({backend}): {counts}")
    org_counts = {}
    for first in (10, 50):
        query = f"""query($id: ID!) {{ node(id: $id) {{ ... on Organisation {{
          mandates(first: {first}) {{ totalCount nodes {{ id person {{ familyName }} }} }} }} }} }}"""
        with statements.count() as seen:
            data = await cnaps(query, {"id": org.id}, token=org.admin.token)
        org_counts[first] = len(seen)
        assert data["node"]["mandates"]["totalCount"] == 12
    assert org_counts[10] == org_counts[50], org_counts


MANDATE_TITLES = """query($id: ID!) { node(id: $id) { ... on Mandate {
  titles(first: 10) { totalCount nodes { number kind status } } } } }"""


async def test_a_trusted_third_party_follows_the_persons_titles_while_the_mandate_holds(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    from dossiers.title.issuing import NewTitle
    from dossiers.title.models import TitleKind
    from tests.helpers.company import issuer, uuid_of

    org, someone, mandate = await mandate_in_force(cnaps, runtime, smtp, ["FOLLOW_DOSSIERS"])
    officer = await issuer(cnaps, runtime)
    card = await officer.issue(
        NewTitle(
            kind=TitleKind.CAR,
            departement="44",
            activities=["SURVEILLANCE"],
            holder_person_id=uuid_of(someone.person_id),
        )
    )
    followed = await cnaps(MANDATE_TITLES, {"id": mandate}, token=org.admin.token)
    assert followed["node"]["titles"]["nodes"] == [
        {"number": card.number, "kind": "CAR", "status": "VALID"}
    ]
    own = await cnaps(MANDATE_TITLES, {"id": mandate}, token=someone.token)
    assert own["node"]["titles"]["totalCount"] == 1
    assert (await answer(cnaps, "revokeMandate", mandate, someone.token))["errors"] == []
    refused = await cnaps.post(MANDATE_TITLES, {"id": mandate}, token=org.admin.token)
    body = refused.json()
    assert body["data"]["node"] == {"titles": None}  # the mandate stays, its titles are refused
    assert body["errors"][0]["extensions"]["code"] == "MANDATE_REVOKED"
    assert body["errors"][0]["path"] == ["node", "titles"]

    _org, _person, filing_only = await mandate_in_force(cnaps, runtime, smtp, ["FILE_DOSSIERS"])
    out_of_scope = await cnaps.post(MANDATE_TITLES, {"id": filing_only}, token=_org.admin.token)
    assert out_of_scope.json()["errors"][0]["extensions"] == {
        "code": "MANDATE_SCOPE_MISSING",
        "scope": "FOLLOW_DOSSIERS",  # the scope the mandate does not give, for programs
    }
