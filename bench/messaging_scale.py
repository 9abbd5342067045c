"""p50 of a thread's first page of messages and of the inbox's first page as they grow: a
thread of N messages then 10 × N, an inbox of N threads then 10 × N, in-process (the Starlette
app over httpx's ASGI transport: the figure is the server's work, with no network and no load
generator).

Run: .venv/bin/python bench/messaging_scale.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench
     [--small 1000] [--factor 10] [--requests 100] [--first 20]

The database is migrated, then filled straight through SQL: one person's general thread
(delegation NORD) grows to N, then 10 × N messages, alternately the person's and the
authority's, every other one read; N, then 10 × N other threads of NORD (each of other persons,
two messages, one unread) fill the inbox of an agent of NORD. The person reads the last page
of their thread (`messages(last: 20)`, with receipts and authors); the agent reads
`messageInbox(first: 20)` (unread counts, last messages). It prints figures; nothing is
asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from dossier_lists import PASSWORD, SIGN_IN, TENANT, account
from sqlalchemy import func, insert, select, text, update

from dossiers.messaging.models import Message, Side, Thread
from server.app import create_app
from server.migrate import upgrade
from server.runtime import build_runtime
from server.settings import Settings
from tenants.models import Person
from tenants.packs import PACKS
from tenants.session import open_session

THREAD = """query($id: ID!, $last: Int!) { node(id: $id) { ... on Thread { id subject
  messageCount unreadCount messages(last: $last) { totalCount nodes { id body side sentAt
  authorName readByAuthorityAt readByApplicantAt } } } } }"""
INBOX = """query($first: Int!) { messageInbox(first: $first) { totalCount nodes { id subject
  unreadCount awaitingAnswerSince lastMessage { id body sentAt readByAuthorityAt } } } }"""
OPEN = """mutation { openThread(input: {subject: "Banc", body: "Bonjour"}) { ok
  errors { code } thread { id } } }"""


def message_row(thread_id: uuid.UUID, index: int, at: datetime, author: uuid.UUID | None) -> Any:
    applicant = index % 2 == 0
    return {
        "id": uuid.uuid4(),
        "tenant_id": TENANT,
        "thread_id": thread_id,
        "side": Side.APPLICANT if applicant else Side.AUTHORITY,
        "author_account_id": author if applicant else None,
        "capacity": "SELF" if applicant else "AGENT",
        "body": f"Message {index}",
        "read_by_authority_at": at if applicant and index % 4 == 0 else None,
        "read_by_applicant_at": None if applicant else at,
        "notified_at": at,
        "created_at": at,
    }


async def grow_thread(runtime: Any, thread_id: uuid.UUID, author: uuid.UUID, to: int) -> None:
    async with open_session(runtime.services.sessions, TENANT) as session:
        have = await session.scalar(
            select(func.count()).select_from(Message).where(Message.thread_id == thread_id)
        )
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for first in range(have or 0, to, 5000):
            rows = [
                message_row(thread_id, i, start + timedelta(seconds=i), author)
                for i in range(first, min(to, first + 5000))
            ]
            await session.execute(insert(Message), rows)
        last = start + timedelta(seconds=to)
        await session.execute(
            update(Thread)
            .where(Thread.id == thread_id)
            .values(message_count=to, last_message_at=last)
        )
        await session.commit()


async def grow_inbox(runtime: Any, offset: int, count: int) -> None:
    now = datetime.now(UTC)
    async with open_session(runtime.services.sessions, TENANT) as session:
        for start in range(offset, offset + count, 2500):
            persons, threads, messages = [], [], []
            for index in range(start, min(offset + count, start + 2500)):
                person_id, thread_id = uuid.uuid4(), uuid.uuid4()
                at = now - timedelta(days=30) + timedelta(seconds=index)
                persons.append(
                    {
                        "id": person_id,
                        "tenant_id": TENANT,
                        "family_name": f"Nom{index}",
                        "given_names": "Essai",
                        "created_at": at,
                    }
                )
                threads.append(
                    {
                        "id": thread_id,
                        "tenant_id": TENANT,
                        "subject": f"Question {index}",
                        "person_id": person_id,
                        "delegation": "NORD",
                        "status": "OPEN",
                        "message_count": 2,
                        "last_message_at": at,
                        "awaiting_answer_since": at,
                        "created_at": at,
                    }
                )
                messages.append(message_row(thread_id, 1, at - timedelta(seconds=1), None))
                messages.append(message_row(thread_id, 2, at, None))
            await session.execute(insert(Person), persons)
            await session.execute(insert(Thread), threads)
            await session.execute(insert(Message), messages)
            await session.commit()
    async with runtime.engine.connect() as connection:  # fresh statistics, as autovacuum keeps
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("message_threads", "messages", "persons"):
            await connection.execute(text(f"ANALYZE {table}"))


async def p50(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str, requests: int
) -> tuple[float, int]:
    """The median milliseconds, and the list's `totalCount` (what was measured)."""
    timings, body = [], {}
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.post(
            f"/t/{TENANT}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        timings.append((time.perf_counter() - started) * 1000)
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
    data = body["data"]
    found = data["node"]["messages"] if "node" in data else data["messageInbox"]
    return statistics.median(timings), found["totalCount"]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--first", type=int, default=20)
    args = parser.parse_args()
    await upgrade(args.database_url)
    settings = Settings(
        database_url=args.database_url,
        data_dir=Path(tempfile.mkdtemp(prefix="bench-messaging-")),
        public_url="http://bench",
        send_mail_in_process=False,
        password_hash_time_cost=1,
        password_hash_memory_kib=8192,
        password_hash_parallelism=1,
    )
    runtime = build_runtime(settings)
    suffix = uuid.uuid4().hex[:8]
    agent_email, person_email = f"agent.{suffix}@bench.example", f"person.{suffix}@bench.example"
    await account(runtime, agent_email, ["NORD"])
    await account(runtime, person_email, None)
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        tokens = {}
        for email in (agent_email, person_email):
            response = await client.post(
                f"/t/{TENANT}/graphql",
                json={"query": SIGN_IN, "variables": {"e": email, "p": PASSWORD}},
            )
            tokens[email] = response.json()["data"]["signIn"]["accessToken"]
        opened = await client.post(
            f"/t/{TENANT}/graphql",
            json={"query": OPEN},
            headers={"Authorization": f"Bearer {tokens[person_email]}"},
        )
        thread_gid = opened.json()["data"]["openThread"]["thread"]["id"]
        other = next(d.code for d in PACKS[TENANT].delegations if d.code != "NORD")
        async with open_session(runtime.services.sessions, TENANT) as session:
            thread_id, author = (
                await session.execute(
                    select(Thread.id, Thread.opened_by_account_id).order_by(
                        Thread.created_at.desc()
                    )
                )
            ).first() or (None, None)
            await session.execute(
                update(Thread).where(Thread.id == thread_id).values(delegation=other)
            )  # out of the agent's inbox: the inbox holds only the filled threads
            await session.commit()
        assert thread_id is not None and author is not None
        figures: dict[int, tuple[float, float]] = {}
        total = 0
        for size in (args.small, args.small * args.factor):
            started = time.perf_counter()
            await grow_thread(runtime, thread_id, author, size)
            await grow_inbox(runtime, total, size - total)
            total = size
            filled = time.perf_counter() - started
            variables = {"id": thread_gid, "last": args.first}
            thread, messages = await p50(
                client, THREAD, variables, tokens[person_email], args.requests
            )
            inbox, threads = await p50(
                client, INBOX, {"first": args.first}, tokens[agent_email], args.requests
            )
            figures[size] = (thread, inbox)
            print(
                f"{size:>7} (filled in {filled:.0f} s): p50 last page of a thread of {messages} "
                f"messages {thread:.1f} ms, first page of an inbox of {threads} threads "
                f"{inbox:.1f} ms"
            )
        small, large = figures[args.small], figures[args.small * args.factor]
        print(
            f"growth ×{args.factor}: thread ×{large[0] / small[0]:.2f}, "
            f"inbox ×{large[1] / small[1]:.2f}"
        )
    await runtime.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
