"""Public verification of a title (`verifyTitle`) on PostgreSQL: p50 with 100,000 titles, then
with 1,000,000, and the throughput of `POST /t/cnaps/graphql` against a plain Starlette JSON
route calling the same service (`dossiers.public.verification.verify_title`), side by side.

Run: .venv/bin/python bench/verify_title.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench_verify
     [--sizes 100000 1000000] [--samples 400] [--duration 8] [--concurrency 8]

The URL is the tables' owner: the script creates the database if needed, migrates it, seeds
titles straight into it (100,000 per issue year, so that at 1,000,000 a 7-digit lookup finds
up to ten rows, as the sequence restarts every year), and serves as the role production runs
as (`bench/app_role.py`: row-level security applies). Both routes run in this process through
an ASGI transport (no sockets: the comparison is of the two stacks, not of HTTP parsing).
The proof of work is turned off for both (`GUICHET_PUBLIC_PROOF_OF_WORK=false`: each request
still spends a fresh security code, counted as used), and the rate limits are raised so that
the load is not refused. It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from app_role import app_role_url, describe_role
from limits import parse
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from auth.context import ClientInfo, ServiceContext
from dossiers.public.verification import verify_title
from server.app import create_app
from server.migrate import grant_app_role, upgrade
from server.runtime import Runtime, build_runtime
from server.settings import Settings
from tenants.errors import DomainError
from tenants.packs import PACKS
from tenants.session import open_session

TENANT = "cnaps"
PER_YEAR = 100_000
NAMES = 5_000
QUERY = """
query($input: VerifyTitleInput!) {
  verifyTitle(input: $input) { ok verification { result checkedAt } errors { code } }
}
"""


async def ensure_database(owner_url: str) -> None:
    url = make_url(owner_url)
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        await admin.dispose()


async def seed(owner_url: str, size: int) -> float:
    """Titles up to `size` (those of previous runs are kept); seconds spent."""
    engine = create_async_engine(owner_url)
    started = time.perf_counter()
    try:
        async with engine.begin() as conn:
            have = int(
                await conn.scalar(
                    text("SELECT count(*) FROM titles WHERE tenant_id = :t"), {"t": TENANT}
                )
                or 0
            )
            if have < size:
                await conn.execute(
                    text(
                        """
                        INSERT INTO titles (id, tenant_id, number, sequence, kind,
                            holder_family_name, holder_given_names, departement, activities,
                            issued_on, expires_on, status, status_changed_at, created_at)
                        SELECT gen_random_uuid(), :t,
                            'CAR-044-2031-03-01-' || (2017 + i / CAST(:per_year AS integer))::text
                                || lpad((i % CAST(:per_year AS integer))::text, 7, '0'),
                            lpad((i % CAST(:per_year AS integer))::text, 7, '0'),
                            'CAR', 'Nom' || (i % CAST(:names AS integer))::text, 'Prénom', '44',
                            '["SURVEILLANCE"]'::json, date '2026-03-01', date '2031-03-01',
                            CASE WHEN i % 10 = 0 THEN 'SUSPENDED' ELSE 'VALID' END,
                            now(), now()
                        FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer)) AS i
                        """
                    ),
                    {
                        "t": TENANT,
                        "per_year": PER_YEAR,
                        "names": NAMES,
                        "start": have,
                        "stop": size - 1,
                    },
                )
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE titles"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


def plain_route(runtime: Runtime) -> Route:
    """The same service behind a bare JSON route: one transaction, the refusals' codes."""
    services = runtime.services
    pack = PACKS[TENANT]

    async def endpoint(request: Request) -> JSONResponse:
        body: dict[str, Any] = await request.json()
        client = request.scope.get("client")
        async with open_session(services.sessions, TENANT) as session:
            ctx = ServiceContext(
                session,
                pack,
                services.clock,
                services.auth,
                client=ClientInfo(ip_address=client[0] if client else None),
            )
            try:
                found = await verify_title(
                    ctx,
                    services.public,
                    body.get("familyName"),
                    body.get("digits"),
                    body.get("securityCode"),
                )
            except DomainError as exc:
                await (session.commit() if exc.keep_changes else session.rollback())
                return JSONResponse({"errors": [e.code for e in exc.errors]}, status_code=400)
            await session.commit()
        return JSONResponse(
            {"result": found.result.value, "checkedAt": found.checked_at.isoformat()}
        )

    return Route("/plain/verify-title", endpoint, methods=["POST"])


def pick(index: int, size: int) -> dict[str, str]:
    """An existing title; every other request with a wrong name (the same work, UNKNOWN)."""
    i = secrets.randbelow(size)
    name = f"Nom{i % NAMES}" if index % 2 == 0 else "Personne"
    return {
        "familyName": name,
        "digits": f"{i % PER_YEAR:07d}",
        "securityCode": secrets.token_urlsafe(24),  # proof of work off: any fresh code
    }


async def call(client: httpx.AsyncClient, route: str, index: int, size: int) -> None:
    values = pick(index, size)
    if route == "graphql":
        response = await client.post(
            f"/t/{TENANT}/graphql", json={"query": QUERY, "variables": {"input": values}}
        )
        data = response.json()["data"]["verifyTitle"]
        if not data["ok"]:
            raise RuntimeError(data["errors"])
    else:
        response = await client.post("/plain/verify-title", json=values)
        if response.status_code != 200:
            raise RuntimeError(response.text)


async def p50(client: httpx.AsyncClient, route: str, samples: int, size: int) -> float:
    times = []
    for index in range(samples):
        started = time.perf_counter()
        await call(client, route, index, size)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def throughput(
    client: httpx.AsyncClient, route: str, duration: float, concurrency: int, size: int
) -> float:
    done = 0
    stop_at = time.perf_counter() + duration

    async def worker(offset: int) -> None:
        nonlocal done
        index = offset
        while time.perf_counter() < stop_at:
            await call(client, route, index, size)
            done += 1
            index += concurrency

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return done / (time.perf_counter() - started)


async def measure(args: argparse.Namespace, app_url: str) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="guichet-bench-"))
    settings = Settings(
        database_url=app_url,
        migration_database_url=args.database_url,
        data_dir=data_dir,
        send_mail_in_process=False,
        public_proof_of_work=False,
        alerts_interval_seconds=0,
    )
    runtime = build_runtime(settings)
    huge = parse("1000000000/minute")
    runtime.services.public = replace(runtime.services.public, per_client=huge, per_target=huge)
    app = Starlette(routes=[plain_route(runtime), Mount("/", app=create_app(runtime))])
    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 4000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            results: dict[int, dict[str, float]] = {}
            for size in args.sizes:
                spent = await seed(args.database_url, size)
                print(f"\n== {size:,} titles (seeded in {spent:.1f} s)")
                for route in ("graphql", "plain"):  # warm-up
                    await p50(client, route, 20, size)
                figures = {
                    "graphql p50 ms": await p50(client, "graphql", args.samples, size),
                    "plain p50 ms": await p50(client, "plain", args.samples, size),
                }
                rates: dict[str, list[float]] = {"graphql": [], "plain": []}
                for _ in range(2):  # alternated, side by side
                    for route in ("graphql", "plain"):
                        rates[route].append(
                            await throughput(
                                client, route, args.duration / 2, args.concurrency, size
                            )
                        )
                figures["graphql req/s"] = statistics.mean(rates["graphql"])
                figures["plain req/s"] = statistics.mean(rates["plain"])
                figures["ratio"] = figures["graphql req/s"] / figures["plain req/s"]
                results[size] = figures
                for key, value in figures.items():
                    print(f"  {key:<16} {value:8.2f}")
            if len(results) >= 2:
                small, large = min(results), max(results)
                for key in ("graphql p50 ms", "plain p50 ms"):
                    growth = results[large][key] / results[small][key]
                    print(f"\n{key} growth {small:,} → {large:,}: {growth:.2f}×")
    finally:
        await runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    args.sizes = sorted(args.sizes)
    asyncio.run(ensure_database(args.database_url))
    asyncio.run(upgrade(args.database_url))
    app_url = app_role_url(args.database_url)
    asyncio.run(grant_app_role(args.database_url, app_url))
    print("server role:", describe_role(app_url))
    print("proof of work: OFF for both routes (a fresh code per request, still counted)")
    asyncio.run(measure(args, app_url))


if __name__ == "__main__":
    main()
