"""Accounts opened by someone else: an organisation opening its employee's or trainee's
account, the authority opening an agent's. The person receives their identifier and a
temporary password by e-mail, must change it at first sign-in, then confirms their address
(docs/DOMAIN.md "Accounts and onboarding", seed 000 "Espace entreprise").
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from sqlalchemy import select

from auth.account.errors import AuthCode
from auth.account.identity_fields import Collector
from auth.account.login_identifiers import add_account
from auth.account.models import Account, AccountKind
from auth.account.password_policy import check_password, normalise
from auth.context import ServiceContext
from mail.outbox import enqueue
from tenants.errors import DomainError
from tenants.models import Person

_SPECIALS = "-_.!?#%+="
_ALPHABET = string.ascii_letters + string.digits + _SPECIALS


def temporary_password(ctx: ServiceContext) -> str:
    """Random, of every character class, as long as the pack allows up to 16 characters."""
    rules = ctx.pack.password
    length = max(rules.min_length, min(16, rules.max_length))
    while True:
        classes = [
            secrets.choice(string.ascii_uppercase),
            secrets.choice(string.ascii_lowercase),
            secrets.choice(string.digits),
            secrets.choice(_SPECIALS),
        ]
        rest = [secrets.choice(_ALPHABET) for _ in range(length - len(classes))]
        chars = classes + rest
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        if not check_password(candidate, rules, ("password",)):
            return candidate


@dataclass(frozen=True)
class NewPerson:
    email: str | None
    family_name: str | None
    given_names: str | None


@dataclass(frozen=True)
class Provisioned:
    account: Account
    person: Person


async def open_account_for(
    ctx: ServiceContext,
    data: NewPerson,
    *,
    kind: AccountKind = AccountKind.PERSON,
    delegations: list[str] | None = None,
    opened_by: str,
    field_prefix: tuple[str, ...] = (),
    temporary: str | None = None,
) -> Provisioned:
    """Create the person and the account (must change password, address not yet confirmed)
    and queue the e-mail with the identifier and the temporary password.

    `opened_by` names who opened it in the e-mail (an organisation, the authority). The
    temporary password is random unless `temporary` gives it (the demo data, whose password
    is published).
    """
    check = Collector([])
    email = check.email(data.email, (*field_prefix, "email"))
    family_name = check.text(data.family_name, (*field_prefix, "familyName"), True, 100)
    given_names = check.text(data.given_names, (*field_prefix, "givenNames"), True, 150)
    if email is not None:
        taken = await ctx.session.scalar(select(Account.id).where(Account.email == email))
        if taken is not None:
            check.add(AuthCode.EMAIL_ALREADY_REGISTERED, (*field_prefix, "email"))
    if check.errors:
        raise DomainError(check.errors)
    assert email is not None and family_name is not None and given_names is not None  # noqa: S101
    now = ctx.clock.now()
    password = temporary or temporary_password(ctx)
    password_hash = await ctx.config.hasher.hash(normalise(password))
    person = Person(family_name=family_name, given_names=given_names, created_at=now)
    ctx.session.add(person)
    await ctx.session.flush()
    account = Account(
        person_id=person.id,
        kind=kind,
        email=email,
        password_hash=password_hash,
        locale=ctx.locale,
        must_change_password=True,
        password_changed_at=now,
        created_at=now,
        delegations=delegations,
        created_by_account_id=ctx.actor.account_id if ctx.actor else None,
    )
    await add_account(ctx, account, person, (*field_prefix, "email"))
    await enqueue(
        ctx.session,
        pack=ctx.pack,
        recipient=email,
        template="account_opened",
        locale=account.locale,
        context={
            "given_names": given_names,
            "family_name": family_name,
            "opened_by": opened_by,
            "identifier": account.identifier or email,
            "temporary_password": password,
            "link": ctx.config.links.sign_in(ctx.pack),
        },
        now=now,
    )
    return Provisioned(account=account, person=person)
