"""Filing: who may file (a person, a trusted third party under a FILE_DOSSIERS mandate, an
organisation for itself), the documents by situation, and bad input answered in the payload
with a code and a field path, changing nothing."""

from __future__ import annotations

from datetime import timedelta

from dossiers.title.numbers import add_months
from server.runtime import Runtime
from tests.api.test_mandates import ACTED_FOR_ME, mandate_in_force
from tests.helpers.company import today
from tests.helpers.dossiers import (
    DOCUMENTS,
    KIND_INPUTS,
    UPDATE,
    act,
    add_document,
    add_documents,
    call,
    confirm,
    create,
    fields,
    filed,
    mailed_token,
    sign,
)
from tests.helpers.flows import deliver
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import agent, person, validated_organisation
from tests.helpers.smtp import SmtpServer

KINDS = """
query { tenant { dossierKinds {
  code label applicant titleKind titleValidityMonths singleActivity renews organisationKinds
  fields { name type requiredWhen }
  documents { code requiredWhen maxAgeMonths oneePerUnit: onePerUnitOf }
} } }
"""
NODE = "query($id: ID!) { node(id: $id) { ... on Dossier { status activities { code } fields { name value } updatedAt events(first: 50) { totalCount } documents(first: 50) { totalCount } } } }"


ORGANISATION_DOSSIERS = """query($id: ID!) { node(id: $id) { ... on Organisation {
  dossiers(first: 10) { nodes { id status } } } } }"""


async def test_the_pack_s_kinds_are_in_the_api(cnaps: GraphQLClient, cnsa: GraphQLClient) -> None:
    kinds = (await cnaps(KINDS))["tenant"]["dossierKinds"]
    by_code = {k["code"]: k for k in kinds}
    assert len(by_code) == 10
    card = by_code["PROFESSIONAL_CARD"]
    assert card["titleKind"] == "CAR" and card["titleValidityMonths"] == 60
    documents = {d["code"]: d for d in card["documents"]}
    assert documents["CRIMINAL_RECORD_EQUIVALENT"]["requiredWhen"] == "FOREIGN_NATIONAL"
    assert documents["CRIMINAL_RECORD_EQUIVALENT"]["maxAgeMonths"] == 3
    assert documents["DOG_IDENTIFICATION_CARD"]["oneePerUnit"] == "dogCount"
    assert by_code["PROFESSIONAL_CARD_RENEWAL"]["renews"] == "CAR"
    assert by_code["PRIOR_AUTHORISATION_MAC"]["singleActivity"] is True
    assert by_code["OPERATING_AUTHORISATION"]["applicant"] == "ORGANISATION"
    assert (await cnsa(KINDS))["tenant"]["dossierKinds"] == []


async def test_no_dossiers_on_the_cnsa_portal(
    cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnsa, runtime, smtp, "cnsa")
    refused = await create(cnsa, someone.token, kind="PROFESSIONAL_CARD")
    assert codes(refused) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    mine = await cnsa("query { viewer { dossiers(first: 5) { totalCount } } }", token=someone.token)
    assert mine["viewer"]["dossiers"] == {"totalCount": 0}


async def test_a_trusted_third_party_files_for_a_person_who_is_told(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org, worker, _ = await mandate_in_force(
        cnaps, runtime, smtp, ["FILE_DOSSIERS", "FOLLOW_DOSSIERS", "RECEIVE_COMMUNICATIONS"]
    )
    officer = await agent(cnaps, runtime)
    admin = org.admin
    confirmed = await filed(
        cnaps,
        runtime,
        smtp,
        admin.token,
        admin.email,
        "PROFESSIONAL_CARD",
        personId=worker.person_id,
    )
    dossier = confirmed["dossier"]
    assert dossier["filedByThirdParty"] is True and dossier["status"] == "SUBMITTED"
    told = await deliver(runtime, smtp, worker.email)
    assert any("Gardiennage Atlantique" in str(m["Subject"]) for m in told)
    acted = (await cnaps(ACTED_FOR_ME, token=worker.token))["viewer"]["actedForMe"]["nodes"]
    created = [a for a in acted if a["action"] == "CREATE_DOSSIER"]
    assert created and created[0]["capacity"] == "TRUSTED_THIRD_PARTY"
    assert created[0]["mandate"] is not None and created[0]["mandate"]["id"]
    # the person sees it among theirs; the agent grants it; both sides are mailed
    mine = await cnaps(
        "query { viewer { dossiers(first: 5) { nodes { id } } } }", token=worker.token
    )
    assert [n["id"] for n in mine["viewer"]["dossiers"]["nodes"]] == [dossier["id"]]
    for name in ("startReview", "grantDossier"):
        done = await call(cnaps, act(name), {"input": {"dossierId": dossier["id"]}}, officer.token)
        assert done["errors"] == [], done
    assert any("accordée" in str(m["Subject"]) for m in await deliver(runtime, smtp, worker.email))
    assert any("accordée" in str(m["Subject"]) for m in await deliver(runtime, smtp, admin.email))


async def test_a_mandate_without_file_dossiers_or_no_mandate_is_refused(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org, worker, _ = await mandate_in_force(cnaps, runtime, smtp, ["FOLLOW_DOSSIERS"])
    refused = await create(
        cnaps, org.admin.token, kind="PROFESSIONAL_CARD", personId=worker.person_id
    )
    assert codes(refused) == ["MANDATE_SCOPE_MISSING"]
    stranger = await validated_organisation(cnaps, runtime, smtp, name="Autre Société")
    unknown = await create(
        cnaps, stranger.admin.token, kind="PROFESSIONAL_CARD", personId=worker.person_id
    )
    assert codes(unknown) == ["NOT_FOUND"] and unknown["errors"][0]["field"] == [
        "input",
        "personId",
    ]
    # and the person's own dossier is not theirs to see or touch
    own = await create(
        cnaps, worker.token, kind="PROFESSIONAL_CARD", **KIND_INPUTS["PROFESSIONAL_CARD"]
    )
    seen = await cnaps(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": own["dossier"]["id"]},
        token=stranger.admin.token,
    )
    assert seen["node"] is None
    touched = await call(
        cnaps,
        act("withdrawDossier"),
        {"input": {"dossierId": own["dossier"]["id"]}},
        stranger.admin.token,
    )
    assert codes(touched) == ["NOT_FOUND"]


async def test_an_organisation_files_its_operating_authorisation(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    officer = await agent(cnaps, runtime)
    wrong = await create(
        cnaps,
        org.admin.token,
        kind="TRAINING_ORGANISATION_AUTHORISATION",
        establishmentId=org.head_office_id,
    )
    assert codes(wrong) == ["KIND_NOT_FOR_THIS_ORGANISATION"]
    as_person = await create(cnaps, org.admin.token, kind="OPERATING_AUTHORISATION")
    assert codes(as_person) == ["REQUIRED"]
    confirmed = await filed(
        cnaps,
        runtime,
        smtp,
        org.admin.token,
        org.admin.email,
        "OPERATING_AUTHORISATION",
        establishmentId=org.head_office_id,
        activities=["SURVEILLANCE"],
    )
    dossier = confirmed["dossier"]
    assert dossier["delegation"] == "OUEST"
    for name in ("startReview", "grantDossier"):
        done = await call(cnaps, act(name), {"input": {"dossierId": dossier["id"]}}, officer.token)
        assert done["errors"] == [], done
    assert done["title"]["kind"] == "AUT"
    listed = await cnaps(ORGANISATION_DOSSIERS, {"id": org.id}, token=org.admin.token)
    assert [n["id"] for n in listed["node"]["dossiers"]["nodes"]] == [dossier["id"]]
    stranger = await person(cnaps, runtime, smtp, "stranger")
    hidden = await cnaps(ORGANISATION_DOSSIERS, {"id": org.id}, token=officer.token)
    assert hidden["node"]["dossiers"] is None  # an agent instructs; the list is the company's
    assert (await cnaps(ORGANISATION_DOSSIERS, {"id": org.id}, token=stranger.token))[
        "node"
    ] is None
    assert done["title"]["expiresOn"] == add_months(today(runtime), 1200).isoformat()


async def test_documents_by_situation_and_their_dates_at_the_edges(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    applicant = await person(cnaps, runtime, smtp, "foreign")
    day = today(runtime)
    created = await create(
        cnaps,
        applicant.token,
        kind="PROFESSIONAL_CARD",
        activities=["DOG_HANDLER"],
        fields=fields(nationality="MA", employed="true", dogCount="2"),
    )
    assert created["errors"] == [], created
    dossier_id = created["dossier"]["id"]
    needs = {r["code"]: r["needed"] for r in created["dossier"]["requirements"]}
    assert needs == {
        "RESIDENCE_PERMIT": 1,
        "CRIMINAL_RECORD_EQUIVALENT": 1,
        "CRIMINAL_RECORD_TRANSLATION": 1,
        "DOG_IDENTIFICATION_CARD": 2,
        "PROFESSIONAL_APTITUDE": 1,
    }
    # signing now names what is missing: documents, and the employer's fields
    early = await sign(cnaps, applicant.token, dossier_id)
    found = {(e["code"], tuple(e["field"])) for e in early["errors"]}
    assert ("DOCUMENTS_MISSING", ("input", "documents")) in found
    assert ("REQUIRED", ("input", "fields", "employerName")) in found
    missing = next(e for e in early["errors"] if e["code"] == "DOCUMENTS_MISSING")
    assert "Titre de séjour" in missing["message"] and "chaque chien (2)" in missing["message"]
    # an identity document is not asked of a national from outside the EU/EEA
    not_asked = await add_document(cnaps, applicant.token, dossier_id, "IDENTITY_DOCUMENT")
    assert codes(not_asked) == ["DOCUMENT_NOT_ASKED"]
    # the criminal-record equivalent: less than three months old, its date required
    limit = add_months(day, -3)
    record = "CRIMINAL_RECORD_EQUIVALENT"
    no_date = await add_document(cnaps, applicant.token, dossier_id, record)
    assert codes(no_date) == ["DOCUMENT_DATE_REQUIRED"]
    on_the_day = await add_document(cnaps, applicant.token, dossier_id, record, limit)
    assert codes(on_the_day) == ["DOCUMENT_TOO_OLD"]
    assert on_the_day["errors"][0]["field"] == ["input", "issuedOn"]
    future = await add_document(cnaps, applicant.token, dossier_id, record, day + timedelta(days=1))
    assert codes(future) == ["DOCUMENT_DATE_IN_FUTURE"]
    state = await cnaps(NODE, {"id": dossier_id}, token=applicant.token)
    assert state["node"]["documents"]["totalCount"] == 0  # none of these refusals kept anything
    day_after = await add_document(
        cnaps, applicant.token, dossier_id, record, limit + timedelta(days=1)
    )
    assert (
        day_after["errors"] == []
        and day_after["document"]["issuedOn"] == (limit + timedelta(days=1)).isoformat()
    )
    await add_documents(
        cnaps,
        runtime,
        applicant.token,
        dossier_id,
        [
            "RESIDENCE_PERMIT",
            "CRIMINAL_RECORD_TRANSLATION",
            "DOG_IDENTIFICATION_CARD",
            "DOG_IDENTIFICATION_CARD",
            "PROFESSIONAL_APTITUDE",
        ],
    )
    updated = await call(
        cnaps,
        UPDATE,
        {
            "input": {
                "dossierId": dossier_id,
                "fields": fields(employerName="Cynos", employerAddress="1 rue X, 44000 Nantes"),
            }
        },
        applicant.token,
    )
    assert updated["errors"] == [], updated
    signed = await sign(cnaps, applicant.token, dossier_id)
    assert signed["errors"] == [], signed


async def test_bad_input_is_typed_and_changes_nothing(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    applicant = await person(cnaps, runtime, smtp, "bad")
    assert codes(await create(cnaps, applicant.token, kind="NOPE")) == ["UNKNOWN_DOSSIER_KIND"]
    exclusive = await create(
        cnaps,
        applicant.token,
        kind="PROFESSIONAL_CARD",
        activities=["ARMED_SURVEILLANCE", "SURVEILLANCE"],
    )
    assert codes(exclusive) == ["ACTIVITIES_EXCLUSIVE"] and exclusive["errors"][0]["field"] == [
        "input",
        "activities",
    ]
    two = await create(
        cnaps,
        applicant.token,
        kind="PRIOR_AUTHORISATION_MAC",
        activities=["SURVEILLANCE", "VIDEO_PROTECTION"],
    )
    assert codes(two) == ["ONE_ACTIVITY_PER_DOSSIER"]
    odd = await create(
        cnaps,
        applicant.token,
        kind="PROFESSIONAL_CARD",
        fields=[
            {"name": "nope", "value": "x"},
            {"name": "nationality", "value": "ZZ"},
            {"name": "dogCount", "value": "x" * 5000},
        ],
    )
    assert [(e["code"], e["field"]) for e in odd["errors"]] == [
        ("UNKNOWN_FIELD", ["input", "fields", "0", "name"]),
        ("INVALID_FIELD_VALUE", ["input", "fields", "1", "value"]),
        ("INVALID_FIELD_VALUE", ["input", "fields", "2", "value"]),
    ]
    forged = await call(
        cnaps, act("withdrawDossier"), {"input": {"dossierId": "RG9zc2llcjp4"}}, applicant.token
    )
    assert codes(forged) == ["NOT_FOUND"]
    created = await create(
        cnaps, applicant.token, kind="PROFESSIONAL_CARD", **KIND_INPUTS["PROFESSIONAL_CARD"]
    )
    dossier_id = created["dossier"]["id"]
    before = await cnaps(NODE, {"id": dossier_id}, token=applicant.token)
    unsigned = await call(cnaps, act_sign(), {"input": {"dossierId": dossier_id}}, applicant.token)
    assert [
        e["field"][-1] for e in unsigned["errors"] if e["code"] == "CERTIFICATION_REQUIRED"
    ] == ["certifyExact", "acceptConditions", "sign"]
    bad_update = await call(
        cnaps,
        UPDATE,
        {"input": {"dossierId": dossier_id, "activities": ["CLOSE_PROTECTION", "DOG_HANDLER"]}},
        applicant.token,
    )
    assert codes(bad_update) == ["ACTIVITIES_EXCLUSIVE"]
    assert await cnaps(NODE, {"id": dossier_id}, token=applicant.token) == before
    # an agent's act on one's own dossier is refused to a person
    assert codes(
        await call(
            cnaps, act("grantDossier"), {"input": {"dossierId": dossier_id}}, applicant.token
        )
    ) == ["FORBIDDEN"]
    # a withdrawn dossier cannot be signed, and the confirmation of nothing is invalid
    await add_documents(cnaps, runtime, applicant.token, dossier_id, DOCUMENTS["PROFESSIONAL_CARD"])
    assert (await sign(cnaps, applicant.token, dossier_id))["ok"] is True
    token = await mailed_token(runtime, smtp, applicant.email)
    withdrawn = await call(
        cnaps, act("withdrawDossier"), {"input": {"dossierId": dossier_id}}, applicant.token
    )
    assert withdrawn["ok"] is True
    assert codes(await confirm(cnaps, token)) == ["CONFIRMATION_INVALID"]
    assert codes(await confirm(cnaps, "")) == ["CONFIRMATION_INVALID"]
    assert codes(await sign(cnaps, applicant.token, dossier_id)) == ["WRONG_STATE"]


def act_sign() -> str:
    return """mutation($input: SignDossierInput!) { signDossier(input: $input) { ok errors { code field } } }"""
