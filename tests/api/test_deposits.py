"""CAMSP / CMPP document deposits over GraphQL (seed 004): activity reports per structure
and year, content checked (OOXML types, macros, PDF signature), visible to the accounts
habilitated on the structure only, trash with restore and a purge after 30 days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from server.database import StatementCounter
from server.periodic import purge_trash_once
from server.runtime import Runtime
from tests.helpers.clock import TestClock
from tests.helpers.flows import sign_in
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.habilitations import (
    DEPOSIT,
    add_structures,
    docm,
    docx,
    grant,
    xlsm,
    xlsx,
)
from tests.helpers.organisation_flows import multipart, pdf_bytes, upload
from tests.helpers.organisations import SignedIn, gid, person
from tests.helpers.smtp import SmtpServer

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

DOCUMENTS = """
query($id: ID!, $trash: Boolean!, $year: Int) {
  node(id: $id) {
    ... on Structure {
      finess
      documents(inTrash: $trash, year: $year, first: 100) {
        totalCount nodes { id kind year filename trashedAt }
      }
    }
  }
}
"""

TRASH = """
mutation($id: ID!) { trashDocument(input: {documentId: $id}) {
  ok errors { code field } document { id trashedAt } } }
"""

RESTORE = """
mutation($id: ID!) { restoreDocument(input: {documentId: $id}) {
  ok errors { code field } document { id trashedAt } } }
"""


async def deposit(
    client: GraphQLClient,
    signed: SignedIn,
    structure: str,
    kind: str,
    filename: str,
    content: bytes,
    mime: str,
    year: int = 2025,
) -> dict[str, Any]:
    data = await upload(
        client,
        DEPOSIT,
        {"input": {"structureId": structure, "kind": kind, "year": year, "file": None}},
        {"input.file": (filename, content, mime)},
        token=signed.token,
    )
    payload: dict[str, Any] = data["depositDocument"]
    return payload


async def test_reports_are_deposited_listed_trashed_restored_and_purged(
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    http: httpx.AsyncClient,
    clock: TestClock,
) -> None:
    place, elsewhere = await add_structures(runtime, 2)
    depositor = await person(cnsa, runtime, smtp, "depositor")
    colleague = await person(cnsa, runtime, smtp, "colleague")
    stranger = await person(cnsa, runtime, smtp, "stranger")
    await grant(runtime, depositor, [place])
    await grant(runtime, colleague, [place, elsewhere])
    structure = gid("Structure", place.id)

    excel = await deposit(cnsa, depositor, structure, "QUANTITATIVE", "rapport.xlsx", xlsx(), "x")
    assert excel["ok"] is True, excel
    assert excel["document"]["contentType"] == XLSX_TYPE  # read from the content, not the name
    word = await deposit(cnsa, depositor, structure, "QUALITATIVE", "rapport.docx", docx(), "x")
    pdf = await deposit(
        cnsa,
        depositor,
        structure,
        "QUALITATIVE",
        "rapport.pdf",
        pdf_bytes(),
        "application/pdf",
        2024,
    )
    assert word["document"]["contentType"] == DOCX_TYPE and pdf["ok"] is True
    # the audit trail points to the deposited document itself (a node of its GraphQL type)
    trail = await cnsa(
        "{ viewer { myActivity(first: 3) { nodes { subject { __typename id } } } } }",
        token=depositor.token,
    )
    subjects = [n["subject"] for n in trail["viewer"]["myActivity"]["nodes"]]
    assert {"__typename": "DepositedDocument", "id": excel["document"]["id"]} in subjects
    download = await http.get(excel["document"]["downloadUrl"].replace("http://testserver", ""))
    assert download.status_code == 200 and download.content == xlsx()

    seen = await cnsa(DOCUMENTS, {"id": structure, "trash": False}, token=colleague.token)
    assert seen["node"]["documents"]["totalCount"] == 3  # a colleague on the same structure
    by_year = await cnsa(
        DOCUMENTS, {"id": structure, "trash": False, "year": 2024}, token=colleague.token
    )
    assert [d["filename"] for d in by_year["node"]["documents"]["nodes"]] == ["rapport.pdf"]
    hidden = await cnsa(DOCUMENTS, {"id": structure, "trash": False}, token=stranger.token)
    assert hidden["node"] == {"finess": place.finess, "documents": None}
    node = await cnsa(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": excel["document"]["id"]},
        token=stranger.token,
    )
    assert node["node"] is None
    mine = await cnsa("{ viewer { depositStructures { finess } } }", token=colleague.token)
    assert {s["finess"] for s in mine["viewer"]["depositStructures"]} == {
        place.finess,
        elsewhere.finess,
    }

    by_stranger = await cnsa(TRASH, {"id": word["document"]["id"]}, token=stranger.token)
    assert [(e["code"], e["field"]) for e in by_stranger["trashDocument"]["errors"]] == [
        ("NOT_FOUND", ["input", "documentId"])
    ]
    trashed = await cnsa(TRASH, {"id": word["document"]["id"]}, token=colleague.token)
    assert trashed["trashDocument"]["ok"] and trashed["trashDocument"]["document"]["trashedAt"]
    twice = await cnsa(TRASH, {"id": word["document"]["id"]}, token=colleague.token)
    assert codes(twice["trashDocument"]) == ["DOCUMENT_IN_TRASH"]
    bin_ = await cnsa(DOCUMENTS, {"id": structure, "trash": True}, token=depositor.token)
    assert [d["filename"] for d in bin_["node"]["documents"]["nodes"]] == ["rapport.docx"]
    restored = await cnsa(RESTORE, {"id": word["document"]["id"]}, token=depositor.token)
    assert restored["restoreDocument"]["document"]["trashedAt"] is None
    not_in_trash = await cnsa(RESTORE, {"id": word["document"]["id"]}, token=depositor.token)
    assert codes(not_in_trash["restoreDocument"]) == ["DOCUMENT_NOT_IN_TRASH"]

    await cnsa(TRASH, {"id": pdf["document"]["id"]}, token=depositor.token)
    clock.advance(timedelta(days=29, hours=23))
    await purge_trash_once(runtime)
    token = (await sign_in(cnsa, depositor.email))["accessToken"]
    bin_ = await cnsa(DOCUMENTS, {"id": structure, "trash": True}, token=token)
    assert bin_["node"]["documents"]["totalCount"] == 1  # the day before: kept
    clock.advance(timedelta(hours=2))
    assert await purge_trash_once(runtime) >= 1
    token = (await sign_in(cnsa, depositor.email))["accessToken"]
    bin_ = await cnsa(DOCUMENTS, {"id": structure, "trash": True}, token=token)
    assert bin_["node"]["documents"]["totalCount"] == 0
    left = await cnsa(DOCUMENTS, {"id": structure, "trash": False}, token=token)
    assert left["node"]["documents"]["totalCount"] == 2


async def test_bad_deposits_are_refused_and_store_nothing(
    cnsa: GraphQLClient, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    place, other = await add_structures(runtime, 2)
    depositor = await person(cnsa, runtime, smtp, "depositor")
    await grant(runtime, depositor, [place])
    structure = gid("Structure", place.id)

    async def refused(kind: str, name: str, content: bytes, **changes: Any) -> list[Any]:
        variables = {"structureId": structure, "kind": kind, "year": 2025, "file": None}
        variables.update(changes)
        data = await upload(
            cnsa,
            DEPOSIT,
            {"input": variables},
            {"input.file": (name, content, "x")},
            token=depositor.token,
        )
        assert (
            data["depositDocument"]["ok"] is False and data["depositDocument"]["document"] is None
        )
        return [(e["code"], e["field"]) for e in data["depositDocument"]["errors"]]

    html = b"<!DOCTYPE html><html><body>rapport</body></html>"
    assert await refused("QUANTITATIVE", "rapport.xlsm", xlsm()) == [
        ("MACRO_ENABLED_DOCUMENT", ["input", "file"])
    ]
    assert await refused("QUALITATIVE", "rapport.docm", docm()) == [
        ("MACRO_ENABLED_DOCUMENT", ["input", "file"])
    ]
    assert await refused("QUALITATIVE", "rapport.pdf", html) == [
        ("REPORT_FORMAT_NOT_ACCEPTED", ["input", "file"])
    ]
    assert await refused("QUANTITATIVE", "rapport.docx", docx()) == [
        ("REPORT_FORMAT_NOT_ACCEPTED", ["input", "file"])
    ]
    assert await refused("QUALITATIVE", "rapport.pdf", docx()) == [
        ("REPORT_FORMAT_MISMATCH", ["input", "file"])
    ]
    assert await refused("QUALITATIVE", "vide.pdf", b"") == [
        ("REPORT_FILE_EMPTY", ["input", "file"])
    ]
    assert await refused("QUANTITATIVE", "rapport.xlsx", xlsx(), year=1999) == [
        ("INVALID_YEAR", ["input", "year"])
    ]
    assert await refused(
        "QUANTITATIVE", "rapport.xlsx", xlsx(), structureId=gid("Structure", other.id)
    ) == [("NOT_HABILITATED_ON_STRUCTURE", ["input", "structureId"])]
    assert await refused(
        "QUANTITATIVE", "rapport.xlsx", xlsx(), structureId=None, finess="12345678"
    ) == [("INVALID_FINESS", ["input", "finess"])]
    assert await refused("QUANTITATIVE", "rapport.xlsx", xlsx(), structureId="forged") == [
        ("NOT_FOUND", ["input", "structureId"])
    ]
    listed = await cnsa(DOCUMENTS, {"id": structure, "trash": False}, token=depositor.token)
    assert listed["node"]["documents"]["totalCount"] == 0
    # cnaps: no deposits at all
    someone = await person(cnaps, runtime, smtp)
    response = await multipart(
        cnaps,
        DEPOSIT,
        {"input": {"finess": place.finess, "kind": "QUANTITATIVE", "year": 2025, "file": None}},
        {"input.file": ("rapport.xlsx", xlsx(), "x")},
        token=someone.token,
    )
    assert codes(response.json()["data"]["depositDocument"]) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]


async def test_documents_cost_the_same_for_10_and_100(
    cnsa: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
) -> None:
    counts = {}
    for size in (10, 100):
        places = await add_structures(runtime, 3)
        depositor = await person(cnsa, runtime, smtp, "depositor")
        await grant(runtime, depositor, places)
        await _many_deposits(runtime, depositor, places, size)
        query = "{ viewer { depositStructures { finess documents(first: 100) { totalCount nodes { id filename } } } } }"
        with statements.count() as seen:
            data = await cnsa(query, token=depositor.token)
        assert (
            sum(s["documents"]["totalCount"] for s in data["viewer"]["depositStructures"]) == size
        )
        counts[size] = len(seen)
    assert counts[10] == counts[100]


async def _many_deposits(runtime: Runtime, signed: SignedIn, places: list[Any], size: int) -> None:
    import uuid

    from dossiers.deposit.models import Deposit
    from tenants.session import open_session
    from tests.helpers.habilitations import account_uuid

    async with open_session(runtime.services.sessions, "cnsa") as session:
        for index in range(size):
            session.add(
                Deposit(
                    id=uuid.uuid4(),
                    structure_id=places[index % len(places)].id,
                    kind="QUANTITATIVE",
                    year=2025,
                    filename=f"r{index}.xlsx",
                    content_type=XLSX_TYPE,
                    size=1,
                    sha256=b"\x00" * 32,
                    storage_key="cnsa/deposits/00/00",
                    deposited_by_account_id=account_uuid(signed),
                    created_at=runtime.services.clock.now(),
                )
            )
        await session.commit()
