"""The dossier journey against a running `guichet serve`, as a frontend would run it, with the
real SMTP server and the mailed links followed: a person files each person's kind, signs,
confirms through the link's page; an agent made by `guichet authority add-agent` reviews,
asks for a correction, grants; a company files its operating authorisation, and as a trusted
third party files for the person who mandated it."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.helpers.dossiers import DOCUMENTS, KIND_INPUTS, RECENT, SIGNATURE
from tests.helpers.live_server import LiveServer, live_server, ok, text_of
from tests.helpers.organisation_flows import pdf_bytes
from tests.server.test_organisation_journey import (
    PASSWORD,
    T,
    agent_by_cli,
    payload,
    person,
    register_company,
)

CREATE = """mutation($input: CreateDossierInput!) { createDossier(input: $input) {
  ok dossier { id status } errors { code field } } }"""
ADD = """mutation($input: AddDossierDocumentInput!) { addDossierDocument(input: $input) {
  ok document { id kind } errors { code field } } }"""
SIGN = """mutation($input: SignDossierInput!) { signDossier(input: $input) {
  ok dossier { status } errors { code field } } }"""
ACT = """mutation($input: %sInput!) { %s(input: $input) {
  ok dossier { id status number } errors { code field } %s } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Dossier { id number status
  documents(first: 10) { nodes { id kind sha256 downloadUrl } }
  events(first: 20) { totalCount } title { number kind expiresOn } } } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with live_server(tmp_path_factory.mktemp("dossiers"), secrets=(PASSWORD,)) as running:
        yield running


def today() -> date:
    return datetime.now(ZoneInfo("Europe/Paris")).date()


USED: set[str] = set()


def new_mail(server: LiveServer, email: str, template: str) -> EmailMessage:
    """Wait for a mail of that template to `email` not seen before."""
    for _ in range(200):
        for message in server.smtp.messages:
            found = message.message
            key = str(found["Message-ID"])
            fresh = key not in USED and found["X-Guichet-Template"] == template
            if email in message.rcpt_tos and fresh:
                USED.add(key)
                return found
        time.sleep(0.05)
    raise AssertionError(f"no new {template} mail for {email}")


def upload(server: LiveServer, token: str, dossier_id: str, kind: str) -> dict[str, Any]:
    issued = (today() - timedelta(days=5)).isoformat() if kind in RECENT else None
    operations = {
        "query": ADD,
        "variables": {
            "input": {"dossierId": dossier_id, "kind": kind, "file": None, "issuedOn": issued}
        },
    }
    response = httpx.post(
        f"{server.base}/t/{T}/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (f"{kind.lower()}.pdf", pdf_bytes(kind), "application/pdf")},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    result = payload(response, "addDossierDocument")
    assert result["errors"] == [], result
    return result


def act(server: LiveServer, name: str, token: str, **input: Any) -> dict[str, Any]:
    extra = "title { number kind }" if name == "grantDossier" else ""
    type_name = name[0].upper() + name[1:]
    query = ACT % (type_name, name, extra)
    return payload(server.gql(T, query, {"input": input}, token=token), name)


def confirm_by_the_page(server: LiveServer, email: str) -> str:
    """Open the mailed link (a page with a form, which acts only when posted), post it: the
    number the page shows."""
    mail = new_mail(server, email, "dossier_confirm")
    found = re.search(r"https?://\S+/confirm-dossier\S+", text_of(mail))
    assert found, text_of(mail)
    link = found.group(0)
    shown = httpx.get(link, timeout=10)
    assert shown.status_code == 200 and "<form" in shown.text
    token = re.search(r'name="token" value="([^"]+)"', shown.text)
    assert token
    posted = httpx.post(link, data={"token": token.group(1)}, timeout=10)
    assert posted.status_code == 200, posted.text
    number = re.search(r"(\d{4}-\d{2}[0-9AB]-\d{7})", posted.text)
    assert number, posted.text
    replayed = httpx.post(link, data={"token": token.group(1)}, timeout=10)
    assert 'data-code="CONFIRMATION_ALREADY_USED"' in replayed.text
    return number.group(1)


def file(server: LiveServer, token: str, email: str, kind: str, **input: Any) -> tuple[str, str]:
    values = {**KIND_INPUTS.get(kind, {}), **input}
    created = payload(
        server.gql(T, CREATE, {"input": {"kind": kind, **values}}, token=token), "createDossier"
    )
    assert created["errors"] == [], created
    dossier_id = created["dossier"]["id"]
    for document in DOCUMENTS[kind]:
        upload(server, token, dossier_id, document)
    signed = payload(
        server.gql(T, SIGN, {"input": {"dossierId": dossier_id, **SIGNATURE}}, token=token),
        "signDossier",
    )
    assert signed["errors"] == [] and signed["dossier"]["status"] == "AWAITING_CONFIRMATION"
    return dossier_id, confirm_by_the_page(server, email)


def test_the_whole_dossier_journey(server: LiveServer) -> None:
    agent = agent_by_cli(server)
    email, applicant = person(server, "demandeuse")
    # A professional card: filed, corrected, granted.
    card, number = file(server, applicant, email, "PROFESSIONAL_CARD")
    assert number.startswith(f"{today().year}-044-")
    queue = ok(server.gql(T, "{ dossierQueue(first: 100) { nodes { id number } } }", token=agent))
    assert {"id": card, "number": number} in queue["dossierQueue"]["nodes"]
    seen = ok(server.gql(T, NODE, {"id": card}, token=agent))["node"]
    for document in seen["documents"]["nodes"]:  # the agent opens each piece
        opened = httpx.get(document["downloadUrl"], timeout=10)
        assert opened.status_code == 200
        assert hashlib.sha256(opened.content).hexdigest() == document["sha256"]
    assert act(server, "startReview", agent, dossierId=card)["dossier"]["status"] == "UNDER_REVIEW"
    asked = act(
        server,
        "requestCorrections",
        agent,
        dossierId=card,
        reason="Justificatif d'aptitude illisible",
        items=["PROFESSIONAL_APTITUDE"],
    )
    assert asked["ok"] is True
    statuses = [text_of(new_mail(server, email, "dossier_status")) for _ in range(3)]
    assert any("illisible" in text for text in statuses)
    upload(server, applicant, card, "PROFESSIONAL_APTITUDE")
    assert act(server, "resubmitDossier", applicant, dossierId=card)["ok"] is True
    granted = act(server, "grantDossier", agent, dossierId=card)
    assert granted["errors"] == [] and granted["title"]["kind"] == "CAR"
    new_mail(server, email, "dossier_status")
    assert "accordée" in str(new_mail(server, email, "dossier_status")["Subject"])
    # Every other kind a person files for themselves.
    for kind in (
        "PRIOR_AUTHORISATION",
        "PRIOR_AUTHORISATION_MAC",
        "PROVISIONAL_AUTHORISATION",
        "DIRECTOR_APPROVAL",
    ):
        dossier_id, _ = file(server, applicant, email, kind)
        assert act(server, "startReview", agent, dossierId=dossier_id)["ok"] is True
        done = act(server, "grantDossier", agent, dossierId=dossier_id)
        assert done["errors"] == [], (kind, done)
    # A company: its own operating authorisation, then a request for the person as trusted
    # third party under her mandate.
    admin_email, admin = person(server, "dirigeant")
    company = register_company(server, admin)
    validated = payload(
        server.gql(T, VALIDATE, {"id": company["id"]}, token=agent), "validateOrganisation"
    )
    assert validated["errors"] == [], validated
    site = validated["organisation"]["establishments"]["nodes"][0]["id"]
    own, _ = file(
        server,
        admin,
        admin_email,
        "OPERATING_AUTHORISATION",
        establishmentId=site,
        activities=["SURVEILLANCE"],
    )
    assert act(server, "startReview", agent, dossierId=own)["ok"] is True
    assert act(server, "grantDossier", agent, dossierId=own)["title"]["kind"] == "AUT"
    scopes = ["FILE_DOSSIERS", "FOLLOW_DOSSIERS", "RECEIVE_COMMUNICATIONS"]
    requested = payload(
        server.gql(
            T,
            REQUEST_MANDATE,
            {"input": {"organisationId": company["id"], "email": email, "scopes": scopes}},
            token=admin,
        ),
        "requestMandate",
    )
    accepted = payload(
        server.gql(T, ACCEPT_MANDATE, {"id": requested["mandate"]["id"]}, token=applicant),
        "acceptMandate",
    )
    assert accepted["errors"] == []
    person_id = ok(server.gql(T, "{ viewer { person { id } } }", token=applicant))["viewer"][
        "person"
    ]["id"]
    for_her, _ = file(server, admin, admin_email, "PROVISIONAL_AUTHORISATION", personId=person_id)
    new_mail(server, email, "dossier_filed_for_you")
    assert act(server, "startReview", agent, dossierId=for_her)["ok"] is True
    assert act(server, "grantDossier", agent, dossierId=for_her)["errors"] == []
    mine = ok(server.gql(T, MINE, token=applicant))["viewer"]["dossiers"]
    assert mine["totalCount"] == 6 and {d["status"] for d in mine["nodes"]} == {"GRANTED"}
    assert sum(d["filedByThirdParty"] for d in mine["nodes"]) == 1
    acted = ok(server.gql(T, ACTED, token=applicant))["viewer"]["actedForMe"]["nodes"]
    assert {"action": "CREATE_DOSSIER", "capacity": "TRUSTED_THIRD_PARTY"} in acted


VALIDATE = """mutation($id: ID!) { validateOrganisation(input: {organisationId: $id}) {
  organisation { status establishments(first: 1) { nodes { id } } } errors { code } } }"""
REQUEST_MANDATE = """mutation($input: RequestMandateInput!) { requestMandate(input: $input) {
  mandate { id } errors { code } } }"""
ACCEPT_MANDATE = """mutation($id: ID!) { acceptMandate(input: {mandateId: $id}) {
  errors { code } } }"""
MINE = "{ viewer { dossiers(first: 20) { totalCount nodes { status filedByThirdParty } } } }"
ACTED = "{ viewer { actedForMe(first: 50) { nodes { action capacity } } } }"
