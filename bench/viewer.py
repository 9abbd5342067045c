"""Requests per second of the GraphQL `viewer` query against a real `guichet serve`.

Run: .venv/bin/python bench/viewer.py [--database-url URL] [--duration 10]
     [--connections 16] [--threads 2] [--warmup 2] [--tool auto|wrk|httpx]

The script starts `guichet serve` on a free port with a throw-away data directory, registers an
account through the API, confirms it from the e-mail written to the maildir, signs in, then
loads `POST /t/cnsa/graphql` with the `viewer` query and a bearer token, using `wrk` when it is
on PATH (else a built-in asyncio + httpx load generator). It prints figures; nothing is
asserted. The server is always stopped at the end; anything it logged (level WARNING and up)
is printed.

PostgreSQL: `--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test` names the tables'
owner: the script runs `guichet migrate` as it (idempotent), and the server as the role
`guichet_bench_app`, which owns no table and cannot bypass row-level security (as production
does). The benchmark account is left in that database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TextIO

import httpx
from app_role import app_role_url, describe_role

TENANT = "cnsa"
PASSWORD = "Bench-Phrase-2026!"

REGISTER = (
    "mutation($input: RegisterInput!) { register(input: $input) { email errors { code message } } }"
)
CONFIRM = "mutation($t: String!) { confirmEmail(input: {token: $t}) { email errors { code } } }"
SIGN_IN = (
    "mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) "
    "{ accessToken errors { code } } }"
)
VIEWER = "{ viewer { account { id email } person { familyName givenNames } tenant { slug } } }"

WRK_SCRIPT = """\
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = {authorization}

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d "
    .. "status_errors=%d connect=%d read=%d write=%d timeout=%d\\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


class BenchError(Exception):
    """The benchmark could not run (server did not start, setup mutation failed, …)."""


@dataclass(frozen=True)
class LoadResult:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non_200: int
    other_errors: int  # socket errors (wrk) or responses carrying GraphQL errors (httpx)
    other_errors_label: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


# --- server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def guichet_command() -> list[str]:
    """`guichet` next to this interpreter (the venv), else on PATH, else via `-c`."""
    beside = Path(sys.executable).parent / "guichet"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("guichet")
    if found:
        return [found]
    return [sys.executable, "-c", "from server.cli import main; main()"]


def server_env(
    workdir: Path, port: int, database_url: str, migration_url: str = ""
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "GUICHET_DATA_DIR": str(workdir / "data"),
            "GUICHET_DATABASE_URL": database_url,
            "GUICHET_MIGRATION_DATABASE_URL": migration_url or database_url,
            "GUICHET_SMTP_URL": f"maildir:{workdir / 'mail'}",
            "GUICHET_LOG_LEVEL": "WARNING",
            "GUICHET_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "GUICHET_PASSWORD_HASH_TIME_COST": "1",
            "GUICHET_PASSWORD_HASH_MEMORY_KIB": "8192",
            "GUICHET_PASSWORD_HASH_PARALLELISM": "1",
            "GUICHET_ACCESS_TOKEN_TTL_SECONDS": "3600",
        }
    )
    return env


def migrate(env: Mapping[str, str], workdir: Path) -> None:
    result = subprocess.run(
        [*guichet_command(), "migrate"],
        env=dict(env),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(
            f"guichet migrate failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    output = (result.stdout + result.stderr).strip()
    if output:
        print(f"guichet migrate said:\n{indent(output)}")


def start_server(
    env: Mapping[str, str], workdir: Path, port: int, log: TextIO
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*guichet_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=dict(env),
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(base_url: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> float:
    """Poll GET /healthz until it answers 200; returns the seconds it took."""
    start = time.monotonic()
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() - start < timeout:
            if server.poll() is not None:
                raise BenchError(f"the server exited with code {server.returncode} at start-up")
            try:
                if client.get(f"{base_url}/healthz").status_code == 200:
                    return time.monotonic() - start
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise BenchError(f"GET /healthz did not answer 200 within {timeout:.0f} s")


def stop_server(server: subprocess.Popen[bytes]) -> int:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            print("the server did not stop within 15 s of SIGTERM: killing it")
            server.kill()
            server.wait(timeout=15)
    return server.returncode


def indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def report_server_log(path: Path, limit: int = 30) -> None:
    """Print what the server logged (WARNING and up), identical entries folded with a count."""
    counts: dict[str, int] = {}
    for line in path.read_text(errors="replace").splitlines():
        if line.strip():
            summary = summarize_log_line(line)
            counts[summary] = counts.get(summary, 0) + 1
    if not counts:
        print("server log: nothing at WARNING or above")
        return
    print(f"server log: {sum(counts.values())} entries at WARNING or above:")
    for summary, count in list(counts.items())[:limit]:
        print(f"  {count:>5} × {summary}")
    if len(counts) > limit:
        print(f"  … and {len(counts) - limit} other kinds of entries")


def summarize_log_line(line: str, width: int = 300) -> str:
    """One line per log entry; for an exception, its last traceback line (type and message)."""
    try:
        entry = json.loads(line)
    except ValueError:
        return line.strip()[:width]
    if not isinstance(entry, dict):
        return line.strip()[:width]
    message = " ".join(str(entry.get("message", "")).split())
    text = f"[{entry.get('level', '?')}] {entry.get('logger', '?')}: {message}"
    exception = entry.get("exception")
    if isinstance(exception, str) and exception.strip():
        text += f" — {exception.strip().splitlines()[-1]}"
    rest = {
        k: v
        for k, v in entry.items()
        if k not in {"time", "level", "logger", "message", "exception"}
    }
    if rest:
        text += f" {json.dumps(rest, ensure_ascii=False)}"
    return text[:width]


# --- account set-up through the API -------------------------------------------------------------


def graphql(
    client: httpx.Client,
    url: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        url, json={"query": query, "variables": dict(variables or {})}, headers=headers
    )
    if response.status_code != 200:
        raise BenchError(f"HTTP {response.status_code} from {url}: {response.text[:500]}")
    body = response.json()
    if not isinstance(body, dict) or body.get("errors") or not isinstance(body.get("data"), dict):
        raise BenchError(f"GraphQL errors: {json.dumps(body)[:1000]}")
    data: dict[str, Any] = body["data"]
    return data


def payload(data: Mapping[str, Any], field: str) -> dict[str, Any]:
    result = data.get(field)
    if not isinstance(result, dict):
        raise BenchError(f"{field}: no payload in {data!r}")
    if result.get("errors"):
        raise BenchError(f"{field}: {result['errors']!r}")
    return result


def wait_for_mail(maildir: Path, timeout: float = 30.0) -> EmailMessage:
    new = maildir / "new"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(new.glob("*.eml")) if new.is_dir() else []
        if files:
            message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
            if not isinstance(message, EmailMessage):
                raise BenchError("could not parse the confirmation e-mail")
            return message
        time.sleep(0.1)
    raise BenchError(f"no confirmation e-mail in {new} after {timeout:.0f} s")


def token_from_mail(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None or not isinstance(part, EmailMessage):
        raise BenchError("the confirmation e-mail has no text/plain part")
    text = part.get_content()
    for word in text.split():
        if "token=" not in word:
            continue
        url = word.strip("<>()[]\"'.,;")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        if query.get("token"):
            return query["token"][0]
    raise BenchError(f"no URL with token= in the confirmation e-mail:\n{text}")


def create_account(base_url: str, maildir: Path) -> str:
    """Register, confirm, sign in; returns the access token."""
    url = f"{base_url}/t/{TENANT}/graphql"
    address = f"bench-{secrets.token_hex(6)}@example.org"
    with httpx.Client(timeout=30.0) as client:
        registered = payload(
            graphql(
                client,
                url,
                REGISTER,
                {
                    "input": {
                        "email": address,
                        "password": PASSWORD,
                        "familyName": "Bench",
                        "givenNames": "Mark",
                    }
                },
            ),
            "register",
        )
        email_address = str(registered.get("email") or address)
        token = token_from_mail(wait_for_mail(maildir))
        payload(graphql(client, url, CONFIRM, {"t": token}), "confirmEmail")
        signed_in = payload(
            graphql(client, url, SIGN_IN, {"e": email_address, "p": PASSWORD}), "signIn"
        )
        access_token = signed_in.get("accessToken")
        if not isinstance(access_token, str) or not access_token:
            raise BenchError(f"signIn returned no access token: {signed_in!r}")
        check_viewer(client, url, access_token)
    return access_token


def check_viewer(client: httpx.Client, url: str, token: str) -> None:
    data = graphql(client, url, VIEWER, token=token)
    family_name = ((data.get("viewer") or {}).get("person") or {}).get("familyName")
    if family_name != "Bench":
        raise BenchError(f"unexpected viewer answer: {data!r}")


# --- load generators ----------------------------------------------------------------------------


def run_wrk(
    wrk: str,
    url: str,
    token: str,
    workdir: Path,
    *,
    threads: int,
    connections: int,
    duration: float,
    body: bytes | None = None,
    request_timeout: int = 10,
) -> LoadResult:
    """`wrk` posting `body` (default: the viewer query); the Lua script's `done()` prints the
    percentiles on a `BENCH` line."""
    script = workdir / "load.lua"
    body = body if body is not None else json.dumps({"query": VIEWER}).encode()
    script.write_text(
        WRK_SCRIPT.format(
            body=lua_string(body.decode()), authorization=lua_string(f"Bearer {token}")
        ),
        encoding="utf-8",
    )
    seconds = max(1, round(duration))
    result = subprocess.run(
        [
            wrk,
            f"-t{max(1, min(threads, connections))}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            f"{request_timeout}s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + request_timeout + 50,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    fields: dict[str, int] = {}
    for line in result.stdout.splitlines():
        if line.startswith("BENCH "):
            for item in line.split()[1:]:
                key, _, value = item.partition("=")
                fields[key] = int(value)
    if not fields:
        raise BenchError(f"could not read wrk's output:\n{result.stdout}{result.stderr}")
    non_2xx = 0
    for line in result.stdout.splitlines():
        if "Non-2xx or 3xx responses:" in line:
            non_2xx = int(line.rsplit(":", 1)[1])
    socket_errors = sum(fields[k] for k in ("connect", "read", "write", "timeout"))
    return LoadResult(
        tool="wrk",
        requests=fields["requests"],
        seconds=fields["duration_us"] / 1e6,
        p50_ms=fields["p50_us"] / 1000,
        p95_ms=fields["p95_us"] / 1000,
        p99_ms=fields["p99_us"] / 1000,
        max_ms=fields["max_us"] / 1000,
        non_200=max(non_2xx, fields["status_errors"]),
        other_errors=socket_errors,
        other_errors_label="socket errors",
    )


def lua_string(value: str) -> str:
    """A Lua string literal (JSON's escapes for quotes and backslashes are valid Lua too)."""
    return json.dumps(value)


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


async def run_httpx(
    url: str, token: str, *, connections: int, duration: float, body: bytes | None = None
) -> LoadResult:
    """`connections` clients posting `body` (default: the viewer query) for `duration` s."""
    body = body if body is not None else json.dumps({"query": VIEWER}).encode()
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    latencies: list[float] = []
    non_200 = 0
    graphql_errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
        start = time.perf_counter()
        deadline = start + duration

        async def worker() -> None:
            nonlocal non_200, graphql_errors
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.HTTPError:
                    non_200 += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    non_200 += 1
                elif b'"errors"' in response.content:
                    graphql_errors += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return LoadResult(
        tool="httpx",
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=(statistics.median(ordered) if ordered else 0.0) * 1000,
        p95_ms=percentile(ordered, 0.95) * 1000,
        p99_ms=percentile(ordered, 0.99) * 1000,
        max_ms=(ordered[-1] if ordered else 0.0) * 1000,
        non_200=non_200,
        other_errors=graphql_errors,
        other_errors_label="200 responses with GraphQL errors",
    )


def load(
    tool: str,
    url: str,
    token: str,
    workdir: Path,
    *,
    threads: int,
    connections: int,
    duration: float,
    body: bytes | None = None,
    request_timeout: int = 10,
) -> LoadResult:
    """Load `url` with `tool` (wrk or httpx), posting `body` (default: the viewer query)."""
    if tool == "wrk":
        wrk = shutil.which("wrk")
        if wrk is None:
            raise BenchError("wrk is not on PATH")
        return run_wrk(
            wrk,
            url,
            token,
            workdir,
            threads=threads,
            connections=connections,
            duration=duration,
            body=body,
            request_timeout=request_timeout,
        )
    return asyncio.run(run_httpx(url, token, connections=connections, duration=duration, body=body))


# --- main ---------------------------------------------------------------------------------------


def database_kind(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0].replace("postgresql", "postgres")


def print_result(result: LoadResult, kind: str, connections: int) -> None:
    print(
        f"  {result.requests} requests in {result.seconds:.2f} s; latency p50 "
        f"{result.p50_ms:.2f} ms, p95 {result.p95_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
        f"max {result.max_ms:.2f} ms; non-200: {result.non_200}; "
        f"{result.other_errors_label}: {result.other_errors}"
    )
    print(
        f"viewer: {result.rps:.0f} req/s ({result.tool}, {connections} connections, "
        f"{result.seconds:.0f} s, {kind})"
    )


def run(args: argparse.Namespace) -> int:
    tool: str = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
        if tool == "httpx":
            print("wrk is not on PATH (apt-get install -y wrk): using the built-in httpx load")
    with tempfile.TemporaryDirectory(prefix="guichet-bench-") as tmp:
        try:
            bench(args, tool, Path(tmp))
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
    return 0


@contextlib.contextmanager
def served(database_url: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """A real `guichet serve` on `database_url` (on PostgreSQL: migrated first by that URL's
    role, the tables' owner, and served as `guichet_bench_app`, bound by row-level security):
    yields its base URL and the database kind; then stops it and reports its log (its last
    lines when the bench failed)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    kind = database_kind(database_url)
    env = server_env(workdir, port, database_url)
    if kind != "sqlite":
        server_url = app_role_url(database_url)
        env = server_env(workdir, port, server_url, migration_url=database_url)
        migrate(env, workdir)
        print(f"the server connects as {describe_role(server_url)}")
    log_path = workdir / "server.log"
    failed = True
    with log_path.open("w", encoding="utf-8") as log:
        server = start_server(env, workdir, port, log)
        try:
            took = wait_healthy(base_url, server)
            print(f"server up on {base_url} ({kind}) after {took:.1f} s")
            yield base_url, kind
            failed = False
        finally:
            code = stop_server(server)
            log.flush()
            if code not in (0, -signal.SIGTERM):
                print(f"the server exited with code {code}")
            if failed:
                lines = log_path.read_text(errors="replace").splitlines()[-25:]
                tail = "\n".join(summarize_log_line(line) for line in lines)
                print(f"last lines of the server's output:\n{indent(tail)}")
            else:
                report_server_log(log_path)


def bench(args: argparse.Namespace, tool: str, workdir: Path) -> None:
    database_url: str = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    with served(database_url, workdir) as (base_url, kind):
        token = create_account(base_url, workdir / "mail")
        print("account registered, confirmed and signed in; viewer answers familyName=Bench")
        url = f"{base_url}/t/{TENANT}/graphql"
        options: dict[str, Any] = {"threads": args.threads, "connections": args.connections}
        if args.warmup > 0:
            load(tool, url, token, workdir, duration=args.warmup, **options)
        result = load(tool, url, token, workdir, duration=args.duration, **options)
        with httpx.Client(timeout=10.0) as client:
            check_viewer(client, url, token)  # still answering correctly after the load
        print_result(result, kind, args.connections)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Requests per second of the GraphQL viewer query against guichet serve."
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test "
        "(default: SQLite in a temporary directory)",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load (10)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of unmeasured load first (2; 0: none)"
    )
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk", "httpx"),
        default="auto",
        help="load generator: wrk when on PATH (auto), or the built-in httpx one",
    )
    args = parser.parse_args()
    if args.connections < 1 or args.duration <= 0 or args.threads < 1 or args.warmup < 0:
        parser.error("--connections and --threads must be ≥ 1, --duration > 0, --warmup ≥ 0")
    # SIGTERM unwinds like Ctrl-C does, so that the server and wrk are stopped too.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    sys.exit(run(args))


if __name__ == "__main__":
    main()
