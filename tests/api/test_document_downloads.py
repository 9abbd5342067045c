"""The documents of a request are opened through short-lived signed links, handed only to who
may see them (the administrator, the agents of the delegation)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import httpx

from server.runtime import Runtime
from tests.helpers.clock import TestClock
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisation_flows import organisation_input, register_organisation
from tests.helpers.organisations import agent, person
from tests.helpers.smtp import SmtpServer

DOCUMENTS = """query($id: ID!) { node(id: $id) { ... on Organisation {
  documents(first: 5) { nodes { kind filename contentType sha256 downloadUrl } } } } }"""


def path_of(url: str) -> str:
    return urlsplit(url).path


async def test_the_administrator_and_the_agent_download_what_was_uploaded(
    cnaps: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    smtp: SmtpServer,
    clock: TestClock,
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    registered = await register_organisation(cnaps, admin, organisation_input())
    org_id = registered["organisation"]["id"]
    mine = (await cnaps(DOCUMENTS, {"id": org_id}, token=admin.token))["node"]["documents"]
    kbis = next(d for d in mine["nodes"] if d["kind"] == "COMPANY_REGISTRATION_EXTRACT")
    got = await http.get(path_of(kbis["downloadUrl"]))
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(got.content).hexdigest() == kbis["sha256"]
    assert "attachment" in got.headers["content-disposition"]
    assert got.headers["cache-control"] == "private, no-store"

    reviewer = await agent(cnaps, runtime, delegations=("OUEST",))
    theirs = (await cnaps(DOCUMENTS, {"id": org_id}, token=reviewer.token))["node"]["documents"]
    assert len(theirs["nodes"]) == 2
    assert (await http.get(path_of(theirs["nodes"][0]["downloadUrl"]))).status_code == 200

    # The link is valid five minutes, for this tenant, untouched.
    link = path_of(kbis["downloadUrl"])
    other_tenant = link.replace("/t/cnaps/", "/t/cnsa/")
    assert (await http.get(other_tenant)).json()["errors"][0]["extensions"]["code"] == (
        "LINK_INVALID"
    )
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert (await http.get(tampered)).status_code == 403
    as_access_token = f"/t/cnaps/files/{admin.token}"
    assert (await http.get(as_access_token)).status_code == 403
    clock.advance(timedelta(minutes=5, seconds=1))
    expired = await http.get(link)
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["extensions"]["code"] == "LINK_INVALID"


async def test_managers_and_strangers_get_no_link(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    registered = await register_organisation(cnaps, admin, organisation_input())
    org_id = registered["organisation"]["id"]
    stranger = await person(cnaps, runtime, smtp, "stranger")
    assert (await cnaps(DOCUMENTS, {"id": org_id}, token=stranger.token))["node"] is None
    elsewhere = await agent(cnaps, runtime, delegations=("IDF",))
    assert (await cnaps(DOCUMENTS, {"id": org_id}, token=elsewhere.token))["node"] is None
