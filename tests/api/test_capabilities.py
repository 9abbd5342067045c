"""Features belong to tenants: a pack lists the capabilities it offers; the others answer
NOT_AVAILABLE_ON_THIS_PORTAL (decided by the policy), their query fields are null or empty,
and `tenant { capabilities }` tells frontends which exist."""

from __future__ import annotations

import uuid
from typing import Any

from server.runtime import Runtime
from tests.conftest import unique_email
from tests.helpers.company import ADD_EMPLOYEE, CREATE_LABEL, IMPORT
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import agent, gid, validated_organisation
from tests.helpers.smtp import SmtpServer

TENANT = "query { tenant { capabilities activities { code } } }"

ORGANISATION_FIELDS = """
query($id: ID!) {
  node(id: $id) {
    ... on Organisation {
      id
      dashboard(first: 5) { totalCount }
      labels(first: 5) { totalCount }
      alerts(first: 5) { totalCount }
      employeesCsv
      mandates(first: 5) { totalCount edges { cursor } }
      memberships(first: 5) { totalCount }
    }
  }
}
"""

VIEWER_FIELDS = """
query {
  viewer {
    person { id }
    titles(first: 5) { totalCount }
    alerts(first: 5) { totalCount }
    mandatesReceived(first: 5) { totalCount }
  }
}
"""

ISSUE = """
mutation($input: IssueTitleInput!) { issueTitle(input: $input) { title { id } errors {
  code field message } } }
"""

REQUEST_MANDATE = """
mutation($input: RequestMandateInput!) { requestMandate(input: $input) { errors {
  code field message } } }
"""


async def test_each_portal_lists_its_capabilities(
    cnaps: GraphQLClient, cnsa: GraphQLClient
) -> None:
    every = await cnaps(TENANT)
    assert every["tenant"]["capabilities"] == [
        "ORGANISATIONS",
        "MANAGERS",
        "MANDATES",
        "COMPANY_SPACE",
        "TITLES",
    ]
    assert len(every["tenant"]["activities"]) == 10
    access_portal = await cnsa(TENANT)
    assert access_portal["tenant"] == {
        "capabilities": ["ORGANISATIONS", "MANAGERS", "HABILITATIONS", "DOCUMENT_DEPOSIT"],
        "activities": [],  # mentions on titles: none without titles
    }


async def test_the_company_space_is_not_available_on_the_cnsa_portal(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    structure = await validated_organisation(cnsa, runtime, smtp, kind="STRUCTURE")
    token = structure.admin.token
    added = await cnsa(
        ADD_EMPLOYEE,
        {
            "input": {
                "organisationId": structure.id,
                "familyName": "Moreau",
                "titleNumber": "CAR-044-2031-01-15-20260000001",
            }
        },
        token=token,
    )
    payload = added["addEmployee"]
    assert payload["employee"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("NOT_AVAILABLE_ON_THIS_PORTAL", None)
    ]
    assert payload["errors"][0]["message"].startswith("Ce service n'est pas proposé")
    english = await cnsa(
        CREATE_LABEL, {"input": {"organisationId": structure.id, "name": "Site"}}, token=token
    )
    assert codes(english["createLabel"]) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    in_english = await cnsa(
        CREATE_LABEL,
        {"input": {"organisationId": structure.id, "name": "Site"}},
        token=token,
        lang="en",
    )
    message = in_english["createLabel"]["errors"][0]["message"]
    assert message == "This service is not offered on this portal (see tenant.capabilities)."
    imported = await cnsa(
        IMPORT,
        {"input": {"organisationId": structure.id, "csv": "nom;numéro de titre\nA;B\n"}},
        token=token,
    )
    assert codes(imported["importEmployees"]) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    # an object looked up by ID: the same answer, not NOT_FOUND (it cannot exist here)
    for mutation, argument, type_name in (
        ("removeEmployee", "employeeId", "Employee"),
        ("deleteLabel", "labelId", "Label"),
        ("markAlertRead", "alertId", "Alert"),
        ("acceptMandate", "mandateId", "Mandate"),
    ):
        document = f"mutation($id: ID!) {{ {mutation}(input: {{{argument}: $id}}) {{ errors {{ code }} }} }}"
        answered = await cnsa(document, {"id": gid(type_name, uuid.uuid4())}, token=token)
        assert codes(answered[mutation]) == ["NOT_AVAILABLE_ON_THIS_PORTAL"], mutation
    # reading: null or empty, and no error
    response = await cnsa.post(ORGANISATION_FIELDS, {"id": structure.id}, token=token)
    body = response.json()
    assert "errors" not in body, body
    node = body["data"]["node"]
    assert node["dashboard"] is None and node["labels"] is None and node["alerts"] is None
    assert node["employeesCsv"] is None
    assert node["mandates"] == {"totalCount": 0, "edges": []}
    assert node["memberships"]["totalCount"] == 1  # managers: offered on both portals
    viewer = await cnsa(VIEWER_FIELDS, token=token)
    assert viewer["viewer"]["person"]["id"]
    assert viewer["viewer"]["titles"] == {"totalCount": 0}
    assert viewer["viewer"]["alerts"] == {"totalCount": 0}
    assert viewer["viewer"]["mandatesReceived"] == {"totalCount": 0}


async def test_titles_and_mandates_are_not_available_on_the_cnsa_portal(
    cnsa: GraphQLClient, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await agent(cnsa, runtime)
    title: dict[str, Any] = {"kind": "CAR", "activities": [], "holderFamilyName": "Moreau"}
    issued = await cnsa(ISSUE, {"input": title}, token=officer.token)
    assert codes(issued["issueTitle"]) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    structure = await validated_organisation(cnsa, runtime, smtp, kind="STRUCTURE")
    asked = await cnsa(
        REQUEST_MANDATE,
        {
            "input": {
                "organisationId": structure.id,
                "email": unique_email(),
                "scopes": ["FOLLOW_DOSSIERS"],
            }
        },
        token=structure.admin.token,
    )
    assert codes(asked["requestMandate"]) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    # the same on cnaps goes on to the rules of the feature
    on_cnaps = await cnaps(ISSUE, {"input": title}, token=(await agent(cnaps, runtime)).token)
    assert set(codes(on_cnaps["issueTitle"])) == {"REQUIRED", "ACTIVITY_REQUIRED"}
