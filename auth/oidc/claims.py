"""What an application is told of the person: names, address, identifier and the
habilitations for THAT application (profile and FINESS numbers), in the ID token and at
userinfo; the ID token signed with the tenant's signing key (its `kid` in the JWKS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.errors import JoseError

from auth.account.models import Account
from auth.account.tokens import ALGORITHM
from auth.context import ServiceContext
from auth.habilitation.habilitations import habilitations_for_application
from auth.oidc.clients import Client
from auth.oidc.models import OidcGrant
from tenants.models import Person

ID_TOKEN_TYPE = "JWT"  # noqa: S105 - a JOSE header value
CLAIMS_SUPPORTED = (
    "sub",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "email",
    "email_verified",
    "address",
    "habilitations",
)


async def person_claims(
    ctx: ServiceContext, account: Account, client: Client, scope: str
) -> dict[str, Any]:
    """The claims the scope asks for (two statements: the person, the habilitations)."""
    scopes = set(scope.split())
    claims: dict[str, Any] = {"sub": str(account.id)}
    person = None
    if scopes & {"profile", "address"}:
        person = await ctx.session.get(Person, account.person_id)
    if "profile" in scopes:
        if person is not None:
            claims["given_name"] = person.given_names
            claims["family_name"] = person.family_name
            claims["name"] = f"{person.given_names} {person.family_name}"
        if account.identifier:
            claims["preferred_username"] = account.identifier
    if "address" in scopes and person is not None and person.address_line1:
        lines = [person.address_line1, person.address_line2]
        claims["address"] = {
            "street_address": "\n".join(line for line in lines if line),
            "postal_code": person.postal_code,
            "locality": person.city,
            "country": person.country,
        }
    if "email" in scopes:
        claims["email"] = account.email
        claims["email_verified"] = account.email_confirmed_at is not None
    if "habilitations" in scopes:
        found = await habilitations_for_application(
            ctx.session, account.id, client.application.code
        )
        claims["habilitations"] = [
            {"profile": claim.profile, "finess": list(claim.finess)} for claim in found
        ]
    return claims


def issuer(ctx: ServiceContext) -> str:
    return ctx.config.tokens.issuer(ctx.pack.slug)


def id_token(
    ctx: ServiceContext,
    grant: OidcGrant,
    client: Client,
    claims: dict[str, Any],
    access_token: str,
    now: datetime,
) -> str:
    body: dict[str, Any] = {
        **claims,
        "iss": issuer(ctx),
        "aud": client.client_id,
        "azp": client.client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + ctx.config.tokens.ttl).timestamp()),
        "auth_time": int(grant.auth_time.timestamp()),
        "at_hash": create_half_hash(access_token, ALGORITHM).decode("ascii"),
        "sid": str(grant.id),
    }
    if grant.nonce:
        body["nonce"] = grant.nonce
    key = ctx.config.tokens.keys.current
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": ID_TOKEN_TYPE}
    return jwt.encode(header, body, key, algorithms=[ALGORITHM])


def read_id_token_hint(ctx: ServiceContext, token: str) -> dict[str, Any] | None:
    """The claims of an ID token this tenant issued (expired ones accepted: a logout often
    comes after), or `None`."""
    try:
        decoded = jwt.decode(token, ctx.config.tokens.keys.key_set, algorithms=[ALGORITHM])
    except (JoseError, ValueError):
        return None
    if decoded.header.get("typ") != ID_TOKEN_TYPE or decoded.claims.get("iss") != issuer(ctx):
        return None
    return dict(decoded.claims)
