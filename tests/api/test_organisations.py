"""Registering an organisation through the API, with real files in GraphQL multipart
requests, and what a pending request lets its administrator do (bad inputs:
test_organisation_inputs.py)."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select
from strawberry.relay import GlobalID

from auth.audit.models import AuditEvent
from server.runtime import Runtime
from tenants.organisations import Organisation
from tenants.session import open_session
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisation_flows import (
    JPEG_BYTES,
    REGISTER_ORGANISATION,
    count,
    documents_for,
    organisation_input,
    outbox_size,
    pdf_bytes,
    png_bytes,
    register_organisation,
    stored_files,
    upload,
)
from tests.helpers.organisations import fresh_siren, person, siret_of
from tests.helpers.smtp import SmtpServer

UPDATE = """
mutation Update($input: UpdateOrganisationRequestInput!) {
  updateOrganisationRequest(input: $input) {
    organisation { id name status delegation { code } applicantIsRepresentative missingDocuments
      address { postalCode city } establishments { nodes { siret name headOffice } } }
    errors { code field message }
  }
}
"""

ADD_DOCUMENT = """
mutation Add($input: AddOrganisationDocumentInput!) {
  addOrganisationDocument(input: $input) {
    document { id kind filename contentType size sha256 }
    organisation { id missingDocuments documents { totalCount nodes { kind filename } } }
    errors { code field message }
  }
}
"""

ADD_ESTABLISHMENT = """
mutation Add($input: AddEstablishmentInput!) {
  addEstablishment(input: $input) {
    establishment { id siret name headOffice address { postalCode city } }
    errors { code field message }
  }
}
"""

ORGANISATION = """
query($id: ID!) { node(id: $id) { ... on Organisation {
  id status name delegation { code } missingDocuments requiredDocuments viewerRole
  documents { totalCount nodes { id kind filename } }
  establishments { totalCount }
} } }
"""

MY_ORGANISATIONS = """
{ viewer { memberships { nodes { role organisation { id status name } } } } }
"""


async def test_registration_with_documents_awaits_the_authority(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    siren = fresh_siren()
    data = organisation_input(
        f"{siren[:3]} {siren[3:6]} {siren[6:]}",  # typed with spaces
        name="  Gardiennage   Atlantique ",
    )
    data["headOfficeSiret"] = siret_of(siren)
    payload = await register_organisation(cnaps, admin, data)
    organisation = payload["organisation"]
    assert organisation["status"] == "PENDING_VALIDATION"
    assert organisation["siren"] == siren and organisation["name"] == "Gardiennage Atlantique"
    assert organisation["delegation"]["code"] == "OUEST"  # 44000 Nantes
    assert organisation["viewerRole"] == "ADMINISTRATOR"
    assert organisation["missingDocuments"] == []
    documents = {d["kind"]: d for d in organisation["documents"]["nodes"]}
    kbis, identity = pdf_bytes("COMPANY_REGISTRATION_EXTRACT"), png_bytes()
    assert documents["COMPANY_REGISTRATION_EXTRACT"]["contentType"] == "application/pdf"
    assert documents["COMPANY_REGISTRATION_EXTRACT"]["size"] == len(kbis)
    assert documents["COMPANY_REGISTRATION_EXTRACT"]["sha256"] == hashlib.sha256(kbis).hexdigest()
    assert documents["REPRESENTATIVE_IDENTITY"]["contentType"] == "image/png"
    assert documents["REPRESENTATIVE_IDENTITY"]["filename"] == "carte-identite.png"
    [head_office] = organisation["establishments"]["nodes"]
    assert head_office["headOffice"] and head_office["siret"] == siret_of(siren)
    # the bytes are on disk, content-addressed per tenant
    stored = stored_files(runtime)
    for content in (kbis, identity):
        digest = hashlib.sha256(content).hexdigest()
        assert f"cnaps/organisation-documents/{digest[:2]}/{digest}" in stored
    # the person sees the organisation among theirs, with its status
    mine = await cnaps(MY_ORGANISATIONS, token=admin.token)
    [membership] = mine["viewer"]["memberships"]["nodes"]
    assert membership["role"] == "ADMINISTRATOR"
    assert membership["organisation"] == {
        "id": organisation["id"],
        "status": "PENDING_VALIDATION",
        "name": "Gardiennage Atlantique",
    }
    # recorded with the capacity it was done in
    org_id = uuid.UUID(GlobalID.from_id(organisation["id"]).node_id)
    async with open_session(runtime.services.sessions, "cnaps") as session:
        event = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "REGISTER_ORGANISATION", AuditEvent.subject_id == org_id
            )
        )
    assert event is not None and event.capacity == "SELF"
    assert event.details["siren"] == siren


async def test_pending_administrator_views_and_completes_but_nothing_more(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    registered = (await register_organisation(cnaps, admin))["organisation"]
    org_id = registered["id"]
    seen = (await cnaps(ORGANISATION, {"id": org_id}, token=admin.token))["node"]
    assert seen["status"] == "PENDING_VALIDATION" and seen["documents"]["totalCount"] == 2
    # completes: a new head-office address moves the request to the Paris delegation
    changed = await cnaps(
        UPDATE,
        {
            "input": {
                "organisationId": org_id,
                "name": "Atlantique Sécurité",
                "address": {"line1": "1 rue de Rivoli", "postalCode": "75001", "city": "Paris"},
            }
        },
        token=admin.token,
    )
    result = changed["updateOrganisationRequest"]
    assert result["errors"] == []
    assert result["organisation"]["delegation"]["code"] == "IDF"
    assert result["organisation"]["status"] == "PENDING_VALIDATION"
    [head_office] = result["organisation"]["establishments"]["nodes"]
    assert head_office["name"] == "Atlantique Sécurité"
    # replaces the identity document with a JPEG scan
    replaced = await upload(
        cnaps,
        ADD_DOCUMENT,
        {
            "input": {
                "organisationId": org_id,
                "kind": "REPRESENTATIVE_IDENTITY",
                "file": None,
                "replaceExisting": True,
            }
        },
        {"input.file": ("identite-recto.jpg", JPEG_BYTES, "image/jpeg")},
        token=admin.token,
    )
    added = replaced["addOrganisationDocument"]
    assert added["errors"] == []
    assert added["document"]["contentType"] == "image/jpeg"
    kinds = sorted(d["filename"] for d in added["organisation"]["documents"]["nodes"])
    assert kinds == ["identite-recto.jpg", "kbis.pdf"]
    # but cannot act for the organisation yet
    refused = await cnaps(
        ADD_ESTABLISHMENT,
        {
            "input": {
                "organisationId": org_id,
                "siret": siret_of(registered["siren"], 20),
                "name": "Agence de Saint-Nazaire",
                "address": {
                    "line1": "2 rue du Port",
                    "postalCode": "44600",
                    "city": "Saint-Nazaire",
                },
            }
        },
        token=admin.token,
    )
    assert codes(refused["addEstablishment"]) == ["ORGANISATION_NOT_VALIDATED"]
    assert (await cnaps(ORGANISATION, {"id": org_id}, token=admin.token))["node"]["establishments"][
        "totalCount"
    ] == 1
    # nor may anyone else see or complete it
    stranger = await person(cnaps, runtime, smtp, "stranger")
    assert (await cnaps(ORGANISATION, {"id": org_id}, token=stranger.token))["node"] is None
    theirs = await cnaps(
        UPDATE, {"input": {"organisationId": org_id, "name": "X"}}, token=stranger.token
    )
    assert theirs["updateOrganisationRequest"]["errors"][0]["code"] == "NOT_FOUND"
    assert theirs["updateOrganisationRequest"]["errors"][0]["field"] == ["input", "organisationId"]


async def test_a_pending_request_stays_complete(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    org_id = (await register_organisation(cnaps, admin))["organisation"]["id"]
    # the applicant is not the representative after all: a signed mandate is needed first
    flip = {"input": {"organisationId": org_id, "applicantIsRepresentative": False}}
    refused = (await cnaps(UPDATE, flip, token=admin.token))["updateOrganisationRequest"]
    assert codes(refused) == ["DOCUMENTS_MISSING"]
    assert refused["errors"][0]["field"] == ["input", "applicantIsRepresentative"]
    assert "mandat signé" in refused["errors"][0]["message"]
    mandate = await upload(
        cnaps,
        ADD_DOCUMENT,
        {"input": {"organisationId": org_id, "kind": "SIGNED_MANDATE", "file": None}},
        {"input.file": ("mandat.pdf", pdf_bytes("Mandat"), "application/pdf")},
        token=admin.token,
    )
    assert mandate["addOrganisationDocument"]["errors"] == []
    done = (await cnaps(UPDATE, flip, token=admin.token))["updateOrganisationRequest"]
    assert done["errors"] == [] and done["organisation"]["applicantIsRepresentative"] is False
    seen = (await cnaps(ORGANISATION, {"id": org_id}, token=admin.token))["node"]
    assert "SIGNED_MANDATE" in seen["requiredDocuments"] and seen["missingDocuments"] == []


async def test_registration_needs_every_document(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    before = await outbox_size(runtime, "cnaps")
    data = organisation_input()
    data["documents"] = data["documents"][:1]  # the Kbis only
    response = await upload(
        cnaps, REGISTER_ORGANISATION, {"input": data}, documents_for(data), token=admin.token
    )
    payload = response["registerOrganisation"]
    assert payload["organisation"] is None
    assert codes(payload) == ["DOCUMENTS_MISSING"]
    assert payload["errors"][0]["field"] == ["input", "documents"]
    assert "pièce d'identité du représentant légal" in payload["errors"][0]["message"]
    # not the representative: the mandate is missing too (in English when asked)
    other = organisation_input(applicant_is_representative=False)
    other["documents"] = other["documents"][:2]
    response = await upload(
        cnaps,
        REGISTER_ORGANISATION,
        {"input": other},
        documents_for(other),
        token=admin.token,
        lang="en",
    )
    [error] = response["registerOrganisation"]["errors"]
    assert error["code"] == "DOCUMENTS_MISSING" and "signed mandate" in error["message"]
    # nothing was kept
    sirens = [data["siren"], other["siren"]]
    assert await count(runtime, "cnaps", Organisation, Organisation.siren.in_(sirens)) == 0
    assert await outbox_size(runtime, "cnaps") == before
    mine = await cnaps(MY_ORGANISATIONS, token=admin.token)
    assert mine["viewer"]["memberships"]["nodes"] == []
    # and with the documents, the same SIREN registers
    await register_organisation(cnaps, admin, organisation_input(data["siren"]))
