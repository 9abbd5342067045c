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
