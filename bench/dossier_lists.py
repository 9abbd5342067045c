"""p50 of `dossierQueue` and `viewer.dossiers` as the dossiers grow: measured with N dossiers,
then again with 10 × N, in-process (the Starlette app over httpx's ASGI transport: the figure
is the server's work, with no network and no load generator).

Run: .venv/bin/python bench/dossier_lists.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench
     [--small 10000] [--factor 10] [--requests 200] [--first 20]

The database is migrated, then filled straight through SQL: dossiers spread over the 11
delegations and 20,000 applicants, 10 % of them in instruction (submitted, under review,
corrections requested) and the rest decided, each with two documents and three events; the
measured person holds 12 dossiers. An agent of one delegation reads the queue (first 20, with
documents, events and applicant); the person reads theirs. It prints figures; nothing is
asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, text, update

from auth.account.models import Account, AccountKind
from auth.account.password_policy import normalise
from auth.account.provisioning import NewPerson, open_account_for
from auth.context import ServiceContext
from dossiers.dossier.models import Dossier, DossierDocument, DossierEvent
from server.app import create_app
from server.migrate import upgrade
from server.runtime import build_runtime
from server.settings import Settings
from tenants.models import Person
from tenants.packs import PACKS
from tenants.session import open_session

TENANT = "cnaps"
PASSWORD = "Bench-Phrase-2026!"
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) {
  accessToken errors { code } } }"""
QUEUE = """query($first: Int!) { dossierQueue(first: $first) { totalCount nodes { id number status
  applicant { familyName } documents(first: 3) { totalCount nodes { kind } }
  events(first: 3) { totalCount nodes { action } } } } }"""
MINE = """query($first: Int!) { viewer { dossiers(first: $first) { totalCount nodes { id number
  status documents(first: 3) { totalCount } events(first: 3) { totalCount } } } } }"""
IN_INSTRUCTION = ("SUBMITTED", "UNDER_REVIEW", "CORRECTIONS_REQUESTED")
DECIDED = ("GRANTED", "REFUSED", "CLOSED_WITHOUT_ACTION", "WITHDRAWN")


async def account(runtime: Any, email: str, delegations: list[str] | None) -> uuid.UUID:
    """An account opened as `guichet authority add-agent` (or an employer) would, with its
    password set and its address confirmed; its person's id."""
    services = runtime.services
    async with open_session(services.sessions, TENANT) as session:
        ctx = ServiceContext(
            session=session, pack=PACKS[TENANT], clock=services.clock, config=services.auth
        )
        made = await open_account_for(
            ctx,
            NewPerson(email=email, family_name="Banc", given_names="Essai"),
            kind=AccountKind.AGENT if delegations else AccountKind.PERSON,
            delegations=delegations,
            opened_by="Banc d'essai",
        )
        made.account.password_hash = await services.auth.hasher.hash(normalise(PASSWORD))
        await session.execute(
            update(Account)
            .where(Account.id == made.account.id)
            .values(must_change_password=False, email_confirmed_at=services.clock.now())
        )
        await session.commit()
        return made.person.id


async def fill(
    runtime: Any,
    offset: int,
    count: int,
    persons: list[uuid.UUID],
    me: uuid.UUID,
    filer: uuid.UUID,
) -> None:
    delegations = [d.code for d in PACKS[TENANT].delegations]
    now = datetime.now(UTC)
    digest = hashlib.sha256(b"bench").digest()
    async with open_session(runtime.services.sessions, TENANT) as session:
        for start in range(offset, offset + count, 5000):
            dossiers, documents, events = [], [], []
            for index in range(start, min(offset + count, start + 5000)):
                dossier_id = uuid.uuid4()
                at = now - timedelta(minutes=index)
                status = (
                    random.choice(IN_INSTRUCTION) if index % 10 == 0 else random.choice(DECIDED)
                )
                dossiers.append(
                    {
                        "id": dossier_id,
                        "tenant_id": TENANT,
                        "kind": "PROFESSIONAL_CARD",
                        "status": status,
                        "number": f"{at.year}-{index % 95 + 1:03d}-{index:07d}",
                        "sequence": f"{index:07d}",
                        "applicant_person_id": random.choice(persons),
                        "filed_by_account_id": filer,
                        "departement": "59",
                        "delegation": delegations[index % len(delegations)],
                        "activities": ["SURVEILLANCE"],
                        "fields": {"nationality": "FR"},
                        "correction_items": [],
                        "created_at": at,
                        "updated_at": at,
                        "submitted_at": at,
                    }
                )
                for kind in ("IDENTITY_DOCUMENT", "PROFESSIONAL_APTITUDE"):
                    documents.append(
                        {
                            "id": uuid.uuid4(),
                            "tenant_id": TENANT,
                            "dossier_id": dossier_id,
                            "requirement": kind,
                            "filename": "piece.pdf",
                            "content_type": "application/pdf",
                            "size": 1000,
                            "sha256": digest,
                            "storage_key": "cnaps/bench/00/00",
                            "uploaded_by_account_id": filer,
                            "created_at": at,
                        }
                    )
                for action, before, after in (
                    ("CREATE", "DRAFT", "DRAFT"),
                    ("SIGN", "DRAFT", "AWAITING_CONFIRMATION"),
                    ("CONFIRM", "AWAITING_CONFIRMATION", "SUBMITTED"),
                ):
                    events.append(
                        {
                            "id": uuid.uuid4(),
                            "tenant_id": TENANT,
                            "dossier_id": dossier_id,
                            "action": action,
                            "from_status": before,
                            "to_status": after,
                            "capacity": "SELF",
                            "created_at": at,
                        }
                    )
            await session.execute(insert(Dossier), dossiers)
            await session.execute(insert(DossierDocument), documents)
            await session.execute(insert(DossierEvent), events)
            await session.commit()
        mine = await session.scalar(
            select(Dossier.id).where(Dossier.applicant_person_id == me).limit(1)
        )
        if mine is None:
            for _ in range(12):
                session.add(
                    Dossier(
                        kind="PROFESSIONAL_CARD",
                        status="SUBMITTED",
                        applicant_person_id=me,
                        filed_by_account_id=filer,
                        delegation="NORD",
                        activities=["SURVEILLANCE"],
                        fields={},
                        correction_items=[],
                        created_at=now,
                        updated_at=now,
                        submitted_at=now,
                    )
                )
            await session.commit()
    async with runtime.engine.connect() as connection:  # fresh statistics, as autovacuum keeps
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("dossiers", "dossier_documents", "dossier_events", "persons"):
            await connection.execute(text(f"ANALYZE {table}"))


async def p50(
    client: httpx.AsyncClient, query: str, token: str, first: int, requests: int
) -> float:
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.post(
            f"/t/{TENANT}/graphql",
            json={"query": query, "variables": {"first": first}},
            headers={"Authorization": f"Bearer {token}"},
        )
        timings.append((time.perf_counter() - started) * 1000)
        body = response.json()
        if "errors" in body:
            raise RuntimeError(body["errors"])
    return statistics.median(timings)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--first", type=int, default=20)
    args = parser.parse_args()
    await upgrade(args.database_url)
    settings = Settings(
        database_url=args.database_url,
        data_dir=Path(tempfile.mkdtemp(prefix="bench-dossiers-")),
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
    me = await account(runtime, person_email, None)
    async with open_session(runtime.services.sessions, TENANT) as session:
        filer = await session.scalar(select(Account.id).where(Account.email == person_email))
        rows = [
            {
                "id": uuid.uuid4(),
                "tenant_id": TENANT,
                "family_name": f"Nom{i}",
                "given_names": "Essai",
                "created_at": datetime.now(UTC),
            }
            for i in range(20_000)
        ]
        await session.execute(insert(Person), rows)
        await session.commit()
    assert filer is not None
    persons = [uuid.UUID(str(row["id"])) for row in rows]
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
        figures = {}
        total = 0
        for size in (args.small, args.small * args.factor):
            started = time.perf_counter()
            await fill(runtime, total, size - total, persons, me, filer)
            total = size
            filled = time.perf_counter() - started
            queue = await p50(client, QUEUE, tokens[agent_email], args.first, args.requests)
            mine = await p50(client, MINE, tokens[person_email], args.first, args.requests)
            figures[size] = (queue, mine)
            print(
                f"{size:>8} dossiers (filled in {filled:.0f} s): p50 dossierQueue {queue:.1f} ms, "
                f"viewer.dossiers {mine:.1f} ms"
            )
        small, large = figures[args.small], figures[args.small * args.factor]
        print(
            f"growth ×{args.factor} dossiers: dossierQueue ×{large[0] / small[0]:.2f}, "
            f"viewer.dossiers ×{large[1] / small[1]:.2f}"
        )
    await runtime.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
