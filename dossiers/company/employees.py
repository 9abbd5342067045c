"""The company space (DOMAIN.md "Company space", seed 000 "Espace entreprise"): the lists of
employees an organisation follows (the labels that group them: `dossiers.company.labels`).

A row is identified as the 2014 company space did: the holder's family name and their title
number. When a title with that number exists and its holder's family name matches (case and
accents aside), the row takes the authority's spelling of the name, and is linked to the
holder's person; the dashboard then joins the title on number and exact name, so a wrong name
shows as an unknown title (red), as public verification would answer.

Everything here is policy action MANAGE_EMPLOYEES on the organisation: its administrator, or
a manager the administrator granted that permission.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from auth.account.errors import AuthCode
from auth.account.identity_fields import Collector, normalise_email
from auth.audit import trail
from auth.context import ServiceContext
from auth.policy import Action, Decision, decide, organisation_resource, require_standing
from dossiers.company.errors import CompanyCode
from dossiers.company.models import Employee, EmployeeLabel, Label
from dossiers.title.errors import TitleCode
from dossiers.title.models import Title
from dossiers.title.numbers import clean_number, fold_name, follow, parse_number
from tenants.errors import CommonCode, DomainError
from tenants.organisations import Establishment, Organisation

MAX_LABELS = 100  # per organisation: an employee's labels are a plain list
MAX_IDS = 500  # employees per assign / unassign call
MAX_NAME = 100
MAX_GIVEN_NAMES = 150


async def managed_organisation(
    ctx: ServiceContext, organisation_id: uuid.UUID | None, field: tuple[str, ...]
) -> tuple[Organisation, Decision]:
    """The organisation whose employees the actor manages. Unknown, of another tenant, or not
    the actor's to see: NOT_FOUND on `field`; seen but not managed (a manager without the
    permission, a pending organisation): the policy's refusal."""
    actor = require_standing(ctx.actor, Action.MANAGE_EMPLOYEES)  # told why, not NOT_FOUND
    organisation = (
        await ctx.session.scalar(select(Organisation).where(Organisation.id == organisation_id))
        if organisation_id
        else None
    )
    if organisation is None:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    resource = organisation_resource(organisation)
    decision = decide(actor, Action.MANAGE_EMPLOYEES, resource)
    if decision.allowed:
        return organisation, decision
    member = actor.membership(organisation.id) is not None
    if member or decide(actor, Action.VIEW_ORGANISATION, resource).allowed:
        decision.require()
    raise DomainError.one(CommonCode.NOT_FOUND, field)


# --- employees --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEmployee:
    family_name: str | None
    title_number: str | None
    given_names: str | None = None
    establishment_id: uuid.UUID | None = None
    email: str | None = None
    label_ids: Sequence[uuid.UUID | None] = field(default_factory=tuple)


async def add_employee(
    ctx: ServiceContext, organisation_id: uuid.UUID | None, data: NewEmployee
) -> Employee:
    organisation, decision = await managed_organisation(ctx, organisation_id, ("organisationId",))
    check = Collector([])
    family_name = check.text(data.family_name, ("familyName",), True, MAX_NAME)
    given_names = check.text(data.given_names, ("givenNames",), False, MAX_GIVEN_NAMES)
    number = clean_number(data.title_number)
    if number is None:
        check.add(CommonCode.REQUIRED, ("titleNumber",))
    elif parse_number(number) is None:
        check.add(TitleCode.INVALID_TITLE_NUMBER, ("titleNumber",))
    elif await listed(ctx, organisation.id, number):
        check.add(CompanyCode.EMPLOYEE_ALREADY_LISTED, ("titleNumber",))
    email = _email(data.email, check)
    await check_establishment(ctx, organisation.id, data.establishment_id, check)
    labels = await labels_of(ctx, organisation.id, data.label_ids, ("labelIds",), check)
    if check.errors:
        raise DomainError(check.errors)
    assert family_name is not None and number is not None  # noqa: S101
    employee = Employee(
        organisation_id=organisation.id,
        establishment_id=data.establishment_id,
        family_name=family_name,
        given_names=given_names,
        title_number=number,
        email=email,
        added_by_account_id=ctx.actor.account_id if ctx.actor else None,
        created_at=ctx.clock.now(),
    )
    match_titles([employee], await titles_by_number(ctx, [number]))
    await insert_employees(ctx, [employee], ("titleNumber",))
    for label in labels:
        ctx.session.add(EmployeeLabel(employee_id=employee.id, label_id=label.id))
    trail.record(
        ctx,
        "ADD_EMPLOYEE",
        subject_type="Employee",
        subject_id=employee.id,
        decision=decision,
        organisation_id=organisation.id,
        details={"title_number": number, "linked": employee.person_id is not None},
    )
    return employee


async def remove_employee(ctx: ServiceContext, employee_id: uuid.UUID | None) -> uuid.UUID:
    employee, decision = await managed_employee(ctx, employee_id, ("employeeId",))
    await ctx.session.execute(delete(Employee).where(Employee.id == employee.id))
    trail.record(
        ctx,
        "REMOVE_EMPLOYEE",
        subject_type="Employee",
        subject_id=employee.id,
        decision=decision,
        organisation_id=employee.organisation_id,
        details={"title_number": employee.title_number},
    )
    return employee.id


async def managed_employee(
    ctx: ServiceContext, employee_id: uuid.UUID | None, field: tuple[str, ...]
) -> tuple[Employee, Decision]:
    employee = (
        await ctx.session.scalar(select(Employee).where(Employee.id == employee_id))
        if employee_id
        else None
    )
    _, decision = await managed_organisation(
        ctx, employee.organisation_id if employee else None, field
    )
    assert employee is not None  # noqa: S101 - managed_organisation refused a missing one
    return employee, decision


def _email(value: str | None, check: Collector) -> str | None:
    if value is None or not value.strip():
        return None
    email = normalise_email(value)
    if email is None:
        check.add(AuthCode.INVALID_EMAIL, ("email",))
    return email


async def listed(ctx: ServiceContext, organisation_id: uuid.UUID, number: str) -> bool:
    found = await ctx.session.scalar(
        select(Employee.id).where(
            Employee.organisation_id == organisation_id, Employee.title_number == number
        )
    )
    return found is not None


async def check_establishment(
    ctx: ServiceContext,
    organisation_id: uuid.UUID,
    establishment_id: uuid.UUID | None,
    check: Collector,
) -> None:
    """An establishment of this organisation; another's is as unknown as a missing one."""
    if establishment_id is None:
        return
    found = await ctx.session.scalar(
        select(Establishment.id).where(
            Establishment.id == establishment_id, Establishment.organisation_id == organisation_id
        )
    )
    if found is None:
        check.add(CommonCode.NOT_FOUND, ("establishmentId",))


async def titles_by_number(ctx: ServiceContext, numbers: Sequence[str]) -> dict[str, Title]:
    found: dict[str, Title] = {}
    unique = sorted(set(numbers))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = await ctx.session.scalars(select(Title).where(Title.number.in_(chunk)))
        found.update({row.number: row for row in rows})
    return found


def match_titles(employees: Sequence[Employee], titles: dict[str, Title]) -> None:
    """Rows whose title exists under the same name take the authority's spelling (so the
    dashboard's exact join finds it), the holder's given names if none were given, and the
    link to the holder's person."""
    for employee in employees:
        title = titles.get(employee.title_number or "")
        if title is None or fold_name(title.holder_family_name) != fold_name(employee.family_name):
            follow(employee, None)
            continue
        follow(employee, title)
        employee.family_name = title.holder_family_name
        employee.given_names = employee.given_names or title.holder_given_names
        employee.person_id = employee.person_id or title.holder_person_id


async def insert_employees(
    ctx: ServiceContext, employees: Sequence[Employee], field: tuple[str, ...]
) -> None:
    ctx.session.add_all(employees)
    try:
        await ctx.session.flush()
    except IntegrityError:  # added meanwhile by someone else: the transaction is rolled back
        raise DomainError.one(CompanyCode.EMPLOYEE_ALREADY_LISTED, field) from None


async def labels_of(
    ctx: ServiceContext,
    organisation_id: uuid.UUID,
    ids: Sequence[uuid.UUID | None],
    field: tuple[str, ...],
    check: Collector,
) -> list[Label]:
    """The organisation's labels with these IDs; NOT_FOUND at each position that is not one."""
    wanted = [i for i in ids if i is not None]
    rows = (
        (
            await ctx.session.scalars(
                select(Label).where(Label.id.in_(wanted), Label.organisation_id == organisation_id)
            )
        ).all()
        if wanted
        else []
    )
    found = {row.id: row for row in rows}
    chosen: dict[uuid.UUID, Label] = {}
    for position, id_ in enumerate(ids):
        if id_ is None or id_ not in found:
            check.add(CommonCode.NOT_FOUND, (*field, str(position)))
        else:
            chosen[id_] = found[id_]
    return list(chosen.values())
