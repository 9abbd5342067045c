"""Signing in with e-mail and password, with brute-force protection.

Lockout [choice, see README "Sign-in protection"]: five consecutive failures are free, then
each failure makes the account wait 30 s, doubled per further failure, capped at 15 min
(the lock). Compared with Keycloak's brute-force detection (permanent lockout off, wait
increment 1 min, max wait 15 min, failure reset 12 h) and OWASP (lock after a few failures,
ASVS: no more than 100 failed attempts an hour per account): after ten failures an attacker
gets four guesses an hour.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from auth.account import sessions
from auth.account.errors import AuthCode
from auth.account.identity_fields import normalise_email
from auth.account.login_identifiers import normalise_identifier
from auth.account.models import Account, SignInAttempts
from auth.account.password_policy import normalise
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.policy import Capacity, Decision
from tenants.clock import seconds_until
from tenants.errors import DomainError, FieldError, KeptRefusal


async def find_login(ctx: ServiceContext, login: str) -> tuple[str | None, Account | None]:
    """What a person typed to sign in: an address, or on portals with login identifiers an
    identifier. Answers the key failures are counted under (the normalised address; for an
    identifier, its account's address, or the identifier itself when no account has it: it
    has no `@`, so it never meets an address) and the account, if any (one statement)."""
    if ctx.pack.login_identifiers and "@" not in login:
        identifier = normalise_identifier(login)
        if identifier is None:
            return None, None
        account = await ctx.session.scalar(select(Account).where(Account.identifier == identifier))
        return (account.email if account else identifier), account
    email = normalise_email(login)
    if email is None:
        return None, None
    return email, await ctx.session.scalar(select(Account).where(Account.email == email))


async def sign_in(ctx: ServiceContext, email_input: str, password: str) -> sessions.IssuedTokens:
    """An address without an account takes the same path as one with: its failures are
    counted and locked alike (by the normalised address), a dummy hash is checked in place of
    a password, so neither the answers nor their timing tell which addresses have accounts.
    On portals with login identifiers, `email_input` may be the identifier (same path).
    """
    now = ctx.clock.now()
    email, account = await find_login(ctx, email_input or "")
    attempts = await _attempts(ctx, email) if email else None
    if attempts is not None and attempts.locked_until is not None and attempts.locked_until > now:
        raise DomainError.one(
            AuthCode.ACCOUNT_LOCKED, retry_after=seconds_until(attempts.locked_until - now)
        )
    ok = await ctx.config.hasher.verify(
        account.password_hash if account else None, normalise(password or "")
    )
    if account is None or not ok:
        if email is None:  # not an address at all: no account can have it, nothing to count
            raise DomainError.one(AuthCode.INVALID_CREDENTIALS)
        attempts = await _count_failure(ctx, email, attempts)
        if account is not None:
            trail.record(
                ctx,
                AuditAction.SIGN_IN_FAILED,
                subject_type="Account",
                subject_id=account.id,
                actor_account_id=None,
                details={"failures": attempts.failures},
            )
        delay = ctx.config.lockout.delay_after(attempts.failures)
        if delay is not None:
            raise KeptRefusal(
                [FieldError(AuthCode.ACCOUNT_LOCKED, None, {"retry_after": seconds_until(delay)})]
            )
        raise KeptRefusal([FieldError(AuthCode.INVALID_CREDENTIALS, None)])
    # An account created for someone else signs in with its temporary password first, then
    # confirms its address (docs/DOMAIN.md "Accounts and onboarding").
    if account.email_confirmed_at is None and not account.must_change_password:
        raise DomainError.one(AuthCode.EMAIL_NOT_CONFIRMED)
    if attempts is not None:
        await ctx.session.delete(attempts)
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


async def _attempts(ctx: ServiceContext, email: str) -> SignInAttempts | None:
    """The address's counter, locked for the change (two failures at once both count)."""
    return await ctx.session.scalar(
        select(SignInAttempts).where(SignInAttempts.email == email).with_for_update()
    )


async def _count_failure(
    ctx: ServiceContext, email: str, attempts: SignInAttempts | None
) -> SignInAttempts:
    now = ctx.clock.now()
    if attempts is None:
        attempts = SignInAttempts(email=email, failures=0)
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(attempts)
        except IntegrityError:  # a concurrent failure for the same address created it
            found = await _attempts(ctx, email)
            if found is None:
                raise
            attempts = found
    last = attempts.last_failed_at
    if last is not None and now - last > ctx.config.lockout.reset_after:
        attempts.failures = 0
    attempts.failures += 1
    attempts.last_failed_at = now
    delay = ctx.config.lockout.delay_after(attempts.failures)
    attempts.locked_until = now + delay if delay else None
    return attempts


async def forget_failures(ctx: ServiceContext, email: str) -> None:
    """A password reset lifts the address's lock and clears its count."""
    await ctx.session.execute(delete(SignInAttempts).where(SignInAttempts.email == email))
