"""Labels of the company space ("Gérer libellés", seed 000): names an organisation gives to
groups of its employees (per establishment, per client site…); create, rename, delete,
assign and unassign. Policy action MANAGE_EMPLOYEES on the organisation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth.account.identity_fields import Collector
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.permit import permit
from auth.policy import Action
from dossiers.company.employees import MAX_IDS, MAX_LABELS, MAX_NAME, managed_organisation
from dossiers.company.errors import CompanyCode
from dossiers.company.models import Employee, EmployeeLabel, Label
from dossiers.title.numbers import fold_name
from tenants.errors import CommonCode, DomainError
from tenants.pagination import Page, PageKey, pages_by_parent


async def create_label(
    ctx: ServiceContext, organisation_id: uuid.UUID | None, name: str | None
) -> Label:
    allowed = await managed_organisation(ctx, organisation_id)
    organisation, decision = allowed.row, allowed.decision
    cleaned = await _label_name(ctx, organisation.id, name, None)
    count = await ctx.session.scalar(
        select(func.count()).select_from(Label).where(Label.organisation_id == organisation.id)
    )
    if (count or 0) >= MAX_LABELS:
        raise DomainError.one(CompanyCode.LABEL_LIMIT_REACHED, ("name",), max=MAX_LABELS)
    label = Label(organisation_id=organisation.id, name=cleaned, created_at=ctx.clock.now())
    ctx.session.add(label)
    await _flush_label(ctx)
    trail.record(
        ctx,
        AuditAction.CREATE_LABEL,
        subject_type="Label",
        subject_id=label.id,
        decision=decision,
        organisation_id=organisation.id,
        details={"name": cleaned},
    )
    return label


async def rename_label(ctx: ServiceContext, label_id: uuid.UUID | None, name: str | None) -> Label:
    allowed = await permit(ctx, Label, label_id, Action.MANAGE_EMPLOYEES, ("labelId",))
    label, decision = allowed.row, allowed.decision
    cleaned = await _label_name(ctx, label.organisation_id, name, label.id)
    previous, label.name = label.name, cleaned
    await _flush_label(ctx)
    trail.record(
        ctx,
        AuditAction.RENAME_LABEL,
        subject_type="Label",
        subject_id=label.id,
        decision=decision,
        organisation_id=label.organisation_id,
        details={"from": previous, "to": cleaned},
    )
    return label


async def delete_label(ctx: ServiceContext, label_id: uuid.UUID | None) -> uuid.UUID:
    """The label goes; the employees it grouped stay."""
    allowed = await permit(ctx, Label, label_id, Action.MANAGE_EMPLOYEES, ("labelId",))
    label, decision = allowed.row, allowed.decision
    await ctx.session.execute(delete(EmployeeLabel).where(EmployeeLabel.label_id == label.id))
    await ctx.session.execute(delete(Label).where(Label.id == label.id))
    trail.record(
        ctx,
        AuditAction.DELETE_LABEL,
        subject_type="Label",
        subject_id=label.id,
        decision=decision,
        organisation_id=label.organisation_id,
        details={"name": label.name},
    )
    return label.id


async def assign_label(
    ctx: ServiceContext,
    label_id: uuid.UUID | None,
    employee_ids: Sequence[uuid.UUID | None],
    *,
    assign: bool = True,
) -> tuple[Label, int]:
    """Put the label on these employees (or take it off); returns how many rows changed.
    Already assigned (or absent) ones are no error: the call can be repeated."""
    allowed = await permit(ctx, Label, label_id, Action.MANAGE_EMPLOYEES, ("labelId",))
    label, decision = allowed.row, allowed.decision
    if len(employee_ids) > MAX_IDS:
        raise DomainError.one(CommonCode.TOO_MANY_IDS, ("employeeIds",), max=MAX_IDS)
    check = Collector([])
    if not employee_ids:
        check.add(CommonCode.REQUIRED, ("employeeIds",))
    wanted = {i for i in employee_ids if i is not None}
    found = set(
        (
            await ctx.session.scalars(
                select(Employee.id).where(
                    Employee.id.in_(wanted), Employee.organisation_id == label.organisation_id
                )
            )
        ).all()
        if wanted
        else []
    )
    for position, id_ in enumerate(employee_ids):
        if id_ not in found:
            check.add(CommonCode.NOT_FOUND, ("employeeIds", str(position)))
    if check.errors:
        raise DomainError(check.errors)
    current = set(
        (
            await ctx.session.scalars(
                select(EmployeeLabel.employee_id).where(
                    EmployeeLabel.label_id == label.id, EmployeeLabel.employee_id.in_(found)
                )
            )
        ).all()
    )
    if assign:
        changed = sorted(found - current)
        ctx.session.add_all(EmployeeLabel(employee_id=i, label_id=label.id) for i in changed)
    else:
        changed = sorted(current)
        if changed:
            await ctx.session.execute(
                delete(EmployeeLabel).where(
                    EmployeeLabel.label_id == label.id, EmployeeLabel.employee_id.in_(changed)
                )
            )
    await ctx.session.flush()
    trail.record(
        ctx,
        AuditAction.ASSIGN_LABEL if assign else AuditAction.UNASSIGN_LABEL,
        subject_type="Label",
        subject_id=label.id,
        decision=decision,
        organisation_id=label.organisation_id,
        details={"employees": len(changed)},
    )
    return label, len(changed)


async def _label_name(
    ctx: ServiceContext, organisation_id: uuid.UUID, name: str | None, own: uuid.UUID | None
) -> str:
    check = Collector([])
    cleaned = check.text(name, ("name",), True, MAX_NAME)
    if check.errors or cleaned is None:
        raise DomainError(check.errors)
    names = await ctx.session.execute(
        select(Label.id, Label.name).where(Label.organisation_id == organisation_id)
    )
    if any(id_ != own and fold_name(other) == fold_name(cleaned) for id_, other in names):
        raise DomainError.one(CompanyCode.LABEL_NAME_TAKEN, ("name",))
    return cleaned


async def _flush_label(ctx: ServiceContext) -> None:
    try:
        await ctx.session.flush()
    except IntegrityError:
        raise DomainError.one(CompanyCode.LABEL_NAME_TAKEN, ("name",)) from None


async def label_pages(session: AsyncSession, keys: Sequence[PageKey]) -> list[Page[Any]]:
    """Keyed by organisation: its labels, newest first."""
    return await pages_by_parent(session, keys, Label.organisation_id, lambda _: select(Label))
