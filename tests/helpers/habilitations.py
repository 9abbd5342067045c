"""Set-up of the cnsa tests: structures in the FINESS directory, application managers (as
`guichet habilitation add-manager` makes them), habilitated accounts, OOXML files, and the
GraphQL documents."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from auth.context import ServiceContext
from auth.habilitation.habilitations import grant_managing_profile
from auth.habilitation.models import Habilitation, HabilitationStructure
from server.runtime import Runtime
from tenants.identifiers import luhn_valid
from tenants.packs import PACKS
from tenants.session import open_session
from tenants.structures import Structure, search_key
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import SignedIn, person
from tests.helpers.smtp import SmtpServer

SAMPLE = Path(__file__).parent.parent / "data" / "finess_etablissements_sample.csv"
CAMSP = "CAMSP_CMPP"
DEPOSITOR = "GESTIONNAIRE_CAMSP_CMPP"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def fresh_finess() -> str:
    """A random FINESS number (9 digits, valid Luhn key)."""
    while True:
        base = f"{uuid.uuid4().int % 10**8:08d}"
        for check in range(10):
            if luhn_valid(base + str(check)):
                return base + str(check)


def ooxml(main_type: str, main_part: str, *, vba: bool = False) -> bytes:
    """A minimal OOXML package whose [Content_Types].xml names `main_type` for `main_part`."""
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<root/>")
        if vba:
            archive.writestr(main_part.split("/", maxsplit=1)[0] + "/vbaProject.bin", b"\x00VBA")
    return buffer.getvalue()


def xlsx() -> bytes:
    return ooxml(XLSX_MAIN, "xl/workbook.xml")


def xlsm() -> bytes:
    return ooxml(XLSM_MAIN, "xl/workbook.xml", vba=True)


def docx() -> bytes:
    return ooxml(DOCX_MAIN, "word/document.xml")


def docm() -> bytes:
    return ooxml(DOCM_MAIN, "word/document.xml", vba=True)


@dataclass
class Place:
    id: uuid.UUID
    finess: str
    name: str


async def add_structures(
    runtime: Runtime, count: int, *, name: str = "CAMSP TEST", town: str = "NANTES"
) -> list[Place]:
    """`count` new structures in the cnsa directory, numbered after `name`."""
    now = runtime.services.clock.now()
    made = []
    async with open_session(runtime.services.sessions, "cnsa") as session:
        for index in range(count):
            finess = fresh_finess()
            label = f"{name} {index:03d} {finess}"
            row = Structure(
                id=uuid.uuid4(),
                finess=finess,
                category_code="190",
                category="Centre Action Médico-Sociale Précoce (C.A.M.S.P.)",
                name=label,
                town=town,
                postal_code="44000",
                search_key=search_key(label, town, "44000"),
                updated_at=now,
            )
            session.add(row)
            made.append(Place(row.id, finess, label))
        await session.commit()
    return made


def account_uuid(signed: SignedIn) -> uuid.UUID:
    from strawberry.relay import GlobalID

    return uuid.UUID(GlobalID.from_id(signed.account_id).node_id)


async def application_manager(
    client: GraphQLClient, runtime: Runtime, smtp: SmtpServer, application: str = CAMSP
) -> SignedIn:
    """A signed-in person given the application's managing profile (as the command does);
    habilitations are read at each request, no new sign-in needed."""
    signed = await person(client, runtime, smtp, "manager")
    services = runtime.services
    async with open_session(services.sessions, "cnsa") as session:
        ctx = ServiceContext(
            session=session, pack=PACKS["cnsa"], clock=services.clock, config=services.auth
        )
        app = PACKS["cnsa"].application(application)
        assert app is not None
        await grant_managing_profile(ctx, account_uuid(signed), app)
        await session.commit()
    return signed


async def grant(
    runtime: Runtime,
    signed: SignedIn,
    structures: list[Place],
    application: str = CAMSP,
    profile: str = DEPOSITOR,
) -> uuid.UUID:
    """A habilitation written straight to the database (the approval flow is tested over the
    API elsewhere)."""
    async with open_session(runtime.services.sessions, "cnsa") as session:
        row = Habilitation(
            id=uuid.uuid4(),
            account_id=account_uuid(signed),
            application=application,
            profile=profile,
            granted_at=runtime.services.clock.now(),
        )
        session.add(row)
        await session.flush()
        for place in structures:
            session.add(HabilitationStructure(habilitation_id=row.id, structure_id=place.id))
        await session.commit()
        return row.id


async def structure_count(runtime: Runtime) -> int:
    async with open_session(runtime.services.sessions, "cnsa") as session:
        return len((await session.scalars(select(Structure.id))).all())


REQUEST = """
mutation($input: RequestHabilitationInput!) {
  requestHabilitation(input: $input) {
    ok errors { code field message }
    habilitationRequest { id status requestType application { code name } profile { code label }
      structureType structures { finess name town postalCode } }
  }
}
"""

REVIEW = """
query($first: Int) {
  habilitationRequestsToReview(first: $first) {
    totalCount
    nodes { id status application { code } profile { code } structures { finess name }
      requester { identifier email familyName givenNames } }
  }
}
"""

APPROVE = """
mutation($id: ID!) {
  approveHabilitationRequest(input: {requestId: $id}) {
    ok errors { code field message }
    habilitation { id application { code } profile { code label } structures { finess } }
    habilitationRequest { id status }
  }
}
"""

REJECT = """
mutation($id: ID!, $reason: String!) {
  rejectHabilitationRequest(input: {requestId: $id, reason: $reason}) {
    ok errors { code field message } habilitationRequest { id status rejectionReason }
  }
}
"""

DELETE = """
mutation($id: ID!) {
  deleteHabilitationRequest(input: {requestId: $id}) {
    ok errors { code field message } habilitationRequest { id status }
  }
}
"""

MY_ACCOUNT = """
query {
  viewer {
    identity { identifier email familyName givenNames }
    habilitations(first: 100) { totalCount nodes { id application { code name url }
      profile { code label description } structures { finess name town } } }
    habilitationRequests(first: 100) { totalCount nodes { id status application { code }
      profile { label } structures { finess } createdAt } }
    applications { code name description url }
  }
}
"""

STRUCTURES = """
query($search: String!, $first: Int) {
  structures(search: $search, first: $first) {
    totalCount nodes { id finess name town postalCode category categoryCode }
  }
}
"""

DEPOSIT = """
mutation($input: DepositDocumentInput!) {
  depositDocument(input: $input) {
    ok errors { code field message }
    document { id kind year filename contentType size downloadUrl trashedAt }
  }
}
"""
