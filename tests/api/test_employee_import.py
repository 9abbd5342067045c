"""CSV import (all or nothing, per-line errors) and export of the list of employees."""

from __future__ import annotations

import csv
import io
from typing import Any

from dossiers.company.employee_csv import MAX_ROWS
from server.runtime import Runtime
from tests.helpers.company import (
    IMPORT,
    colour_dates,
    dashboard,
    expiring,
    issuer,
    manager,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import Org, siret_of, validated_organisation
from tests.helpers.smtp import SmtpServer

EXPORT = """
query($id: ID!, $filter: DashboardFilterInput) {
  node(id: $id) { ... on Organisation { employeesCsv(filter: $filter) } }
}
"""

LABELS = """
query($id: ID!) { node(id: $id) { ... on Organisation {
  labels(first: 100) { totalCount nodes { id name employeeCount } } } } }
"""


def number(i: int, year: int = 1998) -> str:
    return f"CAR-044-2031-01-15-{year}{i:07d}"


async def run_import(client: GraphQLClient, token: str, org: Org, content: str) -> dict[str, Any]:
    data = await client(IMPORT, {"input": {"organisationId": org.id, "csv": content}}, token=token)
    payload: dict[str, Any] = data["importEmployees"]
    return payload


async def total(client: GraphQLClient, token: str, org: Org) -> int:
    result = await dashboard(client, token, org, first=1)
    assert result is not None
    return int(result["totalCount"])


async def test_a_manager_imports_200_employees_labels_them_and_reads_the_dashboard(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    chief = await manager(cnaps, runtime, smtp, org)
    officer = await issuer(cnaps, runtime)
    dates = colour_dates(runtime)
    # 200 employees: 50 green, 50 orange (six months to the day), 50 expired, 50 unknown
    expiries = [dates["green"], dates["orange_edge"], dates["red_expired"]]
    titles = await officer.issue_many(
        [expiring(f"Salarié{i:03d}", expiries[i % 3]) for i in range(150)]
    )
    head = siret_of(org.siren)
    lines = ["\ufeffNom;Prénoms;Numéro de titre;SIRET établissement;Libellés;Courriel"]
    for i, title in enumerate(titles):
        site = "Site Airbus" if i % 2 else "Site Carrefour"
        lines.append(
            f"{title.holder_family_name.upper()};Jean;{title.number};{head};{site}|Tous;"
            f"salarie{i}@example.org"
        )
    for i in range(50):
        lines.append(f"Inconnu{i:02d};;{number(i)};;Tous;")
    imported = await run_import(cnaps, chief.token, org, "\r\n".join(lines) + "\r\n")
    assert imported == {"importedCount": 200, "createdLabelCount": 3, "errors": []}

    result = await dashboard(cnaps, chief.token, org, first=50)
    assert result is not None
    assert result["totalCount"] == 200
    assert result["totals"] == {"green": 50, "orange": 50, "red": 100}
    assert len(result["edges"]) == 50 and result["pageInfo"]["hasNextPage"] is True
    matched = [e["node"] for e in result["edges"] if e["node"]["title"]]
    assert matched and all(n["familyName"].startswith("Salarié") for n in matched)
    labels = (await cnaps(LABELS, {"id": org.id}, token=chief.token))["node"]["labels"]
    counts = {n["name"]: n["employeeCount"] for n in labels["nodes"]}
    assert counts == {"Site Airbus": 75, "Site Carrefour": 75, "Tous": 200}
    airbus = next(n["id"] for n in labels["nodes"] if n["name"] == "Site Airbus")
    orange_at_airbus = await dashboard(
        cnaps, chief.token, org, filter={"labelIds": [airbus], "colours": ["ORANGE"]}
    )
    assert orange_at_airbus is not None and orange_at_airbus["totalCount"] == 25
    assert orange_at_airbus["totals"] == {"green": 25, "orange": 25, "red": 25}

    exported = (await cnaps(EXPORT, {"id": org.id}, token=chief.token))["node"]["employeesCsv"]
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert rows[0] == [
        "nom",
        "prénoms",
        "numéro de titre",
        "siret établissement",
        "libellés",
        "courriel",
        "statut",
        "couleur",
        "échéance",
    ]
    assert len(rows) == 201
    by_number = {row[2]: row for row in rows[1:]}
    first = by_number[titles[0].number]
    assert first[3] == head and first[4] == "Site Carrefour|Tous"
    assert first[6:8] == ["VALID", "GREEN"] and first[8] == titles[0].expires_on.isoformat()
    assert by_number[titles[2].number][6:8] == ["EXPIRED", "RED"]
    assert by_number[number(0)][6:8] == ["UNKNOWN", "RED"]
    only_red = (
        await cnaps(EXPORT, {"id": org.id, "filter": {"colours": ["RED"]}}, token=chief.token)
    )["node"]["employeesCsv"]
    assert len(only_red.strip().splitlines()) == 101
    # the export imports back into another organisation (extra columns ignored)
    other = await validated_organisation(cnaps, runtime, smtp)
    back = exported.replace(head, siret_of(other.siren))
    again = await run_import(cnaps, other.admin.token, other, back)
    assert again["errors"] == [] and again["importedCount"] == 200
    mirrored = await dashboard(cnaps, other.admin.token, other)
    assert mirrored is not None and mirrored["totals"] == result["totals"]


async def test_comma_separated_english_headers_quotes_and_blank_lines(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    content = (
        "familyName,givenNames,titleNumber,labels,email\n"
        f'"Martin, dit Le Grand",Paul,{number(1)},"Équipe nuit|Équipe jour",\n'
        "\n"
        f"Durand,,{number(2)},,\n"
        " , , , , \n"
    )
    result = await run_import(cnaps, org.admin.token, org, content)
    assert result == {"importedCount": 2, "createdLabelCount": 2, "errors": []}
    page = await dashboard(cnaps, org.admin.token, org)
    assert page is not None
    names = {e["node"]["familyName"] for e in page["edges"]}
    assert names == {"Martin, dit Le Grand", "Durand"}


async def test_broken_lines_are_each_reported_and_nothing_is_imported(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    token = org.admin.token
    listed = await run_import(cnaps, token, org, f"nom;numéro de titre\nDéjà;{number(99)}\n")
    assert listed["importedCount"] == 1
    content = "\n".join(
        [
            "nom;prénoms;numéro de titre;siret établissement;libellés;courriel",  # line 1
            f"Bon;Jean;{number(1)};;Nouveau libellé;",  # 2: fine
            "Mauvais;Jean;CAR-44-2031;;;",  # 3: malformed number
            f";Jean;{number(3)};;;",  # 4: no family name
            f"Double;Jean;{number(1)};;;",  # 5: same number as line 2
            f"Site;Jean;{number(5)};12345678901234;;",  # 6: not one of its SIRETs
            f"Court;Jean;{number(6)}",  # 7: three columns of six
            f"Courriel;Jean;{number(7)};;;pas-une-adresse",  # 8: bad e-mail
            f"Listé;Jean;{number(99)};;;",  # 9: already in the list
            f"Bon aussi;Jean;{number(10)};;;",  # 10: fine
        ]
    )
    result = await run_import(cnaps, token, org, content)
    assert result["importedCount"] == 0  # refused: 0, not null
    assert result["createdLabelCount"] == 0
    assert {tuple(e["field"]) for e in result["errors"]} == {("input", "csv")}
    # line and column as whole numbers beside the message (columns counted from 1)
    found = [(e["code"], e["line"], e["column"]) for e in result["errors"]]
    assert found == [
        ("CSV_LINE_INVALID_VALUE", 3, 3),
        ("CSV_LINE_MISSING_VALUE", 4, 1),
        ("CSV_LINE_DUPLICATE", 5, 3),
        ("CSV_LINE_UNKNOWN_ESTABLISHMENT", 6, 4),
        ("CSV_LINE_WRONG_COLUMN_COUNT", 7, None),
        ("CSV_LINE_INVALID_VALUE", 8, 6),
        ("CSV_LINE_ALREADY_LISTED", 9, 3),
    ]
    messages = [e["message"] for e in result["errors"]]
    assert messages[0] == (
        "Ligne 3, colonne « numéro de titre » : valeur invalide (format ou longueur)."
    )
    assert messages[2] == "Ligne 5 : même numéro de titre qu'à la ligne 2."
    # nothing was written: still one row, no new label
    assert await total(cnaps, token, org) == 1
    labels = (await cnaps(LABELS, {"id": org.id}, token=token))["node"]["labels"]
    assert labels["totalCount"] == 0
    english = await cnaps(
        IMPORT, {"input": {"organisationId": org.id, "csv": content}}, token=token, lang="en"
    )
    assert english["importEmployees"]["errors"][4]["message"] == "Line 7: 3 columns instead of 6."


async def test_the_file_itself_can_be_refused(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    token = org.admin.token
    unknown_column = await run_import(cnaps, token, org, f"nom;numéro;âge\nA;{number(1)};30\n")
    assert codes(unknown_column) == [
        "CSV_INVALID_HEADER",
        "CSV_INVALID_HEADER",
        "CSV_INVALID_HEADER",
    ]
    # "numéro" and "âge" (columns 2 and 3) are unknown; the title number's column is missing
    located = [(e["field"], e["line"], e["column"]) for e in unknown_column["errors"]]
    assert located == [
        (["input", "csv"], 1, 2),
        (["input", "csv"], 1, 3),
        (["input", "csv"], 1, None),
    ]
    repeated = await run_import(cnaps, token, org, f"nom;nom;numéro de titre\nA;B;{number(1)}\n")
    assert codes(repeated) == ["CSV_INVALID_HEADER"]
    assert codes(await run_import(cnaps, token, org, "  \n\n")) == ["CSV_EMPTY"]
    assert codes(await run_import(cnaps, token, org, "nom;numéro de titre\n\n")) == ["CSV_EMPTY"]
    rows = [f"N{i};{number(i)}" for i in range(MAX_ROWS + 1)]
    too_many = await run_import(cnaps, token, org, "nom;numéro de titre\n" + "\n".join(rows))
    assert codes(too_many) == ["CSV_TOO_LARGE"]
    broken = [f"N{i};CAR-{i}" for i in range(150)]
    many_errors = await run_import(cnaps, token, org, "nom;numéro de titre\n" + "\n".join(broken))
    assert len(many_errors["errors"]) == 101
    assert many_errors["errors"][-1]["code"] == "CSV_TOO_MANY_ERRORS"
    assert await total(cnaps, token, org) == 0


async def test_only_who_manages_employees_imports_or_exports(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    clerk = await manager(cnaps, runtime, smtp, org, permissions=["MESSAGE_AUTHORITY"])
    refused = await run_import(cnaps, clerk.token, org, f"nom;numéro de titre\nA;{number(1)}\n")
    assert codes(refused) == ["PERMISSION_MISSING"]
    assert refused["errors"][0]["permission"] == "MANAGE_EMPLOYEES"
    exported = (await cnaps.post(EXPORT, {"id": org.id}, token=clerk.token)).json()
    # the field alone is null, with the refusal and the missing permission on its path
    assert exported["data"] == {"node": {"employeesCsv": None}}
    [error] = exported["errors"]
    assert error["path"] == ["node", "employeesCsv"]
    assert error["extensions"] == {"code": "PERMISSION_MISSING", "permission": "MANAGE_EMPLOYEES"}
    other = await validated_organisation(cnaps, runtime, smtp)
    foreign = await run_import(
        cnaps, other.admin.token, org, f"nom;numéro de titre\nA;{number(1)}\n"
    )
    assert codes(foreign) == ["NOT_FOUND"]
    assert await total(cnaps, org.admin.token, org) == 0


async def test_the_file_itself_may_be_uploaded_and_a_bad_file_changes_nothing(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    from tests.helpers.organisation_flows import upload

    org = await validated_organisation(cnaps, runtime, smtp)
    query = """mutation($input: ImportEmployeesInput!) { importEmployees(input: $input) {
      importedCount errors { code field } } }"""
    rows = "\n".join(f"Agent{i};Lou;{number(i, 1997)}" for i in range(3))
    content = ("\ufeffnom;prénoms;numéro de titre\n" + rows).encode("utf-8")
    variables = {"input": {"organisationId": org.id, "file": None}}
    done = await upload(
        cnaps,
        query,
        variables,
        {"input.file": ("salaries.csv", content, "text/csv")},
        token=org.admin.token,
    )
    assert done["importEmployees"] == {"importedCount": 3, "errors": []}
    latin1 = "nom;prénoms;numéro de titre\nLefèvre;Zoé;" + number(9, 1997)
    refused = await upload(
        cnaps,
        query,
        variables,
        {"input.file": ("salaries.csv", latin1.encode("latin-1"), "text/csv")},
        token=org.admin.token,
    )
    assert codes(refused["importEmployees"]) == ["CSV_NOT_UTF8"]
    neither = await cnaps(query, {"input": {"organisationId": org.id}}, token=org.admin.token)
    assert codes(neither["importEmployees"]) == ["REQUIRED"]
    assert await total(cnaps, org.admin.token, org) == 3
