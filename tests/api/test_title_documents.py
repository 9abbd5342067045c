"""A title's PDF, made at issue and downloadable at once through a signed expiring link, its QR
code's seal (a compact JWS checkable offline against the published keys) and the public page
the QR code opens; suspending and withdrawing a title."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from joserfc import jws
from joserfc.jwk import KeySet

from dossiers.title.issuing import NewTitle
from dossiers.title.models import Title, TitleKind
from server.runtime import Runtime
from tenants.session import open_session
from tests.helpers.clock import TestClock
from tests.helpers.company import issuer, uuid_of
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import agent, gid, person
from tests.helpers.smtp import SmtpServer

ISSUE = """
mutation Issue($input: IssueTitleInput!) {
  issueTitle(input: $input) { title { id number } errors { code field } }
}
"""
MY_TITLES = """
query { viewer { titles(first: 10) { nodes {
  id number expiresOn downloadUrl seal verificationUrl
} } } }
"""
TITLE = """
query($id: ID!) { node(id: $id) { ... on Title { number status downloadUrl seal } } }
"""
SUSPEND = """
mutation Suspend($input: SuspendTitleInput!) {
  suspendTitle(input: $input) { ok title { id status statusReason } errors { code field } }
}
"""
WITHDRAW = """
mutation Withdraw($input: WithdrawTitleInput!) {
  withdrawTitle(input: $input) { ok title { id status statusReason } errors { code field } }
}
"""


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


async def issued_card(cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer) -> Any:
    officer = await agent(cnaps, runtime)
    holder = await person(cnaps, runtime, smtp, "holder")
    payload = (
        await cnaps(
            ISSUE,
            {
                "input": {
                    "kind": "CAR",
                    "activities": ["SURVEILLANCE", "DOG_HANDLER"],
                    "holderPersonId": holder.person_id,
                }
            },
            token=officer.token,
        )
    )["issueTitle"]
    assert payload["errors"] == []
    return officer, holder, payload["title"]


async def test_the_pdf_is_stored_at_issue_and_downloadable_at_once_by_its_holder(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    _officer, holder, title = await issued_card(cnaps, runtime, smtp)
    async with open_session(runtime.services.sessions, "cnaps") as session:
        row = await session.get(Title, uuid_of(title["id"]))
        assert row is not None and row.pdf_storage_key and row.pdf_sha256
        stored = await runtime.services.files.storage.get(row.pdf_storage_key)
    assert stored is not None and hashlib.sha256(stored).digest() == row.pdf_sha256
    [mine] = (await cnaps(MY_TITLES, token=holder.token))["viewer"]["titles"]["nodes"]
    response = await cnaps.http.get(path_of(mine["downloadUrl"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert title["number"] in response.headers["content-disposition"]
    assert response.content == stored and response.content.startswith(b"%PDF-")
    assert b"/Subtype /Image" in response.content  # the QR code


async def test_the_seal_is_checked_offline_with_the_published_keys(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    _officer, holder, title = await issued_card(cnaps, runtime, smtp)
    [mine] = (await cnaps(MY_TITLES, token=holder.token))["viewer"]["titles"]["nodes"]
    keys = KeySet.import_key_set((await cnaps.http.get("/.well-known/jwks.json")).json())
    signed = jws.deserialize_compact(mine["seal"], keys, algorithms=["ES256"])
    assert signed.protected["typ"] == "guichet-title+jws"
    claims = json.loads(signed.payload)
    assert claims["num"] == title["number"] == mine["number"]
    assert claims["hol"] == "Marie Claire Dupont"  # the person's names (tests.helpers.flows)
    assert claims["exp"] == mine["expiresOn"]
    assert claims["act"] == ["SURVEILLANCE", "DOG_HANDLER"]
    assert claims["iss"] == "http://testserver/t/cnaps"
    # The QR code's URL carries the seal and opens the public verification of this title.
    url = mine["verificationUrl"]
    in_url = unquote(url.rsplit("/", 1)[1])
    # ECDSA signs afresh each time: the same header and payload, another signature.
    assert in_url.rsplit(".", 1)[0] == mine["seal"].rsplit(".", 1)[0]
    page = await cnaps.http.get(path_of(url))
    assert page.status_code == 200 and 'data-result="VALID"' in page.text
    assert "Carte professionnelle" in page.text and "heure de Paris" in page.text
    # One character changed: not a seal of the authority.
    head, body, signature = mine["seal"].split(".")
    tampered = f"{head}.{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    refused = await cnaps.http.get(f"/t/cnaps/verify/seal/{tampered}")
    assert refused.status_code == 400 and 'data-code="NOT_FOUND"' in refused.text
    # Another tenant does not take it either.
    elsewhere = await cnaps.http.get(f"/t/cnsa/verify/seal/{mine['seal']}")
    assert 'data-code="NOT_FOUND"' in elsewhere.text


async def test_download_links_expire_cannot_be_forged_and_only_holder_and_agents_get_them(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    officer, _holder, title = await issued_card(cnaps, runtime, smtp)
    by_agent = (await cnaps(TITLE, {"id": title["id"]}, token=officer.token))["node"]
    assert by_agent["downloadUrl"] and by_agent["seal"]
    stranger = await person(cnaps, runtime, smtp, "stranger")
    assert (await cnaps(TITLE, {"id": title["id"]}, token=stranger.token))["node"] is None
    link = path_of(by_agent["downloadUrl"])
    forged = await cnaps.http.get(link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB"))
    assert forged.status_code == 403 and forged.json()["errors"][0]["extensions"]["code"] == (
        "LINK_INVALID"
    )
    on_cnsa = await cnaps.http.get(link.replace("/t/cnaps/", "/t/cnsa/"))
    assert on_cnsa.status_code == 403
    clock.advance(timedelta(minutes=5, seconds=1))
    expired = await cnaps.http.get(link)
    assert expired.status_code == 403


async def test_a_title_issued_without_a_pdf_gets_it_at_its_first_download(
    cnaps: GraphQLClient, runtime: Runtime
) -> None:
    officer = await issuer(cnaps, runtime)  # through the service, without file storage
    row = await officer.issue(
        NewTitle(
            kind=TitleKind.PRE,
            departement="44",
            activities=["SURVEILLANCE"],
            holder_family_name="Le Bihan",
            holder_given_names="Anne",
        )
    )
    assert row.pdf_storage_key is None
    node = (await cnaps(TITLE, {"id": gid("Title", row.id)}, token=officer.officer.token))["node"]
    first = await cnaps.http.get(path_of(node["downloadUrl"]))
    again = await cnaps.http.get(path_of(node["downloadUrl"]))
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and first.content.startswith(b"%PDF-")
    async with open_session(runtime.services.sessions, "cnaps") as session:
        stored = await session.get(Title, row.id)
        assert stored is not None and stored.pdf_sha256 == hashlib.sha256(first.content).digest()


async def test_suspend_and_withdraw_need_a_reason_an_agent_of_the_delegation_and_are_final(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer, holder, title = await issued_card(cnaps, runtime, smtp)
    paris = await agent(cnaps, runtime, delegations=("IDF",))

    async def act(mutation: str, field: str, token: str, **values: Any) -> dict[str, Any]:
        variables = {"input": {"titleId": title["id"], "reason": "Condamnation"} | values}
        payload: dict[str, Any] = (await cnaps(mutation, variables, token=token))[field]
        assert payload["ok"] is (payload["errors"] == [])
        return payload

    blank = await act(SUSPEND, "suspendTitle", officer.token, reason="  ")
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("REQUIRED", ["input", "reason"])]
    assert codes(await act(SUSPEND, "suspendTitle", paris.token)) == ["OUTSIDE_DELEGATION"]
    assert codes(await act(WITHDRAW, "withdrawTitle", holder.token)) == ["FORBIDDEN"]
    unknown = await act(SUSPEND, "suspendTitle", officer.token, titleId=gid("Title", "nope"))
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [
        ("NOT_FOUND", ["input", "titleId"])
    ]
    # Nothing changed by the refusals.
    seen = (await cnaps(TITLE, {"id": title["id"]}, token=officer.token))["node"]
    assert seen["status"] == "VALID"
    suspended = await act(SUSPEND, "suspendTitle", officer.token)
    assert suspended["title"]["status"] == "SUSPENDED"
    assert suspended["title"]["statusReason"] == "Condamnation"
    assert codes(await act(SUSPEND, "suspendTitle", officer.token)) == ["TITLE_STATUS_UNCHANGED"]
    withdrawn = await act(WITHDRAW, "withdrawTitle", officer.token, reason="Retrait définitif")
    assert withdrawn["ok"] and withdrawn["title"]["status"] == "WITHDRAWN"
    assert codes(await act(SUSPEND, "suspendTitle", officer.token)) == ["TITLE_WITHDRAWN_FINAL"]
