"""`dossierQueue` (an agent's queue, with each dossier's documents, events and applicant) and
`viewer.dossiers` (a person's dossiers) on PostgreSQL: p50 with 10,000 then 100,000 dossiers.

Run: .venv/bin/python bench/dossier_queue.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench_queue
     [--sizes 10000 100000] [--samples 200] [--first 50]

The URL is the tables' owner: the script creates the database if needed, migrates it, opens an
agent of the NORD delegation and 20 applicants through the services, seeds submitted
dossiers straight into the database (each with two documents and two events; spread over the
NORD, OUEST and IDF delegations and the 20 applicants), and serves as the production-like
role of `bench/app_role.py`. The GraphQL operations run through the schema in this process
(`schema.execute`, with the signed-in actor built as authentication would: sign-in and HTTP
are measured by `bench/viewer.py`). It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from app_role import app_role_url, describe_role
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import create_async_engine
from verify_title import ensure_database

from auth.account.models import Account, AccountKind
from auth.account.provisioning import NewPerson, open_account_for
from auth.context import Actor, ClientInfo, ServiceContext
from schema import build_schema
from schema.context import GuichetContext
from server.migrate import grant_app_role, upgrade
from server.runtime import Runtime, build_runtime
from server.settings import Settings
from tenants.packs import PACKS
from tenants.session import open_session

TENANT = "cnaps"
APPLICANTS = 20
QUEUE = """
query($first: Int!) { dossierQueue(first: $first) { totalCount nodes {
  id number status submittedAt applicant { familyName }
  documents(first: 5) { totalCount nodes { kind } } events(first: 5) { totalCount nodes { action } }
} } }
"""
MINE = """
query($first: Int!) { viewer { dossiers(first: $first) { totalCount nodes {
  id number status documents(first: 5) { nodes { kind } } events(first: 5) { totalCount }
} } } }
"""


async def people(runtime: Runtime) -> tuple[Account, list[Account]]:
    """The agent and the applicants (made once; found again on the next run)."""
    services = runtime.services
    pack = PACKS[TENANT]
    async with open_session(services.sessions, TENANT) as session:
        existing = list(
            await session.scalars(
                select(Account)
                .where(Account.email.like("bench-%@example.org"))
                .order_by(Account.email)
            )
        )
        if len(existing) == APPLICANTS + 1:
            return existing[0], existing[1:]
        ctx = ServiceContext(session, pack, services.clock, services.auth)
        made = []
        for index in range(APPLICANTS + 1):
            kind = AccountKind.AGENT if index == 0 else AccountKind.PERSON
            provisioned = await open_account_for(
                ctx,
                NewPerson(
                    email=f"bench-{index:03d}-{uuid.uuid4().hex[:6]}@example.org",
                    family_name=f"Demandeur{index}",
                    given_names="Banc",
                ),
                kind=kind,
                delegations=["NORD"] if index == 0 else None,
                opened_by="Le banc d'essai",
            )
            made.append(provisioned.account)
        await session.flush()
        await session.execute(
            update(Account)
            .where(Account.id.in_([a.id for a in made]))
            .values(must_change_password=False, email_confirmed_at=services.clock.now())
        )
        await session.commit()
        return made[0], made[1:]


async def seed(owner_url: str, size: int, agent: Account, applicants: list[Account]) -> float:
    engine = create_async_engine(owner_url)
    started = time.perf_counter()
    persons = "ARRAY[" + ",".join(f"'{a.person_id}'::uuid" for a in applicants) + "]"
    try:
        async with engine.begin() as conn:
            have = int(
                await conn.scalar(
                    text("SELECT count(*) FROM dossiers WHERE tenant_id = :t"), {"t": TENANT}
                )
                or 0
            )
            if have < size:
                await conn.execute(
                    text(
                        f"""
                        INSERT INTO dossiers (id, tenant_id, kind, status, number, sequence,
                            applicant_person_id, filed_by_account_id, departement, delegation,
                            activities, fields, correction_items, created_at, updated_at,
                            submitted_at)
                        SELECT gen_random_uuid(), :t, 'PROFESSIONAL_CARD',
                            (ARRAY['SUBMITTED','UNDER_REVIEW','GRANTED'])[1 + i % 3],
                            '2025-059-' || lpad(i::text, 7, '0'), lpad(i::text, 7, '0'),
                            ({persons})[1 + i % {len(applicants)}], :agent,
                            (ARRAY['59','44','75'])[1 + (i / 3) % 3],
                            (ARRAY['NORD','OUEST','IDF'])[1 + (i / 3) % 3],
                            '["SURVEILLANCE"]'::json, '{{}}'::json, '[]'::json,
                            now() - make_interval(secs => i), now(),
                            now() - make_interval(secs => i)
                        FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer)) AS i
                        """  # noqa: S608 - the script's own constants
                    ),
                    {"t": TENANT, "agent": agent.id, "start": have, "stop": size - 1},
                )
                for table, columns, values in (
                    (
                        "dossier_documents",
                        "requirement, filename, content_type, size, sha256, storage_key, "
                        "uploaded_by_account_id",
                        "k, 'piece.pdf', 'application/pdf', 10, sha256(k::bytea), "
                        "'cnaps/dossier-documents/00/00', d.filed_by_account_id",
                    ),
                    (
                        "dossier_events",
                        "action, from_status, to_status, actor_account_id, capacity",
                        "k, 'DRAFT', 'SUBMITTED', d.filed_by_account_id, 'SELF'",
                    ),
                ):
                    await conn.execute(
                        text(
                            f"""
                            INSERT INTO {table} (id, tenant_id, dossier_id, {columns}, created_at)
                            SELECT gen_random_uuid(), d.tenant_id, d.id, {values}, d.created_at
                            FROM dossiers d
                            CROSS JOIN (VALUES ('IDENTITY_DOCUMENT'), ('PROFESSIONAL_APTITUDE'))
                                AS kinds(k)
                            WHERE d.tenant_id = :t
                              AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.dossier_id = d.id)
                            """  # noqa: S608 - the script's own constants
                        ),
                        {"t": TENANT},
                    )
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("dossiers", "dossier_documents", "dossier_events"):
                await conn.execute(text(f"ANALYZE {table}"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def p50(
    runtime: Runtime, account: Account, query: str, first: int, samples: int, agent: bool
) -> float:
    schema = build_schema()
    actor = Actor(
        tenant=TENANT,
        account_id=account.id,
        person_id=account.person_id,
        session_id=uuid.uuid4(),
        agent_delegations=frozenset({"NORD"}) if agent else None,
    )
    times = []
    for _ in range(samples):
        context = GuichetContext(
            services=runtime.services,
            pack=PACKS[TENANT],
            locale="fr",
            actor=actor,
            viewer_account=account,
            client=ClientInfo(),
        )
        started = time.perf_counter()
        result = await schema.execute(query, {"first": first}, context_value=context)
        times.append(time.perf_counter() - started)
        if result.errors:
            raise RuntimeError(result.errors)
    return statistics.median(times) * 1000


async def measure(args: argparse.Namespace, app_url: str) -> None:
    settings = Settings(
        database_url=app_url,
        migration_database_url=args.database_url,
        data_dir=Path(tempfile.mkdtemp(prefix="guichet-bench-")),
        send_mail_in_process=False,
        alerts_interval_seconds=0,
    )
    runtime = build_runtime(settings)
    try:
        agent, applicants = await people(runtime)
        results: dict[int, dict[str, float]] = {}
        for size in args.sizes:
            spent = await seed(args.database_url, size, agent, applicants)
            print(f"\n== {size:,} dossiers (seeded in {spent:.1f} s)")
            await p50(runtime, agent, QUEUE, args.first, 10, True)  # warm-up
            figures: dict[str, Any] = {
                "dossierQueue p50 ms": await p50(
                    runtime, agent, QUEUE, args.first, args.samples, True
                ),
                "viewer.dossiers p50 ms": await p50(
                    runtime, applicants[0], MINE, args.first, args.samples, False
                ),
            }
            results[size] = figures
            for key, value in figures.items():
                print(f"  {key:<24} {value:8.2f}")
        if len(results) >= 2:
            small, large = min(results), max(results)
            for key in results[small]:
                growth = results[large][key] / results[small][key]
                print(f"{key} growth {small:,} → {large:,}: {growth:.2f}×")
    finally:
        await runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--first", type=int, default=50)
    args = parser.parse_args()
    args.sizes = sorted(args.sizes)
    asyncio.run(ensure_database(args.database_url))
    asyncio.run(upgrade(args.database_url))
    app_url = app_role_url(args.database_url)
    asyncio.run(grant_app_role(args.database_url, app_url))
    print("server role:", describe_role(app_url))
    asyncio.run(measure(args, app_url))


if __name__ == "__main__":
    main()
