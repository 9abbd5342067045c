"""Requests per second of the company-space dashboard against a real `guichet serve`, with
10,000 employees (their titles and labels) in one organisation.

Run: .venv/bin/python bench/dashboard.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench
     [--employees 10000] [--first 50] [--duration 10] [--connections 16] [--threads 2]
     [--warmup 2] [--tool auto|wrk|httpx] [--filter none|orange|label]

Like `bench/viewer.py` (whose server and account helpers it reuses): it starts `guichet
serve` on a free port with a throw-away data directory, registers a cnaps account through the
API, confirms it from the e-mail in the maildir and signs in. It then bulk-inserts, straight
into the database, a validated organisation administered by that account (5 establishments,
10 labels) and N employees with their titles: 60 % green, 15 % orange, 15 % red (expired or
suspended), 10 % unknown numbers; each employee carries one or two labels. Finally it loads
`POST /t/cnaps/graphql` with the dashboard query (`first` rows with their title, colour,
labels and establishment, plus `totalCount` and the totals per colour). It prints figures;
nothing is asserted. Each run adds one organisation to the database (a fresh SIREN).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import shutil
import signal
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import viewer
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from strawberry.relay import GlobalID
from viewer import (
    BenchError,
    LoadResult,
    graphql,
    payload,
    token_from_mail,
    wait_for_mail,
)

from auth.account.models import Account
from dossiers.company.models import Employee, EmployeeLabel, Label
from dossiers.title.models import Title, TitleKind, TitleStatus
from dossiers.title.numbers import add_months, format_number, renewal_limit
from tenants.identifiers import luhn_valid
from tenants.organisations import Establishment, Membership, Organisation

TENANT = "cnaps"
PASSWORD = "Bench-Phrase-2026!"

REGISTER = "mutation($input: RegisterInput!) { register(input: $input) { email errors { code } } }"
CONFIRM = "mutation($t: String!) { confirmEmail(input: {token: $t}) { email errors { code } } }"
SIGN_IN = (
    "mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) "
    "{ accessToken errors { code } } }"
)
ME = "{ viewer { person { id } } }"
DASHBOARD = """
query Dashboard($id: ID!, $first: Int!, $filter: DashboardFilterInput) {
  node(id: $id) {
    ... on Organisation {
      dashboard(first: $first, filter: $filter) {
        totalCount
        totals { green orange red }
        pageInfo { hasNextPage endCursor }
        edges {
          node {
            id familyName givenNames titleNumber hasAccount colour
            title { number kind status expiresOn }
            labels { id name }
            establishment { siret name }
          }
        }
      }
    }
  }
}
"""


def fresh_siren() -> str:
    while True:
        candidate = f"9{random.randrange(10**7):07d}"
        for check in range(10):
            if luhn_valid(candidate + str(check)):
                return candidate + str(check)


def sirets(siren: str, count: int) -> list[str]:
    """The first `count` Luhn-valid SIRETs of the SIREN."""
    found: list[str] = []
    nic = 1
    while len(found) < count:
        if luhn_valid(f"{siren}{nic:05d}"):
            found.append(f"{siren}{nic:05d}")
        nic += 1
    return found


# --- set-up -------------------------------------------------------------------------------------


def create_admin(base_url: str, maildir: Path) -> tuple[str, uuid.UUID]:
    """Register, confirm and sign in a cnaps person; the access token and person id."""
    url = f"{base_url}/t/{TENANT}/graphql"
    address = f"bench-{secrets.token_hex(6)}@example.org"
    registration = {
        "email": address,
        "password": PASSWORD,
        "familyName": "Bench",
        "givenNames": "Dashboard",
        "birthDate": "1980-01-01",
        "birthCity": "Nantes",
        "birthCountry": "FR",
        "address": {
            "line1": "1 rue du Bench",
            "postalCode": "44000",
            "city": "Nantes",
            "country": "FR",
        },
        "acceptTerms": True,
    }
    with httpx.Client(timeout=30.0) as client:
        payload(graphql(client, url, REGISTER, {"input": registration}), "register")
        payload(
            graphql(client, url, CONFIRM, {"t": token_from_mail(wait_for_mail(maildir))}),
            "confirmEmail",
        )
        signed = payload(graphql(client, url, SIGN_IN, {"e": address, "p": PASSWORD}), "signIn")
        token = str(signed["accessToken"])
        person = str(graphql(client, url, ME, token=token)["viewer"]["person"]["id"])
    return token, uuid.UUID(GlobalID.from_id(person).node_id)


def colour_plan(i: int) -> str:
    slot = i % 20
    if slot < 12:
        return "green"
    if slot < 15:
        return "orange"
    if slot < 17:
        return "expired"
    if slot < 18:
        return "suspended"
    return "unknown"


async def seed(
    database_url: str, person_id: uuid.UUID, employees: int, other_titles: int
) -> tuple[str, dict[str, int]]:
    """Bulk-insert the organisation and its employees; its global ID and expected totals."""
    rng = random.Random(2026)
    now = datetime.now(UTC)
    today = now.date()
    limit = renewal_limit(today)
    siren = fresh_siren()
    org_id = uuid.uuid4()
    year = random.SystemRandom().randrange(1000, 1900)  # a sequence space of its own per run
    engine = create_async_engine(database_url)
    tenant = {"tenant_id": TENANT}
    sites = [(uuid.uuid4(), number) for number in sirets(siren, 5)]
    labels = [uuid.uuid4() for _ in range(10)]
    titles: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    totals = {"green": 0, "orange": 0, "red": 0}
    for i in range(employees):
        plan = colour_plan(i)
        family, given = f"Nom{i:05d}", f"Prénom{i % 97}"
        expires: date = {
            "green": limit + timedelta(days=1 + rng.randrange(1500)),
            "orange": today + timedelta(days=rng.randrange((limit - today).days + 1)),
            "expired": today - timedelta(days=1 + rng.randrange(400)),
            "suspended": limit + timedelta(days=1 + rng.randrange(900)),
            "unknown": today,
        }[plan]
        number = format_number(TitleKind.CAR, "44", expires, year, i + 1)
        follows: dict[str, Any] = {
            "title_id": None,
            "title_status": None,
            "title_expires_on": None,
        }
        if plan == "unknown":
            number = format_number(TitleKind.CAR, "44", expires, year - 1, i + 1)
        else:
            status = (TitleStatus.SUSPENDED if plan == "suspended" else TitleStatus.VALID).value
            follows = {
                "title_id": uuid.uuid4(),
                "title_status": status,
                "title_expires_on": expires,
            }
            titles.append(
                tenant
                | {
                    "id": follows["title_id"],
                    "number": number,
                    "sequence": f"{i + 1:07d}",
                    "kind": TitleKind.CAR.value,
                    "holder_family_name": family,
                    "holder_given_names": given,
                    "departement": "44",
                    "activities": ["SURVEILLANCE"],
                    "issued_on": add_months(expires, -60),
                    "expires_on": expires,
                    "status": status,
                    "status_changed_at": now,
                    "created_at": now,
                }
            )
        colour = {"green": "green", "orange": "orange"}.get(plan, "red")
        totals[colour] += 1
        employee_id = uuid.uuid4()
        rows.append(
            tenant
            | {
                "id": employee_id,
                "organisation_id": org_id,
                "establishment_id": sites[i % len(sites)][0],
                "family_name": family,
                "given_names": given,
                "title_number": number,
                "email": None,
                "person_id": None,
                "added_by_account_id": None,
                "created_at": now - timedelta(seconds=employees - i),
            }
            | follows
        )
        for label in rng.sample(labels, 1 + (i % 2)):
            links.append(tenant | {"employee_id": employee_id, "label_id": label})
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": TENANT})
        account_id = await conn.scalar(select(Account.id).where(Account.person_id == person_id))
        await conn.execute(
            insert(Organisation),
            [
                tenant
                | {
                    "id": org_id,
                    "kind": "SECURITY_COMPANY",
                    "name": "Bench Sécurité",
                    "siren": siren,
                    "head_office_siret": sites[0][1],
                    "address_line1": "1 quai de la Fosse",
                    "postal_code": "44000",
                    "city": "Nantes",
                    "country": "FR",
                    "delegation": "OUEST",
                    "representative_family_name": "Bench",
                    "representative_given_names": "Dashboard",
                    "applicant_is_representative": True,
                    "status": "VALIDATED",
                    "submitted_at": now,
                    "decided_at": now,
                    "created_by_account_id": account_id,
                    "created_at": now,
                }
            ],
        )
        await conn.execute(
            insert(Establishment),
            [
                tenant
                | {
                    "id": site_id,
                    "organisation_id": org_id,
                    "siret": number,
                    "name": f"Site {k}",
                    "head_office": k == 0,
                    "created_at": now,
                }
                for k, (site_id, number) in enumerate(sites)
            ],
        )
        await conn.execute(
            insert(Membership),
            [
                tenant
                | {
                    "id": uuid.uuid4(),
                    "organisation_id": org_id,
                    "person_id": person_id,
                    "role": "ADMINISTRATOR",
                    "permissions": [],
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        await conn.execute(
            insert(Label),
            [
                tenant
                | {
                    "id": label,
                    "organisation_id": org_id,
                    "name": f"Site client {k}",
                    "created_at": now,
                }
                for k, label in enumerate(labels)
            ],
        )
        titles += [
            tenant
            | {
                "id": uuid.uuid4(),
                "number": format_number(TitleKind.CAR, "75", today, year, employees + n + 1),
                "sequence": f"{employees + n + 1:07d}",
                "kind": TitleKind.CAR.value,
                "holder_family_name": f"Autre{n:06d}",
                "holder_given_names": None,
                "departement": "75",
                "activities": ["SURVEILLANCE"],
                "issued_on": add_months(today, -60),
                "expires_on": today,
                "status": TitleStatus.VALID.value,
                "status_changed_at": now,
                "created_at": now,
            }
            for n in range(other_titles)
        ]
        for table, values in ((Title, titles), (Employee, rows), (EmployeeLabel, links)):
            for start in range(0, len(values), 2000):
                await conn.execute(insert(table), values[start : start + 2000])
        if engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE titles, employees, employee_labels"))
    await engine.dispose()
    return str(GlobalID("Organisation", str(org_id))), totals


# --- load ---------------------------------------------------------------------------------------


def load(
    tool: str,
    url: str,
    token: str,
    body: bytes,
    workdir: Path,
    args: argparse.Namespace,
    duration: float,
) -> LoadResult:
    """viewer.py's load generators, posting the dashboard query (a page takes longer)."""
    return viewer.load(
        tool,
        url,
        token,
        workdir,
        threads=args.threads,
        connections=args.connections,
        duration=duration,
        body=body,
        request_timeout=30,
    )


def check_answer(
    url: str, token: str, body: bytes, expected: dict[str, int], first: int
) -> dict[str, Any]:
    with httpx.Client(timeout=60.0) as client:
        response = client.post(
            url,
            content=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
    data = response.json()
    if response.status_code != 200 or data.get("errors"):
        raise BenchError(f"dashboard answered {response.status_code}: {json.dumps(data)[:800]}")
    dashboard = data["data"]["node"]["dashboard"]
    if len(dashboard["edges"]) != first:
        raise BenchError(f"expected {first} rows, got {len(dashboard['edges'])}")
    return dict(dashboard)


def request_body(
    url: str, token: str, org_id: str, expected: dict[str, int], args: argparse.Namespace
) -> bytes:
    """The dashboard request; `--filter label` filters on the first row's first label."""
    variables: dict[str, Any] = {"id": org_id, "first": args.first}
    if args.filter == "orange":
        variables["filter"] = {"colours": ["ORANGE"]}
    body = json.dumps({"query": DASHBOARD, "variables": variables}).encode()
    if args.filter == "label":
        first_page = check_answer(url, token, body, expected, args.first)
        label = first_page["edges"][0]["node"]["labels"][0]["id"]
        variables["filter"] = {"labelIds": [label]}
        body = json.dumps({"query": DASHBOARD, "variables": variables}).encode()
    return body


def bench(args: argparse.Namespace, tool: str, workdir: Path) -> None:
    database_url: str = args.database_url
    with viewer.served(database_url, workdir) as (base_url, kind):
        token, person_id = create_admin(base_url, workdir / "mail")
        started = time.perf_counter()
        org_id, expected = asyncio.run(
            seed(database_url, person_id, args.employees, args.other_titles)
        )
        print(
            f"seeded {args.employees} employees (with titles and labels) in "
            f"{time.perf_counter() - started:.1f} s; expected totals {expected}"
        )
        body = request_body(f"{base_url}/t/{TENANT}/graphql", token, org_id, expected, args)
        url = f"{base_url}/t/{TENANT}/graphql"
        answer = check_answer(url, token, body, expected, args.first)
        if args.filter == "none" and answer["totals"] != expected:
            raise BenchError(f"totals {answer['totals']} instead of {expected}")
        print(f"dashboard answers: totalCount {answer['totalCount']}, totals {answer['totals']}")
        if args.warmup > 0:
            load(tool, url, token, body, workdir, args, args.warmup)
        result = load(tool, url, token, body, workdir, args, args.duration)
        check_answer(url, token, body, expected, args.first)
        print(
            f"  {result.requests} requests in {result.seconds:.2f} s; latency p50 "
            f"{result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
            f"max {result.max_ms:.1f} ms; non-200: {result.non_200}; "
            f"{result.other_errors_label}: {result.other_errors}"
        )
        print(
            f"dashboard (first {args.first}, filter {args.filter}, "
            f"{args.employees} employees): "
            f"{result.rps:.1f} req/s ({result.tool}, {args.connections} connections, "
            f"{result.seconds:.0f} s, {kind})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url", required=True, help="postgresql+asyncpg://… (or sqlite+aiosqlite:///…)"
    )
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument(
        "--other-titles",
        type=int,
        default=0,
        help="titles of other holders to add first (the tenant's whole register): 0",
    )
    parser.add_argument("--filter", choices=("none", "orange", "label"), default="none")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--tool", choices=("auto", "wrk", "httpx"), default="auto")
    args = parser.parse_args()
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
        if tool == "httpx":
            print("wrk is not on PATH: using the built-in httpx load generator")
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    with tempfile.TemporaryDirectory(prefix="guichet-bench-dashboard-") as tmp:
        try:
            bench(args, tool, Path(tmp))
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
