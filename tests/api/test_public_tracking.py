"""Public tracking of a dossier, no account: family name or SIRET + number + security code →
its state and dates, nothing personal; a mismatch, an unknown number and a dossier not yet
submitted answer alike."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from dossiers.dossier.models import Dossier, DossierStatus
from server.database import StatementCounter
from server.runtime import Runtime
from tenants.session import open_session
from tests.helpers.company import uuid_of
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import person, siret_of, validated_organisation
from tests.helpers.public import code, visitor_fixture  # noqa: F401 - the fixture
from tests.helpers.smtp import SmtpServer

TRACK = """
query Track($input: TrackDossierInput!) {
  trackDossier(input: $input) {
    ok
    tracking {
      found status kindCode kindLabel submittedAt updatedAt decidedAt checkedAt printUrl
    }
    errors { code field }
  }
}
"""


async def a_dossier(
    runtime: Runtime,
    status: DossierStatus,
    *,
    person_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    establishment_id: uuid.UUID | None = None,
    account_id: uuid.UUID,
) -> str:
    """A dossier as the filing service leaves it (made here: filing is h11a's to test)."""
    now = runtime.services.clock.now()
    sequence = f"{uuid.uuid4().int % 10**7:07d}"
    number = f"{now.year}-044-{sequence}"
    async with open_session(runtime.services.sessions, "cnaps") as session:
        session.add(
            Dossier(
                kind="PROFESSIONAL_CARD" if person_id else "OPERATING_AUTHORISATION",
                status=status.value,
                number=number,
                sequence=sequence,
                applicant_person_id=person_id,
                applicant_organisation_id=organisation_id,
                establishment_id=establishment_id,
                filed_by_account_id=account_id,
                departement="44",
                delegation="OUEST",
                activities=["SURVEILLANCE"],
                fields={},
                created_at=now - timedelta(days=3),
                updated_at=now - timedelta(days=1),
                submitted_at=now - timedelta(days=2),
            )
        )
        await session.commit()
    return number


async def track(client: GraphQLClient, **values: Any) -> dict[str, Any]:
    values.setdefault("securityCode", await code(client))
    payload: dict[str, Any] = (await client(TRACK, {"input": values}))["trackDossier"]
    return payload


async def test_a_person_s_dossier_is_tracked_by_family_name_and_number(
    cnaps: GraphQLClient,
    visitor: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
) -> None:
    applicant = await person(cnaps, runtime, smtp, "applicant")
    ids = {"person_id": uuid_of(applicant.person_id), "account_id": uuid_of(applicant.account_id)}
    number = await a_dossier(runtime, DossierStatus.UNDER_REVIEW, **ids)
    found = await track(visitor, familyName="DUPONT", number=f" {number.lower()} ")
    assert found["ok"] is True
    tracking = found["tracking"]
    assert tracking["found"] is True and tracking["status"] == "UNDER_REVIEW"
    assert tracking["kindCode"] == "PROFESSIONAL_CARD"
    assert tracking["kindLabel"].startswith("Carte professionnelle")
    assert tracking["submittedAt"] and tracking["updatedAt"] and tracking["decidedAt"] is None
    # A wrong name, an unknown number and a draft: the same answer.
    draft = await a_dossier(runtime, DossierStatus.AWAITING_CONFIRMATION, **ids)
    unknown = f"{number[:9]}{(int(number[9:]) + 1) % 10**7:07d}"
    for name, wanted in (("Martin", number), ("Dupont", unknown), ("Dupont", draft)):
        answer = await track(visitor, familyName=name, number=wanted)
        assert answer["tracking"]["found"] is False, (name, wanted)
        assert {
            k: v for k, v in answer["tracking"].items() if k not in ("checkedAt", "printUrl")
        } == {
            "found": False,
            "status": None,
            "kindCode": None,
            "kindLabel": None,
            "submittedAt": None,
            "updatedAt": None,
            "decidedAt": None,
        }
    # At most three statements beside BEGIN and COMMIT, whatever the answer.
    for name in ("Dupont", "Martin"):
        security_code = await code(visitor)
        with statements.count() as seen:
            await track(visitor, familyName=name, number=number, securityCode=security_code)
        assert len([s for s in seen if s not in ("BEGIN", "COMMIT", "ROLLBACK")]) <= 3, seen
    # The printable page.
    page = await visitor.http.get(tracking["printUrl"].removeprefix("http://testserver"))
    assert page.status_code == 200 and 'data-status="UNDER_REVIEW"' in page.text
    assert number in page.text and "Consultation du" in page.text
    assert "Dupont" not in page.text  # nothing personal


async def test_an_organisation_s_dossier_is_tracked_by_siret_and_bad_input_is_typed(
    cnaps: GraphQLClient,
    visitor: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp, name="Vigiles de Loire")
    number = await a_dossier(
        runtime,
        DossierStatus.SUBMITTED,
        organisation_id=org.uuid,
        establishment_id=uuid_of(org.head_office_id),
        account_id=uuid_of(org.admin.account_id),
    )
    siret = siret_of(org.siren)
    found = await track(visitor, siret=siret, number=number)
    assert found["tracking"]["found"] is True and found["tracking"]["status"] == "SUBMITTED"
    other = siret_of(org.siren, int(siret[9:]) + 1)
    assert (await track(visitor, siret=other, number=number))["tracking"]["found"] is False
    neither = await track(visitor, number=number)
    assert [(e["code"], e["field"]) for e in neither["errors"]] == [
        ("REQUIRED", ["input", "familyName"])
    ]
    both = await track(visitor, familyName="Dupont", siret=siret, number="2026-44-1")
    assert [(e["code"], e["field"]) for e in both["errors"]] == [
        ("NAME_OR_SIRET", ["input", "siret"]),
        ("INVALID_DOSSIER_NUMBER", ["input", "number"]),
    ]
    assert codes(await track(visitor, siret="123", number=number)) == ["INVALID_SIRET"]
    assert codes(await track(visitor, siret=siret, number=number, securityCode="nope")) == [
        "INVALID_SECURITY_CODE"
    ]


async def test_a_granted_dossier_s_title_is_downloadable_at_once_and_verified_publicly(
    cnaps: GraphQLClient,
    visitor: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
) -> None:
    from tests.helpers.dossiers import act, call, filed
    from tests.helpers.organisations import agent

    applicant = await person(cnaps, runtime, smtp, "granted")
    officer = await agent(cnaps, runtime)
    confirmed = await filed(
        cnaps, runtime, smtp, applicant.token, applicant.email, "PROFESSIONAL_CARD"
    )
    dossier = confirmed["dossier"]
    submitted = await track(visitor, familyName="Dupont", number=dossier["number"])
    assert submitted["tracking"]["status"] == "SUBMITTED"
    for name in ("startReview", "grantDossier"):
        done = await call(cnaps, act(name), {"input": {"dossierId": dossier["id"]}}, officer.token)
        assert done["errors"] == [], done
    title = done["title"]
    # The PDF, the same second, by the holder's link.
    mine = await cnaps(
        "query { viewer { titles(first: 5) { nodes { number downloadUrl } } } }",
        token=applicant.token,
    )
    [card] = [t for t in mine["viewer"]["titles"]["nodes"] if t["number"] == title["number"]]
    pdf = await cnaps.http.get(card["downloadUrl"].removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    # Anyone verifies the title and tracks the dossier.
    verified = await visitor(
        """query($input: VerifyTitleInput!) { verifyTitle(input: $input) {
             verification { result titleKind } errors { code } } }""",
        {
            "input": {
                "familyName": "dupont",
                "digits": title["number"][-7:],
                "securityCode": await code(visitor),
            }
        },
    )
    assert verified["verifyTitle"]["verification"] == {"result": "VALID", "titleKind": "CAR"}
    granted = await track(visitor, familyName="Dupont", number=dossier["number"])
    assert granted["tracking"]["status"] == "GRANTED" and granted["tracking"]["decidedAt"]
