"""Renewal rules at their edges [seed 003 art. 6, seed 000, seed 001]: the renewal window
opens six months before expiry (startRenewal), a renewal confirmed three months or more
before expiry yields a receipt at once, later it is accepted without one and says so, and an
expired card is refused with the code that points to a prior authorisation for MAC."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dossiers.title.issuing import NewTitle
from dossiers.title.models import TitleKind
from dossiers.title.numbers import add_months
from server.runtime import Runtime
from tests.helpers.company import Issuer, issuer, today, uuid_of
from tests.helpers.dossiers import (
    DOCUMENTS,
    START_RENEWAL,
    act,
    add_documents,
    call,
    confirm,
    mailed_token,
    sign,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import SignedIn, gid, person
from tests.helpers.smtp import SmtpServer

TITLES = """
query { viewer { titles(first: 20) { nodes {
  id number kind status expiresOn renewalOpensOn renewalReceiptUntil
} } } }
"""


def expiring_when(anchor: date, months_before: int) -> date:
    """An expiry date E such that E minus `months_before` months is `anchor` and a five-year
    card issued five years before E expires on E (no month-end clamping)."""
    for shift in range(0, 40):
        candidate = add_months(anchor + timedelta(days=shift), months_before) - timedelta(
            days=shift
        )
        if (
            add_months(candidate, -months_before) == anchor
            and add_months(add_months(candidate, -60), 60) == candidate
        ):
            return candidate
    raise AssertionError("no such date")


async def card(officer: Issuer, holder: SignedIn, expires_on: date) -> str:
    title = await officer.issue(
        NewTitle(
            kind=TitleKind.CAR,
            activities=["SURVEILLANCE", "VIDEO_PROTECTION"],
            holder_person_id=uuid_of(holder.person_id),
            issued_on=add_months(expires_on, -60),
        )
    )
    assert title.expires_on == expires_on
    return gid("Title", title.id)


async def start(client: GraphQLClient, holder: SignedIn, title_id: str) -> dict[str, Any]:
    return await call(client, START_RENEWAL, {"input": {"titleId": title_id}}, holder.token)


async def renew(
    client: GraphQLClient, runtime: Runtime, smtp: SmtpServer, holder: SignedIn, title_id: str
) -> dict[str, Any]:
    started = await start(client, holder, title_id)
    assert started["errors"] == [], started
    dossier_id = started["dossier"]["id"]
    update = """mutation($input: UpdateDossierInput!) { updateDossier(input: $input) { ok errors { code } } }"""
    done = await call(
        client,
        update,
        {
            "input": {
                "dossierId": dossier_id,
                "fields": [
                    {"name": "nationality", "value": "FR"},
                    {"name": "employed", "value": "false"},
                ],
            }
        },
        holder.token,
    )
    assert done["ok"], done
    await add_documents(
        client, runtime, holder.token, dossier_id, DOCUMENTS["PROFESSIONAL_CARD_RENEWAL"]
    )
    signed = await sign(client, holder.token, dossier_id)
    assert signed["errors"] == [], signed
    return await confirm(client, await mailed_token(runtime, smtp, holder.email), holder.token)


async def test_the_renewal_window_opens_six_months_before_expiry(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await issuer(cnaps, runtime)
    holder = await person(cnaps, runtime, smtp, "window")
    day = today(runtime)
    tomorrow = await card(officer, holder, expiring_when(day + timedelta(days=1), 6))
    opens_today = await card(officer, holder, expiring_when(day, 6))
    titles = {
        t["id"]: t for t in (await cnaps(TITLES, token=holder.token))["viewer"]["titles"]["nodes"]
    }
    assert titles[tomorrow]["renewalOpensOn"] == (day + timedelta(days=1)).isoformat()
    assert titles[opens_today]["renewalOpensOn"] == day.isoformat()
    expiry = date.fromisoformat(titles[opens_today]["expiresOn"])
    assert titles[opens_today]["renewalReceiptUntil"] == add_months(expiry, -3).isoformat()
    refused = await start(cnaps, holder, tomorrow)
    assert codes(refused) == ["RENEWAL_NOT_OPEN"] and refused["errors"][0]["field"] == [
        "input",
        "titleId",
    ]
    started = await start(cnaps, holder, opens_today)
    assert started["errors"] == [] and started["notice"] is None
    dossier = started["dossier"]
    assert dossier["kind"] == "PROFESSIONAL_CARD_RENEWAL" and dossier["status"] == "DRAFT"
    assert [a["code"] for a in dossier["activities"]] == ["SURVEILLANCE", "VIDEO_PROTECTION"]
    assert codes(await start(cnaps, holder, opens_today)) == ["RENEWAL_ALREADY_FILED"]
    someone = await person(cnaps, runtime, smtp, "someone")
    assert codes(await start(cnaps, someone, opens_today)) == ["NOT_FOUND"]


async def test_a_receipt_at_once_until_three_months_before_expiry_and_not_after(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await issuer(cnaps, runtime)
    holder = await person(cnaps, runtime, smtp, "receipt")
    day = today(runtime)
    for anchor, receipt in (
        (day + timedelta(days=1), True),  # the day before the limit
        (day, True),  # the day of the limit
        (day - timedelta(days=1), False),  # the day after: accepted, no receipt
    ):
        title_id = await card(officer, holder, expiring_when(anchor, 3))
        confirmed = await renew(cnaps, runtime, smtp, holder, title_id)
        assert confirmed["errors"] == [], (anchor, confirmed)
        assert confirmed["dossier"]["status"] == "SUBMITTED"
        if receipt:
            assert confirmed["receipt"]["kind"] == "REC" and confirmed["notice"] is None
            assert confirmed["dossier"]["receipt"]["number"] == confirmed["receiptNumber"]
        else:
            assert confirmed["receipt"] is None and confirmed["receiptNumber"] is None
            assert "sans récépissé" in confirmed["notice"]


async def test_an_expired_card_is_not_renewed_but_one_on_its_last_day_is(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await issuer(cnaps, runtime)
    holder = await person(cnaps, runtime, smtp, "expired")
    day = today(runtime)
    expired = await card(officer, holder, day - timedelta(days=1))
    refused = await start(cnaps, holder, expired)
    assert codes(refused) == ["TITLE_EXPIRED_FILE_PRIOR_AUTHORISATION"]
    assert "autorisation préalable" in refused["errors"][0]["message"]
    last_day = await card(officer, holder, day)
    confirmed = await renew(cnaps, runtime, smtp, holder, last_day)
    assert confirmed["errors"] == [] and confirmed["receipt"] is None and confirmed["notice"]


async def test_granting_a_renewal_replaces_the_card_and_ends_the_receipt(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await issuer(cnaps, runtime)
    holder = await person(cnaps, runtime, smtp, "replaced")
    title_id = await card(officer, holder, expiring_when(today(runtime) + timedelta(days=10), 3))
    confirmed = await renew(cnaps, runtime, smtp, holder, title_id)
    dossier_id = confirmed["dossier"]["id"]
    for name in ("startReview", "grantDossier"):
        done = await call(
            cnaps, act(name), {"input": {"dossierId": dossier_id}}, officer.officer.token
        )
        assert done["errors"] == [], done
    new = done["title"]
    titles = {
        t["number"]: t
        for t in (await cnaps(TITLES, token=holder.token))["viewer"]["titles"]["nodes"]
    }
    assert titles[new["number"]]["status"] == "VALID" and new["kind"] == "CAR"
    assert titles[confirmed["receiptNumber"]]["status"] == "WITHDRAWN"
    old = [t for t in titles.values() if t["id"] == title_id]
    assert old[0]["status"] == "WITHDRAWN"
