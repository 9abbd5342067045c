"""The company space over GraphQL: employees, labels, the dashboard, accounts opened by the
organisation, and who may do what."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from dossiers.title.models import TitleKind, TitleStatus
from dossiers.title.numbers import format_number
from server.database import StatementCounter
from server.runtime import Runtime
from tenants.organisations import Establishment, OrganisationStatus
from tenants.session import open_session
from tests.conftest import unique_email
from tests.helpers.company import (
    ASSIGN_LABEL,
    CREATE_LABEL,
    DASHBOARD,
    IMPORT,
    Issuer,
    add_employee,
    colour_dates,
    dashboard,
    expiring,
    issuer,
    manager,
    today,
    uuid_of,
)
from tests.helpers.flows import CONFIRM, PASSWORD, SIGN_IN, deliver, link_in, token_of
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import Org, agent, gid, siret_of, validated_organisation
from tests.helpers.smtp import SmtpServer

UNKNOWN_NUMBER = "CAR-044-2031-01-15-19990000001"  # well formed, issued by nobody

NODE = """
query($id: ID!) {
  node(id: $id) {
    id
    ... on Employee {
      familyName colour hasAccount
      title { number status }
      labels { name }
      establishment { siret headOffice }
    }
    ... on Label { name employeeCount }
  }
}
"""

CHANGE_STATUS = """
mutation($input: ChangeTitleStatusInput!) {
  changeTitleStatus(input: $input) { title { status } errors { code } }
}
"""


async def second_establishment(runtime: Runtime, org: Org) -> str:
    now = runtime.services.clock.now()
    async with open_session(runtime.services.sessions, "cnaps") as session:
        row = Establishment(
            organisation_id=org.uuid,
            siret=siret_of(org.siren, 20),
            name="Agence de Saint-Nazaire",
            city="Saint-Nazaire",
            postal_code="44600",
            created_at=now,
        )
        session.add(row)
        await session.commit()
        return gid("Establishment", row.id)


async def test_a_row_is_a_name_and_a_title_number_linked_when_both_match(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    officer = await issuer(cnaps, runtime)
    dates = colour_dates(runtime)
    title = await officer.issue(expiring("Lefèvre-Dubois", dates["green_far"]))
    token = org.admin.token
    added = await add_employee(cnaps, token, org, "LEFEVRE DUBOIS", f" {title.number.lower()} ")
    assert added["errors"] == []
    employee = added["employee"]
    # the authority's spelling is kept, the holder's given names filled in
    assert employee["familyName"] == "Lefèvre-Dubois" and employee["givenNames"] == "Jean"
    assert employee["titleNumber"] == title.number
    assert employee["title"]["number"] == title.number and employee["colour"] == "GREEN"
    # a wrong name shows the number as unknown: red, no title (as public verification would)
    other = await officer.issue(expiring("Martin", dates["green_far"]))
    wrong = await add_employee(cnaps, token, org, "Martine", other.number)
    assert wrong["errors"] == []
    assert wrong["employee"]["title"] is None and wrong["employee"]["colour"] == "RED"
    unknown = await add_employee(cnaps, token, org, "Personne", UNKNOWN_NUMBER)
    assert unknown["employee"]["colour"] == "RED" and unknown["employee"]["hasAccount"] is False
    # each bad field says so, all at once, and nothing is added
    bad = await add_employee(
        cnaps,
        token,
        org,
        "",
        "CAR-44-2031",
        email="not-an-address",
        labelIds=[gid("Label", uuid_of(org.id))],
    )
    assert {(e["code"], "/".join(e["field"])) for e in bad["errors"]} == {
        ("REQUIRED", "input/familyName"),
        ("INVALID_TITLE_NUMBER", "input/titleNumber"),
        ("INVALID_EMAIL", "input/email"),
        ("NOT_FOUND", "input/labelIds/0"),
    }
    again = await add_employee(cnaps, token, org, "Martin", other.number)
    assert codes(again) == ["EMPLOYEE_ALREADY_LISTED"]
    result = await dashboard(cnaps, token, org, first=10)
    assert result is not None and result["totalCount"] == 3


async def test_dashboard_colours_at_their_edges_filters_and_totals(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    officer = await issuer(cnaps, runtime)
    dates = colour_dates(runtime)
    names = ["Vert", "Bord", "Jour", "Expire", "Suspendu"]
    expiries = [dates["green"], dates["orange_edge"], dates["orange_today"]]
    expiries += [dates["red_expired"], dates["green_far"]]
    titles = await officer.issue_many(
        [expiring(name, day) for name, day in zip(names, expiries, strict=True)]
    )
    suspended = await cnaps(
        CHANGE_STATUS,
        {"input": {"titleId": gid("Title", titles[4].id), "status": "SUSPENDED", "reason": "x"}},
        token=officer.officer.token,
    )
    assert suspended["changeTitleStatus"]["title"]["status"] == TitleStatus.SUSPENDED
    saint_nazaire = await second_establishment(runtime, org)
    token = org.admin.token
    rows: dict[str, str] = {}
    for name, title in zip(names, titles, strict=True):
        added = await add_employee(cnaps, token, org, name.upper(), title.number)
        rows[name] = added["employee"]["id"]
    unknown = await add_employee(
        cnaps, token, org, "Inconnu", UNKNOWN_NUMBER, establishmentId=saint_nazaire
    )
    rows["Inconnu"] = unknown["employee"]["id"]

    result = await dashboard(cnaps, token, org, first=50)
    assert result is not None
    colours = {e["node"]["familyName"]: e["node"]["colour"] for e in result["edges"]}
    assert colours == {
        "Vert": "GREEN",
        "Bord": "ORANGE",
        "Jour": "ORANGE",
        "Expire": "RED",
        "Suspendu": "RED",
        "Inconnu": "RED",
    }
    statuses = {
        e["node"]["familyName"]: (e["node"]["title"] or {}).get("status") for e in result["edges"]
    }
    assert statuses["Expire"] == "EXPIRED" and statuses["Suspendu"] == "SUSPENDED"
    assert statuses["Inconnu"] is None
    assert result["totals"] == {"green": 1, "orange": 2, "red": 3}
    assert result["totalCount"] == 6
    # newest first
    assert result["edges"][0]["node"]["familyName"] == "Inconnu"

    orange = await dashboard(cnaps, token, org, filter={"colours": ["ORANGE"]})
    assert orange is not None
    assert {e["node"]["familyName"] for e in orange["edges"]} == {"Bord", "Jour"}
    assert orange["totalCount"] == 2 and orange["totals"] == result["totals"]
    red_or_green = await dashboard(cnaps, token, org, filter={"colours": ["RED", "GREEN"]})
    assert red_or_green is not None and red_or_green["totalCount"] == 4

    by_site = await dashboard(cnaps, token, org, filter={"establishmentId": saint_nazaire})
    assert by_site is not None
    assert [e["node"]["familyName"] for e in by_site["edges"]] == ["Inconnu"]
    assert by_site["totals"] == {"green": 0, "orange": 0, "red": 1}
    assert by_site["edges"][0]["node"]["establishment"]["id"] == saint_nazaire

    label = (
        await cnaps(
            CREATE_LABEL, {"input": {"organisationId": org.id, "name": "Site Airbus"}}, token=token
        )
    )["createLabel"]["label"]
    await cnaps(
        ASSIGN_LABEL,
        {"input": {"labelId": label["id"], "employeeIds": [rows["Bord"], rows["Vert"]]}},
        token=token,
    )
    labelled = await dashboard(cnaps, token, org, filter={"labelIds": [label["id"]]})
    assert labelled is not None
    assert {e["node"]["familyName"] for e in labelled["edges"]} == {"Bord", "Vert"}
    assert labelled["totals"] == {"green": 1, "orange": 1, "red": 0}
    assert all(
        e["node"]["labels"] == [{"id": label["id"], "name": "Site Airbus"}]
        for e in labelled["edges"]
    )
    both = await dashboard(
        cnaps, token, org, filter={"labelIds": [label["id"]], "colours": ["ORANGE"]}
    )
    assert both is not None and [e["node"]["familyName"] for e in both["edges"]] == ["Bord"]
    # an ID of another type or another organisation's establishment matches nothing
    nothing = await dashboard(cnaps, token, org, filter={"establishmentId": org.id})
    assert nothing is not None and nothing["totalCount"] == 0

    # keyset pagination: three pages of two, nothing twice, nothing missed
    seen: list[str] = []
    after = None
    more: list[bool] = []
    for _ in range(3):
        page = await dashboard(cnaps, token, org, first=2, after=after)
        assert page is not None
        seen += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        more.append(page["pageInfo"]["hasNextPage"])
    assert sorted(seen) == sorted(rows.values()) and more == [True, True, False]


async def test_detail_of_one_employee_and_removal(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    officer = await issuer(cnaps, runtime)
    title = await officer.issue(expiring("Diallo", colour_dates(runtime)["green_far"]))
    token = org.admin.token
    added = await add_employee(
        cnaps, token, org, "Diallo", title.number, establishmentId=org.head_office_id
    )
    employee_id = added["employee"]["id"]
    detail = (await cnaps(NODE, {"id": employee_id}, token=token))["node"]
    assert detail["title"] == {"number": title.number, "status": "VALID"}
    assert detail["establishment"]["headOffice"] is True and detail["colour"] == "GREEN"
    remove = """mutation($id: ID!) { removeEmployee(input: {employeeId: $id}) {
        ok employeeId errors { code field } } }"""
    removed = (await cnaps(remove, {"id": employee_id}, token=token))["removeEmployee"]
    assert removed == {"ok": True, "employeeId": employee_id, "errors": []}
    assert (await cnaps(NODE, {"id": employee_id}, token=token))["node"] is None
    again = (await cnaps(remove, {"id": employee_id}, token=token))["removeEmployee"]
    assert codes(again) == ["NOT_FOUND"] and again["errors"][0]["field"] == ["input", "employeeId"]
    # the number can be listed again
    assert (await add_employee(cnaps, token, org, "Diallo", title.number))["errors"] == []


async def test_labels_are_created_renamed_assigned_and_deleted(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    token = org.admin.token
    first = await add_employee(cnaps, token, org, "Un", UNKNOWN_NUMBER)
    second = await add_employee(cnaps, token, org, "Deux", UNKNOWN_NUMBER.replace("01", "02", 1))
    ids = [first["employee"]["id"], second["employee"]["id"]]

    async def create(name: str) -> dict[str, Any]:
        data = await cnaps(
            CREATE_LABEL, {"input": {"organisationId": org.id, "name": name}}, token=token
        )
        payload: dict[str, Any] = data["createLabel"]
        return payload

    label = (await create("  Site   Airbus "))["label"]
    assert label["name"] == "Site Airbus" and label["employeeCount"] == 0
    assert codes(await create("SITE AIRBUS")) == ["LABEL_NAME_TAKEN"]
    assert codes(await create("   ")) == ["REQUIRED"]
    assert codes(await create("x" * 101)) == ["TOO_LONG"]
    other = (await create("Établissement de Nantes"))["label"]
    rename = """mutation($input: RenameLabelInput!) { renameLabel(input: $input) {
        label { name } errors { code } } }"""
    renamed = await cnaps(
        rename, {"input": {"labelId": label["id"], "name": "Airbus Bouguenais"}}, token=token
    )
    assert renamed["renameLabel"]["label"]["name"] == "Airbus Bouguenais"
    taken = await cnaps(
        rename, {"input": {"labelId": label["id"], "name": "établissement de nantes"}}, token=token
    )
    assert codes(taken["renameLabel"]) == ["LABEL_NAME_TAKEN"]

    assign = {"input": {"labelId": label["id"], "employeeIds": ids}}
    done = (await cnaps(ASSIGN_LABEL, assign, token=token))["assignLabel"]
    assert done["ok"] is True and done["label"]["employeeCount"] == 2
    again = (await cnaps(ASSIGN_LABEL, assign, token=token))["assignLabel"]
    assert again["ok"] is True and again["label"]["employeeCount"] == 2  # already there
    unassign = """mutation($input: UnassignLabelInput!) { unassignLabel(input: $input) {
        ok label { employeeCount } errors { code } } }"""
    undone = await cnaps(
        unassign, {"input": {"labelId": label["id"], "employeeIds": ids[:1]}}, token=token
    )
    assert undone["unassignLabel"]["ok"] is True
    assert undone["unassignLabel"]["label"]["employeeCount"] == 1
    listing = """query($id: ID!) { node(id: $id) { ... on Organisation {
        labels(first: 10) { totalCount nodes { name employeeCount } } } } }"""
    labels = (await cnaps(listing, {"id": org.id}, token=token))["node"]["labels"]
    assert labels["totalCount"] == 2
    assert {(n["name"], n["employeeCount"]) for n in labels["nodes"]} == {
        ("Airbus Bouguenais", 1),
        ("Établissement de Nantes", 0),
    }
    delete = """mutation($id: ID!) { deleteLabel(input: {labelId: $id}) {
        ok labelId errors { code } } }"""
    deleted = (await cnaps(delete, {"id": label["id"]}, token=token))["deleteLabel"]
    assert deleted == {"ok": True, "labelId": label["id"], "errors": []}
    assert (await cnaps(NODE, {"id": label["id"]}, token=token))["node"] is None
    assert (await cnaps(NODE, {"id": ids[1]}, token=token))["node"]["labels"] == []
    assert other["name"] == "Établissement de Nantes"


async def test_a_manager_needs_the_permission_and_a_stranger_sees_nothing(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    employee = (await add_employee(cnaps, org.admin.token, org, "Un", UNKNOWN_NUMBER))["employee"]
    without = await manager(cnaps, runtime, smtp, org, permissions=["FILE_DOSSIERS"])
    refused = await add_employee(cnaps, without.token, org, "Deux", UNKNOWN_NUMBER)
    assert codes(refused) == ["PERMISSION_MISSING"]
    assert "MANAGE_EMPLOYEES" in refused["errors"][0]["message"]
    # a refused field is null with its error on its own path; its parents stay whole
    body = (await cnaps.post(DASHBOARD, {"id": org.id}, token=without.token)).json()
    assert body["data"]["node"]["dashboard"] is None
    assert body["data"]["node"] is not None
    [error] = body["errors"]
    assert error["path"] == ["node", "dashboard"]
    assert error["extensions"] == {"code": "PERMISSION_MISSING", "permission": "MANAGE_EMPLOYEES"}
    assert (await cnaps(NODE, {"id": employee["id"]}, token=without.token))["node"] is None

    allowed = await manager(cnaps, runtime, smtp, org)
    added = await add_employee(
        cnaps, allowed.token, org, "Deux", UNKNOWN_NUMBER.replace("01", "02", 1)
    )
    assert added["errors"] == []
    seen = await dashboard(cnaps, allowed.token, org)
    assert seen is not None and seen["totalCount"] == 2

    pending = await validated_organisation(
        cnaps, runtime, smtp, status=OrganisationStatus.PENDING_VALIDATION
    )
    not_yet = await add_employee(cnaps, pending.admin.token, pending, "Un", UNKNOWN_NUMBER)
    assert codes(not_yet) == ["ORGANISATION_NOT_VALIDATED"]

    # another organisation's administrator, an agent, another tenant: null and NOT_FOUND
    other = await validated_organisation(cnaps, runtime, smtp)
    assert (await cnaps(NODE, {"id": employee["id"]}, token=other.admin.token))["node"] is None
    into = await add_employee(cnaps, other.admin.token, org, "Trois", UNKNOWN_NUMBER)
    assert codes(into) == ["NOT_FOUND"] and into["errors"][0]["field"] == [
        "input",
        "organisationId",
    ]
    remove = (
        """mutation($id: ID!) { removeEmployee(input: {employeeId: $id}) { errors { code } } }"""
    )
    assert codes(
        (await cnaps(remove, {"id": employee["id"]}, token=other.admin.token))["removeEmployee"]
    ) == ["NOT_FOUND"]
    elsewhere_site = await add_employee(
        cnaps,
        org.admin.token,
        org,
        "Quatre",
        UNKNOWN_NUMBER.replace("01", "04", 1),
        establishmentId=other.head_office_id,
    )
    assert codes(elsewhere_site) == ["NOT_FOUND"]
    assert elsewhere_site["errors"][0]["field"] == ["input", "establishmentId"]
    officer = await agent(cnaps, runtime)
    assert (await cnaps(NODE, {"id": employee["id"]}, token=officer.token))["node"] is None
    foreign = await agent(cnsa, runtime)
    assert (await cnsa(NODE, {"id": employee["id"]}, token=foreign.token))["node"] is None
    label = (
        await cnaps(
            CREATE_LABEL, {"input": {"organisationId": org.id, "name": "A"}}, token=org.admin.token
        )
    )["createLabel"]["label"]
    theirs = (await add_employee(cnaps, other.admin.token, other, "Cinq", UNKNOWN_NUMBER))[
        "employee"
    ]
    mixed = await cnaps(
        ASSIGN_LABEL,
        {"input": {"labelId": label["id"], "employeeIds": [employee["id"], theirs["id"]]}},
        token=org.admin.token,
    )
    assert [e["field"] for e in mixed["assignLabel"]["errors"]] == [["input", "employeeIds", "1"]]
    not_theirs = await cnaps(
        ASSIGN_LABEL,
        {"input": {"labelId": label["id"], "employeeIds": [theirs["id"]]}},
        token=other.admin.token,
    )
    assert codes(not_theirs["assignLabel"]) == ["NOT_FOUND"]
    assert not_theirs["assignLabel"]["errors"][0]["field"] == ["input", "labelId"]


async def test_the_dashboard_costs_the_same_statements_for_10_and_100_rows(
    cnaps: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
    backend: str,
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    officer = await issuer(cnaps, runtime)
    dates = list(colour_dates(runtime).values())
    titles = await officer.issue_many(
        [expiring(f"Agent{i:03d}", dates[i % len(dates)]) for i in range(100)]
    )
    lines = ["nom;numéro de titre;siret établissement;libellés"]
    lines += [
        f"{t.holder_family_name};{t.number};{siret_of(org.siren)};Équipe {i % 3}|Tous"
        for i, t in enumerate(titles)
    ]
    imported = await cnaps(
        IMPORT,
        {"input": {"organisationId": org.id, "csv": "\n".join(lines)}},
        token=org.admin.token,
    )
    assert imported["importEmployees"]["importedCount"] == 100
    counts = {}
    for first in (10, 100):
        with statements.count() as seen:
            result = await dashboard(cnaps, org.admin.token, org, first=first)
        assert result is not None and len(result["edges"]) == first
        assert all(len(e["node"]["labels"]) == 2 for e in result["edges"])
        assert all(e["node"]["title"] is not None for e in result["edges"])
        counts[first] = len(seen)
    print(f"\ndashboard statements ({backend}): first 10 → {counts[10]}, first 100 → {counts[100]}")
    assert counts[10] == counts[100]
    # one transaction: BEGIN, (PostgreSQL: the tenant's set_config), authentication with the
    # memberships (1), organisation (1), the dashboard with totals, titles, labels and
    # establishments (1), ROLLBACK
    assert counts[100] == (6 if backend == "postgresql" else 5)
    assert statements.transactions() == 1


CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { account { mustChangePassword emailConfirmed } errors { code } }
}
"""

CREATE_ACCOUNT = """
mutation($input: CreateEmployeeAccountInput!) {
  createEmployeeAccount(input: $input) {
    employee { id familyName givenNames email hasAccount colour title { number } establishment { id } }
    errors { code field message }
  }
}
"""


def credentials(body: str) -> tuple[str, str]:
    identifier = re.search(r"Identifiant : (\S+)", body)
    password = re.search(r"Mot de passe provisoire : (\S+)", body)
    assert identifier and password, body
    return identifier.group(1), password.group(1)


async def test_an_organisation_opens_its_employee_s_account(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp, name="Sécurité Loire")
    email = unique_email("salarie")
    given = {
        "organisationId": org.id,
        "email": email,
        "familyName": "Nguyen",
        "givenNames": "Thi Lan",
        "establishmentId": org.head_office_id,
    }
    made = (await cnaps(CREATE_ACCOUNT, {"input": given}, token=org.admin.token))[
        "createEmployeeAccount"
    ]
    assert made["errors"] == []
    employee = made["employee"]
    assert employee["hasAccount"] is True and employee["email"] == email
    assert employee["establishment"]["id"] == org.head_office_id and employee["colour"] == "RED"
    [message] = await deliver(runtime, smtp, email)
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Sécurité Loire vous a ouvert un compte" in body
    identifier, temporary = credentials(body)
    assert identifier == email
    signed = (await cnaps(SIGN_IN, {"email": identifier, "password": temporary}))["signIn"]
    assert signed["errors"] == [] and signed["mustChangePassword"] is True
    changed = await cnaps(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": temporary, "newPassword": PASSWORD}},
        token=signed["accessToken"],
    )
    assert changed["changePassword"]["account"] == {
        "mustChangePassword": False,
        "emailConfirmed": False,
    }
    [_, confirmation] = await deliver(runtime, smtp, email)
    confirmed = await cnaps(CONFIRM, {"token": token_of(link_in(confirmation))})
    assert confirmed["confirmEmail"]["errors"] == []
    # the same address twice: refused, nothing more is added
    twice = (await cnaps(CREATE_ACCOUNT, {"input": given}, token=org.admin.token))[
        "createEmployeeAccount"
    ]
    assert codes(twice) == ["EMAIL_ALREADY_REGISTERED"]
    missing = {
        "organisationId": org.id,
        "email": unique_email(),
        "familyName": " ",
        "givenNames": "",
    }
    assert set(
        codes(
            (await cnaps(CREATE_ACCOUNT, {"input": missing}, token=org.admin.token))[
                "createEmployeeAccount"
            ]
        )
    ) == {"REQUIRED"}
    # the person records their domicile (it decides the title's département), then the
    # authority issues them a card: the row takes its number and turns green
    officer: Issuer = await issuer(cnaps, runtime)
    employee_token = (await cnaps(SIGN_IN, {"email": email, "password": PASSWORD}))["signIn"][
        "accessToken"
    ]
    person_id = (await cnaps("query { viewer { person { id } } }", token=employee_token))["viewer"][
        "person"
    ]["id"]
    home = {"line1": "2 rue Kervégan", "postalCode": "44000", "city": "Nantes", "country": "FR"}
    recorded = await cnaps(
        "mutation($input: UpdatePersonContactInput!) { updatePersonContact(input: $input) "
        "{ errors { code } } }",
        {"input": {"personId": person_id, "address": home}},
        token=employee_token,
    )
    assert recorded["updatePersonContact"]["errors"] == []
    card = await officer.issue(
        expiring(
            "",
            colour_dates(runtime)["green_far"],
            holder_family_name=None,
            holder_person_id=uuid_of(person_id),
        )
    )
    assert card.number == format_number(
        TitleKind.REC, "44", card.expires_on, card.issued_on.year, card.sequence
    )
    detail = (await cnaps(NODE, {"id": employee["id"]}, token=org.admin.token))["node"]
    assert detail["title"] == {"number": card.number, "status": "VALID"}
    assert detail["colour"] == "GREEN"
    result = await dashboard(cnaps, org.admin.token, org)
    assert result is not None and result["totals"] == {"green": 1, "orange": 0, "red": 0}
    assert today(runtime) - timedelta(days=400) <= card.issued_on


async def test_rows_follow_their_title_when_it_changes_after_they_were_listed(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """The dashboard counts colours from what each row keeps of its title: a suspension, a
    reinstatement, and a title issued after the row was listed all show at once."""
    org = await validated_organisation(cnaps, runtime, smtp, name="Suivi Continu")
    officer = await issuer(cnaps, runtime)
    dates = colour_dates(runtime)
    title = await officer.issue(expiring("Suivi", dates["green_far"]))
    token = org.admin.token
    await add_employee(cnaps, token, org, "SUIVI", title.number)
    await add_employee(cnaps, token, org, "Inconnu", UNKNOWN_NUMBER)

    async def totals() -> dict[str, int]:
        result = await dashboard(cnaps, token, org, first=10)
        assert result is not None
        counted: dict[str, int] = result["totals"]
        return counted

    assert await totals() == {"green": 1, "orange": 0, "red": 1}
    for status, expected in (("SUSPENDED", 0), ("VALID", 1)):
        changed = await cnaps(
            CHANGE_STATUS,
            {"input": {"titleId": gid("Title", title.id), "status": status, "reason": "Contrôle"}},
            token=officer.officer.token,
        )
        assert changed["changeTitleStatus"]["errors"] == []
        assert (await totals())["green"] == expected
    red = await dashboard(cnaps, token, org, first=10, filter={"colours": ["RED"]})
    assert red is not None
    assert [e["node"]["familyName"] for e in red["edges"]] == ["Inconnu"]
