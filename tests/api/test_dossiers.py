"""Dossiers over HTTP: a person files, confirms by the mailed link, the delegation's agent
instructs (corrections, decision) and the title is issued; the refusals at their edges."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from server.runtime import Runtime
from tests.helpers.company import today
from tests.helpers.dossiers import (
    DOCUMENTS,
    KIND_INPUTS,
    MY_DOSSIERS,
    act,
    add_documents,
    call,
    confirm,
    create,
    filed,
    mailed_token,
    queue_ids,
    sign,
)
from tests.helpers.flows import deliver
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import agent, person
from tests.helpers.smtp import SmtpServer

DOWNLOADS = """query($id: ID!) { node(id: $id) { ... on Dossier {
  documents(first: 5) { nodes { sha256 downloadUrl } } } } }"""


async def test_a_person_files_a_card_an_agent_corrects_and_grants_it(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    applicant = await person(cnaps, runtime, smtp, "applicant")
    officer = await agent(cnaps, runtime)  # OUEST: Nantes (44) is theirs
    confirmed = await filed(
        cnaps, runtime, smtp, applicant.token, applicant.email, "PROFESSIONAL_CARD"
    )
    dossier = confirmed["dossier"]
    assert dossier["status"] == "SUBMITTED" and dossier["delegation"] == "OUEST"
    year = today(runtime).year
    assert confirmed["number"].startswith(f"{year}-044-") and len(confirmed["number"]) == 16
    assert [e["action"] for e in dossier["events"]["nodes"]] == ["CONFIRM", "SIGN", "CREATE"]
    assert dossier["events"]["nodes"][0]["capacity"] == "ANONYMOUS"  # the link is the right
    assert dossier["events"]["nodes"][1]["actorName"] == "Marie Claire Dupont"  # who signed
    # the agent finds it in the queue, reviews it and asks for a correction
    assert dossier["id"] in await queue_ids(cnaps, officer.token)
    pieces = await cnaps(DOWNLOADS, {"id": dossier["id"]}, token=officer.token)
    for piece in pieces["node"]["documents"]["nodes"]:  # the agent opens each piece
        got = await cnaps.http.get(urlsplit(piece["downloadUrl"]).path)
        assert got.status_code == 200
        assert hashlib.sha256(got.content).hexdigest() == piece["sha256"]
    forged = urlsplit(piece["downloadUrl"]).path[:-3] + "abc"
    assert (await cnaps.http.get(forged)).status_code == 403
    reviewed = await call(
        cnaps, act("startReview"), {"input": {"dossierId": dossier["id"]}}, officer.token
    )
    assert reviewed["errors"] == [] and reviewed["dossier"]["status"] == "UNDER_REVIEW"
    asked = await call(
        cnaps,
        act("requestCorrections"),
        {
            "input": {
                "dossierId": dossier["id"],
                "reason": "La pièce d'identité est illisible.",
                "items": ["IDENTITY_DOCUMENT"],
            }
        },
        officer.token,
    )
    assert asked["errors"] == [], asked
    assert asked["dossier"]["status"] == "CORRECTIONS_REQUESTED"
    mails = await deliver(runtime, smtp, applicant.email)
    assert any("illisible" in str(m.get_body(("plain",))) for m in mails)
    # the applicant replaces the document and resubmits
    old = [
        d["id"] for d in asked["dossier"]["documents"]["nodes"] if d["kind"] == "IDENTITY_DOCUMENT"
    ]
    removed = await call(
        cnaps,
        """mutation($input: RemoveDossierDocumentInput!) {
             removeDossierDocument(input: $input) { ok errors { code } } }""",
        {"input": {"documentId": old[0]}},
        applicant.token,
    )
    assert removed["ok"] is True
    too_soon = await call(
        cnaps, act("resubmitDossier"), {"input": {"dossierId": dossier["id"]}}, applicant.token
    )
    assert codes(too_soon) == ["DOCUMENTS_MISSING"]
    await add_documents(cnaps, runtime, applicant.token, dossier["id"], ["IDENTITY_DOCUMENT"])
    again = await call(
        cnaps, act("resubmitDossier"), {"input": {"dossierId": dossier["id"]}}, applicant.token
    )
    assert again["errors"] == [] and again["dossier"]["status"] == "UNDER_REVIEW"
    granted = await call(
        cnaps, act("grantDossier"), {"input": {"dossierId": dossier["id"]}}, officer.token
    )
    assert granted["errors"] == [], granted
    title = granted["title"]
    assert title["kind"] == "CAR" and [a["code"] for a in title["activities"]] == ["SURVEILLANCE"]
    assert granted["dossier"]["status"] == "GRANTED"
    mine = await cnaps(MY_DOSSIERS, {"first": 10}, token=applicant.token)
    [seen] = mine["viewer"]["dossiers"]["nodes"]
    assert seen["status"] == "GRANTED" and seen["events"]["totalCount"] == 7


async def test_each_person_kind_is_filed_and_granted(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    applicant = await person(cnaps, runtime, smtp, "every-kind")
    officer = await agent(cnaps, runtime)
    for kind in KIND_INPUTS:
        confirmed = await filed(cnaps, runtime, smtp, applicant.token, applicant.email, kind)
        dossier_id = confirmed["dossier"]["id"]
        for name in ("startReview", "grantDossier"):
            done = await call(cnaps, act(name), {"input": {"dossierId": dossier_id}}, officer.token)
            assert done["errors"] == [], (kind, done)
        assert done["title"]["kind"] == {
            "PROFESSIONAL_CARD": "CAR",
            "DIRECTOR_APPROVAL": "AGD",
            "PROVISIONAL_AUTHORISATION": "PRV",
        }.get(kind, "PRE")


async def test_the_confirmation_link_serves_once_and_expires(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: object
) -> None:
    applicant = await person(cnaps, runtime, smtp, "link")
    created = await create(
        cnaps, applicant.token, kind="PROFESSIONAL_CARD", **KIND_INPUTS["PROFESSIONAL_CARD"]
    )
    dossier_id = created["dossier"]["id"]
    await add_documents(cnaps, runtime, applicant.token, dossier_id, DOCUMENTS["PROFESSIONAL_CARD"])
    assert (await sign(cnaps, applicant.token, dossier_id))["errors"] == []
    first = await mailed_token(runtime, smtp, applicant.email)
    assert (await sign(cnaps, applicant.token, dossier_id))["errors"] == []  # a new link
    second = await mailed_token(runtime, smtp, applicant.email)
    assert codes(await confirm(cnaps, first)) == ["CONFIRMATION_INVALID"]
    assert codes(await confirm(cnaps, "forged")) == ["CONFIRMATION_INVALID"]
    assert (await confirm(cnaps, second))["ok"] is True
    assert codes(await confirm(cnaps, second)) == ["CONFIRMATION_ALREADY_USED"]
