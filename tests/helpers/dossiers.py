"""Set-up of the dossier tests: the GraphQL documents, and the steps of a filing as a frontend
takes them (create, upload each document by multipart, sign, follow the mailed link)."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from auth.account.models import Account
from dossiers.dossier.models import Dossier, DossierDocument, DossierEvent
from server.runtime import Runtime
from tenants.session import open_session
from tests.helpers.company import today, uuid_of
from tests.helpers.flows import deliver, token_of
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisation_flows import multipart, pdf_bytes
from tests.helpers.organisations import gid
from tests.helpers.smtp import SmtpServer

DOSSIER_FIELDS = """
id number kind status activities { code } fields { name value } delegation departement
submittedAt decidedAt correctionReason correctionItems decisionReason filedByThirdParty
requirements { code needed provided }
documents(first: 20) { totalCount nodes { id kind issuedOn } }
events(first: 20) { totalCount nodes { action fromStatus toStatus capacity reason actorName } }
title { id number kind expiresOn activities { code } }
receipt { id number kind expiresOn }
"""

CREATE = f"""
mutation Create($input: CreateDossierInput!) {{
  createDossier(input: $input) {{ ok dossier {{ {DOSSIER_FIELDS} }} errors {{ code field message }} }}
}}
"""
UPDATE = f"""
mutation Update($input: UpdateDossierInput!) {{
  updateDossier(input: $input) {{ ok dossier {{ {DOSSIER_FIELDS} }} errors {{ code field message }} }}
}}
"""
ADD_DOCUMENT = """
mutation Add($input: AddDossierDocumentInput!) {
  addDossierDocument(input: $input) {
    ok document { id kind filename contentType issuedOn } dossier { id status }
    errors { code field message }
  }
}
"""
REMOVE_DOCUMENT = """
mutation Remove($input: RemoveDossierDocumentInput!) {
  removeDossierDocument(input: $input) { ok dossier { id } errors { code field message } }
}
"""
SIGN = f"""
mutation Sign($input: SignDossierInput!) {{
  signDossier(input: $input) {{ ok dossier {{ {DOSSIER_FIELDS} }} errors {{ code field message }} }}
}}
"""
CONFIRM = f"""
mutation Confirm($token: String) {{
  confirmDossierSubmission(input: {{token: $token}}) {{
    ok number receiptNumber notice dossier {{ {DOSSIER_FIELDS} }}
    receipt {{ number kind expiresOn }}
    errors {{ code field message }}
  }}
}}
"""
WITHDRAW = """
mutation Withdraw($input: WithdrawDossierInput!) {
  withdrawDossier(input: $input) { ok dossier { id status } errors { code field message } }
}
"""
START_RENEWAL = f"""
mutation Start($input: StartRenewalInput!) {{
  startRenewal(input: $input) {{ ok notice dossier {{ {DOSSIER_FIELDS} }} errors {{ code field message }} }}
}}
"""
AGENT_ACTIONS = {
    "assignDossier": "AssignDossierInput",
    "startReview": "StartReviewInput",
    "requestCorrections": "RequestCorrectionsInput",
    "resubmitDossier": "ResubmitDossierInput",
    "grantDossier": "GrantDossierInput",
    "refuseDossier": "RefuseDossierInput",
    "closeDossierWithoutAction": "CloseDossierWithoutActionInput",
    "withdrawDossier": "WithdrawDossierInput",
}


def act(name: str) -> str:
    """The document of a one-dossier mutation by its name."""
    extra = (
        " title { id number kind expiresOn activities { code } }" if name == "grantDossier" else ""
    )
    return f"""
mutation Act($input: {AGENT_ACTIONS[name]}!) {{
  {name}(input: $input) {{ ok dossier {{ {DOSSIER_FIELDS} }}{extra} errors {{ code field message }} }}
}}
"""


QUEUE = """
query Queue($first: Int, $after: String, $status: [DossierStatus!], $kind: String,
            $mine: Boolean! = false, $unassigned: Boolean! = false) {
  dossierQueue(first: $first, after: $after, status: $status, kind: $kind,
               assignedToMe: $mine, unassigned: $unassigned) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      id number status
      applicant { familyName }
      documents(first: 3) { totalCount nodes { kind } }
      events(first: 3) { totalCount nodes { action } }
    }
  }
}
"""

MY_DOSSIERS = """
query Mine($first: Int) {
  viewer { dossiers(first: $first) {
    totalCount
    nodes { id number status documents(first: 3) { nodes { kind } } events(first: 3) { totalCount } }
  } }
}
"""


def fields(**values: str) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in values.items()]


# What each kind needs to be complete, for a French employed surveillance agent.
PERSON_FIELDS = fields(nationality="FR", employed="false")
KIND_INPUTS: dict[str, dict[str, Any]] = {
    "PROFESSIONAL_CARD": {"activities": ["SURVEILLANCE"], "fields": PERSON_FIELDS},
    "PRIOR_AUTHORISATION": {
        "activities": ["SURVEILLANCE"],
        "fields": fields(
            nationality="FR", trainingCentreName="Protect'Up", trainingCentreSiret="73282932000074"
        ),
    },
    "PRIOR_AUTHORISATION_MAC": {
        "activities": ["SURVEILLANCE"],
        "fields": fields(
            nationality="FR", trainingCentreName="Protect'Up", trainingCentreSiret="73282932000074"
        ),
    },
    "PROVISIONAL_AUTHORISATION": {
        "activities": ["SURVEILLANCE"],
        "fields": fields(
            nationality="FR", employerName="Gardiennage Atlantique", employerSiret="73282932000074"
        ),
    },
    "DIRECTOR_APPROVAL": {
        "fields": fields(nationality="FR", companyName="Gardiennage Atlantique", role="gérant")
    },
}
DOCUMENTS: dict[str, list[str]] = {
    "PROFESSIONAL_CARD": ["IDENTITY_DOCUMENT", "PROFESSIONAL_APTITUDE"],
    "PROFESSIONAL_CARD_RENEWAL": ["IDENTITY_DOCUMENT", "MAC_CERTIFICATE"],
    "PRIOR_AUTHORISATION": ["IDENTITY_DOCUMENT", "TRAINING_PRE_REGISTRATION"],
    "PRIOR_AUTHORISATION_MAC": ["IDENTITY_DOCUMENT", "TRAINING_PRE_REGISTRATION"],
    "PROVISIONAL_AUTHORISATION": ["IDENTITY_DOCUMENT", "HIRING_PROMISE"],
    "DIRECTOR_APPROVAL": ["IDENTITY_DOCUMENT"],
    "DIRECTOR_APPROVAL_RENEWAL": ["IDENTITY_DOCUMENT"],
    "OPERATING_AUTHORISATION": ["COMPANY_REGISTRATION_EXTRACT", "LIABILITY_INSURANCE"],
    "INTERNAL_SERVICE_AUTHORISATION": ["COMPANY_REGISTRATION_EXTRACT"],
    "TRAINING_ORGANISATION_AUTHORISATION": ["COMPANY_REGISTRATION_EXTRACT", "LIABILITY_INSURANCE"],
}
RECENT = ("COMPANY_REGISTRATION_EXTRACT", "CRIMINAL_RECORD_EQUIVALENT")


async def call(
    client: GraphQLClient, query: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    data = await client(query, variables, token=token)
    [payload] = data.values()
    assert isinstance(payload, dict)
    return payload


async def create(client: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    return await call(client, CREATE, {"input": input}, token)


async def add_document(
    client: GraphQLClient,
    token: str,
    dossier_id: str,
    kind: str,
    issued_on: date | None = None,
    content: bytes | None = None,
    filename: str = "piece.pdf",
) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "input": {
            "dossierId": dossier_id,
            "kind": kind,
            "file": None,
            "issuedOn": issued_on.isoformat() if issued_on else None,
        }
    }
    response = await multipart(
        client,
        ADD_DOCUMENT,
        variables,
        {"input.file": (filename, content or pdf_bytes(kind), "application/pdf")},
        token=token,
    )
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["addDossierDocument"]
    return payload


async def add_documents(
    client: GraphQLClient, runtime: Runtime, token: str, dossier_id: str, kinds: list[str]
) -> None:
    recent = today(runtime) - timedelta(days=10)
    for kind in kinds:
        payload = await add_document(
            client, token, dossier_id, kind, recent if kind in RECENT else None
        )
        assert payload["errors"] == [], payload


SIGNATURE = {"certifyExact": True, "acceptConditions": True, "sign": True}


async def sign(client: GraphQLClient, token: str, dossier_id: str) -> dict[str, Any]:
    return await call(client, SIGN, {"input": {"dossierId": dossier_id, **SIGNATURE}}, token)


async def mailed_token(runtime: Runtime, smtp: SmtpServer, email: str) -> str:
    messages = await deliver(runtime, smtp, email)
    links = [
        found.group(0)
        for m in messages
        if (body := m.get_body(("plain",))) is not None
        and (found := re.search(r"https?://\S+/confirm-dossier\S+", body.get_content()))
    ]
    assert links, [m["Subject"] for m in messages]
    return token_of(links[-1])


async def confirm(
    client: GraphQLClient, token: str | None, access: str | None = None
) -> dict[str, Any]:
    return await call(client, CONFIRM, {"token": token}, access)


async def filed(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    token: str,
    email: str,
    kind: str,
    **input: Any,
) -> dict[str, Any]:
    """A dossier of that kind created, completed, signed and confirmed by the mailed link:
    the confirmation's payload."""
    values = {**KIND_INPUTS.get(kind, {}), **input}
    created = await create(client, token, kind=kind, **values)
    assert created["errors"] == [], created
    dossier_id = created["dossier"]["id"]
    await add_documents(client, runtime, token, dossier_id, DOCUMENTS[kind])
    signed = await sign(client, token, dossier_id)
    assert signed["errors"] == [], signed
    link_token = await mailed_token(runtime, smtp, email)
    confirmed = await confirm(client, link_token, token)
    assert confirmed["errors"] == [], confirmed
    return confirmed


async def seed_dossiers(
    runtime: Runtime, tenant: str, person_id: str, count: int, delegation: str = "NORD"
) -> None:
    """`count` submitted dossiers of the person (each with two documents and two events),
    written straight to the database: the statement-count tests need many rows, not their
    journey (which the flow tests take)."""
    now = runtime.services.clock.now()
    async with open_session(runtime.services.sessions, tenant) as session:
        account = uuid_of(await _account_of(runtime, tenant, person_id))
        for index in range(count):
            dossier = Dossier(
                id=uuid.uuid4(),
                kind="PROFESSIONAL_CARD",
                status="SUBMITTED",
                applicant_person_id=uuid_of(person_id),
                filed_by_account_id=account,
                departement="59",
                delegation=delegation,
                activities=["SURVEILLANCE"],
                fields={"nationality": "FR", "employed": "false"},
                correction_items=[],
                created_at=now - timedelta(minutes=index),
                updated_at=now,
                submitted_at=now - timedelta(minutes=index),
            )
            session.add(dossier)
            await session.flush()
            for kind in ("IDENTITY_DOCUMENT", "PROFESSIONAL_APTITUDE"):
                session.add(
                    DossierDocument(
                        dossier_id=dossier.id,
                        requirement=kind,
                        filename="piece.pdf",
                        content_type="application/pdf",
                        size=10,
                        sha256=hashlib.sha256(kind.encode()).digest(),
                        storage_key="cnaps/dossier-documents/00/00",
                        uploaded_by_account_id=account,
                        created_at=now,
                    )
                )
            for action, before, after in (
                ("SIGN", "DRAFT", "AWAITING_CONFIRMATION"),
                ("CONFIRM", "AWAITING_CONFIRMATION", "SUBMITTED"),
            ):
                session.add(
                    DossierEvent(
                        dossier_id=dossier.id,
                        action=action,
                        from_status=before,
                        to_status=after,
                        actor_account_id=account,
                        capacity="SELF",
                        created_at=now,
                    )
                )
        await session.commit()


async def _account_of(runtime: Runtime, tenant: str, person_id: str) -> str:
    async with open_session(runtime.services.sessions, tenant) as session:
        found = await session.scalar(
            select(Account.id).where(Account.person_id == uuid_of(person_id))
        )
    assert found is not None
    return gid("Account", found)


async def queue_ids(client: GraphQLClient, token: str, **filters: Any) -> set[str]:
    """Every dossier ID of the agent's queue with these filters, page after page (the suite's
    database holds the other tests' dossiers too)."""
    found: set[str] = set()
    after = None
    while True:
        data = await client(QUEUE, {"first": 100, "after": after, **filters}, token=token)
        queue = data["dossierQueue"]
        found |= {node["id"] for node in queue["nodes"]}
        if not queue["pageInfo"]["hasNextPage"]:
            return found
        after = queue["pageInfo"]["endCursor"]
