"""An organisation opens the account of its employee or trainee (docs/DOMAIN.md "Accounts and
onboarding", seed 000 "Espace entreprise"): the person receives an identifier and a temporary
password by e-mail, must change it at first sign-in, then confirms their address. The new
person is added to the organisation's list of employees at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from auth.account.identity_fields import Collector
from auth.account.provisioning import NewPerson, open_account_for
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from dossiers.company.employees import (
    check_establishment,
    insert_employees,
    labels_of,
    listed,
    managed_organisation,
    match_titles,
    titles_by_number,
)
from dossiers.company.errors import CompanyCode
from dossiers.company.models import Employee, EmployeeLabel
from dossiers.title.errors import TitleCode
from dossiers.title.numbers import clean_number, parse_number
from tenants.errors import DomainError


@dataclass(frozen=True)
class NewEmployeeAccount:
    email: str | None
    family_name: str | None
    given_names: str | None
    establishment_id: uuid.UUID | None = None
    title_number: str | None = None  # when the person already holds a title
    label_ids: Sequence[uuid.UUID | None] = field(default_factory=tuple)


async def create_employee_account(
    ctx: ServiceContext, organisation_id: uuid.UUID | None, data: NewEmployeeAccount
) -> Employee:
    allowed = await managed_organisation(ctx, organisation_id)
    organisation, decision = allowed.row, allowed.decision
    check = Collector([])
    number = clean_number(data.title_number)
    if number is not None:
        if parse_number(number) is None:
            check.add(TitleCode.INVALID_TITLE_NUMBER, ("titleNumber",))
        elif await listed(ctx, organisation.id, number):
            check.add(CompanyCode.EMPLOYEE_ALREADY_LISTED, ("titleNumber",))
    await check_establishment(ctx, organisation.id, data.establishment_id, check)
    labels = await labels_of(ctx, organisation.id, data.label_ids, ("labelIds",), check)
    if check.errors:
        raise DomainError(check.errors)
    made = await open_account_for(
        ctx,
        NewPerson(email=data.email, family_name=data.family_name, given_names=data.given_names),
        opened_by=organisation.name,
    )
    person = made.person
    employee = Employee(
        organisation_id=organisation.id,
        establishment_id=data.establishment_id,
        family_name=person.family_name,
        given_names=person.given_names,
        title_number=number,
        email=made.account.email,
        person_id=person.id,
        added_by_account_id=allowed.actor.account_id,
        created_at=ctx.clock.now(),
    )
    if number is not None:
        match_titles([employee], await titles_by_number(ctx, [number]))
    await insert_employees(ctx, [employee], ("titleNumber",))
    for label in labels:
        ctx.session.add(EmployeeLabel(employee_id=employee.id, label_id=label.id))
    trail.record(
        ctx,
        AuditAction.CREATE_EMPLOYEE_ACCOUNT,
        subject_type="Account",
        subject_id=made.account.id,
        decision=decision,
        organisation_id=organisation.id,
        on_behalf_of_person_id=person.id,
        details={"employee": str(employee.id)},
    )
    return employee
