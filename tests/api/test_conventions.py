"""Conventions: tenant resolution, node/nodes, limits, statement counts, languages."""

from __future__ import annotations

import httpx
import pytest

from server.database import StatementCounter
from server.runtime import Runtime
from tests.conftest import unique_email
from tests.helpers.flows import VIEWER, sign_in, signed_in
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer

TENANT = """
{ tenant { slug name supportEmail passwordPolicy { minLength maxLength rules }
  registrationFields { name required } activities { code label } applications { code name } } }
"""


async def test_tenant_by_path_header_and_host(http: httpx.AsyncClient) -> None:
    body = {"query": "{ tenant { slug } }"}
    by_path = await http.post("/t/cnsa/graphql", json=body)
    by_header = await http.post("/graphql", json=body, headers={"X-Tenant": "cnaps"})
    by_host = await http.post("/graphql", json=body, headers={"Host": "cnsa.guichet.example"})
    assert by_path.json()["data"]["tenant"]["slug"] == "cnsa"
    assert by_header.json()["data"]["tenant"]["slug"] == "cnaps"
    assert by_host.json()["data"]["tenant"]["slug"] == "cnsa"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/t/nope/graphql", {}),
        ("/graphql", {"X-Tenant": "nope"}),
        ("/graphql", {}),
        ("/graphql", {"Host": "other.example.org"}),
    ],
)
async def test_unknown_tenant_is_a_clear_404(
    http: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    response = await http.post(path, json={"query": "{ tenant { slug } }"}, headers=headers)
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "TENANT_NOT_FOUND"


async def test_tenant_public_information(cnaps: GraphQLClient, cnsa: GraphQLClient) -> None:
    a = (await cnaps(TENANT))["tenant"]
    b = (await cnsa(TENANT, lang="en"))["tenant"]
    assert a["passwordPolicy"]["minLength"] == 12 and a["passwordPolicy"]["maxLength"] == 128
    assert b["passwordPolicy"]["maxLength"] == 24
    assert b["passwordPolicy"]["rules"][0] == "From 12 to 24 characters"
    assert {"name": "birthDate", "required": True} in a["registrationFields"]
    assert {"name": "structure", "required": False} in b["registrationFields"]
    assert any(x["code"] == "DOG_HANDLER" for x in a["activities"])
    assert b["activities"] == [] and b["applications"][2]["name"] == "CAMSP / CMPP"
    assert b["supportEmail"] == "support@cnsa.fr"


async def test_viewer_and_tenant_cost_a_fixed_number_of_statements(
    cnaps: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
    backend: str,
) -> None:
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    full_viewer = """{ viewer {
        account { id email emailConfirmed locale createdAt }
        person { id familyName givenNames birthDate address { city } }
        tenant { slug name }
    } }"""
    with statements.count() as tenant_statements:
        await cnaps(TENANT)
    assert tenant_statements == []  # the tenant is the pack: no SQL at all
    with statements.count() as viewer_statements:
        await cnaps(full_viewer, token=tokens["accessToken"])
    # one transaction: BEGIN, one to authenticate (session, account and the organisations the
    # person acts for), one DataLoader batch for the person, ROLLBACK; plus on PostgreSQL the
    # tenant's set_config once
    expected = 4 if backend == "sqlite" else 5
    assert len(viewer_statements) == expected, viewer_statements


async def test_sessions_connection_costs_the_same_for_10_and_100(
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
) -> None:
    email = unique_email()
    tokens = await signed_in(cnsa, runtime, smtp, email)
    for _ in range(11):
        await sign_in(cnsa, email)
    counts = {}
    for first in (10, 100):
        query = f"""{{ viewer {{ account {{ sessions(first: {first}) {{
            totalCount pageInfo {{ hasNextPage endCursor }}
            edges {{ cursor node {{ id createdAt current }} }} }} }} }} }}"""
        with statements.count() as seen:
            data = await cnsa(query, token=tokens["accessToken"])
        counts[first] = len(seen)
        connection = data["viewer"]["account"]["sessions"]
        assert connection["totalCount"] == 12
        assert len(connection["edges"]) == min(first, 12)
        assert connection["pageInfo"]["hasNextPage"] is (first == 10)
    assert counts[10] == counts[100]
    # the next page follows the cursor without overlap
    first_page = await cnsa(
        "{ viewer { account { sessions(first: 10) { edges { node { id } } pageInfo { endCursor } } } } }",
        token=tokens["accessToken"],
    )
    cursor = first_page["viewer"]["account"]["sessions"]["pageInfo"]["endCursor"]
    second = await cnsa(
        "query($a: String) { viewer { account { sessions(first: 10, after: $a) { edges { node { id } } pageInfo { hasNextPage hasPreviousPage } } } } }",
        {"a": cursor},
        token=tokens["accessToken"],
    )
    page2 = second["viewer"]["account"]["sessions"]
    ids1 = {e["node"]["id"] for e in first_page["viewer"]["account"]["sessions"]["edges"]}
    ids2 = {e["node"]["id"] for e in page2["edges"]}
    assert len(ids2) == 2 and not ids1 & ids2
    assert page2["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    too_many = await cnsa.post(
        "{ viewer { account { sessions(first: 101) { totalCount } } } }",
        token=tokens["accessToken"],
    )
    # above the maximum: an error naming it, on that field only (the viewer still answers)
    body = too_many.json()
    assert body["data"] == {"viewer": {"account": {"sessions": None}}}
    [error] = body["errors"]
    assert error["path"] == ["viewer", "account", "sessions"]
    assert error["extensions"] == {"code": "PAGE_SIZE_TOO_LARGE", "field": ["first"], "max": 100}
    assert "100 au plus" in error["message"]


async def test_node_and_nodes_answer_null_for_what_the_viewer_may_not_see(
    cnaps: GraphQLClient,
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
) -> None:
    mine = await signed_in(cnaps, runtime, smtp, unique_email())
    theirs = await signed_in(cnaps, runtime, smtp, unique_email())
    elsewhere = await signed_in(cnsa, runtime, smtp, unique_email())
    ids = "{ viewer { account { id } person { id } } }"
    me = (await cnaps(ids, token=mine["accessToken"]))["viewer"]
    other = (await cnaps(ids, token=theirs["accessToken"]))["viewer"]
    foreign = (await cnsa(ids, token=elsewhere["accessToken"]))["viewer"]
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
        ... on Account { email } ... on Person { familyName } } }"""
    asked = [
        me["account"]["id"],
        me["person"]["id"],
        other["account"]["id"],
        other["person"]["id"],
        foreign["account"]["id"],
        "bm90LWEtbm9kZQ==",
        "garbage",
    ]
    nodes = (await cnaps(query, {"ids": asked}, token=mine["accessToken"]))["nodes"]
    assert nodes[0]["__typename"] == "Account" and nodes[0]["id"] == me["account"]["id"]
    assert nodes[1]["familyName"] == "Dupont"
    assert nodes[2:] == [None] * 5
    anonymous = await cnaps("query($id: ID!) { node(id: $id) { id } }", {"id": asked[0]})
    assert anonymous["node"] is None


async def test_depth_alias_and_cost_limits(cnaps: GraphQLClient) -> None:
    aliases = " ".join(f"a{i}: __typename" for i in range(31))
    too_many = await cnaps.post(f"{{ {aliases} }}")
    assert too_many.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    # The fragment-spread bypass: 10 aliases in a fragment, spread 4 times.
    fragment = "fragment F on Query { " + " ".join(f"f{i}: __typename" for i in range(10)) + " }"
    spread = "{ ...F x: tenant { ...T } y: tenant { ...T } z: tenant { ...T } w: tenant { ...T } }"
    alias_fragment = "fragment T on Tenant { " + " ".join(f"s{i}: slug" for i in range(8)) + " }"
    bypass = await cnaps.post(f"{spread} {fragment} {alias_fragment}")
    assert bypass.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    deep = "{ viewer { account { person { id } } } }"
    assert "errors" not in (await cnaps.post(deep)).json()
    nested = "{ tenant " + "{ applications " * 1 + "{ profiles { code } } } }"
    assert "errors" not in (await cnaps.post(nested)).json()
    page = "edges { node { id createdAt lastUsedAt expiresAt revokedAt userAgent ipAddress } }"
    costly = (
        "{ viewer { account { "
        + " ".join(f"s{i}: sessions(first: 100) {{ {page} }}" for i in range(6))
        + " } } }"
    )
    response = await cnaps.post(costly)
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_messages_follow_accept_language(cnsa: GraphQLClient) -> None:
    query = """mutation { register(input: {email: "x", password: "", familyName: "",
        givenNames: ""}) { errors { code message } } }"""
    fr = (await cnsa(query))["register"]["errors"][0]["message"]
    en = (await cnsa(query, lang="en-GB,en;q=0.9,fr;q=0.5"))["register"]["errors"][0]["message"]
    assert fr == "Cette adresse électronique n'est pas valide."
    assert en == "This e-mail address is not valid."


async def test_unexpected_errors_leak_nothing(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    bad_cursor = await cnaps.post(
        '{ viewer { account { sessions(after: "%%%") { totalCount } } } }',
        token=tokens["accessToken"],
    )
    error = bad_cursor.json()["errors"][0]
    assert error["extensions"] == {"code": "INVALID_CURSOR", "field": ["after"]}
    assert "Traceback" not in bad_cursor.text


async def test_viewer_with_an_access_token(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    tokens = await signed_in(cnaps, runtime, smtp, unique_email())
    data = await cnaps(VIEWER, token=tokens["accessToken"])
    assert data["viewer"]["person"]["givenNames"] == "Marie Claire"


async def test_depth_limit() -> None:
    from schema import build_schema

    shallow = build_schema(max_depth=2)
    result = await shallow.execute("{ viewer { account { person { id } } } }")
    assert result.errors and (result.errors[0].extensions or {})["code"] == "QUERY_TOO_DEEP"


async def test_nodes_takes_at_most_100_ids(cnaps: GraphQLClient) -> None:
    response = await cnaps.post(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } tenant { slug } }", {"ids": ["x"] * 101}
    )
    # refused on that field only: the rest of the answer stands
    assert response.json()["data"] == {"nodes": None, "tenant": {"slug": "cnaps"}}
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "TOO_MANY_IDS", "field": ["ids"], "max": 100}
    assert error["message"] == "Au plus 100 identifiants à la fois."
