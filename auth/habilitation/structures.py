"""The FINESS directory, read: structures by FINESS number, or searched by name and town
(seed 004: "Rechercher par n°FINESS", "Recherche globale"). Public directory data: anyone may
search it on a portal that offers habilitations (the registration wizard does, before the
account exists)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import ServiceContext
from auth.habilitation.errors import HabilitationCode as H
from auth.policy import Action, require_offered
from tenants.errors import CommonCode, DomainError, FieldError
from tenants.identifiers import fold, normalise_finess
from tenants.pagination import Page, paginate
from tenants.structures import Structure

_NUMBER = re.compile(r"^(?:\d\d|2[AaBb])\d{5,9}$")
MIN_SEARCH = 2
MAX_SEARCH = 200
MAX_WORDS = 8


def finess_or_error(value: str, field: tuple[str, ...]) -> str | FieldError:
    """The normalised FINESS number, or INVALID_FINESS on `field` (8 characters, a bad key,
    letters outside Corsica's 2A/2B)."""
    finess = normalise_finess(value) if len(value) <= 40 else None
    return finess if finess is not None else FieldError(H.INVALID_FINESS, field)


async def search_structures(
    ctx: ServiceContext, search: str, first: int | None, after: str | None
) -> Page[Structure]:
    """A FINESS number finds its structure; anything else is words that must all appear in
    the name, town or postal code (accents and case folded). Two statements."""
    require_offered(ctx.pack.slug, Action.REQUEST_HABILITATION)
    text = search.strip()
    if len(text) > MAX_SEARCH:
        raise DomainError.one(CommonCode.TOO_LONG, ("search",), max=MAX_SEARCH)
    query: Select[tuple[Structure]] = select(Structure)
    compact = text.replace(" ", "")
    if _NUMBER.match(compact):  # a FINESS number, maybe mistyped (8 characters, bad key)
        finess = finess_or_error(compact, ("search",))
        if isinstance(finess, FieldError):
            raise DomainError([finess])
        query = query.where(Structure.finess == finess)
    else:
        words = fold(text).split()[:MAX_WORDS]
        if len("".join(words)) < MIN_SEARCH:
            raise DomainError.one(H.SEARCH_TOO_SHORT, ("search",), min=MIN_SEARCH)
        for word in words:
            query = query.where(Structure.search_key.contains(word, autoescape=True))
    return await paginate(ctx.session, query, Structure.updated_at, Structure.id, first, after)


async def structures_by_finess(
    session: AsyncSession, numbers: Sequence[str]
) -> dict[str, Structure]:
    """The structures of those FINESS numbers, by number (one statement)."""
    if not numbers:
        return {}
    rows = await session.scalars(select(Structure).where(Structure.finess.in_(list(numbers))))
    return {row.finess: row for row in rows}


async def structures_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Structure]:
    if not ids:
        return {}
    rows = await session.scalars(select(Structure).where(Structure.id.in_(list(ids))))
    return {row.id: row for row in rows}
