"""Reading dossiers for the API: a page of each parent's rows in one batch (whatever the
number of parents), as `dossiers.title.issuing.title_pages` does. The caller has asked the
policy."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dossiers.dossier.models import Dossier, DossierDocument, DossierEvent
from tenants.pagination import Page, PageKey, pages_by_parent


async def person_dossier_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by person: the dossiers filed for them, newest first."""
    return await pages_by_parent(
        session, keys, Dossier.applicant_person_id, lambda _: select(Dossier)
    )


async def document_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by dossier: its documents, newest first."""
    return await pages_by_parent(
        session, keys, DossierDocument.dossier_id, lambda _: select(DossierDocument)
    )


async def event_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by dossier: its events, newest first."""
    return await pages_by_parent(
        session, keys, DossierEvent.dossier_id, lambda _: select(DossierEvent)
    )


async def held_documents(
    session: AsyncSession, dossier_ids: Sequence[uuid.UUID]
) -> list[list[str]]:
    """For each dossier, the requirement codes of the documents it holds (one statement)."""
    rows = await session.execute(
        select(DossierDocument.dossier_id, DossierDocument.requirement).where(
            DossierDocument.dossier_id.in_(list(set(dossier_ids)))
        )
    )
    found: dict[uuid.UUID, list[str]] = {}
    for dossier_id, code in rows:
        found.setdefault(dossier_id, []).append(code)
    return [found.get(i, []) for i in dossier_ids]
