"""Real-time latency of secure messaging across two `guichet serve` processes on PostgreSQL.

Run: .venv/bin/python bench/messaging_latency.py --database-url URL
     [--subscribers 50] [--messages 2000] [--senders 4] [--redis-url redis://127.0.0.1:6379/0]

URL is the tables' owner (`postgresql+asyncpg://postgres@127.0.0.1:5432/yourdb`): the script
migrates with it and serves as `guichet_bench_app` (row-level security applies). It starts
server A and server B on the same database, registers a cnaps person through the API (the
confirmation link read from the maildir), opens a thread on B, connects `--subscribers`
graphql-transport-ws clients to A (`messageAdded(threadId)`), then sends `--messages` messages
through B. For each frame it measures the time from the message's `sentAt` (stamped in the
sending transaction, just before its commit) to the frame's arrival, and from the sender's
HTTP request to the frame. Printed: p50, p99, max over every (message, subscriber). Run once
with PostgreSQL LISTEN/NOTIFY, then, with `--redis-url`, once more with Redis pub/sub.
Nothing is asserted; the person and thread are left in that database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from app_role import app_role_url, describe_role
from viewer import (
    BenchError,
    free_port,
    migrate,
    report_server_log,
    server_env,
    start_server,
    stop_server,
    token_from_mail,
    wait_for_mail,
    wait_healthy,
)

TENANT = "cnaps"
PASSWORD = "Bench-Phrase-2026!"
REGISTER = "mutation($input: RegisterInput!) { register(input: $input) { errors { code } } }"
CONFIRM = "mutation($t: String!) { confirmEmail(input: {token: $t}) { errors { code } } }"
SIGN_IN = (
    "mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) "
    "{ accessToken errors { code } } }"
)
OPEN = (
    "mutation($input: OpenThreadInput!) { openThread(input: $input) "
    "{ ok errors { code } thread { id } } }"
)
SEND = (
    "mutation($input: SendMessageInput!) { sendMessage(input: $input) "
    "{ ok errors { code } message { id sentAt } } }"
)
ADDED = "subscription($id: ID!) { messageAdded(threadId: $id) { id body sentAt } }"


def gql(base: str, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/t/{TENANT}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=60,
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise BenchError(f"GraphQL failed: {body}")
    return body["data"]


def person(base: str, maildir: Path) -> str:
    """Register a cnaps person on `base`, confirm it; its e-mail address."""
    email = f"bench-{secrets.token_hex(6)}@example.org"
    data = {
        "email": email,
        "password": PASSWORD,
        "familyName": "Bench",
        "givenNames": "Mark",
        "birthDate": "1988-05-17",
        "birthCity": "Nantes",
        "birthCountry": "FR",
        "address": {
            "line1": "3 rue des Lilas",
            "postalCode": "44000",
            "city": "Nantes",
            "country": "FR",
        },
        "acceptTerms": True,
    }
    gql(base, REGISTER, {"input": data})
    gql(base, CONFIRM, {"t": confirmation_token(maildir)})
    return email


def confirmation_token(maildir: Path) -> str:
    """The link's token, once the e-mail is whole (it may be read while still written)."""
    for _ in range(50):
        try:
            return token_from_mail(wait_for_mail(maildir))
        except BenchError:
            time.sleep(0.1)
    return token_from_mail(wait_for_mail(maildir))


def sign_in(base: str, email: str) -> str:
    token: str = gql(base, SIGN_IN, {"e": email, "p": PASSWORD})["signIn"]["accessToken"]
    return token


class Subscriber:
    def __init__(self, url: str, token: str, thread: str) -> None:
        self.url, self.token, self.thread = url, token, thread
        self.frames: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def run(self, ready: asyncio.Event) -> None:
        async with websockets.connect(
            self.url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
        ) as ws:
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"accessToken": self.token}})
            )
            ack = json.loads(await ws.recv())
            if ack.get("type") != "connection_ack":
                raise BenchError(f"no ack: {ack}")
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": ADDED, "variables": {"id": self.thread}},
                    }
                )
            )
            ready.set()
            async for raw in ws:
                arrived = time.time()
                message = json.loads(raw)
                if message.get("type") == "next":
                    self.frames.put_nowait((arrived, message["payload"]))
                elif message.get("type") in {"error", "complete"}:
                    raise BenchError(f"subscription ended: {message}")


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def drain(subscribers: list[Subscriber], quiet: float = 1.0) -> int:
    count = 0
    for subscriber in subscribers:
        while True:
            try:
                await asyncio.wait_for(subscriber.frames.get(), quiet)
                count += 1
            except TimeoutError:
                break
    return count


async def measure(
    a: str, b: str, thread: str, token_a: str, token_b: str, args: argparse.Namespace
) -> None:
    url = a.replace("http://", "ws://") + f"/t/{TENANT}/graphql"
    subscribers = [Subscriber(url, token_a, thread) for _ in range(args.subscribers)]
    readies = [asyncio.Event() for _ in subscribers]
    for subscriber, ready in zip(subscribers, readies, strict=True):
        subscriber.task = asyncio.create_task(subscriber.run(ready))
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    client = httpx.AsyncClient(timeout=60)

    async def send(body: str) -> float:
        started = time.time()
        response = await client.post(
            f"{b}/t/{TENANT}/graphql",
            json={"query": SEND, "variables": {"input": {"threadId": thread, "body": body}}},
            headers={"Authorization": f"Bearer {token_b}"},
        )
        if not response.json()["data"]["sendMessage"]["ok"]:
            raise BenchError(response.text)
        return started

    # Warm up until every subscriber has heard one message (the protocol does not say when a
    # subscription listens), then forget those frames.
    for attempt in range(30):
        await send(f"warm-up {attempt}")
        await asyncio.sleep(0.5)
        if all(not s.frames.empty() for s in subscribers):
            break
    else:
        raise BenchError("the subscribers never heard the warm-up")
    await drain(subscribers)

    sent_at: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(args.messages):
        queue.put_nowait(n)

    async def sender() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            sent_at[f"m{n}"] = await send(f"m{n}")

    began = time.time()
    await asyncio.gather(*(sender() for _ in range(args.senders)))
    took = time.time() - began
    from_commit: list[float] = []
    from_request: list[float] = []
    expected = args.messages * len(subscribers)
    deadline = time.time() + 120
    while len(from_commit) < expected and time.time() < deadline:
        for subscriber in subscribers:
            while not subscriber.frames.empty():
                arrived, result = subscriber.frames.get_nowait()
                added = result["data"]["messageAdded"]
                stamped = datetime.fromisoformat(added["sentAt"]).timestamp()
                from_commit.append((arrived - stamped) * 1000)
                from_request.append((arrived - sent_at[added["body"]]) * 1000)
        await asyncio.sleep(0.05)
    await client.aclose()
    for subscriber in subscribers:
        if subscriber.task is not None:
            subscriber.task.cancel()
            with contextlib.suppress(BaseException):
                await subscriber.task
    print(
        f"  sent {args.messages} messages in {took:.1f} s ({args.messages / took:.0f}/s) "
        f"with {args.senders} senders; frames received {len(from_commit)}/{expected}"
    )
    for name, values in (
        ("from sentAt (commit)", from_commit),
        ("from the send request", from_request),
    ):
        ordered = sorted(values)
        if not ordered:
            continue
        print(
            f"  latency {name}: p50 {percentile(ordered, 0.5):.1f} ms, "
            f"p99 {percentile(ordered, 0.99):.1f} ms, max {ordered[-1]:.1f} ms, "
            f"mean {statistics.fmean(ordered):.1f} ms"
        )


@contextlib.contextmanager
def two_servers(database_url: str, workdir: Path, redis_url: str) -> Iterator[tuple[str, str]]:
    server_url = app_role_url(database_url)
    ports = [free_port(), free_port()]
    envs = []
    for port in ports:
        env = server_env(workdir, port, server_url, migration_url=database_url)
        env["GUICHET_REDIS_URL"] = redis_url
        env["GUICHET_SMTP_URL"] = f"maildir:{workdir / 'mail'}"
        envs.append(env)
    migrate(envs[0], workdir)
    print(
        f"the servers connect as {describe_role(server_url)}; "
        f"events through {'Redis' if redis_url else 'PostgreSQL LISTEN/NOTIFY'}"
    )
    logs = [(workdir / f"server-{i}.log").open("w") for i in range(2)]
    servers = [
        start_server(env, workdir, port, log)
        for env, port, log in zip(envs, ports, logs, strict=True)
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, server in zip(bases, servers, strict=True):
            wait_healthy(base, server)
        yield bases[0], bases[1]
    finally:
        for server in servers:
            stop_server(server)
        for i, log in enumerate(logs):
            log.close()
            report_server_log(workdir / f"server-{i}.log")


def run_once(args: argparse.Namespace, redis_url: str) -> None:
    with tempfile.TemporaryDirectory(prefix="guichet-bench-") as folder:
        workdir = Path(folder)
        with two_servers(args.database_url, workdir, redis_url) as (a, b):
            email = person(a, workdir / "mail")
            token_a, token_b = sign_in(a, email), sign_in(b, email)
            opened = gql(b, OPEN, {"input": {"subject": "Bench", "body": "Bonjour"}}, token_b)
            thread = opened["openThread"]["thread"]["id"]
            print(f"{args.subscribers} subscribers on A, messages sent through B")
            asyncio.run(measure(a, b, thread, token_a, token_b, args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    try:
        run_once(args, "")
        if args.redis_url:
            run_once(args, args.redis_url)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
