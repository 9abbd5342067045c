"""cnsa's habilitations over GraphQL (seed 004): login identifiers, the FINESS directory, the
request wizard (with the account or later), approval by the application's managers, the
tiles; the bad inputs change nothing; cnaps has none of it."""

from __future__ import annotations

import uuid
from typing import Any

from auth.habilitation.finess_import import import_finess
from auth.habilitation.habilitations import habilitations_for_application
from server.database import StatementCounter
from server.runtime import Runtime
from tenants.session import open_session
from tests.conftest import unique_email
from tests.helpers.flows import (
    CONFIRM,
    PASSWORD,
    REGISTER,
    cnsa_input,
    deliver,
    link_in,
    sign_in,
    token_of,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.habilitations import (
    APPROVE,
    CAMSP,
    DELETE,
    DEPOSITOR,
    MY_ACCOUNT,
    REJECT,
    REQUEST,
    REVIEW,
    SAMPLE,
    STRUCTURES,
    account_uuid,
    add_structures,
    application_manager,
    grant,
)
from tests.helpers.organisations import person
from tests.helpers.smtp import SmtpServer

REGISTER_WITH_REQUEST = """
mutation($input: RegisterInput!) {
  register(input: $input) {
    email identifier errors { code field message }
    habilitationRequest { id status structures { finess name } }
  }
}
"""

SIGN_IN_AS = """
mutation($input: SignInInput!) {
  signIn(input: $input) { accessToken errors { code field message } }
}
"""

RESET = """
mutation($email: String!) { requestPasswordReset(input: {email: $email}) { ok errors { code } } }
"""


def family() -> str:
    """A family name no other test uses (identifiers are per tenant, the base is shared)."""
    return "Zémirli-" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])


async def confirm(client: GraphQLClient, runtime: Runtime, smtp: SmtpServer, email: str) -> None:
    messages = await deliver(runtime, smtp, email)
    data = await client(CONFIRM, {"token": token_of(link_in(messages[-1]))})
    assert data["confirmEmail"]["errors"] == []


async def imported(runtime: Runtime) -> None:
    await import_finess(runtime.services.sessions, "cnsa", SAMPLE, runtime.services.clock)


# 1. Login identifier ------------------------------------------------------------------------


async def test_an_identifier_is_given_at_registration_and_signs_in(
    cnsa: GraphQLClient, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    name = family()
    expected = "y" + name.lower().replace("é", "e").replace("-", "")
    first, second = unique_email("yamile"), unique_email("yamile")
    one = await cnsa(REGISTER, {"input": cnsa_input(first, familyName=name, givenNames="Yamile")})
    two = await cnsa(REGISTER_WITH_REQUEST, {"input": cnsa_input(second, familyName=name)})
    assert one["register"]["errors"] == []
    assert two["register"]["identifier"] == expected + "2"  # numbered on a collision
    [welcome] = await deliver(runtime, smtp, first)
    text = welcome.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Votre identifiant de connexion : {expected}" in text  # shown from the first mail
    await confirm(cnsa, runtime, smtp, first)
    by_identifier = await cnsa(
        SIGN_IN_AS, {"input": {"identifier": expected.upper(), "password": PASSWORD}}
    )
    token = by_identifier["signIn"]["accessToken"]
    assert token and by_identifier["signIn"]["errors"] == []
    in_email_field = await cnsa(SIGN_IN_AS, {"input": {"email": expected, "password": PASSWORD}})
    assert in_email_field["signIn"]["errors"] == []
    await sign_in(cnsa, first)  # the address still works
    me = await cnsa("{ viewer { identity { identifier email familyName } } }", token=token)
    assert me["viewer"]["identity"] == {"identifier": expected, "email": first, "familyName": name}
    wrong = await cnsa(SIGN_IN_AS, {"input": {"identifier": expected, "password": "x" * 12}})
    unknown = await cnsa(
        SIGN_IN_AS, {"input": {"identifier": "nobody" + name[-8:], "password": PASSWORD}}
    )
    assert codes(wrong["signIn"]) == codes(unknown["signIn"]) == ["INVALID_CREDENTIALS"]
    # cnaps: e-mail only, no identifier
    email = unique_email()
    made = await cnaps(REGISTER_WITH_REQUEST, {"input": {**_cnaps(email)}})
    assert made["register"]["identifier"] is None and made["register"]["errors"] == []
    await confirm(cnaps, runtime, smtp, email)
    local = email.split("@")[0]
    refused = await cnaps(SIGN_IN_AS, {"input": {"email": local, "password": PASSWORD}})
    assert codes(refused["signIn"]) == ["INVALID_CREDENTIALS"]


def _cnaps(email: str) -> dict[str, Any]:
    from tests.helpers.flows import cnaps_input

    return cnaps_input(email)


async def test_forgotten_identifier_or_password_mails_the_identifier(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email("forgot")
    made = await cnsa(REGISTER_WITH_REQUEST, {"input": cnsa_input(email, familyName=family())})
    identifier = made["register"]["identifier"]
    await confirm(cnsa, runtime, smtp, email)
    answered = await cnsa(RESET, {"email": email})
    assert answered["requestPasswordReset"] == {"ok": True, "errors": []}
    [mail] = [m for m in await deliver(runtime, smtp, email) if "mot de passe" in m["Subject"]]
    body = mail.get_body(("plain",))
    assert (
        body is not None and f"Votre identifiant de connexion : {identifier}" in body.get_content()
    )
    # an unknown address: the same answer, no mail
    stranger = unique_email("nobody")
    assert (await cnsa(RESET, {"email": stranger}))["requestPasswordReset"]["ok"] is True
    assert await deliver(runtime, smtp, stranger) == []
    # the identifier may be given instead of the address
    assert (await cnsa(RESET, {"email": identifier}))["requestPasswordReset"]["ok"] is True
    resets = [m for m in await deliver(runtime, smtp, email) if "mot de passe" in m["Subject"]]
    assert len(resets) == 2


# 2. Structures ------------------------------------------------------------------------------


async def test_the_directory_is_searched_by_finess_or_by_name_and_town(
    cnsa: GraphQLClient, cnaps: GraphQLClient, runtime: Runtime
) -> None:
    await imported(runtime)
    by_number = await cnsa(STRUCTURES, {"search": "750 790 073"})
    assert by_number["structures"]["nodes"] == [
        {
            "id": by_number["structures"]["nodes"][0]["id"],
            "finess": "750790073",
            "name": "CAMSP JANINE LEVY",
            "town": "PARIS 12E ARRONDISSEMENT",
            "postalCode": "75012",
            "category": "Centre Action Médico-Sociale Précoce (C.A.M.S.P.)",
            "categoryCode": "190",
        }
    ]
    by_words = await cnsa(STRUCTURES, {"search": "lilas Nantes"})
    assert {n["finess"] for n in by_words["structures"]["nodes"]} == {"440001014", "440002012"}
    accents = await cnsa(STRUCTURES, {"search": "saint eloi"})
    assert [n["name"] for n in accents["structures"]["nodes"]] == ["CAMSP SAINT-ÉLOI"]
    corsica = await cnsa(STRUCTURES, {"search": "2a0000501"})
    assert corsica["structures"]["totalCount"] == 1
    for bad in ("75079007", "750790074"):  # 8 characters; a wrong key
        response = await cnsa.post(STRUCTURES, {"search": bad})
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_FINESS"
    short = await cnsa.post(STRUCTURES, {"search": "a"})
    assert short.json()["errors"][0]["extensions"]["code"] == "SEARCH_TOO_SHORT"
    elsewhere = await cnaps(STRUCTURES, {"search": "750790073"})
    assert elsewhere["structures"]["totalCount"] == 0  # cnaps has no directory


# 3 and 4. Requests and their approval ----------------------------------------------------------


async def test_scenario_1_account_and_request_together_then_approved(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    await imported(runtime)
    manager = await application_manager(cnsa, runtime, smtp)
    email = unique_email("yamile")
    data = await cnsa(
        REGISTER_WITH_REQUEST,
        {
            "input": cnsa_input(
                email,
                familyName=family(),
                habilitationRequest={
                    "application": CAMSP,
                    "profile": DEPOSITOR,
                    "structureType": "ESMS",
                    "finess": ["750790073"],
                },
            )
        },
    )
    payload = data["register"]
    assert payload["errors"] == [] and payload["habilitationRequest"]["status"] == "PENDING"
    request_id = payload["habilitationRequest"]["id"]
    # waiting for the address: no manager sees it yet, nor may approve it
    review = await cnsa(REVIEW, {"first": 100}, token=manager.token)
    assert request_id not in {n["id"] for n in review["habilitationRequestsToReview"]["nodes"]}
    early = await cnsa(APPROVE, {"id": request_id}, token=manager.token)
    assert codes(early["approveHabilitationRequest"]) == ["NOT_FOUND"]
    await confirm(cnsa, runtime, smtp, email)
    review = await cnsa(REVIEW, {"first": 100}, token=manager.token)
    [mine] = [n for n in review["habilitationRequestsToReview"]["nodes"] if n["id"] == request_id]
    assert mine["structures"] == [{"finess": "750790073", "name": "CAMSP JANINE LEVY"}]
    assert mine["requester"]["email"] == email
    tokens = await sign_in(cnsa, email)
    before = await cnsa(MY_ACCOUNT, token=tokens["accessToken"])
    assert before["viewer"]["applications"] == []
    [pending] = before["viewer"]["habilitationRequests"]["nodes"]
    assert pending["profile"]["label"] == "Gestionnaire CAMSP CMPP"
    approved = await cnsa(APPROVE, {"id": request_id}, token=manager.token)
    result = approved["approveHabilitationRequest"]
    assert result["ok"] is True and result["habilitationRequest"]["status"] == "APPROVED"
    assert result["habilitation"]["structures"] == [{"finess": "750790073"}]
    [mail] = [m for m in await deliver(runtime, smtp, email) if "approuvée" in m["Subject"]]
    assert "CAMSP JANINE LEVY" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    after = await cnsa(MY_ACCOUNT, token=tokens["accessToken"])
    assert [a["code"] for a in after["viewer"]["applications"]] == [CAMSP]
    assert after["viewer"]["habilitationRequests"]["totalCount"] == 0
    [held] = after["viewer"]["habilitations"]["nodes"]
    assert held["profile"]["description"] == "Permet le dépôt de document CAMSP CMPP"
    # what single sign-on will tell the application
    async with open_session(runtime.services.sessions, "cnsa") as session:
        account = await cnsa("{ viewer { account { id } } }", token=tokens["accessToken"])
        claims = await habilitations_for_application(session, account_uuid_of(account), CAMSP)
    assert [(c.profile, c.finess) for c in claims] == [(DEPOSITOR, ("750790073",))]
    # the manager sees the portal's Administration tile
    tiles = await cnsa("{ viewer { applications { code } } }", token=manager.token)
    assert tiles["viewer"]["applications"] == [{"code": "ADMINISTRATION"}]


def account_uuid_of(data: dict[str, Any]) -> uuid.UUID:
    from strawberry.relay import GlobalID

    return uuid.UUID(GlobalID.from_id(data["viewer"]["account"]["id"]).node_id)


async def test_scenario_2_existing_account_asks_then_is_rejected_or_deletes(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    [place] = await add_structures(runtime, 1)
    manager = await application_manager(cnsa, runtime, smtp)
    asker = await person(cnsa, runtime, smtp, "asker")
    ask = {"application": CAMSP, "profile": DEPOSITOR, "finess": [place.finess]}
    made = await cnsa(REQUEST, {"input": ask}, token=asker.token)
    request = made["requestHabilitation"]["habilitationRequest"]
    assert made["requestHabilitation"]["ok"] and request["structureType"] == (
        "Établissements et Services médico Sociaux"
    )
    missing = await cnsa(REJECT, {"id": request["id"], "reason": "  "}, token=manager.token)
    assert codes(missing["rejectHabilitationRequest"]) == ["REQUIRED"]
    rejected = await cnsa(
        REJECT, {"id": request["id"], "reason": "Structure inconnue"}, token=manager.token
    )
    assert rejected["rejectHabilitationRequest"]["habilitationRequest"] == {
        "id": request["id"],
        "status": "REJECTED",
        "rejectionReason": "Structure inconnue",
    }
    delivered = await deliver(runtime, smtp, asker.email)
    rejections = [m for m in delivered if "pas approuv" in " ".join(str(m["Subject"]).split())]
    assert len(rejections) == 1, [str(m["Subject"]) for m in delivered]
    mail = rejections[0]
    assert "Structure inconnue" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    again = await cnsa(REQUEST, {"input": ask}, token=asker.token)
    second = again["requestHabilitation"]["habilitationRequest"]["id"]
    deleted = await cnsa(DELETE, {"id": second}, token=asker.token)
    assert deleted["deleteHabilitationRequest"]["habilitationRequest"]["status"] == "WITHDRAWN"
    mine = await cnsa(MY_ACCOUNT, token=asker.token)
    assert mine["viewer"]["habilitationRequests"]["totalCount"] == 0


async def test_bad_requests_are_refused_with_their_field_and_change_nothing(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    [place] = await add_structures(runtime, 1)
    manager = await application_manager(cnsa, runtime, smtp)
    extranet_manager = await application_manager(cnsa, runtime, smtp, "EXTRANET")
    asker = await person(cnsa, runtime, smtp, "asker")
    other = await person(cnsa, runtime, smtp, "other")

    async def ask(token: str, **changes: Any) -> dict[str, Any]:
        data = {"application": CAMSP, "profile": DEPOSITOR, "finess": [place.finess]}
        data.update(changes)
        return (await cnsa(REQUEST, {"input": data}, token=token))["requestHabilitation"]

    def where(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
        return [(e["code"], e["field"]) for e in payload["errors"]]

    assert where(await ask(asker.token, finess=["75079007"])) == [
        ("INVALID_FINESS", ["input", "finess", "0"])
    ]
    assert where(await ask(asker.token, finess=["750790074"])) == [
        ("INVALID_FINESS", ["input", "finess", "0"])
    ]
    unknown = "999999998"  # a valid key, in no directory
    assert where(await ask(asker.token, finess=[unknown])) == [
        ("UNKNOWN_FINESS", ["input", "finess", "0"])
    ]
    assert where(await ask(asker.token, profile="MEMBRE_EXTRANET")) == [
        ("UNKNOWN_PROFILE", ["input", "profile"])
    ]
    assert where(await ask(asker.token, application="ADMINISTRATION")) == [
        ("UNKNOWN_APPLICATION", ["input", "application"])
    ]
    assert where(await ask(asker.token, finess=[])) == [
        ("STRUCTURES_REQUIRED", ["input", "finess"])
    ]
    first = await ask(asker.token)
    assert first["ok"] is True
    assert where(await ask(asker.token)) == [("DUPLICATE_PENDING_REQUEST", ["input", "profile"])]
    request_id = first["habilitationRequest"]["id"]
    outside = await cnsa(APPROVE, {"id": request_id}, token=extranet_manager.token)
    assert codes(outside["approveHabilitationRequest"]) == ["NOT_APPLICATION_MANAGER"]
    not_manager = await cnsa.post(REVIEW, {"first": 5}, token=other.token)
    assert not_manager.json()["errors"][0]["extensions"]["code"] == "NOT_APPLICATION_MANAGER"
    theirs = await cnsa(DELETE, {"id": request_id}, token=other.token)
    assert where(theirs["deleteHabilitationRequest"]) == [("NOT_FOUND", ["input", "requestId"])]
    forged = await cnsa(DELETE, {"id": "not-an-id"}, token=asker.token)
    assert codes(forged["deleteHabilitationRequest"]) == ["NOT_FOUND"]
    mine = await cnsa(MY_ACCOUNT, token=asker.token)
    assert mine["viewer"]["habilitationRequests"]["totalCount"] == 1  # only the good one
    approved = await cnsa(APPROVE, {"id": request_id}, token=manager.token)
    assert approved["approveHabilitationRequest"]["ok"] is True
    twice = await cnsa(APPROVE, {"id": request_id}, token=manager.token)
    assert codes(twice["approveHabilitationRequest"]) == ["REQUEST_NOT_PENDING"]
    late = await cnsa(DELETE, {"id": request_id}, token=asker.token)
    assert where(late["deleteHabilitationRequest"]) == [
        ("REQUEST_NOT_PENDING", ["input", "requestId"])
    ]
    # registration with a bad request: no account either
    email = unique_email("bad")
    refused = await cnsa(
        REGISTER_WITH_REQUEST,
        {
            "input": cnsa_input(
                email, habilitationRequest={"application": CAMSP, "profile": DEPOSITOR}
            )
        },
    )
    assert where(refused["register"]) == [
        ("STRUCTURES_REQUIRED", ["input", "habilitationRequest", "finess"])
    ]
    assert (await cnsa(RESET, {"email": email}))["requestPasswordReset"]["ok"]
    assert await deliver(runtime, smtp, email) == []


async def test_a_manager_revokes_a_habilitation(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    places = await add_structures(runtime, 1)
    manager = await application_manager(cnsa, runtime, smtp)
    holder = await person(cnsa, runtime, smtp, "holder")
    habilitation = await grant(runtime, holder, places)
    from tests.helpers.organisations import gid

    revoke = """mutation($id: ID!) { revokeHabilitation(input: {habilitationId: $id}) {
      ok errors { code field } habilitation { id } } }"""
    by_holder = await cnsa(revoke, {"id": gid("Habilitation", habilitation)}, token=holder.token)
    assert codes(by_holder["revokeHabilitation"]) == ["NOT_APPLICATION_MANAGER"]
    done = await cnsa(revoke, {"id": gid("Habilitation", habilitation)}, token=manager.token)
    assert done["revokeHabilitation"]["ok"] is True
    again = await cnsa(revoke, {"id": gid("Habilitation", habilitation)}, token=manager.token)
    assert codes(again["revokeHabilitation"]) == ["HABILITATION_ALREADY_REVOKED"]
    tiles = await cnsa("{ viewer { applications { code } } }", token=holder.token)
    assert tiles["viewer"]["applications"] == []


async def test_cnaps_has_no_habilitations(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnaps, runtime, smtp)
    mine = await cnaps(MY_ACCOUNT, token=someone.token)
    assert mine["viewer"]["habilitations"]["totalCount"] == 0
    assert mine["viewer"]["applications"] == []
    assert mine["viewer"]["identity"]["identifier"] is None
    ask = {"application": CAMSP, "profile": DEPOSITOR, "finess": ["750790073"]}
    refused = await cnaps(REQUEST, {"input": ask}, token=someone.token)
    assert codes(refused["requestHabilitation"]) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    review = await cnaps(REVIEW, {"first": 5}, token=someone.token)
    assert review["habilitationRequestsToReview"]["totalCount"] == 0


# Statement counts ------------------------------------------------------------------------


async def test_my_account_and_the_review_list_cost_the_same_for_10_and_100(
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
    backend: str,
) -> None:
    counts: dict[int, tuple[int, int]] = {}
    for size in (10, 100):
        places = await add_structures(runtime, 3)
        manager = await application_manager(cnsa, runtime, smtp)
        holder = await person(cnsa, runtime, smtp, "holder")
        for _ in range(size):
            await grant(runtime, holder, places)
        askers = [await person(cnsa, runtime, smtp, "asker") for _ in range(3)]
        for index in range(size):
            await grant_request(runtime, askers[index % 3], places)
        with statements.count() as mine:
            data = await cnsa(MY_ACCOUNT, token=holder.token)
        assert data["viewer"]["habilitations"]["totalCount"] == size
        assert len(data["viewer"]["habilitations"]["nodes"][0]["structures"]) == 3
        with statements.count() as review:
            listed = await cnsa(REVIEW, {"first": 100}, token=manager.token)
        assert len(listed["habilitationRequestsToReview"]["nodes"]) >= size
        counts[size] = (len(mine), len(review))
    print(f"\nstatements (viewer habilitations+applications, review list) {backend}: {counts}")
    assert counts[10] == counts[100]


async def grant_request(runtime: Runtime, asker: Any, places: list[Any]) -> None:
    """A pending request written straight to the database."""
    from auth.habilitation.models import HabilitationRequest, HabilitationRequestStructure

    async with open_session(runtime.services.sessions, "cnsa") as session:
        row = HabilitationRequest(
            id=uuid.uuid4(),
            account_id=account_uuid(asker),
            application=CAMSP,
            profile=DEPOSITOR,
            structure_type="ESMS",
            status="PENDING",
            created_at=runtime.services.clock.now(),
        )
        session.add(row)
        await session.flush()
        for place in places:
            session.add(HabilitationRequestStructure(request_id=row.id, structure_id=place.id))
        await session.commit()


async def test_habilitation_refusals_are_errors_on_their_own_field(
    cnsa: GraphQLClient, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """Issue 9 (items 6, 12) for habilitations: a refused connection is null with its error,
    the viewer and the rest of `data` stay whole; a portal without habilitations is empty."""
    someone = await person(cnsa, runtime, smtp, "not-a-manager")
    query = """{ viewer { account { email } habilitations(first: 5) { totalCount } }
      habilitationRequestsToReview(first: 5) { totalCount } }"""
    body = (await cnsa.post(query, token=someone.token)).json()
    assert body["data"] == {
        "viewer": {"account": {"email": someone.email}, "habilitations": {"totalCount": 0}},
        "habilitationRequestsToReview": None,
    }
    [error] = body["errors"]
    assert error["path"] == ["habilitationRequestsToReview"]
    assert error["extensions"]["code"] == "NOT_APPLICATION_MANAGER"
    too_many = (
        await cnsa.post(query.replace("first: 5", "first: 101"), token=someone.token)
    ).json()
    assert too_many["data"]["viewer"] == {
        "account": {"email": someone.email},
        "habilitations": None,
    }
    by_path = {tuple(e["path"]): e["extensions"]["code"] for e in too_many["errors"]}
    assert by_path[("viewer", "habilitations")] == "PAGE_SIZE_TOO_LARGE"
    elsewhere = await person(cnaps, runtime, smtp, "elsewhere")
    quiet = await cnaps(query, token=elsewhere.token)
    assert quiet["viewer"]["habilitations"] == {"totalCount": 0}
    assert quiet["habilitationRequestsToReview"] == {"totalCount": 0}
