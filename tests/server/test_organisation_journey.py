"""The organisation journey against a running `guichet serve`, as a script would run it: a
person registers a company with its documents; an agent made by `guichet authority
add-agent` validates it; the administrator invites a manager with only "manage employees";
the manager imports 200 employees from CSV, labels them, reads the dashboard and is denied
inviting another manager; a mandate is accepted by a person, used, revoked, then refused;
the person's "who acted for me" lists each act with its mandate.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.helpers.live_server import LiveServer, first_link, live_server, ok, text_of
from tests.helpers.organisation_flows import documents_for, organisation_input

PASSWORD = "Une-Phrase-Solide-42"
T = "cnaps"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("journey"), secrets=(PASSWORD,)) as running:
        yield running


def payload(response: httpx.Response, name: str) -> dict[str, Any]:
    result: dict[str, Any] = ok(response)[name]
    return result


def codes(result: dict[str, Any]) -> list[str]:
    return [error["code"] for error in result["errors"]]


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { errors { code } } }"""
CONFIRM = """mutation($t: String!) { confirmEmail(input: {token: $t}) { errors { code } } }"""
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) {
  accessToken mustChangePassword errors { code } } }"""
CHANGE_PASSWORD = """mutation($c: String!, $n: String!) {
  changePassword(input: {currentPassword: $c, newPassword: $n}) { errors { code } } }"""


def person(server: LiveServer, name: str) -> tuple[str, str]:
    """Register, confirm through the link that arrived, sign in: (e-mail, access token)."""
    email = f"{name}.{time.time_ns()}@example.org"
    identity = {
        "email": email,
        "password": PASSWORD,
        "familyName": name.capitalize(),
        "givenNames": "Alex",
        "birthDate": "1985-03-04",
        "birthCity": "Nantes",
        "birthCountry": "FR",
        "address": {
            "line1": "1 rue Kervégan",
            "postalCode": "44000",
            "city": "Nantes",
            "country": "FR",
        },
        "acceptTerms": True,
    }
    assert payload(server.gql(T, REGISTER, {"input": identity}), "register")["errors"] == []
    [mail] = server.mails(email)
    confirmed = payload(server.gql(T, CONFIRM, {"t": token_of(first_link(mail))}), "confirmEmail")
    assert confirmed["errors"] == []
    signed = payload(server.gql(T, SIGN_IN, {"e": email, "p": PASSWORD}), "signIn")
    assert signed["errors"] == []
    return email, signed["accessToken"]


def register_company(server: LiveServer, token: str) -> dict[str, Any]:
    data = organisation_input(name="Veille Océane SARL")
    files = documents_for(data)
    query = """mutation($input: RegisterOrganisationInput!) { registerOrganisation(input: $input) {
      organisation { id status viewerRole delegation { code } } errors { code field } } }"""
    operations = {"query": query, "variables": {"input": data}}
    mapping = {str(i): [f"variables.{path}"] for i, path in enumerate(files)}
    response = httpx.post(
        f"{server.base}/t/{T}/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files={str(i): spec for i, spec in enumerate(files.values())},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    result = payload(response, "registerOrganisation")
    assert result["errors"] == [], result
    organisation: dict[str, Any] = result["organisation"]
    return organisation


def agent_by_cli(server: LiveServer) -> str:
    """`guichet authority add-agent`, the temporary password from the e-mail, the change at
    first sign-in: the agent's access token."""
    email = f"agent.{time.time_ns()}@cnaps.example.org"
    done = server.guichet(
        "authority",
        "add-agent",
        "--tenant",
        T,
        "--email",
        email,
        "--delegation",
        "OUEST",
        "--family-name",
        "Agent",
        "--given-names",
        "Alex",
    )
    assert done.returncode == 0, done.stderr
    [mail] = server.mails(email)
    found = re.search(r"(?:Mot de passe provisoire|Temporary password) ?: (\S+)", text_of(mail))
    assert found, text_of(mail)
    temporary = found.group(1)
    assert temporary not in done.stdout + done.stderr
    first = payload(server.gql(T, SIGN_IN, {"e": email, "p": temporary}), "signIn")
    assert first["mustChangePassword"] is True
    changed = payload(
        server.gql(T, CHANGE_PASSWORD, {"c": temporary, "n": PASSWORD}, token=first["accessToken"]),
        "changePassword",
    )
    assert changed["errors"] == []  # the address that got the password is thereby confirmed
    again = payload(server.gql(T, SIGN_IN, {"e": email, "p": PASSWORD}), "signIn")
    assert again["mustChangePassword"] is False
    token: str = again["accessToken"]
    return token


INVITE = """mutation($input: InviteManagerInput!) { inviteManager(input: $input) {
  invitation { id status } errors { code field } } }"""
ACCEPT = """mutation($t: String!) { acceptInvitation(input: {token: $t}) {
  membership { id role permissions } errors { code } } }"""
REQUEST_MANDATE = """mutation($input: RequestMandateInput!) { requestMandate(input: $input) {
  mandate { id status } errors { code field } } }"""
ANSWER = """mutation($id: ID!) { %s(input: {mandateId: $id}) { mandate { id status } errors { code } } }"""
UPDATE_CONTACT = """mutation($input: UpdatePersonContactInput!) { updatePersonContact(input: $input) {
  mandate { id } errors { code field } } }"""
ACTED_FOR_ME = """{ viewer { actedForMe(first: 20) { totalCount nodes {
  action capacity actor { familyName } mandate { id status } } } } }"""


def test_the_whole_organisation_journey(server: LiveServer) -> None:
    admin_email, admin = person(server, "dirigeante")
    company = register_company(server, admin)
    assert (company["status"], company["viewerRole"]) == ("PENDING_VALIDATION", "ADMINISTRATOR")

    agent = agent_by_cli(server)
    queue = ok(server.gql(T, "{ organisationRequests(first: 50) { nodes { id } } }", token=agent))[
        "organisationRequests"
    ]["nodes"]
    assert {"id": company["id"]} in queue
    documents = ok(
        server.gql(
            T,
            """query($id: ID!) { node(id: $id) { ... on Organisation {
              documents(first: 5) { nodes { kind sha256 downloadUrl } } } } }""",
            {"id": company["id"]},
            token=agent,
        )
    )["node"]["documents"]["nodes"]
    for document in documents:  # the agent opens each piece before deciding
        opened = httpx.get(document["downloadUrl"], timeout=10)
        assert opened.status_code == 200
        assert hashlib.sha256(opened.content).hexdigest() == document["sha256"]
    validated = payload(
        server.gql(
            T,
            """mutation($id: ID!) { validateOrganisation(input: {organisationId: $id}) {
              organisation { status } errors { code } } }""",
            {"id": company["id"]},
            token=agent,
        ),
        "validateOrganisation",
    )
    assert validated == {"organisation": {"status": "VALIDATED"}, "errors": []}
    told = server.mails(admin_email, 2)[-1]
    assert told["X-Guichet-Template"] == "organisation_validated"

    # The administrator invites a manager with only "manage employees".
    manager_email, manager = person(server, "gestionnaire")
    invited = payload(
        server.gql(
            T,
            INVITE,
            {
                "input": {
                    "organisationId": company["id"],
                    "email": manager_email,
                    "permissions": ["MANAGE_EMPLOYEES"],
                }
            },
            token=admin,
        ),
        "inviteManager",
    )
    assert invited["errors"] == []
    invitation = server.mails(manager_email, 2)[-1]
    accepted = payload(
        server.gql(T, ACCEPT, {"t": token_of(first_link(invitation))}, token=manager),
        "acceptInvitation",
    )
    assert accepted["errors"] == []
    assert accepted["membership"]["permissions"] == ["MANAGE_EMPLOYEES"]

    worker_email, worker = person(server, "salarie")
    company_space(server, company["id"], manager, agent, worker)

    # The manager may not invite another manager: nothing is created.
    denied = payload(
        server.gql(
            T,
            INVITE,
            {"input": {"organisationId": company["id"], "email": "x@example.org"}},
            token=manager,
        ),
        "inviteManager",
    )
    assert codes(denied) == ["PERMISSION_MISSING"]
    pending = ok(
        server.gql(
            T,
            """query($id: ID!) { node(id: $id) { ... on Organisation {
              invitations(first: 10) { totalCount } } } }""",
            {"id": company["id"]},
            token=admin,
        )
    )
    assert pending["node"]["invitations"]["totalCount"] == 0

    # A trusted-third-party mandate: accepted, used, revoked, then refused.
    requested = payload(
        server.gql(
            T,
            REQUEST_MANDATE,
            {
                "input": {
                    "organisationId": company["id"],
                    "email": worker_email,
                    "scopes": ["FILE_DOSSIERS", "FOLLOW_DOSSIERS"],
                }
            },
            token=admin,
        ),
        "requestMandate",
    )
    assert requested["errors"] == []
    mandate_id = requested["mandate"]["id"]
    given = ok(server.gql(T, "{ viewer { mandatesGiven { nodes { id status } } } }", token=worker))
    assert {"id": mandate_id, "status": "REQUESTED"} in given["viewer"]["mandatesGiven"]["nodes"]
    answer = payload(
        server.gql(T, ANSWER % "acceptMandate", {"id": mandate_id}, token=worker), "acceptMandate"
    )
    assert answer["mandate"]["status"] == "ACCEPTED"
    viewer = ok(server.gql(T, "{ viewer { person { id } } }", token=worker))
    person_id = viewer["viewer"]["person"]["id"]
    contact = {"personId": person_id, "phone": "+33 6 11 22 33 44", "mandateId": mandate_id}
    used = payload(
        server.gql(T, UPDATE_CONTACT, {"input": contact}, token=admin), "updatePersonContact"
    )
    assert used == {"mandate": {"id": mandate_id}, "errors": []}
    revoked = payload(
        server.gql(T, ANSWER % "revokeMandate", {"id": mandate_id}, token=worker), "revokeMandate"
    )
    assert revoked["mandate"]["status"] == "REVOKED"
    refused = payload(
        server.gql(
            T, UPDATE_CONTACT, {"input": contact | {"phone": "+33 7 00 00 00 00"}}, token=admin
        ),
        "updatePersonContact",
    )
    assert codes(refused) == ["MANDATE_REVOKED"]
    phone = ok(server.gql(T, "{ viewer { person { phone } } }", token=worker))
    assert phone["viewer"]["person"]["phone"] == "+33611223344"

    acted = ok(server.gql(T, ACTED_FOR_ME, token=worker))["viewer"]["actedForMe"]
    acts = [n for n in acted["nodes"] if n["action"] == "UPDATE_PERSON_CONTACT"]
    assert len(acts) == 1
    [act] = acts
    assert act["capacity"] == "TRUSTED_THIRD_PARTY"
    assert act["mandate"] == {"id": mandate_id, "status": "REVOKED"}
    assert act["actor"]["familyName"] == "Dirigeante"


ISSUE_TITLE = """mutation($input: IssueTitleInput!) { issueTitle(input: $input) {
  title { number colour } errors { code field } } }"""
IMPORT = """mutation($input: ImportEmployeesInput!) { importEmployees(input: $input) {
  importedCount createdLabelCount errors { code field message line column } } }"""
DASHBOARD = """query($id: ID!, $filter: DashboardFilterInput) { node(id: $id) { ... on Organisation {
  dashboard(first: 50, filter: $filter) { totalCount totals { green orange red }
    pageInfo { hasNextPage endCursor }
    nodes { id familyName titleNumber colour labels { name } title { status expiresOn } } } } } }"""


def company_space(
    server: LiveServer, organisation_id: str, manager: str, agent: str, worker: str
) -> None:
    """The manager imports 200 employees from CSV, labels them, reads the dashboard."""
    worker_person = ok(server.gql(T, "{ viewer { person { id familyName } } }", token=worker))
    holder = worker_person["viewer"]["person"]
    issued = payload(
        server.gql(
            T,
            ISSUE_TITLE,
            {
                "input": {
                    "kind": "CAR",
                    "departement": "44",
                    "activities": ["SURVEILLANCE"],
                    "holderPersonId": holder["id"],
                }
            },
            token=agent,
        ),
        "issueTitle",
    )
    assert issued["errors"] == [] and issued["title"]["colour"] == "GREEN"
    lines = ["nom;prénoms;numéro de titre;libellés"]
    lines.append(f"{holder['familyName']};Alex;{issued['title']['number']};Site Airbus")
    for n in range(199):
        number = f"CAR-044-2030-01-31-2025{n:07d}"
        lines.append(f"Agent{n:03d};Lou;{number};{'Site Airbus' if n % 2 else 'Site Gare'}")
    broken = [*lines[:10], "SansNumero;Lou;;Site Gare", "Double;Lou;not-a-number;"]
    refused = payload(
        server.gql(
            T,
            IMPORT,
            {"input": {"organisationId": organisation_id, "csv": "\n".join(broken)}},
            token=manager,
        ),
        "importEmployees",
    )
    assert refused["importedCount"] == 0
    assert {e["code"] for e in refused["errors"]} <= {
        "CSV_LINE_MISSING_VALUE",
        "CSV_LINE_INVALID_VALUE",
    }
    assert [(e["line"], e["column"]) for e in refused["errors"]] == [(11, 3), (12, 3)]
    empty = ok(server.gql(T, DASHBOARD, {"id": organisation_id}, token=manager))
    assert empty["node"]["dashboard"]["totalCount"] == 0  # nothing half-imported

    imported = payload(
        server.gql(
            T,
            IMPORT,
            {"input": {"organisationId": organisation_id, "csv": "\n".join(lines)}},
            token=manager,
        ),
        "importEmployees",
    )
    assert imported == {"importedCount": 200, "createdLabelCount": 2, "errors": []}

    label = payload(
        server.gql(
            T,
            """mutation($id: ID!) { createLabel(input: {organisationId: $id, name: "Équipe de nuit"}) {
              label { id name } errors { code } } }""",
            {"id": organisation_id},
            token=manager,
        ),
        "createLabel",
    )["label"]
    first_page = ok(server.gql(T, DASHBOARD, {"id": organisation_id}, token=manager))
    dashboard = first_page["node"]["dashboard"]
    assert dashboard["totalCount"] == 200
    assert dashboard["totals"] == {"green": 1, "orange": 0, "red": 199}
    assert len(dashboard["nodes"]) == 50 and dashboard["pageInfo"]["hasNextPage"]
    ids = [node["id"] for node in dashboard["nodes"][:20]]
    assigned = payload(
        server.gql(
            T,
            """mutation($label: ID!, $ids: [ID!]!) { assignLabel(input: {labelId: $label, employeeIds: $ids}) {
              ok label { employeeCount } errors { code } } }""",
            {"label": label["id"], "ids": ids},
            token=manager,
        ),
        "assignLabel",
    )
    assert assigned == {"ok": True, "label": {"employeeCount": 20}, "errors": []}
    night = ok(
        server.gql(
            T,
            DASHBOARD,
            {"id": organisation_id, "filter": {"labelIds": [label["id"]]}},
            token=manager,
        )
    )["node"]["dashboard"]
    assert night["totalCount"] == 20
    assert all({"name": "Équipe de nuit"} in node["labels"] for node in night["nodes"])
    green = ok(
        server.gql(
            T, DASHBOARD, {"id": organisation_id, "filter": {"colours": ["GREEN"]}}, token=manager
        )
    )["node"]["dashboard"]
    assert [node["titleNumber"] for node in green["nodes"]] == [issued["title"]["number"]]
