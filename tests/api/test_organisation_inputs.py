"""Bad inputs to organisation registration and requests: an invalid SIREN or SIRET, a
document that is not what its name says, a file too large, a forged multipart request, an
ID from another tenant — each its own code, and nothing changes (no row, no file, no mail)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
from strawberry.relay import GlobalID

from server.app import create_app
from server.runtime import Runtime
from tenants.files import Files, FilesystemStorage
from tenants.organisations import Organisation, OrganisationDocument
from tests.api.test_organisations import ADD_DOCUMENT, MY_ORGANISATIONS, ORGANISATION, UPDATE
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisation_flows import (
    REGISTER_ORGANISATION,
    count,
    documents_for,
    multipart,
    organisation_input,
    outbox_size,
    pdf_bytes,
    png_bytes,
    register_organisation,
    stored_files,
    upload,
)
from tests.helpers.organisations import agent, fresh_siren, gid, person, siret_of
from tests.helpers.smtp import SmtpServer


async def register_expecting(
    cnaps: GraphQLClient, token: str, data: dict[str, Any], files: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    response = await upload(
        cnaps,
        REGISTER_ORGANISATION,
        {"input": data},
        documents_for(data) if files is None else files,
        token=token,
    )
    payload = response["registerOrganisation"]
    assert payload["organisation"] is None
    errors: list[dict[str, Any]] = payload["errors"]
    return errors


async def test_bad_identity_each_its_code_and_nothing_changes(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    files_before = stored_files(runtime)
    outbox_before = await outbox_size(runtime, "cnaps")
    organisations_before = await count(runtime, "cnaps", Organisation)
    siren, other = fresh_siren(), fresh_siren()
    bad_siren = siren[:-1] + str((int(siren[-1]) + 1) % 10)
    cases: list[tuple[dict[str, Any], str, list[str]]] = [
        (
            organisation_input(bad_siren, headOfficeSiret=siret_of(siren)),
            "INVALID_SIREN",
            ["input", "siren"],
        ),
        (
            organisation_input("12345678", headOfficeSiret=siret_of(siren)),
            "INVALID_SIREN",
            ["input", "siren"],
        ),
        (
            organisation_input(siren, headOfficeSiret=siret_of(siren)[:-1] + "X"),
            "INVALID_SIRET",
            ["input", "headOfficeSiret"],
        ),
        (
            organisation_input(siren, headOfficeSiret=siret_of(other)),
            "SIRET_NOT_OF_SIREN",
            ["input", "headOfficeSiret"],
        ),
        (organisation_input(siren, kind="BAKERY"), "UNKNOWN_ORGANISATION_KIND", ["input", "kind"]),
        (
            organisation_input(siren, postal_code="4400"),
            "INVALID_POSTAL_CODE",
            ["input", "address", "postalCode"],
        ),
        (organisation_input(siren, name="  "), "REQUIRED", ["input", "name"]),
    ]
    for data, code, field in cases:
        errors = await register_expecting(cnaps, admin.token, data)
        assert [(e["code"], e["field"]) for e in errors] == [(code, field)], (code, errors)
    # several mistakes at once are all reported
    both = organisation_input(
        bad_siren,
        headOfficeSiret=siret_of(siren),
        kind="BAKERY",
        legalRepresentative={"familyName": " ", "givenNames": "Marie"},
    )
    errors = await register_expecting(cnaps, admin.token, both)
    assert sorted(e["code"] for e in errors) == [
        "INVALID_SIREN",
        "REQUIRED",
        "UNKNOWN_ORGANISATION_KIND",
    ]
    assert await count(runtime, "cnaps", Organisation) == organisations_before
    assert await outbox_size(runtime, "cnaps") == outbox_before
    assert stored_files(runtime) == files_before  # checked before anything is written
    # the same data, corrected, registers
    await register_organisation(cnaps, admin, organisation_input(siren))
    again = await register_expecting(cnaps, admin.token, organisation_input(siren))
    assert codes({"errors": again}) == ["ORGANISATION_ALREADY_REGISTERED"]


async def test_la_poste_establishment_follows_its_own_rule(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    luhn_only = organisation_input("356000000", headOfficeSiret="35600000000014", name="La Poste")
    errors = await register_expecting(cnaps, admin.token, luhn_only)
    assert [e["code"] for e in errors] == ["INVALID_SIRET"]
    # digit sum 15: valid for La Poste though Luhn fails; Paris head office
    data = organisation_input(
        "356 000 000",
        headOfficeSiret="356 000 000 00001",
        name="La Poste",
        postal_code="75015",
        city="Paris",
    )
    organisation = (await register_organisation(cnaps, admin, data))["organisation"]
    assert organisation["headOfficeSiret"] == "35600000000001"
    assert organisation["delegation"] == {
        "code": "IDF",
        "name": "Île-de-France",
        "email": "cnaps-dt-idf@interieur.gouv.fr",
    }


async def test_documents_are_what_their_names_say(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    files_before = stored_files(runtime)
    organisations_before = await count(runtime, "cnaps", Organisation)
    limit = runtime.services.files.max_bytes
    cases = [
        (("kbis.pdf", png_bytes(), "application/pdf"), "DOCUMENT_TYPE_MISMATCH"),
        (
            ("kbis.docx", b"PK\x03\x04 a word document", "application/pdf"),
            "DOCUMENT_TYPE_NOT_ACCEPTED",
        ),
        (("kbis.pdf", b"", "application/pdf"), "DOCUMENT_EMPTY"),
        (("kbis.pdf", b"%PDF-1.4\n" + b"0" * (limit - 8), "application/pdf"), "DOCUMENT_TOO_LARGE"),
    ]
    for spec, code in cases:
        data = organisation_input()
        files = documents_for(data)
        files["input.documents.0.file"] = spec
        errors = await register_expecting(cnaps, admin.token, data, files)
        assert [(e["code"], e["field"]) for e in errors] == [
            (code, ["input", "documents", "0", "file"])
        ], errors
        if code == "DOCUMENT_TYPE_MISMATCH":
            assert "PNG" in errors[0]["message"] and "kbis.pdf" in errors[0]["message"]
    # exactly at the limit is accepted
    data = organisation_input()
    files = documents_for(data)
    files["input.documents.0.file"] = (
        "kbis.pdf",
        b"%PDF-1.4\n" + b"0" * (limit - 9),
        "application/pdf",
    )
    payload = await register_organisation_with(cnaps, admin.token, data, files)
    sizes = {d["kind"]: d["size"] for d in payload["organisation"]["documents"]["nodes"]}
    assert sizes["COMPANY_REGISTRATION_EXTRACT"] == limit
    assert await count(runtime, "cnaps", Organisation) == organisations_before + 1
    # only the accepted request's new file was written (the PNG was already stored:
    # content-addressed), none of the refused ones
    at_limit = hashlib.sha256(files["input.documents.0.file"][1]).hexdigest()
    assert stored_files(runtime) - files_before == {
        f"cnaps/organisation-documents/{at_limit[:2]}/{at_limit}"
    }


async def register_organisation_with(
    cnaps: GraphQLClient, token: str, data: dict[str, Any], files: dict[str, Any]
) -> dict[str, Any]:
    response = await upload(cnaps, REGISTER_ORGANISATION, {"input": data}, files, token=token)
    payload: dict[str, Any] = response["registerOrganisation"]
    assert payload["errors"] == [], payload
    return payload


async def test_who_may_register(cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer) -> None:
    data = organisation_input()
    anonymous = await multipart(cnaps, REGISTER_ORGANISATION, {"input": data}, documents_for(data))
    assert codes(anonymous.json()["data"]["registerOrganisation"]) == ["AUTHENTICATION_REQUIRED"]
    reviewer = await agent(cnaps, runtime)
    as_agent = await register_expecting(cnaps, reviewer.token, data)
    assert [e["code"] for e in as_agent] == ["FORBIDDEN"]
    # one person may register several organisations (a group's companies)
    admin = await person(cnaps, runtime, smtp, "admin")
    await register_organisation(cnaps, admin)
    await register_organisation(cnaps, admin, organisation_input(kind="TRAINING_ORGANISATION"))
    mine = await cnaps(MY_ORGANISATIONS, token=admin.token)
    assert len(mine["viewer"]["memberships"]["nodes"]) == 2
    assert await count(runtime, "cnaps", Organisation, Organisation.siren == data["siren"]) == 0


async def test_multipart_needs_a_csrf_proof_and_a_bounded_size(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    data = organisation_input()
    # a cross-site form could send this: no Authorization, no preflight header
    forged = await multipart(
        cnaps, REGISTER_ORGANISATION, {"input": data}, documents_for(data), headers={}
    )
    assert forged.status_code == 400
    assert forged.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    # X-Requested-With is a proof; so is the bearer token alone
    anonymous = await multipart(
        cnaps,
        REGISTER_ORGANISATION,
        {"input": data},
        documents_for(data),
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert codes(anonymous.json()["data"]["registerOrganisation"]) == ["AUTHENTICATION_REQUIRED"]
    bearer = await multipart(
        cnaps,
        REGISTER_ORGANISATION,
        {"input": data},
        documents_for(data),
        token=admin.token,
        headers={},
    )
    assert bearer.json()["data"]["registerOrganisation"]["errors"] == []
    # a body larger than a few files at the limit is refused before it is read
    small = replace(
        runtime,
        services=replace(
            runtime.services,
            files=Files(FilesystemStorage(runtime.settings.resolved_files_dir), 1000),
        ),
    )
    transport = httpx.ASGITransport(app=create_app(small))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        other = organisation_input()
        response = await client.post(
            "/t/cnaps/graphql",
            data={
                "operations": json.dumps(
                    {"query": REGISTER_ORGANISATION, "variables": {"input": other}}
                ),
                "map": json.dumps({"0": ["variables.input.documents.0.file"]}),
            },
            files={"0": ("kbis.pdf", b"%PDF-1.4\n" + b"0" * 1024 * 1024 * 5, "application/pdf")},
            headers={"Authorization": f"Bearer {admin.token}"},
        )
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"

        # without a Content-Length (chunked), counted as it arrives
        async def body() -> AsyncIterator[bytes]:
            yield b'--b\r\nContent-Disposition: form-data; name="0"; filename="k.pdf"\r\n\r\n'
            for _ in range(100):
                yield b"0" * 65536

        streamed = await client.post(
            "/t/cnaps/graphql",
            content=body(),
            headers={
                "Authorization": f"Bearer {admin.token}",
                "Content-Type": "multipart/form-data; boundary=b",
            },
        )
        assert streamed.status_code == 413
    assert await count(runtime, "cnaps", Organisation, Organisation.siren == other["siren"]) == 0


async def test_ids_of_another_tenant_are_not_found(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    org_id = (await register_organisation(cnaps, admin))["organisation"]["id"]
    elsewhere = await person(cnsa, runtime, smtp, "elsewhere")
    cnsa_agent = await agent(cnsa, runtime, delegations=("OUEST",))
    outbox_before = await outbox_size(runtime, "cnsa")
    update = await cnsa(
        UPDATE, {"input": {"organisationId": org_id, "name": "Pris"}}, token=elsewhere.token
    )
    assert codes(update["updateOrganisationRequest"]) == ["NOT_FOUND"]
    added = await upload(
        cnsa,
        ADD_DOCUMENT,
        {"input": {"organisationId": org_id, "kind": "SIGNED_MANDATE", "file": None}},
        {"input.file": ("mandat.pdf", pdf_bytes(), "application/pdf")},
        token=elsewhere.token,
    )
    assert codes(added["addOrganisationDocument"]) == ["NOT_FOUND"]
    validate = await cnsa(
        "mutation($id: ID!) { validateOrganisation(input: {organisationId: $id}) { errors { code field } } }",
        {"id": org_id},
        token=cnsa_agent.token,
    )
    assert validate["validateOrganisation"]["errors"] == [
        {"code": "NOT_FOUND", "field": ["input", "organisationId"]}
    ]
    # an ID of another type, or malformed, is not found either
    for wrong in (
        admin.person_id,
        gid("Organisation", "not-a-uuid"),
        gid("Organisation", uuid.uuid4()),
    ):
        result = await cnaps(
            UPDATE, {"input": {"organisationId": wrong, "name": "X"}}, token=admin.token
        )
        assert codes(result["updateOrganisationRequest"]) == ["NOT_FOUND"]
    seen = (await cnaps(ORGANISATION, {"id": org_id}, token=admin.token))["node"]
    assert seen["name"] == "Gardiennage Atlantique" and seen["documents"]["totalCount"] == 2
    assert await outbox_size(runtime, "cnsa") == outbox_before
    org_uuid = uuid.UUID(GlobalID.from_id(org_id).node_id)
    assert (
        await count(
            runtime, "cnaps", OrganisationDocument, OrganisationDocument.organisation_id == org_uuid
        )
        == 2
    )
