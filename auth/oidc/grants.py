"""The access tokens an authorization gave: the bearer read at userinfo, revocation by the
application (RFC 7009) and RP-initiated logout (the application's tokens for the person)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.account.models import Account
from auth.account.opaque_tokens import digest
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.oidc.claims import person_claims, read_id_token_hint
from auth.oidc.clients import Client, authenticate_client, find_client, offers_oidc
from auth.oidc.codes import RevokedReason
from auth.oidc.models import OidcGrant
from tenants.clock import Clock
from tenants.packs.base import TenantPack
from tenants.session import open_session, rows_changed

# A grant is useless once its code and its token expired (minutes); kept a day for the
# reused-code check, then erased by the periodic pass.
GRANT_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Bearer:
    grant: OidcGrant
    account: Account
    client: Client


async def bearer(ctx: ServiceContext, token: str | None) -> Bearer | None:
    """The live authorization behind an access token, or `None` (unknown, expired, revoked,
    or its client gone from the pack)."""
    if not token or len(token) > 200:
        return None
    grant = await ctx.session.scalar(
        select(OidcGrant).where(OidcGrant.access_token_hash == digest(token))
    )
    now = ctx.clock.now()
    if (
        grant is None
        or grant.revoked_at is not None
        or grant.access_expires_at is None
        or grant.access_expires_at <= now
    ):
        return None
    client = find_client(ctx.pack, grant.client_id)
    account = await ctx.session.get(Account, grant.account_id)
    if client is None or account is None:
        return None
    return Bearer(grant, account, client)


async def userinfo(ctx: ServiceContext, found: Bearer) -> dict[str, Any]:
    return await person_claims(ctx, found.account, found.client, found.grant.scope)


async def revoke_token(
    ctx: ServiceContext, token: str | None, client_id: str | None, secret: str | None
) -> None:
    """RFC 7009: the client revokes one of its access tokens; an unknown token, or one of
    another client, is answered the same (200) and nothing changes."""
    client = authenticate_client(ctx.pack, ctx.config.oidc_client_secrets, client_id, secret)
    if not token or len(token) > 200:
        return
    await ctx.session.execute(
        update(OidcGrant)
        .where(
            OidcGrant.access_token_hash == digest(token),
            OidcGrant.client_id == client.client_id,
            OidcGrant.revoked_at.is_(None),
        )
        .values(revoked_at=ctx.clock.now(), revoked_reason=RevokedReason.REVOKED)
    )


@dataclass(frozen=True)
class Logout:
    redirect_to: str | None  # the registered post-logout URI asked for, if any


class LogoutRefused(Exception):
    """A logout request the person is told about (never redirected)."""


async def end_session(
    ctx: ServiceContext,
    id_token_hint: str | None,
    post_logout_redirect_uri: str | None,
    client_id: str | None,
) -> Logout:
    """RP-initiated logout: the ID token names the person and the application; every token
    the application holds for the person is revoked. A redirect URI must be registered for
    that application and needs the hint (to know the application)."""
    claims = read_id_token_hint(ctx, id_token_hint) if id_token_hint else None
    if id_token_hint and claims is None:
        raise LogoutRefused("invalid id_token_hint")
    audience = str(claims.get("aud")) if claims else None
    if client_id and audience and client_id != audience:
        raise LogoutRefused("client_id does not match the id_token_hint")
    client = find_client(ctx.pack, audience or client_id)
    if post_logout_redirect_uri and (
        claims is None
        or client is None
        or post_logout_redirect_uri not in client.oidc.post_logout_redirect_uris
    ):
        raise LogoutRefused("post_logout_redirect_uri is not registered")
    if claims is not None and client is not None:
        try:
            account_id = uuid.UUID(str(claims.get("sub")))
        except ValueError:
            raise LogoutRefused("invalid id_token_hint") from None
        await ctx.session.execute(
            update(OidcGrant)
            .where(
                OidcGrant.account_id == account_id,
                OidcGrant.client_id == client.client_id,
                OidcGrant.revoked_at.is_(None),
            )
            .values(revoked_at=ctx.clock.now(), revoked_reason=RevokedReason.LOGOUT)
        )
        trail.record(
            ctx,
            AuditAction.OIDC_LOGOUT,
            subject_type="Account",
            subject_id=account_id,
            actor_account_id=account_id,
            details={"client": client.client_id},
        )
    return Logout(post_logout_redirect_uri or None)


async def purge_grants(
    sessions: async_sessionmaker[AsyncSession], packs: Iterable[TenantPack], clock: Clock
) -> int:
    """Erase the authorizations older than `GRANT_KEPT` in every OpenID tenant; how many."""
    erased = 0
    limit = clock.now() - GRANT_KEPT
    for pack in packs:
        if not offers_oidc(pack):
            continue
        async with open_session(sessions, pack.slug) as session:
            result = await session.execute(delete(OidcGrant).where(OidcGrant.created_at < limit))
            await session.commit()
            erased += rows_changed(result)
    return erased
