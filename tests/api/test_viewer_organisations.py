"""The viewer sees the organisations they act for, with role and permissions."""

from __future__ import annotations

from server.runtime import Runtime
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import agent, validated_organisation
from tests.helpers.smtp import SmtpServer

MY_ORGANISATIONS = """
query {
  viewer {
    memberships(first: 10) {
      totalCount
      nodes {
        id role permissions
        organisation { id name status viewerRole viewerPermissions siren }
      }
    }
  }
}
"""


async def test_administrator_sees_organisation_with_every_permission(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    data = await cnaps(MY_ORGANISATIONS, token=org.admin.token)
    connection = data["viewer"]["memberships"]
    assert connection["totalCount"] == 1
    [membership] = connection["nodes"]
    assert membership["role"] == "ADMINISTRATOR"
    assert "MANAGE_MANAGERS" in membership["permissions"]
    assert membership["organisation"]["id"] == org.id
    assert membership["organisation"]["viewerRole"] == "ADMINISTRATOR"
    assert membership["organisation"]["status"] == "VALIDATED"


async def test_organisation_node_is_hidden_from_strangers_and_other_tenants(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    query = "query($id: ID!) { node(id: $id) { id ... on Organisation { name } } }"
    assert (await cnaps(query, {"id": org.id}, token=org.admin.token))["node"]["id"] == org.id
    outsider = await agent(cnaps, runtime, delegations=("IDF",))
    assert (await cnaps(query, {"id": org.id}, token=outsider.token))["node"] is None
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    assert (await cnaps(query, {"id": org.id}, token=ouest.token))["node"]["id"] == org.id
    other_tenant = await agent(cnsa, runtime, delegations=("OUEST",))
    assert (await cnsa(query, {"id": org.id}, token=other_tenant.token))["node"] is None


async def test_organisation_history_is_for_its_administrator_only(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    query = """query($id: ID!) { node(id: $id) { ... on Organisation {
        auditEvents(first: 5) { totalCount nodes { action capacity actor { familyName } } } } } }"""
    data = await cnaps(query, {"id": org.id}, token=org.admin.token)
    assert data["node"]["auditEvents"]["totalCount"] >= 0
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    response = await cnaps.post(query, {"id": org.id}, token=ouest.token)
    body = response.json()
    assert body["data"]["node"] == {"auditEvents": None}  # the organisation, without its history
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["path"] == ["node", "auditEvents"]


async def test_nobody_has_acted_for_a_new_person(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    data = await cnaps(
        "query { viewer { actedForMe { totalCount } myActivity(first: 3) { totalCount nodes { action capacity } } } }",
        token=org.admin.token,
    )
    assert data["viewer"]["actedForMe"]["totalCount"] == 0
    actions = [n["action"] for n in data["viewer"]["myActivity"]["nodes"]]
    assert "SIGN_IN" in actions or "CONFIRM_EMAIL" in actions, actions
