"""One request, one transaction: however many DataLoaders and resolvers run concurrently, a
query reads in a single transaction (one BEGIN, the tenant's set_config once, one ROLLBACK),
its authentication included; a mutation commits once."""

from __future__ import annotations

from server.database import StatementCounter
from server.runtime import Runtime
from tests.helpers.company import CREATE_LABEL, add_employee, colour_dates, expiring, issuer
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import validated_organisation
from tests.helpers.smtp import SmtpServer

MANY = """
query($org: ID!, $ids: [ID!]!) {
  viewer { person { id familyName } }
  tenant { slug }
  org: node(id: $org) {
    ... on Organisation {
      name
      dashboard(first: 5) {
        totalCount totals { green red }
        edges { node { familyName colour labels { name } establishment { siret } } }
      }
      labels(first: 5) { totalCount edges { node { name employeeCount } } }
      alerts(first: 5) { totalCount }
    }
  }
  nodes(ids: $ids) {
    id
    ... on Employee { familyName colour title { number } labels { name employeeCount } }
    ... on Label { name employeeCount }
    ... on Establishment { siret organisation { name } }
  }
}
"""


async def test_many_concurrent_loaders_read_in_one_transaction(
    cnaps: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
    backend: str,
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    officer = await issuer(cnaps, runtime)
    dates = colour_dates(runtime)
    token = org.admin.token
    ids: list[str] = [org.head_office_id]
    labels: list[str] = []
    for i, name in enumerate(["Alpha", "Bravo", "Charlie"]):
        label = await cnaps(
            CREATE_LABEL, {"input": {"organisationId": org.id, "name": name}}, token=token
        )
        labels.append(label["createLabel"]["label"]["id"])
        ids.append(labels[-1])
        title = await officer.issue(expiring(name, dates["green_far"]))
        added = await add_employee(
            cnaps,
            token,
            org,
            name,
            title.number,
            labelIds=labels,
            establishmentId=org.head_office_id,
        )
        assert added["errors"] == [], i
        ids.append(added["employee"]["id"])

    with statements.count() as seen:
        data = await cnaps(MANY, {"org": org.id, "ids": ids}, token=token)

    assert data["tenant"]["slug"] == "cnaps" and data["viewer"]["person"]["id"]
    board = data["org"]["dashboard"]
    assert board["totalCount"] == 3 and board["totals"] == {"green": 3, "red": 0}
    assert [len(e["node"]["labels"]) for e in board["edges"]] == [3, 2, 1]
    assert data["org"]["labels"]["totalCount"] == 3
    assert all(node is not None for node in data["nodes"])
    assert data["nodes"][0]["organisation"]["name"] == data["org"]["name"]
    assert [data["nodes"][i]["employeeCount"] for i in (1, 3, 5)] == [3, 2, 1]
    assert [len(data["nodes"][i]["labels"]) for i in (2, 4, 6)] == [1, 2, 3]
    assert seen.count("BEGIN") == 1 and statements.transactions() == 1
    assert seen.count("ROLLBACK") == 1 and seen[-1] == "ROLLBACK" and "COMMIT" not in seen
    set_configs = [s for s in seen if "set_config" in s]
    assert len(set_configs) == (1 if backend == "postgresql" else 0)


async def test_a_mutation_commits_once_and_a_refusal_keeps_nothing(
    cnaps: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    token = org.admin.token
    with statements.count() as seen:
        made = await cnaps(
            CREATE_LABEL, {"input": {"organisationId": org.id, "name": "Nuit"}}, token=token
        )
    assert made["createLabel"]["errors"] == []
    # authentication and the change in one transaction, committed; the payload's fields read
    # in the next one
    assert seen.count("COMMIT") == 1 and seen.index("COMMIT") > seen.index("BEGIN")
    assert seen.count("BEGIN") == 2
    with statements.count() as seen:
        again = await cnaps(
            CREATE_LABEL, {"input": {"organisationId": org.id, "name": "Nuit"}}, token=token
        )
    assert [e["code"] for e in again["createLabel"]["errors"]] == ["LABEL_NAME_TAKEN"]
    assert "COMMIT" not in seen and seen.count("BEGIN") == 1
