"""The public services as a browser without an account uses them: its own client address,
and the security code its ALTCHA widget computes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest

from dossiers.public.challenges import IssuedChallenge, solve
from server.app import create_app
from server.runtime import Runtime
from tests.helpers.graphql import GraphQLClient

CHALLENGE = """
query { securityChallenge { algorithm challenge maxNumber salt signature expiresAt } }
"""


@pytest.fixture(name="visitor")
async def visitor_fixture(runtime: Runtime) -> AsyncIterator[GraphQLClient]:
    """A browser of its own address (the shared test client's would meet its rate limit)."""
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    transport = httpx.ASGITransport(app=create_app(runtime), client=(address, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, "cnaps")


async def code(client: GraphQLClient) -> str:
    made = (await client(CHALLENGE))["securityChallenge"]
    return solve(
        IssuedChallenge(
            made["algorithm"],
            made["challenge"],
            made["maxNumber"],
            made["salt"],
            made["signature"],
            datetime.fromisoformat(made["expiresAt"]),
        )
    )
