"""Alerts: a title's status change or its renewal window reaches every organisation that
follows it; they are listed, marked read, and e-mailed in a digest."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import uuid
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from dossiers.company.alerts import scan
from dossiers.company.models import Employee
from dossiers.title.issuing import NewTitle
from dossiers.title.models import TitleKind
from dossiers.title.numbers import renewal_limit, today_of
from mail.models import OutboxMessage
from server.cli_alerts import run_alerts
from server.runtime import Runtime
from tenants.clock import SystemClock
from tenants.models import Person
from tenants.session import open_session
from tests.helpers.company import (
    add_employee,
    card_expiring,
    colour_dates,
    dashboard,
    expiring,
    issuer,
    manager,
    today,
    uuid_of,
)
from tests.helpers.flows import deliver
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import Org, gid, validated_organisation
from tests.helpers.smtp import SmtpServer

GUICHET = Path(sys.executable).parent / "guichet"

ORG_ALERTS = """
query($id: ID!, $unread: Boolean! = false) {
  node(id: $id) {
    ... on Organisation {
      alerts(first: 20, unreadOnly: $unread) {
        totalCount
        nodes {
          id kind colour titleNumber message readAt createdAt
          employee { id familyName }
          organisation { id }
        }
      }
    }
  }
}
"""

MY_ALERTS = """
query { viewer { alerts(first: 50) { totalCount nodes { id kind organisation { id } } } } }
"""

MARK_READ = """
mutation($id: ID!) { markAlertRead(input: {alertId: $id}) {
  alert { id readAt } errors { code field } } }
"""

CHANGE = """
mutation($input: ChangeTitleStatusInput!) {
  changeTitleStatus(input: $input) { title { status } errors { code } }
}
"""


async def digests(runtime: Runtime, smtp: SmtpServer, email: str) -> list[EmailMessage]:
    return [
        m for m in await deliver(runtime, smtp, email) if m["X-Guichet-Template"] == "alert_digest"
    ]


async def alerts_of(
    client: GraphQLClient, token: str, org: Org, unread: bool = False, lang: str | None = None
) -> dict[str, Any]:
    data = await client(ORG_ALERTS, {"id": org.id, "unread": unread}, token=token, lang=lang)
    result: dict[str, Any] = data["node"]["alerts"]
    return result


async def test_a_status_change_alerts_each_organisation_following_the_title(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await issuer(cnaps, runtime)
    title = await officer.issue(expiring("Moreau", colour_dates(runtime)["green_far"]))
    first = await validated_organisation(cnaps, runtime, smtp, name="Alpha Sécurité")
    second = await validated_organisation(cnaps, runtime, smtp, name="Bêta Gardiennage")
    wrong = await validated_organisation(cnaps, runtime, smtp, name="Gamma")
    employee = (await add_employee(cnaps, first.admin.token, first, "Moreau", title.number))[
        "employee"
    ]
    await add_employee(cnaps, second.admin.token, second, "MOREAU", title.number)
    await add_employee(cnaps, wrong.admin.token, wrong, "Moreaux", title.number)
    chief = await manager(cnaps, runtime, smtp, first)
    clerk = await manager(cnaps, runtime, smtp, first, permissions=["FILE_DOSSIERS"])

    suspend = {"titleId": gid("Title", title.id), "status": "SUSPENDED", "reason": "Enquête"}
    done = await cnaps(CHANGE, {"input": suspend}, token=officer.officer.token)
    assert done["changeTitleStatus"]["errors"] == []

    mine = await alerts_of(cnaps, first.admin.token, first)
    assert mine["totalCount"] == 1
    [alert] = mine["nodes"]
    assert alert["kind"] == "STATUS_CHANGED" and alert["colour"] == "RED"
    assert alert["titleNumber"] == title.number
    assert alert["message"] == f"Le titre {title.number} de Moreau Jean est désormais suspendu."
    assert "Enquête" not in alert["message"]  # the reason stays between authority and holder
    assert alert["employee"] == {"id": employee["id"], "familyName": "Moreau"}
    assert alert["organisation"]["id"] == first.id
    english = await alerts_of(cnaps, first.admin.token, first, lang="en")
    assert (
        english["nodes"][0]["message"] == f"Title {title.number} of Moreau Jean is now suspended."
    )
    assert (await alerts_of(cnaps, second.admin.token, second))["totalCount"] == 1
    assert (await alerts_of(cnaps, wrong.admin.token, wrong))["totalCount"] == 0

    # the viewer's alerts: those of the organisations whose employees they manage
    assert (await cnaps(MY_ALERTS, token=chief.token))["viewer"]["alerts"]["totalCount"] == 1
    assert (await cnaps(MY_ALERTS, token=clerk.token))["viewer"]["alerts"]["totalCount"] == 0
    # refused, the nullable field alone is null, with the refusal on its path (the
    # organisation still answers)
    refused = (await cnaps.post(ORG_ALERTS, {"id": first.id}, token=clerk.token)).json()
    assert refused["data"] == {"node": {"alerts": None}}
    assert [(e["path"], e["extensions"]["code"]) for e in refused["errors"]] == [
        (["node", "alerts"], "PERMISSION_MISSING")
    ]

    # marked read by its organisation only; marking twice changes nothing
    other = await cnaps(MARK_READ, {"id": alert["id"]}, token=second.admin.token)
    assert codes(other["markAlertRead"]) == ["NOT_FOUND"]
    assert other["markAlertRead"]["errors"][0]["field"] == ["input", "alertId"]
    read = (await cnaps(MARK_READ, {"id": alert["id"]}, token=chief.token))["markAlertRead"]
    assert read["errors"] == [] and read["alert"]["readAt"] is not None
    again = (await cnaps(MARK_READ, {"id": alert["id"]}, token=first.admin.token))["markAlertRead"]
    assert again["alert"]["readAt"] == read["alert"]["readAt"]
    assert (await alerts_of(cnaps, first.admin.token, first, unread=True))["totalCount"] == 0
    by_clerk = await cnaps(MARK_READ, {"id": alert["id"]}, token=clerk.token)
    assert codes(by_clerk["markAlertRead"]) == ["PERMISSION_MISSING"]

    # valid again: a new alert, green
    restore = {"titleId": gid("Title", title.id), "status": "VALID"}
    await cnaps(CHANGE, {"input": restore}, token=officer.officer.token)
    unread = await alerts_of(cnaps, first.admin.token, first, unread=True)
    assert [(n["kind"], n["colour"]) for n in unread["nodes"]] == [("STATUS_CHANGED", "GREEN")]
    assert "est désormais valide" in unread["nodes"][0]["message"]

    # a row removed later: its alerts stay, without the row
    remove = "mutation($id: ID!) { removeEmployee(input: {employeeId: $id}) { errors { code } } }"
    await cnaps(remove, {"id": employee["id"]}, token=first.admin.token)
    kept = await alerts_of(cnaps, first.admin.token, first)
    assert kept["totalCount"] == 2 and {n["employee"] for n in kept["nodes"]} == {None}
    assert kept["nodes"][0]["titleNumber"] == title.number


CREATE_ACCOUNT = """
mutation($input: CreateEmployeeAccountInput!) {
  createEmployeeAccount(input: $input) { employee { id titleNumber } errors { code } }
}
"""


async def test_a_prior_authorisation_is_not_renewable_so_no_renewal_alert_but_a_card_is(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """A PRE (6 months) is orange from its issue, but a prior authorisation is not renewed
    [seed 003 art. 8]: no "renew at least 3 months before" alert, at issue or by the scan;
    its expiry is still alerted. A card issued inside its window is alerted at once."""
    org = await validated_organisation(cnaps, runtime, smtp)
    trainee, holder = [
        await listed_person(cnaps, runtime, org, family_name) for family_name in ("Petit", "Grand")
    ]
    officer = await issuer(cnaps, runtime)
    prior = await officer.issue(
        NewTitle(kind=TitleKind.PRE, activities=["SURVEILLANCE"], holder_person_id=trainee[1])
    )
    day = today(runtime)
    card = await officer.issue(
        card_expiring("", renewal_limit(day), holder_family_name=None, holder_person_id=holder[1])
    )
    found = await alerts_of(cnaps, org.admin.token, org)
    assert [(n["kind"], n["colour"], n["titleNumber"]) for n in found["nodes"]] == [
        ("RENEWAL_WINDOW", "ORANGE", card.number)
    ]
    assert found["nodes"][0]["employee"]["id"] == holder[0]
    rows = await dashboard(cnaps, org.admin.token, org)
    assert rows is not None
    colours = {e["node"]["titleNumber"]: e["node"]["colour"] for e in rows["edges"]}
    assert colours == {prior.number: "ORANGE", card.number: "ORANGE"}  # DOMAIN.md colours

    await scan_on(runtime, day)
    assert (await alerts_of(cnaps, org.admin.token, org))["totalCount"] == 1
    await scan_on(runtime, prior.expires_on)  # its last day: valid, still not renewable
    assert (await alerts_of(cnaps, org.admin.token, org))["totalCount"] == 1
    await scan_on(runtime, prior.expires_on + timedelta(days=1))
    expired = (await alerts_of(cnaps, org.admin.token, org))["nodes"]
    assert ("EXPIRED", prior.number) in {(n["kind"], n["titleNumber"]) for n in expired}
    assert ("RENEWAL_WINDOW", prior.number) not in {(n["kind"], n["titleNumber"]) for n in expired}


async def listed_person(
    client: GraphQLClient, runtime: Runtime, org: Org, family_name: str
) -> tuple[str, uuid.UUID]:
    """A person the organisation opened an account for (a row waiting for a title), whose
    domicile is in Nantes (recorded straight in the database: set-up, not the subject)."""
    made = await client(
        CREATE_ACCOUNT,
        {
            "input": {
                "organisationId": org.id,
                "email": f"salarie.{uuid.uuid4().hex[:8]}@example.org",
                "familyName": family_name,
                "givenNames": "Léo",
            }
        },
        token=org.admin.token,
    )
    employee = made["createEmployeeAccount"]["employee"]
    assert employee["titleNumber"] is None
    person_id = await person_of(runtime, employee["id"])
    async with open_session(runtime.services.sessions, "cnaps") as session:
        await session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(
                address_line1="1 rue de Strasbourg",
                postal_code="44000",
                city="Nantes",
                country="FR",
            )
        )
        await session.commit()
    return employee["id"], person_id


async def scan_on(runtime: Runtime, on: date) -> None:
    services = runtime.services
    async with open_session(services.sessions, "cnaps") as session:
        await scan(session, on, services.clock.now())
        await session.commit()


async def person_of(runtime: Runtime, employee_id: str) -> uuid.UUID:
    async with open_session(runtime.services.sessions, "cnaps") as session:
        row = await session.get_one(Employee, uuid_of(employee_id))
        assert row.person_id is not None
        return row.person_id


async def test_renewal_window_and_expiry_are_found_once_by_the_scan(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await issuer(cnaps, runtime)
    dates = colour_dates(runtime)
    green, edge, expired, receipt = await officer.issue_many(
        [
            card_expiring("Vert", dates["green"]),
            card_expiring("Bord", dates["orange_edge"]),
            card_expiring("Passe", dates["red_expired"]),
            expiring("Recu", dates["orange_edge"]),  # a receipt: not renewable
        ]
    )
    org = await validated_organisation(cnaps, runtime, smtp)
    for title in (green, edge, expired, receipt):
        await add_employee(cnaps, org.admin.token, org, title.holder_family_name, title.number)
    assert (await alerts_of(cnaps, org.admin.token, org))["totalCount"] == 0
    day = today(runtime)

    await scan_on(runtime, day)
    found = await alerts_of(cnaps, org.admin.token, org)
    kinds = {n["employee"]["familyName"]: (n["kind"], n["colour"]) for n in found["nodes"]}
    assert kinds == {"Bord": ("RENEWAL_WINDOW", "ORANGE"), "Passe": ("EXPIRED", "RED")}
    window = next(n for n in found["nodes"] if n["kind"] == "RENEWAL_WINDOW")
    assert edge.expires_on.strftime("%d/%m/%Y") in window["message"]
    await scan_on(runtime, day)  # idempotent
    assert (await alerts_of(cnaps, org.admin.token, org))["totalCount"] == 2
    await scan_on(runtime, day + timedelta(days=1))  # the next day the green one enters its window
    later = await alerts_of(cnaps, org.admin.token, org)
    assert later["totalCount"] == 3
    assert later["nodes"][0]["employee"]["familyName"] == "Vert"
    # the day after its expiry, the edge one expires: one more alert, of the other kind; the
    # receipt, never in a renewal window, expires too
    await scan_on(runtime, edge.expires_on + timedelta(days=1))
    kinds_now = [
        (n["employee"]["familyName"], n["kind"])
        for n in (await alerts_of(cnaps, org.admin.token, org))["nodes"]
    ]
    assert ("Bord", "EXPIRED") in kinds_now and ("Bord", "RENEWAL_WINDOW") in kinds_now
    assert ("Recu", "EXPIRED") in kinds_now and ("Recu", "RENEWAL_WINDOW") not in kinds_now


async def test_the_digest_mails_the_administrator_and_employee_managers_once(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as the server logs: the run's line must be writable
    officer = await issuer(cnaps, runtime)
    title = await officer.issue(expiring("Bernard", colour_dates(runtime)["green_far"]))
    org = await validated_organisation(cnaps, runtime, smtp, name="Delta Protection")
    chief = await manager(cnaps, runtime, smtp, org)
    clerk = await manager(cnaps, runtime, smtp, org, permissions=["FILE_DOSSIERS"])
    await add_employee(cnaps, org.admin.token, org, "Bernard", title.number)
    withdraw = {"titleId": gid("Title", title.id), "status": "WITHDRAWN", "reason": "Retrait"}
    await cnaps(CHANGE, {"input": withdraw}, token=officer.officer.token)
    await run_alerts(runtime)
    assert any(record.getMessage() == "alerts run" for record in caplog.records)
    [to_admin] = await digests(runtime, smtp, org.admin.email)
    [to_chief] = await digests(runtime, smtp, chief.email)
    assert await digests(runtime, smtp, clerk.email) == []
    assert (
        to_admin["Subject"] == "CNAPS : 1 alerte sur les titres de vos salariés (Delta Protection)"
    )
    body = to_admin.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"[ROUGE] Le titre {title.number} de Bernard Jean est désormais retiré." in body
    assert "http://testserver/t/cnaps/sign-in" in body
    assert to_chief["X-Guichet-Template"] == "alert_digest"
    await run_alerts(runtime)  # nothing new: no second digest
    assert len(await digests(runtime, smtp, org.admin.email)) == 1


async def test_guichet_alerts_run_from_the_command_line(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, tmp_path: Path
) -> None:
    """At the default log level, with a title entering its renewal window today (by the real
    clock the command reads): the alert is created, the digest sent, the exit code 0."""
    officer = await issuer(cnaps, runtime)
    real_today = today_of(SystemClock())
    title = await officer.issue(card_expiring("Fenêtre", renewal_limit(real_today)))
    org = await validated_organisation(cnaps, runtime, smtp, name="Epsilon Sûreté")
    await add_employee(cnaps, org.admin.token, org, "Fenêtre", title.number)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")} | {
        "GUICHET_DATABASE_URL": runtime.settings.database_url,
        "GUICHET_DATA_DIR": str(tmp_path),
        "GUICHET_SMTP_URL": smtp.url,
        "GUICHET_PUBLIC_URL": "http://testserver",
    }
    process = await asyncio.create_subprocess_exec(
        str(GUICHET),
        "alerts",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err
    lines = out.decode().splitlines()
    assert any(line.startswith("cnaps: ") and "digests sent" in line for line in lines)
    assert any(line.startswith("cnsa: ") for line in lines)
    found = await alerts_of(cnaps, org.admin.token, org)
    assert [n["kind"] for n in found["nodes"]] == ["RENEWAL_WINDOW"]
    async with open_session(runtime.services.sessions, "cnaps") as session:
        rows = (
            await session.execute(
                select(OutboxMessage.template, OutboxMessage.status).where(
                    OutboxMessage.recipient == org.admin.email
                )
            )
        ).all()
    assert ("alert_digest", "SENT") in [tuple(row) for row in rows]
    [received] = [
        m.message
        for m in smtp.messages
        if org.admin.email in m.rcpt_tos and m.message["X-Guichet-Template"] == "alert_digest"
    ]
    assert title.number in received.get_body(("plain",)).get_content()  # type: ignore[union-attr]
