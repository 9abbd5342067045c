"""Forgotten and changed passwords."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from auth.account import email_tokens, sessions
from auth.account.errors import AuthCode
from auth.account.identity_fields import Collector
from auth.account.models import Account, AccountKind, EmailTokenPurpose
from auth.account.onboarding import address_confirmed, format_local, mail_link, send_confirmation
from auth.account.password_policy import check_password, normalise
from auth.account.signin import find_login, forget_failures
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.policy import Action, Capacity, Decision, decide, own_account
from mail.outbox import enqueue
from tenants.errors import CommonCode, DomainError
from tenants.models import Person

RESET_HOURLY_LIMIT = 3


async def request_password_reset(ctx: ServiceContext, email_input: str | None) -> None:
    """Always the same answer: whether the address has an account is never revealed.

    At most `RESET_HOURLY_LIMIT` mails an hour per account; past that, silently none. On
    portals with login identifiers ("Identifiant ou mot de passe oublié ?") the mail also
    gives the identifier, and the identifier itself may be given instead of the address.
    """
    if ctx.pack.login_identifiers and email_input and "@" not in email_input:
        _key, account = await find_login(ctx, email_input)
    else:
        check = Collector([])
        email = check.email(email_input, ("email",))
        if check.errors:
            raise DomainError(check.errors)
        account = await ctx.session.scalar(select(Account).where(Account.email == email))
    if account is None:
        return
    sent = await email_tokens.sent_since(
        ctx, account, EmailTokenPurpose.RESET_PASSWORD, timedelta(hours=1)
    )
    if len(sent) >= RESET_HOURLY_LIMIT:
        return
    person = await ctx.session.get_one(Person, account.person_id)
    await mail_link(
        ctx,
        account,
        person,
        EmailTokenPurpose.RESET_PASSWORD,
        ctx.pack.password_reset_ttl,
        "reset_password",
        ctx.config.links.reset_password,
    )
    trail.record(
        ctx, AuditAction.PASSWORD_RESET_REQUESTED, subject_type="Account", subject_id=account.id
    )


async def check_reset_link(ctx: ServiceContext, token: str) -> None:
    """Raise why a reset link could not be used now (expired, used, unknown); changes nothing."""
    await email_tokens.usable(ctx, token, EmailTokenPurpose.RESET_PASSWORD, ("token",))


async def reset_password(ctx: ServiceContext, token: str, new_password: str | None) -> Account:
    if not new_password:
        raise DomainError.one(CommonCode.REQUIRED, ("newPassword",))
    errors = check_password(new_password, ctx.pack.password, ("newPassword",))
    if errors:
        raise DomainError(errors)
    account = await email_tokens.consume(ctx, token, EmailTokenPurpose.RESET_PASSWORD, ("token",))
    await _set_password(ctx, account, new_password)
    # The link proves the address works; a reset also lifts a lock.
    if account.email_confirmed_at is None:
        await address_confirmed(ctx, account)
    await forget_failures(ctx, account.email)
    await sessions.revoke_all(ctx, account.id, sessions.RevokedReason.PASSWORD_RESET)
    await _notify_changed(ctx, account)
    trail.record(
        ctx,
        AuditAction.PASSWORD_RESET,
        subject_type="Account",
        subject_id=account.id,
        decision=Decision(allowed=True, capacity=Capacity.SELF),
        actor_account_id=account.id,
    )
    return account


async def change_password(
    ctx: ServiceContext, current_password: str | None, new_password: str | None
) -> Account:
    actor = ctx.actor
    decision = decide(actor, Action.CHANGE_PASSWORD, own_account(actor)).require()
    if actor is None:  # decide() refuses anonymous callers; this keeps the types exact
        raise DomainError.one(AuthCode.AUTHENTICATION_REQUIRED)
    account = await ctx.session.get_one(Account, actor.account_id)
    check = Collector([])
    if not current_password:
        check.add(CommonCode.REQUIRED, ("currentPassword",))
    if not new_password:
        check.add(CommonCode.REQUIRED, ("newPassword",))
    else:
        check.errors.extend(check_password(new_password, ctx.pack.password, ("newPassword",)))
    if check.errors:
        raise DomainError(check.errors)
    if current_password is None or new_password is None:
        raise DomainError.one(CommonCode.REQUIRED, ("newPassword",))
    hasher = ctx.config.hasher
    if not await hasher.verify(account.password_hash, normalise(current_password)):
        raise DomainError.one(AuthCode.CURRENT_PASSWORD_INCORRECT, ("currentPassword",))
    if normalise(new_password) == normalise(current_password):
        raise DomainError.one(AuthCode.PASSWORD_UNCHANGED, ("newPassword",))
    await _set_password(ctx, account, new_password)
    await sessions.revoke_all(
        ctx, account.id, sessions.RevokedReason.PASSWORD_CHANGED, keep=actor.session_id
    )
    if account.email_confirmed_at is None and account.kind == AccountKind.AGENT:
        # An agent's address is the authority's own, and the temporary password reached it:
        # choosing their password completes the account.
        account.email_confirmed_at = ctx.clock.now()
        await _notify_changed(ctx, account)
    elif account.email_confirmed_at is None:
        person = await ctx.session.get_one(Person, account.person_id)
        await send_confirmation(ctx, account, person)
    else:
        await _notify_changed(ctx, account)
    trail.record(
        ctx,
        AuditAction.CHANGE_PASSWORD,
        subject_type="Account",
        subject_id=account.id,
        decision=decision,
    )
    return account


async def _set_password(ctx: ServiceContext, account: Account, password: str) -> None:
    account.password_hash = await ctx.config.hasher.hash(normalise(password))
    account.password_changed_at = ctx.clock.now()
    account.must_change_password = False


async def _notify_changed(ctx: ServiceContext, account: Account) -> None:
    person = await ctx.session.get_one(Person, account.person_id)
    await enqueue(
        ctx.session,
        pack=ctx.pack,
        recipient=account.email,
        template="password_changed",
        locale=account.locale,
        context={
            "given_names": person.given_names,
            "family_name": person.family_name,
            "changed_at": format_local(ctx.clock.now(), account.locale),
        },
        now=ctx.clock.now(),
    )
