"""What frontend tools rely on (issue 9, items 6, 7, 8, 10, 12): a refusal is an error on the
refused field only, with machine-readable details; an `id` names one object of one type; an
audit event points to nodes, read in a bounded number of statements."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, build_schema
from strawberry.relay import GlobalID

from auth.audit.models import AuditEvent
from server.database import StatementCounter
from server.runtime import Runtime
from tenants.session import open_session
from tests.api.test_invitations import invite, make_manager
from tests.api.test_mandates import answer, request
from tests.conftest import unique_email
from tests.helpers.clock import TestClock
from tests.helpers.company import uuid_of
from tests.helpers.flows import PASSWORD, signed_in
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import agent, person, validated_organisation
from tests.helpers.smtp import SmtpServer

# --- 6 / 12: a refusal is an error on that field only ------------------------------------


async def test_a_refused_root_field_leaves_the_viewer_and_data_whole(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnaps, runtime, smtp, "curious")
    query = "{ viewer { account { email } } organisationRequests { totalCount } }"
    body = (await cnaps.post(query, token=someone.token)).json()
    assert body["data"]["viewer"] == {"account": {"email": someone.email}}
    assert body["data"]["organisationRequests"] is None
    [error] = body["errors"]
    assert error["path"] == ["organisationRequests"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    # an agent of the authority gets the list
    reviewer = await agent(cnaps, runtime)
    seen = await cnaps(query, token=reviewer.token)
    assert seen["organisationRequests"]["totalCount"] >= 0


async def test_titles_refused_under_mandates_received_leave_the_viewer(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    asked = await request(cnaps, org, unique_email("asked"), ["FOLLOW_DOSSIERS"])
    assert asked["errors"] == []
    query = "{ viewer { mandatesReceived { nodes { status titles { totalCount } } } } }"
    body = (await cnaps.post(query, token=org.admin.token)).json()
    # before: {"viewer": null}, which README says means "not signed in"
    assert body["data"] == {
        "viewer": {"mandatesReceived": {"nodes": [{"status": "REQUESTED", "titles": None}]}}
    }
    [error] = body["errors"]
    assert error["path"] == ["viewer", "mandatesReceived", "nodes", 0, "titles"]
    assert error["extensions"] == {"code": "MANDATE_NOT_ACCEPTED"}


async def test_a_page_above_the_maximum_is_an_error_on_that_field_only(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    query = """{ viewer {
        account { email sessions(first: 101) { totalCount } }
        memberships(first: 100) { totalCount }
        mandatesGiven(first: 5) { totalCount }
    } }"""
    body = (await cnaps.post(query, token=org.admin.token, lang="en")).json()
    assert body["data"]["viewer"]["account"] == {"email": org.admin.email, "sessions": None}
    assert body["data"]["viewer"]["memberships"] == {"totalCount": 1}
    assert body["data"]["viewer"]["mandatesGiven"] == {"totalCount": 0}
    [error] = body["errors"]
    assert error["path"] == ["viewer", "account", "sessions"]
    assert error["extensions"] == {"code": "PAGE_SIZE_TOO_LARGE", "field": ["first"], "max": 100}
    assert error["message"] == "Too many items asked per page (first): 100 at most."
    # a nested connection read in one batch for every parent: the same answer
    nested = """query($id: ID!) { node(id: $id) { ... on Organisation {
        name establishments(first: 1000) { totalCount } } } }"""
    body = (await cnaps.post(nested, {"id": org.id}, token=org.admin.token)).json()
    assert body["data"]["node"] == {"name": "Gardiennage Atlantique", "establishments": None}
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_TOO_LARGE"
    assert "100 au plus" in body["errors"][0]["message"]
    negative = (
        await cnaps.post(nested.replace("1000", "-1"), {"id": org.id}, token=org.admin.token)
    ).json()
    assert negative["errors"][0]["extensions"]["code"] == "INVALID_FORMAT"


def test_every_connection_may_be_refused_alone() -> None:
    """Every field taking `first` answers a nullable connection, so a refusal (its page size,
    a permission) never nulls its parent."""
    with open("schema.graphql", encoding="utf-8") as sdl:
        schema = build_schema(sdl.read())
    paginated = []
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            if "first" in field.args:
                paginated.append(f"{type_.name}.{name}")
                assert not isinstance(field.type, GraphQLNonNull), f"{type_.name}.{name}"
                assert "after" in field.args
    assert len(paginated) >= 18  # viewer, organisation, mandate, account and root connections


async def test_a_document_refused_by_validation_or_syntax_carries_a_code(
    cnaps: GraphQLClient,
) -> None:
    unknown = (await cnaps.post("{ viewer { nope } }")).json()
    assert unknown["data"] is None
    [error] = unknown["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Cannot query field 'nope'" in error["message"]
    broken = (await cnaps.post("{ viewer { ")).json()
    assert broken["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    typed = (await cnaps.post("query($n: Int) { tenant { slug } }", {"n": "ten"})).json()
    assert typed["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


# --- 7: machine-readable details beside the message --------------------------------------


async def test_a_missing_permission_is_named_in_the_payload_and_in_the_error(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    manager, _membership = await make_manager(cnaps, runtime, smtp, org, ["MANAGE_EMPLOYEES"])
    refused = await cnaps(
        """mutation($input: InviteManagerInput!) { inviteManager(input: $input) {
            errors { code field message permission line column retryAfterSeconds max } } }""",
        {"input": {"organisationId": org.id, "email": unique_email("y"), "permissions": []}},
        token=manager.token,
    )
    [error] = refused["inviteManager"]["errors"]
    assert error["code"] == "PERMISSION_MISSING"
    assert error["permission"] == "MANAGE_MANAGERS"
    assert (error["line"], error["column"], error["retryAfterSeconds"]) == (None, None, None)
    read = """query($id: ID!) { node(id: $id) { ... on Organisation { name invitations { totalCount } } } }"""
    body = (await cnaps.post(read, {"id": org.id}, token=manager.token)).json()
    assert body["data"]["node"] == {"name": "Gardiennage Atlantique", "invitations": None}
    assert body["errors"][0]["extensions"] == {
        "code": "PERMISSION_MISSING",
        "permission": "MANAGE_MANAGERS",
    }


async def test_a_locked_account_says_how_long_to_wait_in_seconds(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    email = unique_email()
    await signed_in(cnaps, runtime, smtp, email)
    document = """mutation($email: String!, $password: String!) {
        signIn(input: {email: $email, password: $password}) {
            errors { code retryAfterSeconds } } }"""
    wrong = {"email": email, "password": "Mauvais-mot-de-passe"}
    for _ in range(4):
        response = await cnaps.post(document, wrong)
        assert "retry-after" not in response.headers
    locked = await cnaps.post(document, wrong)
    [error] = locked.json()["data"]["signIn"]["errors"]
    assert error == {"code": "ACCOUNT_LOCKED", "retryAfterSeconds": 30}
    assert locked.headers["Retry-After"] == "30"
    still = await cnaps.post(document, {"email": email, "password": PASSWORD})
    seconds = still.json()["data"]["signIn"]["errors"][0]["retryAfterSeconds"]
    assert 0 < seconds <= 30 and still.headers["Retry-After"] == str(seconds)


# --- 8: an audit event points to nodes, in a bounded number of statements ----------------


EVENTS = """query($id: ID!, $first: Int) { node(id: $id) { ... on Organisation {
  auditEvents(first: $first) { totalCount nodes {
    id action capacity permission byAuthorityAgent
    actor { familyName givenNames }
    subject { __typename id }
    organisation { __typename id name }
    membership { __typename id role }
    mandate { __typename id }
  } } } } }"""


async def _events(runtime: Runtime, tenant: str, count: int, **row: Any) -> None:
    async with open_session(runtime.services.sessions, tenant) as session:
        now = datetime.now(UTC)
        kinds = row.pop("subjects")
        session.add_all(
            AuditEvent(at=now, details={}, **row, **kinds[i % len(kinds)]) for i in range(count)
        )
        await session.commit()


async def test_audit_events_resolve_their_nodes_in_a_bounded_number_of_statements(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, statements: StatementCounter
) -> None:
    counts = []
    for size in (10, 100):
        org = await validated_organisation(cnaps, runtime, smtp)
        mine = await cnaps(
            "{ viewer { account { id } memberships { nodes { id } } } }", token=org.admin.token
        )
        membership = mine["viewer"]["memberships"]["nodes"][0]["id"]
        account = mine["viewer"]["account"]["id"]
        subjects = [
            {"subject_type": "Organisation", "subject_id": org.uuid},
            {"subject_type": "Membership", "subject_id": uuid_of(membership)},
            {"subject_type": "Account", "subject_id": uuid_of(account)},
            {"subject_type": "AuthSession", "subject_id": uuid.uuid4()},  # gone: null
        ]
        await _events(
            runtime,
            "cnaps",
            size,
            action="UPDATE_ORGANISATION",
            capacity="ADMINISTRATOR",
            actor_account_id=uuid_of(account),
            via_type="Membership",
            via_id=uuid_of(membership),
            organisation_id=org.uuid,
            subjects=subjects,
        )
        with statements.count() as seen:
            body = await cnaps(EVENTS, {"id": org.id, "first": 100}, token=org.admin.token)
        counts.append(len(seen))
        events = body["node"]["auditEvents"]
        assert events["totalCount"] >= size
        made = [e for e in events["nodes"] if e["action"] == "UPDATE_ORGANISATION"]
        assert len(made) == size
        assert {e["subject"]["__typename"] if e["subject"] else None for e in made} == {
            "Organisation",
            "Membership",
            "Account",
            None,
        }
        for event in made:
            assert event["organisation"] == {
                "__typename": "Organisation",
                "id": org.id,
                "name": "Gardiennage Atlantique",
            }
            assert event["membership"] == {
                "__typename": "Membership",
                "id": membership,
                "role": "ADMINISTRATOR",
            }
            assert event["mandate"] is None and event["byAuthorityAgent"] is False
            assert event["actor"]["familyName"]
    print(f"auditEvents with their nodes, 10 and 100 events: {counts} statements")
    assert counts[0] == counts[1], counts


async def test_an_organisation_names_its_delegation_and_a_refused_import_counts_zero(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)  # head office in Nantes
    query = """query($id: ID!) { node(id: $id) { ... on Organisation {
        delegation { code name email departements } } } }"""
    delegation = (await cnaps(query, {"id": org.id}, token=org.admin.token))["node"]["delegation"]
    assert delegation["code"] == "OUEST" and delegation["name"] == "Ouest"
    assert delegation["email"] == "cnaps-dt-ouest@interieur.gouv.fr"
    assert "44" in delegation["departements"]
    refused = await cnaps(
        """mutation($input: ImportEmployeesInput!) { importEmployees(input: $input) {
            importedCount createdLabelCount errors { code } } }""",
        {"input": {"organisationId": org.id, "csv": "  "}},
        token=org.admin.token,
    )
    assert refused["importEmployees"] == {
        "importedCount": 0,
        "createdLabelCount": 0,
        "errors": [{"code": "CSV_EMPTY"}],
    }


# --- 10: one global ID, one object of one type --------------------------------------------


def _typed_ids(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        if "id" in value and "__typename" in value:
            yield value["id"], value["__typename"]
        for item in value.values():
            yield from _typed_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _typed_ids(item)


def with_typenames(document: str) -> str:
    """Ask `__typename` of every object of the document."""
    return document.replace("{", "{ __typename ")


RICH = with_typenames(
    """query {
  viewer {
    account { id sessions(first: 3) { nodes { id } } }
    person { id }
    memberships(first: 3) { nodes {
      id person { familyName }
      organisation {
        id name delegation { code }
        memberships(first: 5, includeRevoked: true) { nodes { id person { familyName } organisation { id } } }
        invitations(first: 5) { nodes { id organisation { id } } }
        mandates(first: 5) { nodes { id person { familyName } organisation { name siren } } }
        establishments(first: 3) { nodes { id organisation { id } } }
        auditEvents(first: 20) { nodes {
          id actor { familyName } subject { id } organisation { id } membership { id }
          mandate { id organisation { name } }
        } }
      }
    } }
    mandatesReceived(first: 5) { nodes { id person { familyName } organisation { name } } }
    mandatesGiven(first: 5) { nodes { id person { familyName } organisation { name } } }
    actedForMe(first: 10) { nodes { id subject { id } mandate { id } organisation { id } } }
    myActivity(first: 20) { nodes { id subject { id } membership { id } mandate { id } } }
  }
}"""
)


async def test_every_id_names_one_object_of_one_type(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    await make_manager(cnaps, runtime, smtp, org, ["MANAGE_EMPLOYEES"])
    assert (await invite(cnaps, org, unique_email("pending"), ["MANAGE_MANAGERS"]))["errors"] == []
    worker = await person(cnaps, runtime, smtp, "worker")
    asked = await request(cnaps, org, worker.email, ["FOLLOW_DOSSIERS"])
    assert (await answer(cnaps, "acceptMandate", asked["mandate"]["id"], worker.token))[
        "errors"
    ] == []
    await request(cnaps, org, unique_email("nobody"), ["FILE_DOSSIERS"])
    seen: dict[str, set[str]] = {}
    for token in (org.admin.token, worker.token):
        response = await cnaps.post(RICH, token=token)
        body = response.json()
        assert "errors" not in body, body
        for id_, typename in _typed_ids(body["data"]):
            seen.setdefault(id_, set()).add(typename)
    shared = {id_: names for id_, names in seen.items() if len(names) > 1}
    assert shared == {}
    # and each ID says the type it is the ID of (Relay's store keys records by it)
    for id_, (typename,) in seen.items():
        assert GlobalID.from_id(id_).type_name == typename
    kinds = {typename for names in seen.values() for typename in names}
    assert {"Account", "Person", "Organisation", "Membership", "Invitation", "Mandate"} <= kinds
    assert {"AuditEvent", "Establishment", "SignInSession"} <= kinds
