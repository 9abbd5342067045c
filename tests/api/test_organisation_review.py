"""The authority reviews organisation requests: agents of the request's delegation list,
validate or reject with a reason; the administrator is told by e-mail, corrects, resubmits;
establishments once validated."""

from __future__ import annotations

from typing import Any

from server.database import StatementCounter
from server.runtime import Runtime
from tests.helpers.flows import deliver, link_in
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisation_flows import (
    VALIDATE,
    organisation_input,
    pdf_bytes,
    register_organisation,
    registered_and_validated_organisation,
    upload,
)
from tests.helpers.organisations import agent, fresh_siren, person, siret_of
from tests.helpers.smtp import SmtpServer

REQUESTS = """
query($status: OrganisationStatus, $first: Int, $after: String) {
  organisationRequests(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name status delegation { code } submittedAt missingDocuments
      documents(first: 2) { totalCount nodes { id kind contentType } } }
  }
}
"""

REJECT = """
mutation Reject($id: ID!, $reason: String!) {
  rejectOrganisation(input: {organisationId: $id, reason: $reason}) {
    organisation { id status rejectionReason decidedAt }
    errors { code field message }
  }
}
"""

RESUBMIT = """
mutation Resubmit($id: ID!) {
  resubmitOrganisation(input: {organisationId: $id}) {
    organisation { id status rejectionReason decidedAt }
    errors { code field message }
  }
}
"""

UPDATE = """
mutation Update($input: UpdateOrganisationRequestInput!) {
  updateOrganisationRequest(input: $input) {
    organisation { id name status } errors { code field }
  }
}
"""

ADD_DOCUMENT = """
mutation Add($input: AddOrganisationDocumentInput!) {
  addOrganisationDocument(input: $input) { document { id } errors { code field } }
}
"""

ADD_ESTABLISHMENT = """
mutation Add($input: AddEstablishmentInput!) {
  addEstablishment(input: $input) {
    establishment { id siret name headOffice address { postalCode city }
      organisation { id establishments { totalCount } } }
    errors { code field message }
  }
}
"""

NODE = """
query($id: ID!) { node(id: $id) { ... on Organisation { id status rejectionReason
  documents { totalCount nodes { id } } } } }
"""


def ids(connection: dict[str, Any]) -> set[str]:
    return {node["id"] for node in connection["nodes"]}


async def all_requests(
    client: GraphQLClient, token: str, status: str = "PENDING_VALIDATION"
) -> set[str]:
    found: set[str] = set()
    after = None
    while True:
        data = await client(REQUESTS, {"status": status, "first": 100, "after": after}, token=token)
        page = data["organisationRequests"]
        found |= ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def test_agents_see_and_decide_only_their_delegations_requests(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    org_id = (await register_organisation(cnaps, admin))["organisation"]["id"]  # Nantes: OUEST
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    idf = await agent(cnaps, runtime, delegations=("IDF",))
    both = await agent(cnaps, runtime, delegations=("IDF", "OUEST"))
    assert org_id in await all_requests(cnaps, ouest.token)
    assert org_id in await all_requests(cnaps, both.token)
    assert org_id not in await all_requests(cnaps, idf.token)
    listed = await cnaps(REQUESTS, {"first": 100}, token=ouest.token)
    mine = next(n for n in listed["organisationRequests"]["nodes"] if n["id"] == org_id)
    assert mine["status"] == "PENDING_VALIDATION" and mine["delegation"]["code"] == "OUEST"
    assert mine["documents"]["totalCount"] == 2  # the reviewing agent sees the documents
    document_id = mine["documents"]["nodes"][0]["id"]
    by_id = "query($id: ID!) { node(id: $id) { ... on OrganisationDocument { id kind } } }"
    assert (await cnaps(by_id, {"id": document_id}, token=ouest.token))["node"]["id"] == document_id
    assert (await cnaps(by_id, {"id": document_id}, token=admin.token))["node"]["id"] == document_id
    assert (await cnaps(by_id, {"id": document_id}, token=idf.token))["node"] is None
    stranger = await person(cnaps, runtime, smtp, "stranger")
    assert (await cnaps(by_id, {"id": document_id}, token=stranger.token))["node"] is None
    # another delegation's agent can neither see nor decide it: NOT_FOUND, not
    # OUTSIDE_DELEGATION, which would tell that it exists
    assert (await cnaps(NODE, {"id": org_id}, token=idf.token))["node"] is None
    refused = await cnaps(VALIDATE, {"id": org_id}, token=idf.token)
    assert refused["validateOrganisation"]["errors"] == [
        {
            "code": "NOT_FOUND",
            "field": ["input", "organisationId"],
            "message": "Cet objet n'existe pas.",
        }
    ]
    rejected = await cnaps(REJECT, {"id": org_id, "reason": "Non"}, token=idf.token)
    assert codes(rejected["rejectOrganisation"]) == ["NOT_FOUND"]
    # neither persons nor its own administrator review
    own = await cnaps(VALIDATE, {"id": org_id}, token=admin.token)
    # the policy answers a member of a pending organisation this way for whatever it may not do
    assert codes(own["validateOrganisation"]) == ["ORGANISATION_NOT_VALIDATED"]
    listing = await cnaps.post(REQUESTS, {}, token=admin.token)
    assert listing.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await cnaps(NODE, {"id": org_id}, token=admin.token))["node"]["status"] == (
        "PENDING_VALIDATION"
    )


async def test_validation_tells_the_administrator_and_opens_the_company_space(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    registered = (await register_organisation(cnaps, admin))["organisation"]
    org_id, siren = registered["id"], registered["siren"]
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    await deliver(runtime, smtp, admin.email)
    before = len(await deliver(runtime, smtp, admin.email))
    validated = (await cnaps(VALIDATE, {"id": org_id}, token=ouest.token))["validateOrganisation"]
    assert validated["errors"] == []
    assert validated["organisation"]["status"] == "VALIDATED"
    assert validated["organisation"]["decidedAt"] is not None
    messages = await deliver(runtime, smtp, admin.email)
    assert len(messages) == before + 1
    message = messages[-1]
    assert message["X-Guichet-Template"] == "organisation_validated"
    assert "Gardiennage Atlantique" in message["Subject"]
    assert link_in(message) == "http://testserver/t/cnaps/sign-in"
    assert org_id not in await all_requests(cnaps, ouest.token)
    assert org_id in await all_requests(cnaps, ouest.token, "VALIDATED")
    own = await cnaps(VALIDATE, {"id": org_id}, token=admin.token)
    assert codes(own["validateOrganisation"]) == ["FORBIDDEN"]
    again = await cnaps(VALIDATE, {"id": org_id}, token=ouest.token)
    assert codes(again["validateOrganisation"]) == ["ORGANISATION_NOT_PENDING"]
    rejected = await cnaps(REJECT, {"id": org_id, "reason": "Trop tard"}, token=ouest.token)
    assert codes(rejected["rejectOrganisation"]) == ["ORGANISATION_NOT_PENDING"]
    # the request no longer changes
    update = await cnaps(
        UPDATE, {"input": {"organisationId": org_id, "name": "X"}}, token=admin.token
    )
    assert codes(update["updateOrganisationRequest"]) == ["ORGANISATION_ALREADY_VALIDATED"]
    # establishments: SIRETs of its SIREN only, once each
    address = {"line1": "2 rue du Port", "postalCode": "44600", "city": "Saint-Nazaire"}

    async def add(siret: str, name: str = "Agence de Saint-Nazaire") -> dict[str, Any]:
        data = await cnaps(
            ADD_ESTABLISHMENT,
            {"input": {"organisationId": org_id, "siret": siret, "name": name, "address": address}},
            token=admin.token,
        )
        payload: dict[str, Any] = data["addEstablishment"]
        return payload

    added = await add(" ".join([siret_of(siren, 20)[:9], siret_of(siren, 20)[9:]]))
    assert added["errors"] == []
    establishment = added["establishment"]
    assert establishment["siret"] == siret_of(siren, 20) and not establishment["headOffice"]
    assert establishment["organisation"]["establishments"]["totalCount"] == 2
    other_company = siret_of(fresh_siren())
    assert [(e["code"], e["field"]) for e in (await add(other_company))["errors"]] == [
        ("SIRET_NOT_OF_SIREN", ["input", "siret"])
    ]
    assert siren in (await add(other_company))["errors"][0]["message"]
    assert codes(await add(siret_of(siren, 20))) == ["ESTABLISHMENT_ALREADY_REGISTERED"]
    assert codes(await add(siret_of(siren))) == ["ESTABLISHMENT_ALREADY_REGISTERED"]  # head office
    valid = siret_of(siren, 30)
    wrong_key = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert codes(await add(wrong_key)) == ["INVALID_SIRET"]
    assert codes(await add(valid[:13])) == ["INVALID_SIRET"]
    assert codes(await add(siret_of(siren, 40), name=" ")) == ["REQUIRED"]
    # an agent does not add establishments
    by_agent = await cnaps(
        ADD_ESTABLISHMENT,
        {
            "input": {
                "organisationId": org_id,
                "siret": siret_of(siren, 60),
                "name": "A",
                "address": address,
            }
        },
        token=ouest.token,
    )
    assert codes(by_agent["addEstablishment"]) == ["FORBIDDEN"]
    final = await cnaps(
        "query($id: ID!) { node(id: $id) { ... on Organisation { establishments { totalCount } } } }",
        {"id": org_id},
        token=admin.token,
    )
    assert final["node"]["establishments"]["totalCount"] == 2


async def test_rejection_with_reason_then_correction_and_resubmission(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    org_id = (await register_organisation(cnaps, admin))["organisation"]["id"]
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    await deliver(runtime, smtp, admin.email)
    before = len(await deliver(runtime, smtp, admin.email))
    # a reason is required (and nothing happens without one); null is refused by the schema
    left_out = await cnaps.post(REJECT, {"id": org_id, "reason": None}, token=ouest.token)
    assert left_out.json()["data"] is None
    for empty in ("", "   \n "):
        missing = await cnaps(REJECT, {"id": org_id, "reason": empty}, token=ouest.token)
        assert missing["rejectOrganisation"]["errors"][0]["code"] == "REJECTION_REASON_REQUIRED"
        assert missing["rejectOrganisation"]["errors"][0]["field"] == ["input", "reason"]
    too_long = await cnaps(REJECT, {"id": org_id, "reason": "x" * 2001}, token=ouest.token)
    assert codes(too_long["rejectOrganisation"]) == ["TOO_LONG"]
    assert len(await deliver(runtime, smtp, admin.email)) == before
    assert (await cnaps(NODE, {"id": org_id}, token=admin.token))["node"]["status"] == (
        "PENDING_VALIDATION"
    )
    # resubmitting what is not rejected is refused
    early = await cnaps(RESUBMIT, {"id": org_id}, token=admin.token)
    assert codes(early["resubmitOrganisation"]) == ["ORGANISATION_NOT_REJECTED"]
    reason = "L'extrait Kbis a plus de trois mois.\nMerci d'en joindre un récent."
    rejected = (await cnaps(REJECT, {"id": org_id, "reason": reason}, token=ouest.token))[
        "rejectOrganisation"
    ]
    assert rejected["errors"] == []
    assert rejected["organisation"]["status"] == "REJECTED"
    assert rejected["organisation"]["rejectionReason"] == reason
    messages = await deliver(runtime, smtp, admin.email)
    assert len(messages) == before + 1
    mail = messages[-1]
    assert mail["X-Guichet-Template"] == "organisation_rejected"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        "L'extrait Kbis a plus de trois mois." in text and "Merci d'en joindre un récent." in text
    )
    assert link_in(mail) == "http://testserver/t/cnaps/sign-in"
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "L&#39;extrait Kbis" in html
    # the administrator sees why, the agents' queue no longer holds it
    seen = (await cnaps(NODE, {"id": org_id}, token=admin.token))["node"]
    assert seen["status"] == "REJECTED" and seen["rejectionReason"] == reason
    assert org_id not in await all_requests(cnaps, ouest.token)
    assert org_id in await all_requests(cnaps, ouest.token, "REJECTED")
    # corrects: a fresh Kbis replaces the old one, the name is fixed
    kbis = await upload(
        cnaps,
        ADD_DOCUMENT,
        {
            "input": {
                "organisationId": org_id,
                "kind": "COMPANY_REGISTRATION_EXTRACT",
                "file": None,
                "replaceExisting": True,
            }
        },
        {"input.file": ("kbis-recent.pdf", pdf_bytes("Kbis du mois"), "application/pdf")},
        token=admin.token,
    )
    assert kbis["addOrganisationDocument"]["errors"] == []
    fixed = await cnaps(
        UPDATE,
        {"input": {"organisationId": org_id, "name": "Gardiennage Atlantique SAS"}},
        token=admin.token,
    )
    assert fixed["updateOrganisationRequest"]["organisation"]["status"] == "REJECTED"
    assert (await cnaps(NODE, {"id": org_id}, token=admin.token))["node"]["documents"][
        "totalCount"
    ] == 2
    resubmitted = (await cnaps(RESUBMIT, {"id": org_id}, token=admin.token))["resubmitOrganisation"]
    assert resubmitted["errors"] == []
    assert resubmitted["organisation"]["status"] == "PENDING_VALIDATION"
    assert resubmitted["organisation"]["rejectionReason"] is None
    assert org_id in await all_requests(cnaps, ouest.token)
    twice = await cnaps(RESUBMIT, {"id": org_id}, token=admin.token)
    assert codes(twice["resubmitOrganisation"]) == ["ORGANISATION_NOT_REJECTED"]
    validated = await cnaps(VALIDATE, {"id": org_id}, token=ouest.token)
    assert validated["validateOrganisation"]["organisation"]["status"] == "VALIDATED"


async def test_a_rejected_request_is_resubmitted_only_complete(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    org_id = (await register_organisation(cnaps, admin))["organisation"]["id"]
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    reason = "Le demandeur n'est pas le représentant légal : joindre un mandat."
    await cnaps(REJECT, {"id": org_id, "reason": reason}, token=ouest.token)
    # a rejected request may be incomplete while it is corrected …
    flip = {"input": {"organisationId": org_id, "applicantIsRepresentative": False}}
    assert (await cnaps(UPDATE, flip, token=admin.token))["updateOrganisationRequest"][
        "errors"
    ] == []
    # … but goes back to the authority only complete
    refused = await cnaps(RESUBMIT, {"id": org_id}, token=admin.token)
    assert codes(refused["resubmitOrganisation"]) == ["DOCUMENTS_MISSING"]
    assert (await cnaps(NODE, {"id": org_id}, token=admin.token))["node"]["status"] == "REJECTED"
    await upload(
        cnaps,
        ADD_DOCUMENT,
        {"input": {"organisationId": org_id, "kind": "SIGNED_MANDATE", "file": None}},
        {"input.file": ("mandat.pdf", pdf_bytes("Mandat"), "application/pdf")},
        token=admin.token,
    )
    done = await cnaps(RESUBMIT, {"id": org_id}, token=admin.token)
    assert done["resubmitOrganisation"]["organisation"]["status"] == "PENDING_VALIDATION"


async def test_the_api_flow_helper_gives_a_working_organisation(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await registered_and_validated_organisation(cnaps, runtime, smtp)
    data = await cnaps(
        "query($id: ID!) { node(id: $id) { ... on Organisation { id siren status viewerRole "
        "establishments { nodes { id headOffice } } } } }",
        {"id": org.id},
        token=org.admin.token,
    )
    node = data["node"]
    assert node["status"] == "VALIDATED" and node["viewerRole"] == "ADMINISTRATOR"
    assert node["siren"] == org.siren
    assert node["establishments"]["nodes"] == [{"id": org.head_office_id, "headOffice": True}]


async def test_request_list_costs_the_same_for_10_and_100(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, statements: StatementCounter
) -> None:
    # a delegation of its own, so the page sizes are known
    admin = await person(cnaps, runtime, smtp, "admin")
    for _ in range(12):
        data = organisation_input(fresh_siren(), postal_code="97200", city="Fort-de-France")
        await register_organisation(cnaps, admin, data)
    reviewer = await agent(cnaps, runtime, delegations=("ANTILLES_GUYANE",))
    counts = {}
    for first in (10, 100):
        query = """query($first: Int) { organisationRequests(first: $first) {
            totalCount nodes { id name missingDocuments
              documents(first: 5) { totalCount nodes { kind size } }
              establishments(first: 5) { totalCount nodes { siret headOffice } } } } }"""
        with statements.count() as seen:
            page = (await cnaps(query, {"first": first}, token=reviewer.token))[
                "organisationRequests"
            ]
        counts[first] = len(seen)
        assert len(page["nodes"]) == min(first, page["totalCount"])
        assert all(n["documents"]["totalCount"] == 2 for n in page["nodes"])
        assert all(n["establishments"]["totalCount"] == 1 for n in page["nodes"])
    assert counts[10] == counts[100], counts
    print(f"\norganisationRequests with documents and establishments: {counts[10]} statements")
