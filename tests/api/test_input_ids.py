"""Every input field carrying an ID answers a bad one the same way: a malformed value, the ID
of an object of another type, and the ID of an object of the other tenant are all unknown —
the payload's NOT_FOUND on that field's path (per item in a list), in French or English as
asked, never a top-level GraphQL error. Area by area, over HTTP as a frontend would."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from auth.account.models import AuthSession
from dossiers.company.models import Alert, Employee, Label
from dossiers.title.models import Title
from server.runtime import Runtime
from tenants.mandates import Mandate
from tenants.organisations import Invitation, Membership, OrganisationStatus
from tenants.session import open_session
from tests.helpers.company import dashboard, expiring, issuer, manager, uuid_of
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import Org, agent, gid, organisation_in_state
from tests.helpers.smtp import SmtpServer

MESSAGES = {"fr": "Cet objet n'existe pas.", "en": "This object does not exist."}
MALFORMED = "pas-un-identifiant"


def not_a_uuid(type_name: str) -> str:
    """A global ID of the right type whose node ID is no UUID."""
    return base64.b64encode(f"{type_name}:42".encode()).decode()


@dataclass
class World:
    """A validated organisation of each tenant, and in cnsa one row of every type an input
    names (written straight to the database: the cnaps caller must not see any of them)."""

    org: Org
    foreign: dict[str, str] = field(default_factory=dict)  # type name -> cnsa global ID
    own: dict[str, str] = field(default_factory=dict)  # type name -> cnaps global ID


async def _rows(runtime: Runtime, tenant: str, org: Org) -> dict[str, str]:
    """A label, employee, alert, title, invitation and mandate of `org`, its administrator's
    membership and sign-in session."""
    now = runtime.services.clock.now()
    person = uuid_of(org.admin.person_id)
    account = uuid_of(org.admin.account_id)
    async with open_session(runtime.services.sessions, tenant) as session:
        label = Label(organisation_id=org.uuid, name="Équipe de nuit", created_at=now)
        employee = Employee(
            organisation_id=org.uuid, family_name="Durand", title_number="X", created_at=now
        )
        alert = Alert(
            organisation_id=org.uuid,
            kind="EXPIRED",
            colour="RED",
            dedup_key=f"test-{uuid.uuid4()}",
            created_at=now,
        )
        title = Title(
            number=f"T-{uuid.uuid4().hex[:12]}",
            sequence="0000001",
            kind="CAR",
            holder_family_name="Durand",
            departement="44",
            issued_on=date(2024, 1, 1),
            expires_on=date(2029, 1, 1),
            status_changed_at=now,
            created_at=now,
        )
        invitation = Invitation(
            organisation_id=org.uuid,
            email="invitee@example.org",
            permissions=[],
            token_hash=uuid.uuid4().bytes * 2,
            invited_by_account_id=account,
            created_at=now,
            expires_at=now + timedelta(days=7),
        )
        mandate = Mandate(
            organisation_id=org.uuid,
            person_id=person,
            scopes=["FOLLOW_DOSSIERS"],
            requested_by_account_id=account,
            created_at=now,
        )
        session.add_all([label, employee, alert, title, invitation, mandate])
        await session.commit()
        membership = await session.scalar(
            select(Membership.id).where(Membership.organisation_id == org.uuid)
        )
        signed_in = await session.scalar(
            select(AuthSession.id).where(AuthSession.account_id == account)
        )
        return {
            "Organisation": org.id,
            "Establishment": org.head_office_id,
            "Person": org.admin.person_id,
            "Membership": gid("Membership", str(membership)),
            "SignInSession": gid("SignInSession", str(signed_in)),
            "Label": gid("Label", label.id),
            "Employee": gid("Employee", employee.id),
            "Alert": gid("Alert", alert.id),
            "Title": gid("Title", title.id),
            "Invitation": gid("Invitation", invitation.id),
            "Mandate": gid("Mandate", mandate.id),
        }


async def world(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> World:
    state = OrganisationStatus.VALIDATED
    org = await organisation_in_state(
        cnaps, runtime, smtp, kind="SECURITY_COMPANY", name="Gardiennage Atlantique", status=state
    )
    other = await organisation_in_state(
        cnsa, runtime, smtp, kind="STRUCTURE", name="Formation Loire", status=state
    )
    return World(
        org=org,
        foreign=await _rows(runtime, "cnsa", other),
        own=await _rows(runtime, "cnaps", org),
    )


def _set(data: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """`data` with `value` at `path` (["employeeIds", "1"]: the second item of a list)."""
    key, *rest = path
    copy = dict(data)
    if not rest:
        copy[key] = value
        return copy
    items = list(copy[key])
    items[int(rest[0])] = value
    copy[key] = items
    return copy


def bad_ids(w: World, type_name: str) -> dict[str, str]:
    """A malformed value, an ID of another type (a real object, of the caller's tenant), and
    an ID of the right type from the other tenant."""
    other_type = "Establishment" if type_name == "Organisation" else "Organisation"
    return {
        "malformed": MALFORMED,
        "not a UUID": not_a_uuid(type_name),
        "another type": w.own[other_type],
        "another tenant": w.foreign[type_name],
    }


async def assert_not_found(
    client: GraphQLClient,
    w: World,
    token: str,
    mutation: str,
    input_type: str,
    given: dict[str, Any],
    path: list[str],
    type_name: str,
) -> None:
    document = (
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) "
        "{ errors { code field message } } }"
    )
    for kind, value in bad_ids(w, type_name).items():
        for lang, message in MESSAGES.items():
            response = await client.post(
                document, {"input": _set(given, path, value)}, token=token, lang=lang
            )
            body = response.json()
            assert response.status_code == 200 and "errors" not in body, (mutation, kind, body)
            expected = {"code": "NOT_FOUND", "field": ["input", *path], "message": message}
            assert body["data"][mutation]["errors"] == [expected], (mutation, kind, lang)


async def test_organisation_inputs(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    w = await world(cnaps, cnsa, runtime, smtp)
    officer = await agent(cnaps, runtime)
    admin = w.org.admin.token
    here = {"organisationId": w.org.id}
    cases: list[tuple[str, str, str, dict[str, Any]]] = [
        (admin, "updateOrganisationRequest", "UpdateOrganisationRequestInput", here),
        (admin, "resubmitOrganisation", "ResubmitOrganisationInput", here),
        (admin, "addEstablishment", "AddEstablishmentInput", {**here, "siret": "x", "name": "n"}),
        (officer.token, "validateOrganisation", "ValidateOrganisationInput", here),
        (officer.token, "rejectOrganisation", "RejectOrganisationInput", {**here, "reason": "r"}),
    ]
    for token, mutation, input_type, given in cases:
        await assert_not_found(
            cnaps, w, token, mutation, input_type, given, ["organisationId"], "Organisation"
        )


async def test_company_space_inputs(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    w = await world(cnaps, cnsa, runtime, smtp)
    token = w.org.admin.token
    titles = await issuer(cnaps, runtime)
    number = (await titles.issue(expiring("Martin", date.today() + timedelta(days=900)))).number
    employee = {"organisationId": w.org.id, "familyName": "Martin", "titleNumber": number}
    label, worker, here = w.own["Label"], w.own["Employee"], {"organisationId": w.org.id}
    cases: list[tuple[str, str, dict[str, Any], list[str], str]] = [
        ("addEmployee", "AddEmployeeInput", employee, ["organisationId"], "Organisation"),
        ("addEmployee", "AddEmployeeInput", {**employee, "establishmentId": w.org.head_office_id},
         ["establishmentId"], "Establishment"),
        ("addEmployee", "AddEmployeeInput", {**employee, "labelIds": [label, label]},
         ["labelIds", "1"], "Label"),
        ("createEmployeeAccount", "CreateEmployeeAccountInput",
         {**here, "email": "new@example.org", "familyName": "Roux", "givenNames": "Lou"},
         ["organisationId"],
         "Organisation"),
        ("importEmployees", "ImportEmployeesInput", {**here, "csv": "nom;numéro de titre\n"},
         ["organisationId"], "Organisation"),
        ("removeEmployee", "RemoveEmployeeInput", {"employeeId": worker}, ["employeeId"],
         "Employee"),
        ("createLabel", "CreateLabelInput", {**here, "name": "Jour"}, ["organisationId"],
         "Organisation"),
        ("renameLabel", "RenameLabelInput", {"labelId": label, "name": "Jour"}, ["labelId"],
         "Label"),
        ("deleteLabel", "DeleteLabelInput", {"labelId": label}, ["labelId"], "Label"),
        ("assignLabel", "AssignLabelInput", {"labelId": label, "employeeIds": [worker]},
         ["labelId"], "Label"),
        ("unassignLabel", "UnassignLabelInput", {"labelId": label, "employeeIds": [worker, worker]},
         ["employeeIds", "1"], "Employee"),
        ("markAlertRead", "MarkAlertReadInput", {"alertId": w.own["Alert"]}, ["alertId"], "Alert"),
    ]  # fmt: skip
    for mutation, input_type, given, path, type_name in cases:
        await assert_not_found(cnaps, w, token, mutation, input_type, given, path, type_name)


async def test_title_inputs(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    w = await world(cnaps, cnsa, runtime, smtp)
    officer = await agent(cnaps, runtime)
    change = {"titleId": w.own["Title"], "status": "SUSPENDED", "reason": "Enquête"}
    await assert_not_found(
        cnaps, w, officer.token, "changeTitleStatus", "ChangeTitleStatusInput", change,
        ["titleId"], "Title",
    )  # fmt: skip
    issue = {
        "kind": "CAR",
        "departement": "44",
        "activities": ["SURVEILLANCE"],
        "holderPersonId": w.org.admin.person_id,
    }
    await assert_not_found(
        cnaps, w, officer.token, "issueTitle", "IssueTitleInput", issue,
        ["holderPersonId"], "Person",
    )  # fmt: skip


async def test_delegation_inputs(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    w = await world(cnaps, cnsa, runtime, smtp)
    token = w.org.admin.token
    membership, mandate = {"membershipId": w.own["Membership"]}, {"mandateId": w.own["Mandate"]}
    here = {"organisationId": w.org.id}
    cases: list[tuple[str, str, dict[str, Any], list[str], str]] = [
        ("inviteManager", "InviteManagerInput", {**here, "email": "m@example.org", "permissions": []},
         ["organisationId"], "Organisation"),
        ("revokeInvitation", "RevokeInvitationInput", {"invitationId": w.own["Invitation"]},
         ["invitationId"], "Invitation"),
        ("setManagerPermissions", "SetManagerPermissionsInput", {**membership, "permissions": []},
         ["membershipId"], "Membership"),
        ("revokeManager", "RevokeManagerInput", membership, ["membershipId"], "Membership"),
        ("transferAdministration", "TransferAdministrationInput", membership, ["membershipId"],
         "Membership"),
        ("requestMandate", "RequestMandateInput",
         {**here, "email": "p@example.org", "scopes": ["FOLLOW_DOSSIERS"]}, ["organisationId"],
         "Organisation"),
        ("acceptMandate", "AcceptMandateInput", mandate, ["mandateId"], "Mandate"),
        ("refuseMandate", "RefuseMandateInput", mandate, ["mandateId"], "Mandate"),
        ("revokeMandate", "RevokeMandateInput", mandate, ["mandateId"], "Mandate"),
        ("updatePersonContact", "UpdatePersonContactInput",
         {"personId": w.org.admin.person_id, "phone": "+33 6 12 34 56 78"}, ["personId"], "Person"),
    ]  # fmt: skip
    for mutation, input_type, given, path, type_name in cases:
        await assert_not_found(cnaps, w, token, mutation, input_type, given, path, type_name)


async def test_account_inputs(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    w = await world(cnaps, cnsa, runtime, smtp)
    await assert_not_found(
        cnaps, w, w.org.admin.token, "revokeSession", "RevokeSessionInput",
        {"sessionId": w.own["SignInSession"]}, ["sessionId"], "SignInSession",
    )  # fmt: skip


async def test_a_good_id_still_reaches_its_object(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """The same inputs with the caller's own IDs act: the refusals above are about the IDs."""
    w = await world(cnaps, cnsa, runtime, smtp)
    renamed = await cnaps(
        "mutation($input: RenameLabelInput!) { renameLabel(input: $input) "
        "{ label { id name } errors { code } } }",
        {"input": {"labelId": w.own["Label"], "name": "Week-end"}},
        token=w.org.admin.token,
    )
    assert renamed["renameLabel"] == {
        "label": {"id": w.own["Label"], "name": "Week-end"},
        "errors": [],
    }
    read = await cnaps(
        "mutation($input: MarkAlertReadInput!) { markAlertRead(input: $input) "
        "{ alert { id } errors { code } } }",
        {"input": {"alertId": w.own["Alert"]}},
        token=w.org.admin.token,
    )
    assert read["markAlertRead"] == {"alert": {"id": w.own["Alert"]}, "errors": []}


async def test_dashboard_filter_ids_match_nothing(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """A filter is no mutation: a bad ID there narrows the page to nothing (never widens it,
    never a top-level error)."""
    w = await world(cnaps, cnsa, runtime, smtp)
    token = w.org.admin.token
    everyone = await dashboard(cnaps, token, w.org)
    assert everyone is not None and everyone["totalCount"] == 1
    for name, type_name in (("establishmentId", "Establishment"), ("labelIds", "Label")):
        for kind, value in bad_ids(w, type_name).items():
            given = [value] if name == "labelIds" else value
            filtered = await dashboard(cnaps, token, w.org, filter={name: given})
            assert filtered is not None and filtered["totalCount"] == 0, (name, kind)


async def test_a_policy_refusal_names_no_field(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """A good ID of an organisation the caller may know of, an action they may not take: the
    policy's refusal, on no field (the ID is fine), in every area alike."""
    w = await world(cnaps, cnsa, runtime, smtp)
    colleague = await manager(cnaps, runtime, smtp, w.org, permissions=())
    here = {"organisationId": w.org.id}
    cases = [
        ("createLabel", "CreateLabelInput", {**here, "name": "Nuit"}, "PERMISSION_MISSING"),
        ("inviteManager", "InviteManagerInput", {**here, "email": "x@example.org"},
         "PERMISSION_MISSING"),
        ("addEstablishment", "AddEstablishmentInput", {**here, "siret": "x", "name": "n"},
         "FORBIDDEN"),
        ("renameLabel", "RenameLabelInput", {"labelId": w.own["Label"], "name": "Nuit"},
         "PERMISSION_MISSING"),
    ]  # fmt: skip
    for mutation, input_type, given, code in cases:
        data = await cnaps(
            f"mutation($input: {input_type}!) {{ {mutation}(input: $input) "
            "{ errors { code field } } }",
            {"input": given},
            token=colleague.token,
        )
        assert data[mutation]["errors"] == [{"code": code, "field": None}], mutation
