"""Reading an organisation's request for the API: its establishments and documents, a page
per organisation for many organisations at once (`tenants.pagination.pages_by_parent`), and
the kinds of documents each has."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.organisations import Establishment, OrganisationDocument
from tenants.pagination import Page, PageKey, pages_by_parent


async def establishment_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by organisation: its establishments, the head office among them."""
    return await pages_by_parent(
        session, keys, Establishment.organisation_id, lambda _: select(Establishment)
    )


async def document_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by organisation: the documents of its request."""
    return await pages_by_parent(
        session,
        keys,
        OrganisationDocument.organisation_id,
        lambda _: select(OrganisationDocument),
    )


async def document_kinds(
    session: AsyncSession, organisations: Sequence[uuid.UUID]
) -> list[set[str]]:
    """The kinds of documents each organisation has sent."""
    rows = await session.execute(
        select(OrganisationDocument.organisation_id, OrganisationDocument.kind)
        .where(OrganisationDocument.organisation_id.in_(organisations))
        .distinct()
    )
    kinds: dict[uuid.UUID, set[str]] = {o: set() for o in organisations}
    for organisation, kind in rows:
        kinds[organisation].add(kind)
    return [kinds[o] for o in organisations]
