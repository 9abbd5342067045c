"""Real time with a client nobody here wrote: npm's `graphql-ws` (graphql-transport-ws)
against real `guichet serve` processes. On PostgreSQL the subscriber listens on one server and
the messages are sent through another (LISTEN/NOTIFY, then Redis pub/sub); on SQLite one
server does both (in-process bus). Strangers are refused, a revoked session closes the
connection, errors leak nothing."""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from server.runtime import Runtime
from tests.api.test_messaging import OPEN, SEND
from tests.conftest import Database
from tests.helpers.flows import PASSWORD, SIGN_IN
from tests.helpers.graphql import GraphQLClient
from tests.helpers.live_server import LiveServer, database_env, live_server, ok
from tests.helpers.organisations import agent, person
from tests.helpers.smtp import SmtpServer

CLIENT = Path(__file__).resolve().parent.parent / "interop" / "graphql-ws"
NODE = shutil.which("node")
ADDED = """
subscription($id: ID!) { messageAdded(threadId: $id) { id body side capacity
  attachments { filename } } }
"""
EVENTS = "subscription { viewerEvents { kind thread { id unreadCount } message { id body } } }"

REDIS = ("127.0.0.1", 6379)


@pytest.fixture(autouse=True)
def _client_installed() -> None:
    """`.ci/run` installs the client (`npm ci`): there, its absence fails; elsewhere it skips."""
    if NODE is not None and (CLIENT / "node_modules" / "graphql-ws").exists():
        return
    message = "run `(cd tests/interop/graphql-ws && npm ci)` first"
    if os.environ.get("GUICHET_TEST_REQUIRE_POSTGRES"):
        pytest.fail(message)
    pytest.skip(message)


def redis_running() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Servers:
    subscriber: LiveServer  # where the client listens
    sender: LiveServer  # where messages are sent (another process on PostgreSQL)


@pytest.fixture(scope="module", params=["bus", "redis"])
def servers(
    request: pytest.FixtureRequest, database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    if request.param == "redis" and database.backend != "postgresql":
        pytest.skip("Redis carries events between processes: PostgreSQL only")
    if request.param == "redis" and not redis_running():
        if os.environ.get("GUICHET_TEST_REQUIRE_POSTGRES"):
            pytest.fail("Redis is not running on 127.0.0.1:6379 (`.ci/run` starts it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    env: dict[str, str | None] = dict(database_env(database.app_url))
    # The test's own sender delivers the outbox (to its SMTP server): the live servers must
    # not race it for the same rows.
    env["GUICHET_SEND_MAIL_IN_PROCESS"] = "false"
    if request.param == "redis":
        env["GUICHET_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    first = tmp_path_factory.mktemp(f"rt-a-{database.backend}")
    with live_server(first, env=env) as a:
        if database.backend != "postgresql":
            yield Servers(a, a)
            return
        second = tmp_path_factory.mktemp(f"rt-b-{database.backend}")
        with live_server(second, env=env) as b:
            yield Servers(a, b)


def signed_in_on(server: LiveServer, email: str) -> str:
    data = ok(server.gql("cnaps", SIGN_IN, {"email": email, "password": PASSWORD}))
    token: str = data["signIn"]["accessToken"]
    return token


class NoFrame(AssertionError):
    """No frame in time."""


class Subscriber:
    """A `node subscribe.mjs` process; its JSON lines as they come."""

    def __init__(self, server: LiveServer, token: str | None, query: str, **variables: Any):
        config = {
            "url": server.base.replace("http://", "ws://") + "/t/cnaps/graphql",
            "token": token,
            "query": query,
            "variables": variables,
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own script, pinned client
            [str(NODE), str(CLIENT / "subscribe.mjs"), json.dumps(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def line(self, within: float = 15.0) -> dict[str, Any]:
        try:
            raw = self.lines.get(timeout=within)
        except queue.Empty:
            raise NoFrame from None
        if raw is None:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"client exited: {stderr}")
        found: dict[str, Any] = json.loads(raw)
        return found

    def _read(self) -> None:
        """Each line as it comes (a reader thread: lines that arrive together are not lost
        in a buffer a selector cannot see), then `None` at the end."""
        stdout = self.process.stdout
        assert stdout is not None
        for raw in stdout:
            self.lines.put(raw)
        self.lines.put(None)

    def connected(self) -> None:
        assert self.line() == {"event": "connected"}

    def listening(self, send: Callable[[], None], attempts: int = 20) -> None:
        """Once the server has registered the subscription (the protocol does not say when):
        `send` warm-up messages until one arrives, then read what the others brought."""
        for _ in range(attempts):
            send()
            try:
                self.line(within=1.0)
            except NoFrame:
                continue
            self.drain()
            return
        raise AssertionError("the subscription never listened")

    def drain(self) -> None:
        """Read what is still coming, until a second passes without a frame."""
        while True:
            try:
                self.line(within=1.0)
            except NoFrame:
                return

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)


async def test_a_subscriber_on_one_server_receives_what_is_sent_on_another(
    servers: Servers, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnaps, runtime, smtp, "rt")
    stranger = await person(cnaps, runtime, smtp, "rt-stranger")
    officer = await agent(cnaps, runtime)
    sender, listener = servers.sender, servers.subscriber
    asker_token = signed_in_on(sender, someone.email)
    variables = {"input": {"subject": "Temps réel", "body": "Bonjour"}}
    thread = ok(sender.gql("cnaps", OPEN, variables, asker_token))["openThread"]["thread"]["id"]

    watcher = Subscriber(listener, signed_in_on(listener, someone.email), ADDED, id=thread)
    events = Subscriber(listener, signed_in_on(listener, someone.email), EVENTS)
    refused = Subscriber(listener, signed_in_on(listener, stranger.email), ADDED, id=thread)
    anonymous = Subscriber(listener, None, ADDED, id=thread)
    try:
        watcher.connected()
        events.connected()
        agent_token = signed_in_on(sender, officer.email)

        def warm_up() -> None:
            warm = {"input": {"threadId": thread, "body": "…"}}
            ok(sender.gql("cnaps", SEND, warm, agent_token))

        watcher.listening(warm_up)
        events.listening(warm_up)
        watcher.drain()
        for body in ("Première réponse", "Seconde réponse"):
            sent = ok(
                sender.gql(
                    "cnaps", SEND, {"input": {"threadId": thread, "body": body}}, agent_token
                )
            )
            assert sent["sendMessage"]["ok"], sent
        frames = [watcher.line(), watcher.line()]
        assert [f["payload"]["data"]["messageAdded"]["body"] for f in frames] == [
            "Première réponse",
            "Seconde réponse",
        ]
        assert frames[0]["payload"]["data"]["messageAdded"]["capacity"] == "AUTHORITY_AGENT"
        event = events.line()
        assert event["payload"]["data"]["viewerEvents"]["kind"] == "NEW_MESSAGE"
        assert event["payload"]["data"]["viewerEvents"]["thread"]["id"] == thread

        # The stranger and the anonymous caller get a typed error, nothing else.
        assert refused.line() == {"event": "connected"}
        refusal = refused.line()
        assert refusal["event"] == "next"
        assert refusal["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert refusal["payload"]["data"] is None
        anonymous.line()
        denied = anonymous.line()
        assert denied["payload"]["errors"][0]["extensions"]["code"] == "AUTHENTICATION_REQUIRED"

        # Signing out everywhere (on the other server) closes the subscriber's connection.
        ok(
            sender.gql(
                "cnaps",
                "mutation { signOut(input: {everywhere: true}) { errors { code } } }",
                token=asker_token,
            )
        )
        frames = [watcher.line(within=30)]
        while frames[-1]["event"] == "next":
            frames.append(watcher.line(within=30))
        codes = [
            error["extensions"]["code"]
            for frame in frames
            for error in frame.get("payload", {}).get("errors") or []
        ]
        assert codes == ["SESSION_REVOKED"], frames
        assert frames[-1]["event"] in {"complete", "closed"}
    finally:
        for subscriber in (watcher, events, refused, anonymous):
            subscriber.stop()


async def test_a_token_refused_at_connection_closes_it(servers: Servers) -> None:
    forged = Subscriber(servers.subscriber, "not-a-token", EVENTS)
    try:
        closing = forged.line()
        assert closing["event"] == "closed" and closing["code"] == 4403
    finally:
        forged.stop()


POOL = 15  # the server's pool: 5 connections and 10 more on demand


def new_message(subscriber: Subscriber) -> dict[str, Any]:
    """The next NEW_MESSAGE event (read receipts may come first)."""
    while True:
        event: dict[str, Any] = subscriber.line(within=30)["payload"]["data"]["viewerEvents"]
        if event["kind"] == "NEW_MESSAGE":
            return event


async def test_more_subscribers_than_connections_each_hear_their_own_frame(
    servers: Servers, cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """A waiting subscription holds no database connection (more subscribers than the pool
    all hear the message), and a frame shared between one viewer's subscriptions is never
    another viewer's: the agent and the person see their own unread counts."""
    someone = await person(cnaps, runtime, smtp, "rt-many")
    officer = await agent(cnaps, runtime)
    sender, listener = servers.sender, servers.subscriber
    asker_token = signed_in_on(sender, someone.email)
    variables = {"input": {"subject": "Nombreux", "body": "Bonjour"}}
    thread = ok(sender.gql("cnaps", OPEN, variables, asker_token))["openThread"]["thread"]["id"]
    mine = signed_in_on(listener, someone.email)
    count = POOL + 1 if servers.subscriber is not servers.sender else 3
    watchers = [Subscriber(listener, mine, EVENTS) for _ in range(count)]
    officer_events = Subscriber(listener, signed_in_on(listener, officer.email), EVENTS)
    everyone = [*watchers, officer_events]
    agent_token = signed_in_on(sender, officer.email)
    try:
        for subscriber in everyone:
            subscriber.connected()
        waiting = list(everyone)
        for _ in range(30):  # warm up until every subscription listens
            ok(sender.gql("cnaps", SEND, {"input": {"threadId": thread, "body": "…"}}, asker_token))
            still = []
            for subscriber in waiting:
                try:
                    subscriber.line(within=0.5)
                except NoFrame:
                    still.append(subscriber)
            waiting = still
            if not waiting:
                break
        assert not waiting, f"{len(waiting)} subscriptions never listened"
        for subscriber in everyone:
            subscriber.drain()
        # The person has read nothing of the agent's; the agent read nothing of the person's.
        sent = ok(
            sender.gql(
                "cnaps", SEND, {"input": {"threadId": thread, "body": "Réponse"}}, agent_token
            )
        )
        assert sent["sendMessage"]["ok"], sent
        for subscriber in watchers:
            event = new_message(subscriber)
            assert event["message"]["body"] == "Réponse"
            assert event["thread"] == {"id": thread, "unreadCount": 1}
        seen = new_message(officer_events)
        assert seen["message"]["body"] == "Réponse"
        assert seen["thread"]["unreadCount"] > 1  # the person's warm-ups, unread by the authority
    finally:
        for subscriber in everyone:
            subscriber.stop()
