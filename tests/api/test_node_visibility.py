"""Every node of an organisation, asked through `node`/`nodes` by someone who may not see it —
the administrator of another organisation, a person with no tie, an agent of another tenant —
answers exactly as an ID that does not exist: `null`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.runtime import Runtime
from tests.api.test_invitations import invite
from tests.api.test_mandates import mandate_in_force
from tests.helpers.company import add_employee, expiring, issuer, today
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import agent, gid, person, validated_organisation
from tests.helpers.smtp import SmtpServer

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }"
OWN_NODES = """query($id: ID!) { node(id: $id) { ... on Organisation {
  establishments(first: 5) { nodes { id } }
  documents(first: 5) { nodes { id } }
  memberships(first: 5) { nodes { id } }
  labels(first: 5) { nodes { id } }
  auditEvents(first: 5) { nodes { id } }
  alerts(first: 5) { nodes { id } }
} } }"""


async def every_node_of_an_organisation(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> tuple[str, list[str]]:
    org, _someone, mandate = await mandate_in_force(cnaps, runtime, smtp, ["FOLLOW_DOSSIERS"])
    token = org.admin.token
    invited = await invite(cnaps, org, "future.manager@example.org", ["MANAGE_EMPLOYEES"])
    label = (
        await cnaps(
            """mutation($id: ID!) { createLabel(input: {organisationId: $id, name: "Site Gare"}) {
              label { id } errors { code } } }""",
            {"id": org.id},
            token=token,
        )
    )["createLabel"]["label"]["id"]
    titles = await issuer(cnaps, runtime)
    title = await titles.issue(expiring("Martin", today(runtime) + timedelta(days=900)))
    employee = await add_employee(cnaps, token, org, "Martin", title.number)
    suspended = await cnaps(
        """mutation($id: ID!) { changeTitleStatus(input: {titleId: $id, status: SUSPENDED,
          reason: "Enquête en cours"}) { errors { code } } }""",
        {"id": gid("Title", title.id)},
        token=titles.officer.token,
    )
    assert suspended["changeTitleStatus"]["errors"] == []
    own = (await cnaps(OWN_NODES, {"id": org.id}, token=token))["node"]
    ids = [
        org.id,
        mandate,
        invited["invitation"]["id"],
        label,
        employee["employee"]["id"],
        *(n["id"] for n in own["establishments"]["nodes"]),
        *(n["id"] for n in own["documents"]["nodes"]),
        *(n["id"] for n in own["memberships"]["nodes"]),
        *(n["id"] for n in own["auditEvents"]["nodes"]),
        *(n["id"] for n in own["alerts"]["nodes"]),
    ]
    seen = (await cnaps(NODES, {"ids": ids}, token=token))["nodes"]
    assert all(node is not None for node in seen), list(zip(ids, seen, strict=True))
    return token, ids


async def test_nodes_of_an_organisation_are_null_for_whoever_may_not_see_them(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    _token, ids = await every_node_of_an_organisation(cnaps, runtime, smtp)
    kinds = {
        node["__typename"] for node in (await cnaps(NODES, {"ids": ids}, token=_token))["nodes"]
    }
    assert {
        "Organisation",
        "Mandate",
        "Invitation",
        "Label",
        "Employee",
        "Establishment",
        "OrganisationDocument",
        "Membership",
        "AuditEvent",
        "Alert",
    } <= kinds
    other = await validated_organisation(cnaps, runtime, smtp, name="Concurrente SAS")
    stranger = await person(cnaps, runtime, smtp, "stranger")
    elsewhere = await agent(cnaps, runtime, delegations=("IDF",))
    other_tenant = await person(cnsa, runtime, smtp, "cnsa")
    for client, token in (
        (cnaps, other.admin.token),
        (cnaps, stranger.token),
        (cnaps, elsewhere.token),
        (cnsa, other_tenant.token),
        (cnaps, None),
    ):
        answered: list[Any] = (await client(NODES, {"ids": ids}, token=token))["nodes"]
        visible = [(i, n) for i, n in zip(ids, answered, strict=True) if n is not None]
        assert visible == [], (token, visible)
