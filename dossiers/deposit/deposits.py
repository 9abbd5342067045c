"""Depositing activity reports (seed 004, CAMSP / CMPP: "Votre rapport d'activité quantitatif
sous format Excel, votre rapport d'activité qualitatif sous format Word ou PDF"), for a
structure and the year the report covers; the documents of a structure (Documents), the
trash (Corbeille: delete moves there, restore brings back, purged after 30 days).

Who: the accounts holding a profile of the pack's deposit application on the structure
(`Action.DEPOSIT_DOCUMENTS`, capacity HABILITATED); they see every document of the
structure, whoever deposited it; nobody else sees any.

Files: content checked, not trusted by name — an Excel workbook or a Word document is an
OOXML package of that type (a macro-enabled .xlsm/.docm is refused), a PDF starts with its
signature; size limited (the organisation documents' limit); stored by content key.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import Actor, ServiceContext
from auth.habilitation.structures import finess_or_error
from auth.permit import signed_in
from auth.policy import Action, Decision, Resource, decide, require_offered
from dossiers.deposit.errors import DepositCode as D
from dossiers.deposit.models import Deposit, ReportKind
from tenants.clock import Clock
from tenants.errors import CommonCode, DomainError, FieldError
from tenants.files import (
    CheckedFile,
    FileProblem,
    Files,
    FileType,
    Refused,
    Upload,
    read_checked,
    store_checked,
)
from tenants.packs.base import TenantPack
from tenants.pagination import Page, PageKey, pages_by_parent
from tenants.session import open_session
from tenants.structures import Structure

TRASH_KEPT = timedelta(days=30)
FIRST_YEAR = 2000
ACCEPTED: dict[ReportKind, frozenset[FileType]] = {
    ReportKind.QUANTITATIVE: frozenset({FileType.XLSX}),
    ReportKind.QUALITATIVE: frozenset({FileType.DOCX, FileType.PDF}),
}
FORMATS = {
    ReportKind.QUANTITATIVE: ("Excel (.xlsx)", "Excel (.xlsx)"),
    ReportKind.QUALITATIVE: ("Word (.docx) ou PDF", "Word (.docx) or PDF"),
}
_PROBLEMS = {
    FileProblem.EMPTY: D.REPORT_FILE_EMPTY,
    FileProblem.TOO_LARGE: D.REPORT_FILE_TOO_LARGE,
    FileProblem.TYPE_NOT_ACCEPTED: D.REPORT_FORMAT_NOT_ACCEPTED,
    FileProblem.TYPE_MISMATCH: D.REPORT_FORMAT_MISMATCH,
    FileProblem.MACRO_ENABLED: D.MACRO_ENABLED_DOCUMENT,
}


@dataclass(frozen=True)
class NewDeposit:
    structure_id: uuid.UUID | None
    finess: str | None
    kind: ReportKind
    year: int | None
    file: object  # the upload (anything else is refused)


def structure_resource(pack: TenantPack, structure_id: uuid.UUID) -> Resource:
    return Resource(
        "Structure",
        structure_id,
        tenant=pack.slug,
        application=pack.deposit_application,
        structure_id=structure_id,
    )


def may_see(actor: Actor | None, pack: TenantPack, structure_id: uuid.UUID) -> bool:
    return decide(actor, Action.DEPOSIT_DOCUMENTS, structure_resource(pack, structure_id)).allowed


def deposit_structure_ids(actor: Actor | None, pack: TenantPack) -> list[uuid.UUID]:
    """The structures the actor deposits for (Liste FINESS), from the habilitations loaded
    with the actor: no statement."""
    if actor is None or pack.deposit_application is None:
        return []
    found: dict[uuid.UUID, None] = {}
    for fact in actor.habilitations:
        if fact.application == pack.deposit_application:
            found.update(dict.fromkeys(sorted(fact.structure_ids)))
    return list(found)


async def _structure(
    ctx: ServiceContext, structure_id: uuid.UUID | None, finess: str | None
) -> tuple[Structure, Decision]:
    """The structure named by ID or FINESS, and the decision to deposit for it."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.DEPOSIT_DOCUMENTS)
    structure = None
    field: tuple[str, ...] = ("structureId",)
    if structure_id is not None:
        structure = await ctx.session.get(Structure, structure_id)
    elif finess is not None:
        field = ("finess",)
        number = finess_or_error(finess, field)
        if isinstance(number, FieldError):
            raise DomainError([number])
        structure = await ctx.session.scalar(select(Structure).where(Structure.finess == number))
    else:
        raise DomainError.one(CommonCode.REQUIRED, field)
    if structure is None:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    decision = decide(actor, Action.DEPOSIT_DOCUMENTS, structure_resource(ctx.pack, structure.id))
    return structure, decision.require(field)


def _check_year(year: int | None, today_year: int) -> None:
    if year is None:
        raise DomainError.one(CommonCode.REQUIRED, ("year",))
    if not FIRST_YEAR <= year <= today_year:
        raise DomainError.one(D.INVALID_YEAR, ("year",), min=FIRST_YEAR, max=today_year)


async def _read(files: Files, data: NewDeposit) -> CheckedFile:
    if not isinstance(data.file, Upload):
        raise DomainError.one(CommonCode.REQUIRED, ("file",))
    result = await read_checked(data.file, files.max_bytes, ACCEPTED[data.kind])
    if isinstance(result, Refused):
        fr, en = FORMATS[data.kind]
        raise DomainError.one(
            _PROBLEMS[result.problem], ("file",), formats=fr, formats_en=en, **result.params
        )
    return result


async def deposit(ctx: ServiceContext, files: Files, data: NewDeposit) -> Deposit:
    structure, decision = await _structure(ctx, data.structure_id, data.finess)
    _check_year(data.year, ctx.clock.now().year)
    checked = await _read(files, data)
    key = await store_checked(files.storage, f"{ctx.pack.slug}/deposits", checked)
    row = Deposit(
        id=uuid.uuid4(),
        structure_id=structure.id,
        kind=data.kind,
        year=data.year,
        filename=checked.filename,
        content_type=str(checked.content_type),
        size=checked.size,
        sha256=checked.sha256,
        storage_key=key,
        deposited_by_account_id=decision_actor(ctx),
        created_at=ctx.clock.now(),
    )
    ctx.session.add(row)
    await ctx.session.flush()
    _audit(ctx, AuditAction.DEPOSIT_DOCUMENT, row, structure, decision)
    return row


def decision_actor(ctx: ServiceContext) -> uuid.UUID:
    if ctx.actor is None:  # signed_in() refused anonymous callers
        raise DomainError.one(CommonCode.NOT_FOUND)
    return ctx.actor.account_id


async def _document(ctx: ServiceContext, document_id: uuid.UUID | None) -> tuple[Deposit, Decision]:
    """A document of a structure the actor deposits for, locked; NOT_FOUND otherwise (the
    documents of other structures are not theirs to know of)."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.DEPOSIT_DOCUMENTS)
    row = None
    if document_id is not None:
        row = await ctx.session.scalar(
            select(Deposit).where(Deposit.id == document_id).with_for_update()
        )
    if row is None:
        raise DomainError.one(CommonCode.NOT_FOUND, ("documentId",))
    decision = decide(
        actor, Action.DEPOSIT_DOCUMENTS, structure_resource(ctx.pack, row.structure_id)
    )
    if not decision.allowed:
        raise DomainError.one(CommonCode.NOT_FOUND, ("documentId",))
    return row, decision


async def trash(ctx: ServiceContext, document_id: uuid.UUID | None) -> Deposit:
    row, decision = await _document(ctx, document_id)
    if row.trashed_at is not None:
        raise DomainError.one(D.DOCUMENT_IN_TRASH, ("documentId",))
    row.trashed_at = ctx.clock.now()
    row.trashed_by_account_id = decision_actor(ctx)
    _audit(ctx, AuditAction.TRASH_DOCUMENT, row, None, decision)
    return row


async def restore(ctx: ServiceContext, document_id: uuid.UUID | None) -> Deposit:
    row, decision = await _document(ctx, document_id)
    if row.trashed_at is None:
        raise DomainError.one(D.DOCUMENT_NOT_IN_TRASH, ("documentId",))
    row.trashed_at = None
    row.trashed_by_account_id = None
    _audit(ctx, AuditAction.RESTORE_DOCUMENT, row, None, decision)
    return row


def _audit(
    ctx: ServiceContext,
    action: AuditAction,
    row: Deposit,
    structure: Structure | None,
    decision: Decision,
) -> None:
    details: dict[str, object] = {
        "kind": row.kind,
        "year": row.year,
        "structure": str(row.structure_id),
    }
    if structure is not None:
        details["finess"] = structure.finess
    trail.record(
        ctx, action, subject_type="Deposit", subject_id=row.id, decision=decision, details=details
    )


async def deposit_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Deposit]]:
    """Pages of documents of many structures (two statements per set of arguments):
    filters are (in the trash?, year or None)."""

    def rows_for(filters: tuple[Any, ...]) -> Select[Any]:
        in_trash, year = filters
        query = select(Deposit).where(
            Deposit.trashed_at.is_not(None) if in_trash else Deposit.trashed_at.is_(None)
        )
        if year is not None:
            query = query.where(Deposit.year == year)
        return query

    return await pages_by_parent(session, keys, Deposit.structure_id, rows_for)


async def purge_trash(
    sessions: async_sessionmaker[AsyncSession],
    packs: Iterable[TenantPack],
    clock: Clock,
    files: Files,
) -> int:
    """Erase the documents in the trash for more than 30 days, and their files when no
    other document has the same content. The number erased."""
    erased = 0
    limit: datetime = clock.now() - TRASH_KEPT
    for pack in packs:
        if pack.deposit_application is None:
            continue
        async with open_session(sessions, pack.slug) as session:
            old = list(
                (
                    await session.execute(
                        select(Deposit.id, Deposit.storage_key).where(
                            Deposit.trashed_at.is_not(None), Deposit.trashed_at < limit
                        )
                    )
                ).all()
            )
            if not old:
                continue
            ids = [id_ for id_, _key in old]
            await session.execute(delete(Deposit).where(Deposit.id.in_(ids)))
            keys = {key for _id, key in old}
            still = set(
                await session.scalars(
                    select(Deposit.storage_key).where(Deposit.storage_key.in_(keys))
                )
            )
            await session.commit()
            for key in keys - still:
                await files.storage.delete(key)
            erased += len(ids)
    return erased
