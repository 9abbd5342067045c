"""Every operation costs a fixed number of SQL statements (printed with -s for the notes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.database import StatementCounter
from server.runtime import Runtime
from tests.conftest import unique_email
from tests.helpers.flows import (
    CONFIRM,
    REFRESH,
    REGISTER,
    SIGN_IN,
    VIEWER,
    deliver,
    link_in,
    registration,
    token_of,
)
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer


async def journey(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    measure: Callable[[str, Awaitable[dict[str, Any]]], Awaitable[dict[str, Any]]],
) -> None:
    email = unique_email()
    await measure("register", client(REGISTER, {"input": registration(client.tenant, email)}))
    [message] = await deliver(runtime, smtp, email)
    token = token_of(link_in(message))
    await measure("confirmEmail", client(CONFIRM, {"token": token}))
    signed = await measure(
        "signIn", client(SIGN_IN, {"email": email, "password": "Bonne-Phrase-de-Passe-42"})
    )
    tokens = signed["signIn"]
    await measure("viewer", client(VIEWER, token=tokens["accessToken"]))
    await measure("refreshSession", client(REFRESH, {"token": tokens["refreshToken"]}))


async def test_each_operation_costs_the_same_every_time(
    cnaps: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
    backend: str,
) -> None:
    runs: list[dict[str, int]] = []
    for _ in range(2):
        counts: dict[str, int] = {}

        async def measure(
            name: str, call: Awaitable[dict[str, Any]], counts: dict[str, int] = counts
        ) -> dict[str, Any]:
            with statements.count() as seen:
                result = await call
            counts[name] = len(seen)
            return result

        await journey(cnaps, runtime, smtp, measure)
        runs.append(counts)
    assert runs[0] == runs[1]
    print(f"\nSQL statements per operation ({backend}): {runs[0]}")
    # counted with BEGIN/COMMIT; register's account insert is in a savepoint (a concurrent
    # registration of the same address or identifier is answered, not a 500)
    assert max(runs[0].values()) <= 14
