"""Signing in with e-mail and password, with brute-force protection.

Lockout [choice, see README "Sign-in protection"]: five consecutive failures are free, then
each failure makes the account wait 30 s, doubled per further failure, capped at 15 min
(the lock). Compared with Keycloak's brute-force detection (permanent lockout off, wait
increment 1 min, max wait 15 min, failure reset 12 h) and OWASP (lock after a few failures,
ASVS: no more than 100 failed attempts an hour per account): after ten failures an attacker
gets four guesses an hour.
"""

from __future__ import annotations

from sqlalchemy import select

from auth.account import sessions
from auth.account.errors import AuthCode
from auth.account.identity_fields import normalise_email
from auth.account.models import Account
from auth.account.password_policy import normalise
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.policy import Capacity, Decision
from tenants.clock import seconds_until
from tenants.errors import DomainError, FieldError, KeptRefusal


async def sign_in(ctx: ServiceContext, email_input: str, password: str) -> sessions.IssuedTokens:
    now = ctx.clock.now()
    lockout = ctx.config.lockout
    email = normalise_email(email_input or "")
    account = (
        await ctx.session.scalar(select(Account).where(Account.email == email)) if email else None
    )
    if account is not None and account.locked_until is not None and account.locked_until > now:
        raise DomainError.one(
            AuthCode.ACCOUNT_LOCKED, retry_after=seconds_until(account.locked_until - now)
        )
    ok = await ctx.config.hasher.verify(
        account.password_hash if account else None, normalise(password or "")
    )
    if account is None:
        raise DomainError.one(AuthCode.INVALID_CREDENTIALS)
    if not ok:
        last = account.last_failed_sign_in_at
        if last is not None and now - last > lockout.reset_after:
            account.failed_sign_ins = 0
        account.failed_sign_ins += 1
        account.last_failed_sign_in_at = now
        delay = lockout.delay_after(account.failed_sign_ins)
        account.locked_until = now + delay if delay else None
        trail.record(
            ctx,
            AuditAction.SIGN_IN_FAILED,
            subject_type="Account",
            subject_id=account.id,
            actor_account_id=None,
            details={"failures": account.failed_sign_ins},
        )
        if delay is not None:
            raise KeptRefusal(
                [FieldError(AuthCode.ACCOUNT_LOCKED, None, {"retry_after": seconds_until(delay)})]
            )
        raise KeptRefusal([FieldError(AuthCode.INVALID_CREDENTIALS, None)])
    # An account created for someone else signs in with its temporary password first, then
    # confirms its address (docs/DOMAIN.md "Accounts and onboarding").
    if account.email_confirmed_at is None and not account.must_change_password:
        raise DomainError.one(AuthCode.EMAIL_NOT_CONFIRMED)
    account.failed_sign_ins = 0
    account.locked_until = None
    if ctx.config.hasher.needs_rehash(account.password_hash):
        account.password_hash = await ctx.config.hasher.hash(normalise(password))
    issued = await sessions.open_session(ctx, account)
    trail.record(
        ctx,
        AuditAction.SIGN_IN,
        subject_type="Account",
        subject_id=account.id,
        decision=Decision(allowed=True, capacity=Capacity.SELF),
        actor_account_id=account.id,
        details={"session": str(issued.session.id)},
    )
    return issued
