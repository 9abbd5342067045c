"""A server killed (SIGKILL) while 500 sends with attachments are in flight: every send it
acknowledged is in the database once, with its attachment and its file; no message is half
written; after a restart each is notified exactly once."""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select
from strawberry.relay import GlobalID

from dossiers.messaging.models import Message, MessageAttachment
from server.periodic import run_message_notifications_once
from server.runtime import Runtime
from tenants.session import open_session
from tests.api.test_messaging import OPEN, SEND
from tests.api.test_messaging_notifications import notices
from tests.conftest import Database
from tests.helpers.clock import TestClock
from tests.helpers.flows import PASSWORD, SIGN_IN
from tests.helpers.graphql import GraphQLClient
from tests.helpers.live_server import LiveServer, database_env, live_server, ok
from tests.helpers.organisation_flows import pdf_bytes
from tests.helpers.organisations import agent, person
from tests.helpers.smtp import SmtpServer

SENDS = 500
KILL_AFTER = 120  # acknowledged sends


def sign_in_on(server: LiveServer, email: str) -> str:
    token: str = ok(server.gql("cnaps", SIGN_IN, {"email": email, "password": PASSWORD}))["signIn"][
        "accessToken"
    ]
    return token


async def flood(server: LiveServer, token: str, thread: str) -> dict[str, str]:
    """500 sends at once, 40 in flight; the server is killed after `KILL_AFTER`
    acknowledgements. The acknowledged ones: {message id: its idempotency key}."""
    acknowledged: dict[str, str] = {}
    gate = asyncio.Semaphore(40)
    killed = asyncio.Event()

    async def one(client: httpx.AsyncClient, n: int) -> None:
        key = f"kill-{uuid.uuid4()}"
        async with gate:
            if killed.is_set():
                return
            operations = {
                "query": SEND,
                "variables": {
                    "input": {
                        "threadId": thread,
                        "body": f"envoi {n}",
                        "attachments": [None],
                        "clientMutationId": key,
                    }
                },
            }
            try:
                response = await client.post(
                    f"{server.base}/t/cnaps/graphql",
                    data={
                        "operations": json.dumps(operations),
                        "map": json.dumps({"0": ["variables.input.attachments.0"]}),
                    },
                    files={"0": (f"piece-{n}.pdf", pdf_bytes(f"Piece {n}"), "application/pdf")},
                    headers={"Authorization": f"Bearer {token}"},
                )
            except httpx.TransportError:
                return  # in flight when the server died: not acknowledged
            payload = response.json()["data"]["sendMessage"]
            assert payload["ok"], payload
            acknowledged[payload["message"]["id"]] = key
            if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                killed.set()
                assert server.process is not None
                server.process.send_signal(signal.SIGKILL)

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(one(client, n) for n in range(SENDS)))
    return acknowledged


def node_uuid(global_id: str) -> uuid.UUID:
    return uuid.UUID(GlobalID.from_id(global_id).node_id)


async def test_a_killed_server_loses_no_acknowledged_send_and_halves_none(
    database: Database,
    tmp_path: Path,
    cnaps: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    clock: TestClock,
) -> None:
    await run_message_notifications_once(runtime)
    someone = await person(cnaps, runtime, smtp, "kill")
    officer = await agent(cnaps, runtime)
    env: dict[str, str | None] = {
        **database_env(database.app_url),
        "GUICHET_MESSAGE_NOTIFICATIONS_INTERVAL_SECONDS": "0",  # the test runs the pass
    }
    first = tmp_path / "first"
    first.mkdir()
    with live_server(first, env=env) as server:
        asker = sign_in_on(server, someone.email)
        opened = ok(server.gql("cnaps", OPEN, {"input": {"subject": "Envois", "body": "?"}}, asker))
        thread = opened["openThread"]["thread"]["id"]
        acknowledged = await flood(server, sign_in_on(server, officer.email), thread)
        assert server.process is not None
        server.process.wait(timeout=10)
    assert len(acknowledged) >= KILL_AFTER

    thread_id = node_uuid(thread)
    async with open_session(runtime.services.sessions, "cnaps") as session:
        rows = (
            await session.execute(
                select(Message.id, Message.idempotency_key, func.count(MessageAttachment.id))
                .outerjoin(MessageAttachment, MessageAttachment.message_id == Message.id)
                .where(Message.thread_id == thread_id)
                .group_by(Message.id, Message.idempotency_key)
            )
        ).all()
        storage = (
            await session.scalars(
                select(MessageAttachment.storage_key)
                .join(Message, Message.id == MessageAttachment.message_id)
                .where(Message.thread_id == thread_id)
            )
        ).all()
    stored = {str(message_id): (key, count) for message_id, key, count in rows}
    for global_id, key in acknowledged.items():
        assert stored[str(node_uuid(global_id))] == (key, 1)  # there, once, with its file
    keys = [key for key, _count in stored.values() if key is not None]
    assert len(keys) == len(set(keys))  # never twice
    assert all(count == 1 for key, count in stored.values() if key is not None)  # none half
    files = first / "var" / "files"
    assert all((files / Path(*k.split("/"))).is_file() for k in storage)

    # Restarted, the server answers and a retried acknowledged send posts nothing new.
    second = tmp_path / "second"
    second.mkdir()
    with live_server(second, env=env) as again:
        token = sign_in_on(again, officer.email)
        some_id, some_key = next(iter(acknowledged.items()))
        retried = ok(
            again.gql(
                "cnaps",
                SEND,
                {"input": {"threadId": thread, "body": "envoi", "clientMutationId": some_key}},
                token,
            )
        )
        assert retried["sendMessage"]["message"]["id"] == some_id

    # Each message is notified once: one grouped e-mail, then nothing more.
    clock.advance(timedelta(minutes=6))
    await run_message_notifications_once(runtime)
    assert len(await notices(runtime, smtp, someone.email, "message_notification")) == 1
    clock.advance(timedelta(minutes=6))
    await run_message_notifications_once(runtime)
    assert len(await notices(runtime, smtp, someone.email, "message_notification")) == 1
    async with open_session(runtime.services.sessions, "cnaps") as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.thread_id == thread_id,
                Message.notified_at.is_(None),
                Message.side != "APPLICANT",
            )
        )
    assert pending == 0
