"""Time failed `signIn`s for addresses with and without an account (production Argon2id).

Run: .venv/bin/python bench/signin_timing.py [--accounts 5] [--tries 4]

Drives the GraphQL API in-process (httpx ASGI transport) on a fresh SQLite file with the
production hashing parameters. For each of `--accounts` real (confirmed) addresses and as many
addresses without an account, it sends `--tries` sign-ins with a wrong password, alternating
real and unknown, fewer than the five free failures so every attempt is hashed. Prints the
median, p95, min and max milliseconds of each kind and checks that the answers were the same.
Figures only: nothing about time is asserted.
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

import httpx
from password_hash import percentile
from sqlalchemy import update

from auth.account.models import Account
from server.app import create_app
from server.migrate import upgrade
from server.runtime import build_runtime
from server.settings import Settings
from tenants.session import open_session

PASSWORD = "Bonne-Phrase-de-Passe-42"
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { errors { code } } }"""
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) {
  accessToken errors { code } } }"""


async def call(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"X-Tenant": "cnsa"}
    )
    data: dict[str, Any] = response.json()["data"]
    return data


async def main(accounts: int, tries: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        await upgrade(url)
        settings = Settings(
            database_url=url, data_dir=Path(folder), send_mail_in_process=False
        )  # production hashing parameters (the defaults)
        runtime = build_runtime(settings)
        transport = httpx.ASGITransport(app=create_app(runtime))
        real = [f"bench.{uuid.uuid4().hex[:10]}@example.org" for _ in range(accounts)]
        unknown = [f"bench.{uuid.uuid4().hex[:10]}@example.org" for _ in range(accounts)]
        timings: dict[str, list[float]] = {"with an account": [], "without": []}
        answers: dict[str, list[Any]] = {"with an account": [], "without": []}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for email in real:
                person = {"email": email, "password": PASSWORD, "familyName": "Banc"}
                person |= {"givenNames": "Essai", "structure": "Banc d'essai"}
                done = await call(http, REGISTER, {"input": person})
                assert done["register"]["errors"] == [], done
            async with open_session(runtime.services.sessions, "cnsa") as session:
                await session.execute(
                    update(Account)
                    .where(Account.email.in_(real))
                    .values(email_confirmed_at=runtime.services.clock.now())
                )
                await session.commit()
            for pair in zip(real, unknown, strict=True):
                for _ in range(tries):
                    for kind, email in zip(timings, pair, strict=True):
                        start = time.perf_counter()
                        data = await call(http, SIGN_IN, {"e": email, "p": "Mauvais-Mot-2-Passe"})
                        timings[kind].append((time.perf_counter() - start) * 1000)
                        answers[kind].append(data["signIn"])
        await runtime.engine.dispose()
    print(f"signIn with a wrong password, {accounts * tries} calls each, production Argon2id")
    for kind, samples in timings.items():
        print(
            f"  {kind:16} median {statistics.median(samples):7.1f} ms"
            f"  p95 {percentile(samples, 0.95):7.1f}  min {min(samples):7.1f}"
            f"  max {max(samples):7.1f}"
        )
    same = answers["with an account"] == answers["without"]
    print(f"  same answers: {same}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--tries", type=int, default=4)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.accounts, arguments.tries))
