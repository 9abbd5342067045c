"""Tokens that travel by e-mail: random, single-use, expiring, stored as SHA-256 only."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from auth.account.errors import AuthCode
from auth.account.models import Account, EmailToken, EmailTokenPurpose
from auth.account.opaque_tokens import digest, new_token
from auth.context import ServiceContext
from tenants.errors import DomainError
from tenants.session import rows_changed


async def issue(
    ctx: ServiceContext, account: Account, purpose: EmailTokenPurpose, ttl: timedelta
) -> tuple[str, EmailToken]:
    """A new token for the account; earlier unused tokens of the same purpose stop working."""
    now = ctx.clock.now()
    await ctx.session.execute(
        update(EmailToken)
        .where(
            EmailToken.account_id == account.id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > now,
        )
        .values(expires_at=now)
    )
    raw = new_token()
    row = EmailToken(
        account_id=account.id,
        purpose=purpose,
        token_hash=digest(raw),
        created_at=now,
        expires_at=now + ttl,
    )
    ctx.session.add(row)
    return raw, row


async def usable(
    ctx: ServiceContext, raw: str, purpose: EmailTokenPurpose, field: tuple[str, ...]
) -> EmailToken:
    """The token's row if it could be used now, or raise the precise reason it cannot be;
    changes nothing (a page checks its link on GET, before the person types anything)."""
    if not raw or len(raw) > 200:
        raise DomainError.one(AuthCode.TOKEN_INVALID, field)
    row = await ctx.session.scalar(
        select(EmailToken).where(EmailToken.token_hash == digest(raw.strip()))
    )
    if row is None or row.purpose != purpose:
        raise DomainError.one(AuthCode.TOKEN_INVALID, field)
    if row.used_at is not None:
        raise DomainError.one(AuthCode.TOKEN_ALREADY_USED, field)
    if row.expires_at <= ctx.clock.now():
        raise DomainError.one(AuthCode.TOKEN_EXPIRED, field)
    return row


async def consume(
    ctx: ServiceContext, raw: str, purpose: EmailTokenPurpose, field: tuple[str, ...]
) -> Account:
    """Mark the token used and return its account, or raise the precise reason it cannot be."""
    row = await usable(ctx, raw, purpose, field)
    now = ctx.clock.now()
    # Guarded update: of two concurrent uses of one link, exactly one wins.
    result = await ctx.session.execute(
        update(EmailToken)
        .where(EmailToken.id == row.id, EmailToken.used_at.is_(None))
        .values(used_at=now)
    )
    if rows_changed(result) != 1:
        raise DomainError.one(AuthCode.TOKEN_ALREADY_USED, field)
    account = await ctx.session.get_one(Account, row.account_id)
    return account


async def sent_since(
    ctx: ServiceContext, account: Account, purpose: EmailTokenPurpose, window: timedelta
) -> list[datetime]:
    """When tokens of this purpose were sent to the account in the window, oldest first."""
    rows = await ctx.session.scalars(
        select(EmailToken.created_at)
        .where(
            EmailToken.account_id == account.id,
            EmailToken.purpose == purpose,
            EmailToken.created_at > ctx.clock.now() - window,
        )
        .order_by(EmailToken.created_at)
    )
    return list(rows.all())
