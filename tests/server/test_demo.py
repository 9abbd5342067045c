"""`guichet demo` loads its accounts through the services, once."""

from __future__ import annotations

from server.demo import AGENT_EMAIL, DEMO_PASSWORD, load_demo
from server.runtime import Runtime
from tests.helpers.flows import SIGN_IN, VIEWER
from tests.helpers.graphql import GraphQLClient, codes

COMPANY = """
query {
  viewer {
    memberships(first: 5) {
      nodes {
        role
        organisation {
          name status
          dashboard(first: 20) {
            totalCount totals { green orange red }
            nodes { familyName hasAccount colour labels { name } title { status } }
          }
          labels(first: 5) { nodes { name employeeCount } }
        }
      }
    }
  }
}
"""


async def test_demo_accounts_sign_in_and_loading_twice_changes_nothing(
    runtime: Runtime, cnaps: GraphQLClient, cnsa: GraphQLClient
) -> None:
    first = await load_demo(runtime)
    assert await load_demo(runtime) == first
    assert any(line.startswith("cnaps:") for line in first)
    assert any(line.startswith("cnsa:") for line in first)
    camille = await cnaps(
        SIGN_IN, {"email": "camille.martin@demo.guichet.example.org", "password": DEMO_PASSWORD}
    )
    token = camille["signIn"]["accessToken"]
    assert (await cnaps(VIEWER, token=token))["viewer"]["person"]["familyName"] == "Martin"
    karim = await cnaps(
        SIGN_IN, {"email": "karim.benali@demo.guichet.example.org", "password": DEMO_PASSWORD}
    )
    assert codes(karim["signIn"]) == ["EMAIL_NOT_CONFIRMED"]
    yamile = await cnsa(
        SIGN_IN, {"email": "yamile.zemirli@demo.guichet.example.org", "password": DEMO_PASSWORD}
    )
    assert yamile["signIn"]["mustChangePassword"] is True


async def test_demo_company_space_and_authority_agent(
    runtime: Runtime, cnaps: GraphQLClient
) -> None:
    lines = await load_demo(runtime)
    assert f"cnaps: {AGENT_EMAIL} / {DEMO_PASSWORD} (authority agent, delegation OUEST)" in lines
    assert any("12 employees, 2 labels" in line for line in lines)
    agent = (await cnaps(SIGN_IN, {"email": AGENT_EMAIL, "password": DEMO_PASSWORD}))["signIn"]
    assert agent["errors"] == [] and agent["mustChangePassword"] is False
    camille = await cnaps(
        SIGN_IN, {"email": "camille.martin@demo.guichet.example.org", "password": DEMO_PASSWORD}
    )
    data = await cnaps(COMPANY, token=camille["signIn"]["accessToken"])
    [membership] = data["viewer"]["memberships"]["nodes"]
    assert membership["role"] == "ADMINISTRATOR"
    organisation = membership["organisation"]
    assert organisation["status"] == "VALIDATED"
    dashboard = organisation["dashboard"]
    assert dashboard["totalCount"] == 12
    assert dashboard["totals"] == {"green": 5, "orange": 3, "red": 4}
    statuses = {n["title"]["status"] for n in dashboard["nodes"] if n["title"]}
    assert statuses == {"VALID", "EXPIRED", "SUSPENDED", "WITHDRAWN"}
    benali = next(n for n in dashboard["nodes"] if n["familyName"] == "Benali")
    assert benali["hasAccount"] is True and benali["colour"] == "GREEN"
    labels = {n["name"]: n["employeeCount"] for n in organisation["labels"]["nodes"]}
    assert sum(labels.values()) == 9 and len(labels) == 2
