"""Organisation accounts through the API, as a frontend does: small real files, GraphQL
multipart requests (the spec Apollo, urql and Relay clients follow), registration with the
documents, validation by an agent.

`registered_and_validated_organisation` is `tests.helpers.organisations.validated_organisation`
done through the API (same `Org`).
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from typing import Any

import httpx
from sqlalchemy import func, select
from strawberry.relay import GlobalID

from mail.models import OutboxMessage
from server.runtime import Runtime
from tenants.session import open_session
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import (
    Org,
    SignedIn,
    agent,
    fresh_siren,
    person,
    siret_of,
)
from tests.helpers.smtp import SmtpServer


def pdf_bytes(text: str = "Extrait Kbis") -> bytes:
    """A small, well-formed one-page PDF (cross-reference offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small, well-formed grey PNG (chunks with their CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# The opening of a small JPEG (start of image, quantisation table, frame, scan): what sniffing reads.
JPEG_BYTES = bytes.fromhex(
    "ffd8ffdb004300030202020203020202030303030406040404040408060605060908"
    "0a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f10"
    "1010ffc9000b080001000101011100ffcc000600101005ffda0008010100003f00d2"
    "cf20ffd9"
)

REGISTER_ORGANISATION = """
mutation Register($input: RegisterOrganisationInput!) {
  registerOrganisation(input: $input) {
    organisation {
      id name siren headOfficeSiret status delegation { code name email } kind submittedAt viewerRole
      missingDocuments
      documents(first: 10) { totalCount nodes { id kind filename contentType size sha256 } }
      establishments(first: 10) { totalCount nodes { id siret headOffice name } }
    }
    errors { code field message }
  }
}
"""

VALIDATE = """
mutation Validate($id: ID!) {
  validateOrganisation(input: {organisationId: $id}) {
    organisation { id status decidedAt }
    errors { code field message }
  }
}
"""

Files = dict[str, tuple[str, bytes, str]]  # variable path -> (filename, content, type)


async def multipart(
    client: GraphQLClient,
    query: str,
    variables: dict[str, Any],
    files: Files,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    lang: str | None = None,
) -> httpx.Response:
    """POST a GraphQL multipart request: `files` maps a variable path
    (`input.documents.0.file`) to the file put there."""
    sent = {"Apollo-Require-Preflight": "true"} if headers is None else dict(headers)
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if lang is not None:
        sent["Accept-Language"] = lang
    operations = {"query": query, "variables": variables}
    file_map = {str(i): [f"variables.{path}"] for i, path in enumerate(files)}
    parts = {str(i): spec for i, spec in enumerate(files.values())}
    return await client.http.post(
        f"/t/{client.tenant}/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(file_map)},
        files=parts,
        headers=sent,
    )


async def upload(
    client: GraphQLClient,
    query: str,
    variables: dict[str, Any],
    files: Files,
    **kwargs: Any,
) -> dict[str, Any]:
    """The `data` of a successful multipart request (fails the test on GraphQL errors)."""
    response = await multipart(client, query, variables, files, **kwargs)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def organisation_input(
    siren: str | None = None,
    *,
    kind: str = "SECURITY_COMPANY",
    name: str = "Gardiennage Atlantique",
    postal_code: str = "44000",
    city: str = "Nantes",
    applicant_is_representative: bool = True,
    **changes: Any,
) -> dict[str, Any]:
    siren = siren or fresh_siren()
    data: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "siren": siren,
        "headOfficeSiret": siret_of(siren.replace(" ", "")),
        "address": {"line1": "10 quai de la Fosse", "postalCode": postal_code, "city": city},
        "legalRepresentative": {
            "familyName": "Dupont",
            "givenNames": "Marie Claire",
            "role": "Gérante",
        },
        "applicantIsRepresentative": applicant_is_representative,
        "documents": [
            {"kind": "COMPANY_REGISTRATION_EXTRACT", "file": None},
            {"kind": "REPRESENTATIVE_IDENTITY", "file": None},
        ],
    }
    if not applicant_is_representative:
        data["documents"].append({"kind": "SIGNED_MANDATE", "file": None})
    data.update(changes)
    return data


def documents_for(data: dict[str, Any]) -> Files:
    """A real file for each document slot of the input: a PDF Kbis, a PNG identity
    document, a PDF mandate."""
    files: Files = {}
    for index, document in enumerate(data.get("documents", [])):
        if document["kind"] == "REPRESENTATIVE_IDENTITY":
            spec = ("carte-identite.png", png_bytes(), "image/png")
        else:
            name = (
                "kbis.pdf" if document["kind"] == "COMPANY_REGISTRATION_EXTRACT" else "mandat.pdf"
            )
            spec = (name, pdf_bytes(document["kind"]), "application/pdf")
        files[f"input.documents.{index}.file"] = spec
    return files


async def register_organisation(
    client: GraphQLClient, admin: SignedIn, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Register with real documents; the payload, checked to have no errors."""
    data = data or organisation_input()
    result = await upload(
        client,
        REGISTER_ORGANISATION,
        {"input": data},
        documents_for(data),
        token=admin.token,
    )
    payload: dict[str, Any] = result["registerOrganisation"]
    assert payload["errors"] == [], payload
    return payload


async def registered_and_validated_organisation(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    *,
    kind: str = "SECURITY_COMPANY",
    name: str = "Gardiennage Atlantique",
) -> Org:
    """A person signs in, registers an organisation with its documents (head office in
    Nantes: delegation OUEST), an agent of that delegation validates it."""
    admin = await person(client, runtime, smtp, "admin")
    siren = fresh_siren()
    payload = await register_organisation(
        client, admin, organisation_input(siren, kind=kind, name=name)
    )
    organisation = payload["organisation"]
    reviewer = await agent(client, runtime, delegations=("OUEST",))
    validated = await client(VALIDATE, {"id": organisation["id"]}, token=reviewer.token)
    assert validated["validateOrganisation"]["errors"] == [], validated
    [head_office] = organisation["establishments"]["nodes"]
    return Org(
        id=organisation["id"],
        uuid=uuid.UUID(GlobalID.from_id(organisation["id"]).node_id),
        siren=siren,
        head_office_id=head_office["id"],
        admin=admin,
    )


async def count(runtime: Runtime, tenant: str, model: Any, *where: Any) -> int:
    async with open_session(runtime.services.sessions, tenant) as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))
        return int(found or 0)


async def outbox_size(runtime: Runtime, tenant: str) -> int:
    return await count(runtime, tenant, OutboxMessage)


def stored_files(runtime: Runtime) -> set[str]:
    root = runtime.settings.resolved_files_dir
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )
