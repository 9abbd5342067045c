"""Login identifiers (cnsa, seed 004: "yzemirli"): the initial of the given name and the
family name, lower case, accents, spaces and punctuation folded, numbered on a collision
(`yzemirli`, `yzemirli2`, …). Given at registration on the portals whose pack says so; unique
per tenant (a unique index), shown in `viewer.identity`, and a way to sign in besides the
address."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from auth.account.errors import AuthCode
from auth.account.models import Account
from auth.context import ServiceContext
from tenants.errors import DomainError
from tenants.identifiers import fold
from tenants.models import Person

MAX_LENGTH = 64
_SHAPE = re.compile(r"^[a-z0-9]{1,64}$")


def base_identifier(given_names: str, family_name: str) -> str:
    """`Yamile`, `Zemirli` → `yzemirli`; `Jean-Éric`, `Le Gall` → `jlegall`."""
    given = fold(given_names).replace(" ", "")
    family = fold(family_name).replace(" ", "")
    base = (given[:1] + family)[: MAX_LENGTH - 6]
    return base or "utilisateur"


def normalise_identifier(value: str) -> str | None:
    """What a person types as an identifier, lower-cased; `None` when it cannot be one."""
    candidate = value.strip().lower()
    return candidate if _SHAPE.match(candidate) else None


async def new_identifier(ctx: ServiceContext, given_names: str, family_name: str) -> str:
    """The base identifier, or the base followed by the first free number from 2 (one
    statement: the identifiers already taken that start with the base)."""
    base = base_identifier(given_names, family_name)
    taken = set(
        await ctx.session.scalars(
            select(Account.identifier).where(Account.identifier.like(f"{base}%"))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


async def add_account(
    ctx: ServiceContext, account: Account, person: Person, email_field: tuple[str, ...]
) -> None:
    """Write a new account, with a login identifier on portals that give one. A concurrent
    registration may take the address first (EMAIL_ALREADY_REGISTERED on `email_field`) or the
    same identifier (the unique index says so): then the next free one is taken."""
    for _attempt in range(5):
        if ctx.pack.login_identifiers:
            account.identifier = await new_identifier(ctx, person.given_names, person.family_name)
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(account)
        except IntegrityError:
            taken = await ctx.session.scalar(
                select(Account.id).where(Account.email == account.email)
            )
            if taken is not None:
                raise DomainError.one(AuthCode.EMAIL_ALREADY_REGISTERED, email_field) from None
            continue
        return
    raise DomainError.one(AuthCode.EMAIL_ALREADY_REGISTERED, email_field)
