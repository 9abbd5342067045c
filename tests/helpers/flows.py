"""The steps a person takes, shared by the API tests."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

from server.runtime import Runtime
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer

PASSWORD = "Bonne-Phrase-de-Passe-42"  # valid for both packs (cnsa: ≤ 24, 3 classes)

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    email
    confirmationExpiresAt
    errors { code field message }
  }
}
"""

CONFIRM = """
mutation Confirm($token: String!) {
  confirmEmail(input: {token: $token}) { email errors { code field message } }
}
"""

SIGN_IN = """
mutation SignIn($email: String!, $password: String!) {
  signIn(input: {email: $email, password: $password}) {
    accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt tokenType
    mustChangePassword
    errors { code field message }
  }
}
"""

REFRESH = """
mutation Refresh($token: String!) {
  refreshSession(input: {refreshToken: $token}) {
    accessToken refreshToken errors { code field message }
  }
}
"""

VIEWER = """
query { viewer { account { id email emailConfirmed } person { id familyName givenNames } } }
"""


def cnaps_input(email: str, password: str = PASSWORD, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": email,
        "password": password,
        "familyName": "Dupont",
        "givenNames": "Marie Claire",
        "birthDate": "1988-05-17",
        "birthCity": "Nantes",
        "birthCountry": "FR",
        "address": {
            "line1": "3 rue des Lilas",
            "postalCode": "44000",
            "city": "Nantes",
            "country": "FR",
        },
        "acceptTerms": True,
    }
    data.update(changes)
    return data


def cnsa_input(email: str, password: str = PASSWORD, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": email,
        "password": password,
        "familyName": "Zemirli",
        "givenNames": "Yamile",
        "structure": "CAMSP Janine Levy",
        "phone": "+33 (0) 6 12 34 56 78",
    }
    data.update(changes)
    return data


def registration(tenant: str, email: str, password: str = PASSWORD) -> dict[str, Any]:
    return cnaps_input(email, password) if tenant == "cnaps" else cnsa_input(email, password)


async def register(client: GraphQLClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    data = await client(REGISTER, {"input": registration(client.tenant, email, password)})
    payload: dict[str, Any] = data["register"]
    assert payload["errors"] == [], payload
    return payload


async def deliver(runtime: Runtime, smtp: SmtpServer, recipient: str) -> list[EmailMessage]:
    """Run the sender once; the messages the real SMTP server received for `recipient`."""
    await runtime.sender.run_once()
    return [m.message for m in smtp.messages if recipient in m.rcpt_tos]


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def confirmed_account(
    client: GraphQLClient, runtime: Runtime, smtp: SmtpServer, email: str
) -> None:
    await register(client, email)
    messages = await deliver(runtime, smtp, email)
    token = token_of(link_in(messages[-1]))
    data = await client(CONFIRM, {"token": token})
    assert data["confirmEmail"]["errors"] == []


async def sign_in(client: GraphQLClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    data = await client(SIGN_IN, {"email": email, "password": password})
    payload: dict[str, Any] = data["signIn"]
    assert payload["errors"] == [], payload
    return payload


async def signed_in(
    client: GraphQLClient, runtime: Runtime, smtp: SmtpServer, email: str
) -> dict[str, Any]:
    await confirmed_account(client, runtime, smtp, email)
    return await sign_in(client, email)
