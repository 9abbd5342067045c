"""Webhooks for organisations' own systems: registered by the administrator (secret shown
once, rotated, deleted), written with the event, delivered to a real receiver and verified with
the `standardwebhooks` package (a verifier no one here wrote), retried after a 500 with
backoff, disabled after repeated failures with an e-mail; nobody else sees or manages them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from server.database import StatementCounter
from server.runtime import Runtime
from tests.api.test_messaging import open_thread, send
from tests.helpers.clock import TestClock
from tests.helpers.company import add_employee, colour_dates, expiring, issuer, manager
from tests.helpers.dossiers import act, call, filed
from tests.helpers.flows import deliver
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import (
    Org,
    SignedIn,
    agent,
    gid,
    person,
    validated_organisation,
)
from tests.helpers.smtp import SmtpServer
from tests.helpers.webhook_receiver import Received, webhook_receiver

CREATE = """
mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    ok errors { code field } secret endpoint { id url eventTypes status }
  }
}
"""
ROTATE = """
mutation($input: RotateWebhookSecretInput!) {
  rotateWebhookSecret(input: $input) { ok errors { code field } secret endpoint { id } }
}
"""
DELETE = """
mutation($input: DeleteWebhookEndpointInput!) {
  deleteWebhookEndpoint(input: $input) { ok errors { code field } endpointId }
}
"""
ENDPOINTS = """
query($id: ID!) {
  node(id: $id) {
    ... on Organisation {
      webhookEndpoints(first: 10) {
        totalCount
        nodes {
          id status consecutiveFailures
          deliveries(first: 10) {
            totalCount
            nodes { webhookId eventType status attempts lastResponseCode nextAttemptAt deliveredAt }
          }
        }
      }
    }
  }
}
"""
CHANGE_TITLE = """
mutation($input: ChangeTitleStatusInput!) {
  changeTitleStatus(input: $input) { title { status } errors { code } }
}
"""
BODY = "Votre badge n° 4242 est prêt"


async def register(
    cnaps: GraphQLClient, who: SignedIn, org: Org, url: str, types: list[str] | None = None
) -> dict[str, Any]:
    variables = {
        "input": {
            "organisationId": org.id,
            "url": url,
            "eventTypes": types if types is not None else ["MESSAGE_RECEIVED"],
        }
    }
    payload: dict[str, Any] = (await cnaps(CREATE, variables, token=who.token))[
        "createWebhookEndpoint"
    ]
    return payload


async def endpoints(cnaps: GraphQLClient, who: SignedIn, org: Org) -> Any:
    return (await cnaps(ENDPOINTS, {"id": org.id}, token=who.token))["node"]["webhookEndpoints"]


async def an_authority_message(cnaps: GraphQLClient, runtime: Runtime, org: Org) -> str:
    """The administrator asks in the organisation's own thread; an agent answers."""
    opened = await open_thread(cnaps, org.admin, "Question de l'entreprise", organisationId=org.id)
    assert opened["ok"], opened
    thread: str = opened["thread"]["id"]
    officer = await agent(cnaps, runtime)
    answered = await send(cnaps, officer, thread, BODY)
    assert answered["ok"], answered
    return thread


def verify(secret: str, received: Received) -> dict[str, Any]:
    verified: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return verified


async def test_an_administrator_receives_signed_events_without_content(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    async with webhook_receiver() as receiver:
        made = await register(cnaps, org.admin, org, receiver.url)
        assert made["ok"] and made["errors"] == [], made
        secret = made["secret"]
        assert secret.startswith("whsec_") and len(secret) > 30
        assert made["endpoint"]["eventTypes"] == ["MESSAGE_RECEIVED"]
        # The administrator's own question is not "received"; the agent's answer is.
        thread = await an_authority_message(cnaps, runtime, org)
        before = (await endpoints(cnaps, org.admin, org))["nodes"][0]["deliveries"]
        assert before["totalCount"] == 1 and before["nodes"][0]["status"] == "PENDING"

        await runtime.webhooks.run_once()
        [received] = receiver.received
        event = verify(secret, received)
        assert event["type"] == "MESSAGE_RECEIVED"
        assert event["data"]["threadId"] == thread
        assert event["data"]["organisationId"] == org.id
        assert BODY not in received.body.decode() and "4242" not in received.body.decode()
        assert received.headers["webhook-id"].startswith("msg_")
        assert received.headers["webhook-signature"].startswith("v1,")
        # A forged body fails the same verifier.
        forged = Received(received.headers, received.body.replace(b"MESSAGE", b"MASSAGE"))
        with pytest.raises(WebhookVerificationError):
            verify(secret, forged)

    log = (await endpoints(cnaps, org.admin, org))["nodes"][0]["deliveries"]["nodes"]
    assert log[0]["status"] == "SUCCEEDED" and log[0]["attempts"] == 1
    assert log[0]["lastResponseCode"] == 200 and log[0]["deliveredAt"] is not None
    assert log[0]["webhookId"] == received.headers["webhook-id"]
    # Sent once only.
    assert await runtime.webhooks.run_once() == 0


async def test_retried_after_a_500_with_backoff_then_the_secret_rotated(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    async with webhook_receiver() as receiver:
        made = await register(cnaps, org.admin, org, receiver.url)
        receiver.status = 500
        await an_authority_message(cnaps, runtime, org)
        await runtime.webhooks.run_once()
        assert len(receiver.received) == 1
        log = (await endpoints(cnaps, org.admin, org))["nodes"][0]
        assert log["consecutiveFailures"] == 1
        [attempt] = log["deliveries"]["nodes"]
        assert attempt["status"] == "PENDING" and attempt["attempts"] == 1
        assert attempt["lastResponseCode"] == 500 and attempt["nextAttemptAt"] is not None
        # Not before the backoff (30 s after a first failure).
        clock.advance(timedelta(seconds=20))
        await runtime.webhooks.run_once()
        assert len(receiver.received) == 1
        receiver.status = 204
        clock.advance(timedelta(seconds=15))
        assert await runtime.webhooks.run_once() == 1
        first, second = receiver.received
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert verify(made["secret"], second)["type"] == "MESSAGE_RECEIVED"
        clock.reset()
        log = (await endpoints(cnaps, org.admin, org))["nodes"][0]
        assert log["consecutiveFailures"] == 0
        assert log["deliveries"]["nodes"][0]["status"] == "SUCCEEDED"
        assert log["deliveries"]["nodes"][0]["attempts"] == 2

        # Rotation: a new secret, shown once; the old one no longer verifies.
        rotated = (
            await cnaps(
                ROTATE, {"input": {"endpointId": made["endpoint"]["id"]}}, token=org.admin.token
            )
        )["rotateWebhookSecret"]
        assert rotated["ok"] and rotated["secret"] != made["secret"], rotated
        await an_authority_message(cnaps, runtime, org)
        await runtime.webhooks.run_once()
        latest = receiver.received[-1]
        assert verify(rotated["secret"], latest)["type"] == "MESSAGE_RECEIVED"
        with pytest.raises(WebhookVerificationError):
            verify(made["secret"], latest)

    # Deleted: its log goes, nothing more is queued.
    deleted = (
        await cnaps(
            DELETE, {"input": {"endpointId": made["endpoint"]["id"]}}, token=org.admin.token
        )
    )["deleteWebhookEndpoint"]
    assert deleted == {"ok": True, "errors": [], "endpointId": made["endpoint"]["id"]}
    assert (await endpoints(cnaps, org.admin, org))["totalCount"] == 0


async def test_disabled_after_repeated_failures_and_the_administrator_told(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    async with webhook_receiver() as receiver:
        receiver.status = 503
        made = await register(cnaps, org.admin, org, receiver.url)
        await an_authority_message(cnaps, runtime, org)
        # 9 failures over 32 hours: still active (10 are needed); the 10th disables it.
        for _ in range(9):
            await runtime.webhooks.run_once()
            clock.advance(timedelta(hours=4))
        assert len(receiver.received) == 9
        clock.reset()
        still = (await endpoints(cnaps, org.admin, org))["nodes"][0]
        assert still["status"] == "ACTIVE" and still["consecutiveFailures"] == 9
        clock.advance(timedelta(hours=36))
        await runtime.webhooks.run_once()
        assert len(receiver.received) == 10
        # Its administrators are told through the outbox (queued at the failure's instant).
        while await runtime.sender.run_once():
            pass
        clock.reset()
    mails = [
        m
        for m in await deliver(runtime, smtp, org.admin.email)
        if m["X-Guichet-Template"] == "webhook_disabled"
    ]
    assert len(mails) == 1
    assert "désactivé" in str(mails[0]["Subject"])

    disabled = (await endpoints(cnaps, org.admin, org))["nodes"][0]
    assert disabled["status"] == "DISABLED"
    assert disabled["deliveries"]["nodes"][0]["status"] == "FAILED"
    # Nothing more is queued for a disabled endpoint.
    await an_authority_message(cnaps, runtime, org)
    again = (await endpoints(cnaps, org.admin, org))["nodes"][0]["deliveries"]
    assert again["totalCount"] == 1
    assert made["endpoint"]["id"] == disabled["id"]


async def test_only_the_administrator_manages_them_and_bad_input_changes_nothing(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    made = await register(cnaps, org.admin, org, "https://hooks.example.org/guichet")
    assert made["ok"], made
    endpoint = made["endpoint"]["id"]

    # A manager (even with every messaging right) is refused; a stranger gets NOT_FOUND.
    writer = await manager(cnaps, runtime, smtp, org, ["MESSAGE_AUTHORITY"])
    refused = await register(cnaps, writer, org, "https://hooks.example.org/other")
    assert refused["ok"] is False and refused["secret"] is None
    assert refused["errors"][0]["code"] not in ("NOT_FOUND", None)
    stranger = await person(cnaps, runtime, smtp, "stranger")
    unknown = await register(cnaps, stranger, org, "https://hooks.example.org/other")
    assert unknown["errors"] == [{"code": "NOT_FOUND", "field": ["input", "organisationId"]}]
    for who in (writer, stranger):
        rotated = (await cnaps(ROTATE, {"input": {"endpointId": endpoint}}, token=who.token))[
            "rotateWebhookSecret"
        ]
        assert rotated["ok"] is False and rotated["secret"] is None
        node = await cnaps(
            "query($id: ID!) { node(id: $id) { id } }", {"id": endpoint}, token=who.token
        )
        assert node["node"] is None
    seen = (await cnaps.post(ENDPOINTS, {"id": org.id}, token=writer.token)).json()
    assert seen["data"]["node"]["webhookEndpoints"] is None
    assert seen["errors"][0]["path"] == ["node", "webhookEndpoints"]

    # Another tenant's organisation and endpoint: NOT_FOUND.
    elsewhere = await person(cnsa, runtime, smtp, "elsewhere")
    other = await register(cnsa, elsewhere, org, "https://hooks.example.org/x")
    assert other["errors"] == [{"code": "NOT_FOUND", "field": ["input", "organisationId"]}]
    gone = (await cnsa(DELETE, {"input": {"endpointId": endpoint}}, token=elsewhere.token))[
        "deleteWebhookEndpoint"
    ]
    assert gone["errors"] == [{"code": "NOT_FOUND", "field": ["input", "endpointId"]}]

    # Bad input: typed errors, nothing registered.
    cases = {
        "http://hooks.example.org/": "WEBHOOK_URL_NOT_HTTPS",
        "https://user:pw@hooks.example.org/": "WEBHOOK_URL_NOT_HTTPS",
        "ftp://hooks.example.org/": "WEBHOOK_URL_NOT_HTTPS",
        "https://hooks.example.org/\u00e9": "INVALID_FORMAT",
        "https://hooks.example.org:99999/": "INVALID_FORMAT",
        "https://" + "a" * 2000 + ".org/": "TOO_LONG",
        "  ": "REQUIRED",
    }
    for url, code in cases.items():
        bad = await register(cnaps, org.admin, org, url)
        assert [e["code"] for e in bad["errors"]] == [code], (url, bad)
    no_types = await register(cnaps, org.admin, org, "https://hooks.example.org/", [])
    assert no_types["errors"] == [{"code": "REQUIRED", "field": ["input", "eventTypes"]}]
    forged = (await cnaps(ROTATE, {"input": {"endpointId": "bm9wZQ=="}}, token=org.admin.token))[
        "rotateWebhookSecret"
    ]
    assert forged["errors"] == [{"code": "NOT_FOUND", "field": ["input", "endpointId"]}]
    assert (await endpoints(cnaps, org.admin, org))["totalCount"] == 1


async def test_dossier_and_title_events_reach_only_their_organisations(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp, name="Alpha Sécurité")
    other = await validated_organisation(cnaps, runtime, smtp, name="Bêta Gardiennage")
    officer = await agent(cnaps, runtime)
    async with webhook_receiver() as receiver:
        every = ["MESSAGE_RECEIVED", "DOSSIER_STATE_CHANGED", "TITLE_STATUS_CHANGED"]
        mine = (await register(cnaps, org.admin, org, receiver.url, every))["secret"]
        theirs = (await register(cnaps, other.admin, other, receiver.url + "?b", every))["secret"]

        # The organisation's dossier moves: DOSSIER_STATE_CHANGED (filing and each move);
        # its decision's system message is a MESSAGE_RECEIVED in its dossier's thread.
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
        dossier = confirmed["dossier"]["id"]
        await call(cnaps, act("startReview"), {"input": {"dossierId": dossier}}, officer.token)
        await runtime.webhooks.run_once()
        events = [verify(mine, r) for r in receiver.received]
        assert all(r.headers.get("webhook-id") for r in receiver.received)
        states = [e["data"] for e in events if e["type"] == "DOSSIER_STATE_CHANGED"]
        assert states and all(s["dossierId"] == dossier for s in states)
        assert states[-1]["status"] == "UNDER_REVIEW", states

        # A title of an employee on its list changes status: TITLE_STATUS_CHANGED, to it only.
        receiver.received.clear()
        title = await (await issuer(cnaps, runtime)).issue(
            expiring("Moreau", colour_dates(runtime)["green_far"])
        )
        await add_employee(cnaps, org.admin.token, org, "Moreau", title.number)
        suspend = {"titleId": gid("Title", title.id), "status": "SUSPENDED", "reason": "Enquête"}
        done = await cnaps(CHANGE_TITLE, {"input": suspend}, token=officer.token)
        assert done["changeTitleStatus"]["errors"] == [], done
        await runtime.webhooks.run_once()
        [received] = receiver.received
        event = verify(mine, received)
        assert event["type"] == "TITLE_STATUS_CHANGED"
        assert event["data"] == {
            "organisationId": org.id,
            "titleId": gid("Title", title.id),
            "number": title.number,
            "status": "SUSPENDED",
        }
        assert "Enquête" not in received.body.decode() and "Moreau" not in received.body.decode()
        with pytest.raises(WebhookVerificationError):
            verify(theirs, received)


async def test_the_delivery_log_costs_the_same_for_10_and_100_rows(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, statements: StatementCounter
) -> None:
    counts: list[int] = []
    for size in (10, 100):
        org = await validated_organisation(cnaps, runtime, smtp)
        for n in range(3):
            await register(cnaps, org.admin, org, f"https://hooks{n}.example.org/")
        opened = await open_thread(cnaps, org.admin, "Question", organisationId=org.id)
        officer = await agent(cnaps, runtime)
        for n in range(size):
            await send(cnaps, officer, opened["thread"]["id"], f"Réponse {n}")
        query = ENDPOINTS.replace("deliveries(first: 10)", f"deliveries(first: {size})").replace(
            "webhookEndpoints(first: 10)", "webhookEndpoints(first: 3)"
        )
        with statements.count() as seen:
            found = await endpoints_with(cnaps, org, query)
        assert [e["deliveries"]["totalCount"] for e in found["nodes"]] == [size] * 3
        assert all(len(e["deliveries"]["nodes"]) == size for e in found["nodes"])
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


async def endpoints_with(cnaps: GraphQLClient, org: Org, query: str) -> Any:
    return (await cnaps(query, {"id": org.id}, token=org.admin.token))["node"]["webhookEndpoints"]
