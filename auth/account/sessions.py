"""Sign-in sessions: issue an access token and a rotating refresh token; refresh, sign out.

A session is one device's family of refresh tokens. Each refresh uses up the presented token
and hands out the next; presenting a used one again means it was copied, so the whole family
is revoked (OAuth 2.0 Security BCP, refresh token rotation).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.account.errors import AuthCode
from auth.account.models import Account, AccountKind, AuthSession, RefreshToken
from auth.account.opaque_tokens import digest, new_token
from auth.account.tokens import InvalidAccessToken
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import Actor, ServiceContext
from auth.policy import (
    Action,
    Capacity,
    Decision,
    Resource,
    decide,
    own_account,
    require_standing,
)
from auth.standing import MEMBERSHIP_COLUMNS, habilitations_of, membership_fact, membership_join
from tenants.errors import CommonCode, DomainError, FieldError, KeptRefusal
from tenants.events import SESSION_CLOSED, SESSIONS_CLOSED, Event
from tenants.packs.base import Capability
from tenants.pagination import Page, paginate
from tenants.session import rows_changed


class RevokedReason:
    SIGN_OUT = "SIGN_OUT"
    REUSE = "REFRESH_TOKEN_REUSED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"  # noqa: S105
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105


@dataclass(frozen=True)
class IssuedTokens:
    account: Account
    session: AuthSession
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime


async def _new_refresh_token(ctx: ServiceContext, session: AuthSession) -> tuple[str, RefreshToken]:
    now = ctx.clock.now()
    raw = new_token()
    row = RefreshToken(
        session_id=session.id,
        token_hash=digest(raw),
        created_at=now,
        expires_at=min(now + ctx.config.refresh_token_ttl, session.expires_at),
    )
    ctx.session.add(row)
    return raw, row


def _tokens(
    ctx: ServiceContext, account: Account, session: AuthSession, raw: str, row: RefreshToken
) -> IssuedTokens:
    access, access_expires = ctx.config.tokens.issue(
        ctx.pack.slug, account.id, session.id, ctx.clock.now()
    )
    return IssuedTokens(account, session, access, access_expires, raw, row.expires_at)


async def open_session(ctx: ServiceContext, account: Account) -> IssuedTokens:
    now = ctx.clock.now()
    session = AuthSession(
        account_id=account.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + ctx.config.session_max_age,
        user_agent=(ctx.client.user_agent or "")[:300] or None,
        ip_address=ctx.client.ip_address,
    )
    ctx.session.add(session)
    await ctx.session.flush()
    raw, row = await _new_refresh_token(ctx, session)
    return _tokens(ctx, account, session, raw, row)


async def refresh(ctx: ServiceContext, raw: str | None) -> IssuedTokens:
    """Rotate: the presented token is used up and the next one is returned.

    On reuse the family is revoked and the error is returned *with* that revocation kept:
    the refusal is a `KeptRefusal`, so the revocation is committed with the error.
    """
    field = ("refreshToken",)
    if not raw or len(raw) > 200:
        raise DomainError.one(AuthCode.REFRESH_TOKEN_INVALID, field)
    now = ctx.clock.now()
    token = await ctx.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest(raw))
    )
    if token is None:
        raise DomainError.one(AuthCode.REFRESH_TOKEN_INVALID, field)
    session = await ctx.session.get_one(AuthSession, token.session_id)
    if session.revoked_at is not None:
        raise DomainError.one(AuthCode.SESSION_REVOKED, field)
    if token.used_at is not None:
        await _refuse_reuse(ctx, session, field)
    if token.expires_at <= now or session.expires_at <= now:
        raise DomainError.one(AuthCode.REFRESH_TOKEN_EXPIRED, field)
    used = await ctx.session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if rows_changed(used) != 1:  # a concurrent refresh won
        await _refuse_reuse(ctx, session, field)
    account = await ctx.session.get_one(Account, session.account_id)
    session.last_used_at = now
    raw_next, row = await _new_refresh_token(ctx, session)
    return _tokens(ctx, account, session, raw_next, row)


async def _refuse_reuse(
    ctx: ServiceContext, session: AuthSession, field: tuple[str, ...]
) -> NoReturn:
    """A used refresh token came back: it was copied. Close the family, record it, refuse."""
    await revoke(ctx, session, RevokedReason.REUSE)
    trail.record(
        ctx,
        AuditAction.REFRESH_TOKEN_REUSED,
        subject_type="AuthSession",
        subject_id=session.id,
        actor_account_id=session.account_id,
    )
    raise KeptRefusal([FieldError(AuthCode.REFRESH_TOKEN_REUSED, field)])


async def revoke(ctx: ServiceContext, session: AuthSession, reason: str) -> None:
    if session.revoked_at is None:
        session.revoked_at = ctx.clock.now()
        session.revoked_reason = reason
        ctx.events.append(Event(ctx.pack.slug, SESSION_CLOSED, session_id=str(session.id)))


async def revoke_all(
    ctx: ServiceContext, account_id: uuid.UUID, reason: str, keep: uuid.UUID | None = None
) -> None:
    query = (
        update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=ctx.clock.now(), revoked_reason=reason)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    await ctx.session.execute(query)
    ctx.events.append(Event(ctx.pack.slug, SESSIONS_CLOSED, account_id=str(account_id)))


async def still_open(ctx: ServiceContext, session_id: uuid.UUID) -> bool:
    """Whether a session is neither revoked nor past its end (a long-lived subscription asks
    again now and then). One statement."""
    row = (
        await ctx.session.execute(
            select(AuthSession.revoked_at, AuthSession.expires_at).where(
                AuthSession.id == session_id
            )
        )
    ).one_or_none()
    return row is not None and row[0] is None and row[1] > ctx.clock.now()


async def sign_out(
    ctx: ServiceContext, refresh_token: str | None, everywhere: bool = False
) -> None:
    """Sign out the bearer's session (or the one a refresh token belongs to); `everywhere`
    closes every session of the account."""
    actor = ctx.actor
    session: AuthSession | None = None
    if actor is not None:
        decide(actor, Action.SIGN_OUT, own_account(actor)).require()
        session = await ctx.session.get(AuthSession, actor.session_id)
    elif refresh_token:
        token = await ctx.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == digest(refresh_token))
        )
        if token is None:
            raise DomainError.one(AuthCode.REFRESH_TOKEN_INVALID, ("refreshToken",))
        session = await ctx.session.get_one(AuthSession, token.session_id)
    else:
        raise DomainError.one(AuthCode.AUTHENTICATION_REQUIRED)
    if session is None:
        raise DomainError.one(AuthCode.SESSION_REVOKED)
    if everywhere:
        await revoke_all(ctx, session.account_id, RevokedReason.SIGN_OUT)
    await revoke(ctx, session, RevokedReason.SIGN_OUT)
    trail.record(
        ctx,
        AuditAction.SIGN_OUT_EVERYWHERE if everywhere else AuditAction.SIGN_OUT,
        subject_type="AuthSession",
        subject_id=session.id,
        decision=Decision(allowed=True, capacity=Capacity.SELF),
        actor_account_id=session.account_id,
    )


async def revoke_session(ctx: ServiceContext, session_id: uuid.UUID) -> AuthSession:
    """Close one of the actor's own sessions (a lost phone, a shared computer)."""
    require_standing(ctx.actor, Action.REVOKE_SESSION)  # told why, not NOT_FOUND
    session = await ctx.session.get(AuthSession, session_id)
    resource = Resource(
        kind="AuthSession",
        id=session_id,
        owner_account_id=session.account_id if session else None,
        tenant=session.tenant_id if session else None,
    )
    decision = decide(ctx.actor, Action.REVOKE_SESSION, resource)
    if session is None or not decision.allowed:
        raise DomainError.one(CommonCode.NOT_FOUND, ("sessionId",))
    await revoke(ctx, session, RevokedReason.SIGN_OUT)
    trail.record(
        ctx,
        AuditAction.REVOKE_SESSION,
        subject_type="AuthSession",
        subject_id=session.id,
        decision=decision,
    )
    return session


@functools.cache
def _session_check() -> Select[*tuple[Any, ...]]:
    """The session, its account and the memberships in force: built once (bound parameters
    `session_id`, `account_id`), run by every authenticated request."""
    query = (
        select(AuthSession.revoked_at, AuthSession.expires_at, Account, *MEMBERSHIP_COLUMNS)
        .join(Account, Account.id == AuthSession.account_id)
        .where(
            AuthSession.id == bindparam("session_id"),
            AuthSession.account_id == bindparam("account_id"),
        )
    )
    return membership_join(query, Account.person_id)


async def authenticate(ctx: ServiceContext, token: str) -> tuple[Actor, Account]:
    """The actor behind a bearer access token: signature and claims, then the live session
    (so a sign-out or a revoked family takes effect at once) with the organisations the person
    acts for: one statement."""
    claims = ctx.config.tokens.verify(token, ctx.pack.slug, ctx.clock.now())
    rows = (
        await ctx.session.execute(
            _session_check(),
            {"session_id": claims.session_id, "account_id": claims.account_id},
        )
    ).all()
    if not rows:
        raise InvalidAccessToken("unknown session")
    revoked_at, expires_at, account = rows[0][0], rows[0][1], rows[0][2]
    if revoked_at is not None or expires_at <= ctx.clock.now():
        raise InvalidAccessToken("session closed")
    agent = account.kind == AccountKind.AGENT
    facts = tuple(fact for row in rows if (fact := membership_fact(tuple(row)[3:])) is not None)
    actor = Actor(
        tenant=ctx.pack.slug,
        account_id=account.id,
        person_id=account.person_id,
        session_id=claims.session_id,
        must_change_password=account.must_change_password,
        email_confirmed=account.email_confirmed,
        memberships=() if agent else facts,
        agent_delegations=frozenset(account.delegations or ()) if agent else None,
        habilitations=await habilitations_of(ctx.session, account.id)
        if ctx.pack.offers(Capability.HABILITATIONS)
        else (),
    )
    return actor, account


async def sessions_of(
    session: AsyncSession,
    account_id: uuid.UUID,
    *,
    active_only: bool,
    first: int | None,
    after: str | None,
) -> Page[AuthSession]:
    query = select(AuthSession).where(AuthSession.account_id == account_id)
    if active_only:
        query = query.where(AuthSession.revoked_at.is_(None))
    return await paginate(session, query, AuthSession.created_at, AuthSession.id, first, after)
