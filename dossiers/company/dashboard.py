"""The company-space dashboard: an organisation's employees with their title's status and
colour, filtered by label, establishment and colour, with totals per colour; and the same
list as CSV text (the export, which `dossiers.company.employee_csv` imports back).

Two statements whatever the page size: the totals (one GROUP BY on the colour, computed in SQL
from the clock's date so it can be filtered and counted) and the page (keyset on
`(created_at, id)` descending, one row more to know whether there is a next page). Each employee
row keeps the state of the title it matches (same number, same family name: see
`dossiers.company.employees.match_titles` and `dossiers.title.numbers.follow`), so colours are
counted and filtered from the rows alone; the page joins each row's title by its key.
"""

from __future__ import annotations

import csv
import functools
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    Date,
    Integer,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from dossiers.company.errors import CompanyCode
from dossiers.company.models import Employee, EmployeeLabel, Label
from dossiers.title.models import TITLE_VIEW_FIELDS, Colour, Title, TitleView
from dossiers.title.numbers import (
    colour_case_between,
    effective_status,
    employee_colour_sql,
    renewal_limit,
)
from tenants.errors import DomainError
from tenants.json_rows import instant_value, json_tuples, tuples_of, uuid_value
from tenants.models import UTCDateTime
from tenants.organisations import Establishment
from tenants.pagination import Page, check_first, decode_cursor, encode_cursor
from tenants.session import tenant_of

MAX_FILTER_IDS = 100
MAX_EXPORT = 20_000
LABEL_SEPARATOR = "|"
EXPORT_HEADERS = (  # `dossiers.company.employee_csv` imports files with these headers too
    "nom",
    "prénoms",
    "numéro de titre",
    "siret établissement",
    "libellés",
    "courriel",
    "statut",
    "couleur",
    "échéance",
)


@dataclass(frozen=True)
class DashboardFilter:
    label_ids: Sequence[uuid.UUID] = ()  # employees carrying any of these labels
    establishment_id: uuid.UUID | None = None
    colours: Sequence[Colour] = ()  # any of these colours; empty: all


@dataclass(frozen=True, slots=True)
class EmployeeView:
    """An employee row as the dashboard reads it (Core columns, immutable)."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    establishment_id: uuid.UUID | None
    family_name: str
    given_names: str | None
    title_number: str | None
    email: str | None
    person_id: uuid.UUID | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LabelView:
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    created_at: datetime


@dataclass(frozen=True)
class DashboardRow:
    employee: EmployeeView
    title: TitleView | None
    colour: Colour
    labels: tuple[LabelView, ...] = ()  # by name; empty when not read
    establishment: Establishment | None = None  # transient (not in a session), when read


@dataclass(frozen=True)
class Dashboard:
    page: Page[DashboardRow]
    totals: dict[Colour, int]  # per colour, under the label and establishment filters


Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")


def filtered(query: Q, organisation_id: uuid.UUID, filters: DashboardFilter) -> Q:
    query = query.where(Employee.organisation_id == organisation_id)
    if filters.establishment_id is not None:
        query = query.where(Employee.establishment_id == filters.establishment_id)
    if filters.label_ids:
        labelled = select(EmployeeLabel.employee_id).where(
            EmployeeLabel.label_id.in_(list(filters.label_ids))
        )
        query = query.where(Employee.id.in_(labelled))
    return query


async def totals(
    session: AsyncSession, organisation_id: uuid.UUID, filters: DashboardFilter, today: date
) -> dict[Colour, int]:
    """One GROUP BY over the organisation's rows alone: each row keeps its title's state
    (`dossiers.title.numbers.follow`), so the size of the register does not matter."""
    colour = employee_colour_sql(today)
    query = select(colour.label("colour"), func.count()).select_from(Employee)
    rows = await session.execute(filtered(query, organisation_id, filters).group_by(colour))
    found = {Colour(value): int(count) for value, count in rows}
    return {c: found.get(c, 0) for c in Colour}


_EMPLOYEE = tuple(EmployeeView.__dataclass_fields__)
_ESTABLISHMENT = (
    "id",
    "organisation_id",
    "siret",
    "name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "head_office",
    "created_at",
)


@dataclass(frozen=True)
class _Shape:
    """What changes a dashboard statement's text; values are its bound parameters."""

    labels: bool
    establishments: bool
    by_establishment: bool
    by_label: bool
    by_colour: bool
    after: bool


@functools.cache
def _statement(shape: _Shape) -> Select[Any]:
    """The dashboard's one statement for a shape, built once per process: building an SQL
    expression of this size costs more than running it (and SQLAlchemy's compiled cache keys
    on the built object)."""
    colour = colour_case_between(
        bindparam("today", type_=Date),
        bindparam("renewal_limit", type_=Date),
        Employee.title_id,
        Employee.title_status,
        Employee.title_expires_on,
    )

    tenant: BindParameter[str] = bindparam("tenant", type_=String())  # Core: named here

    def filtered_by_parameters(query: Q) -> Q:
        query = query.where(
            Employee.tenant_id == tenant, Employee.organisation_id == bindparam("organisation_id")
        )
        if shape.by_establishment:
            query = query.where(Employee.establishment_id == bindparam("establishment_id"))
        if shape.by_label:
            labelled = select(EmployeeLabel.employee_id).where(
                EmployeeLabel.tenant_id == tenant,
                EmployeeLabel.label_id.in_(bindparam("label_ids", expanding=True)),
            )
            query = query.where(Employee.id.in_(labelled))
        return query

    counts = filtered_by_parameters(
        select(
            *(func.count().filter(colour == c.value).label(f"n_{c.value}") for c in Colour)
        ).select_from(Employee)
    ).subquery("totals")
    columns: list[Any] = [getattr(Employee, n).label(f"e_{n}") for n in _EMPLOYEE]
    columns += [getattr(Title, n).label(f"t_{n}") for n in TITLE_VIEW_FIELDS]
    columns.append(colour.label("colour"))
    if shape.labels:
        columns.append(
            select(json_tuples(Label.id, Label.name, Label.created_at))
            .select_from(EmployeeLabel)
            .join(Label, and_(Label.id == EmployeeLabel.label_id, Label.tenant_id == tenant))
            .where(EmployeeLabel.employee_id == Employee.id, EmployeeLabel.tenant_id == tenant)
            .scalar_subquery()
            .label("labels")
        )
    if shape.establishments:
        columns += [getattr(Establishment, n).label(f"s_{n}") for n in _ESTABLISHMENT]
    page = filtered_by_parameters(
        select(*columns)
        .select_from(Employee)
        .outerjoin(Title, and_(Title.id == Employee.title_id, Title.tenant_id == tenant))
    )
    if shape.establishments:
        page = page.outerjoin(
            Establishment,
            and_(Establishment.id == Employee.establishment_id, Establishment.tenant_id == tenant),
        )
    if shape.by_colour:
        page = page.where(colour.in_(bindparam("colours", expanding=True)))
    if shape.after:
        at, id_ = bindparam("after_at", type_=UTCDateTime()), bindparam("after_id", type_=Uuid())
        page = page.where(
            or_(Employee.created_at < at, and_(Employee.created_at == at, Employee.id < id_))
        )
    paged = (
        page.order_by(Employee.created_at.desc(), Employee.id.desc())
        .limit(bindparam("size", type_=Integer))
        .subquery("p")
    )
    return (
        select(counts, paged)
        .select_from(counts.outerjoin(paged, true()))
        .order_by(paged.c.e_created_at.desc(), paged.c.e_id.desc())
    )


async def dashboard(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    filters: DashboardFilter,
    today: date,
    first: int | None,
    after: str | None,
    *,
    labels: bool = True,
    establishments: bool = True,
) -> Dashboard:
    """One statement: the totals per colour (one row) left-joined to the page (keyset on
    `(created_at, id)` descending, one row more to know whether there is a next page), each
    row with its title, colour (computed in SQL), labels (a JSON aggregate) and establishment
    — the last two only when asked. Rows are Core rows turned into immutable views (no ORM
    object, no identity map)."""
    size = check_first(first)
    shape = _Shape(
        labels=labels,
        establishments=establishments,
        by_establishment=filters.establishment_id is not None,
        by_label=bool(filters.label_ids),
        by_colour=bool(filters.colours),
        after=bool(after),
    )
    values: dict[str, Any] = {
        "tenant": tenant_of(session),
        "organisation_id": organisation_id,
        "today": today,
        "renewal_limit": renewal_limit(today),
        "size": size + 1,
    }
    if shape.by_establishment:
        values["establishment_id"] = filters.establishment_id
    if shape.by_label:
        values["label_ids"] = list(filters.label_ids)
    if shape.by_colour:
        values["colours"] = [c.value for c in filters.colours]
    if after:
        values["after_at"], values["after_id"] = decode_cursor(after)
    connection = await session.connection()  # Core: no ORM compilation, no identity map
    result = (await connection.execute(_statement(shape), values)).all()
    first_row = result[0] if result else None
    counted = {
        c: int(getattr(first_row, f"n_{c.value}") or 0) if first_row is not None else 0
        for c in Colour
    }
    sites: dict[uuid.UUID, Establishment] = {}
    known: dict[tuple[Any, ...], LabelView] = {}  # a page's labels repeat: each read once
    rows = [
        _dashboard_row(row, sites, known, labels, establishments)
        for row in result
        if row.e_id is not None
    ]
    wanted = set(filters.colours) or set(Colour)
    return Dashboard(
        page=Page(
            items=[(encode_cursor(r.employee.created_at, r.employee.id), r) for r in rows[:size]],
            has_next=len(rows) > size,
            has_previous=after is not None,
            total_count=sum(n for c, n in counted.items() if c in wanted),
        ),
        totals=counted,
    )


# Positions in a dashboard row: the three totals, the employee, the title, the colour, then
# the labels and the establishment when read (`_statement`'s column order).
_E = slice(3, 3 + len(_EMPLOYEE))
_T = slice(_E.stop, _E.stop + len(TITLE_VIEW_FIELDS))
_COLOUR = _T.stop
_COLOURS = {c.value: c for c in Colour}


def _label(
    known: dict[tuple[Any, ...], LabelView], organisation_id: uuid.UUID, item: list[Any]
) -> LabelView:
    key = (organisation_id, *item)
    label = known.get(key)
    if label is None:
        id_, name, when = item
        label = LabelView(uuid_value(id_), organisation_id, name, instant_value(when))
        known[key] = label
    return label


def _dashboard_row(
    row: Any,
    sites: dict[uuid.UUID, Establishment],
    known: dict[tuple[Any, ...], LabelView],
    labels: bool,
    establishments: bool,
) -> DashboardRow:
    employee = EmployeeView(*row[_E])
    title = TitleView(*row[_T]) if row[_T.start] is not None else None
    at = _COLOUR + 1
    found: tuple[LabelView, ...] = ()
    if labels:
        organisation = employee.organisation_id
        found = tuple(
            sorted(
                (_label(known, organisation, item) for item in tuples_of(row[at])),
                key=lambda label: (label.name, label.id),
            )
        )
        at += 1
    site = None
    if establishments and row[at] is not None:
        site = sites.get(row[at])
        if site is None:
            site = Establishment(**dict(zip(_ESTABLISHMENT, row[at:], strict=False)))
            sites[site.id] = site
    return DashboardRow(employee, title, _COLOURS[row[_COLOUR]], found, site)


async def labels_by_employee(
    session: AsyncSession, employee_ids: Sequence[uuid.UUID]
) -> list[list[Label]]:
    """The labels of each employee, by name (one statement for the whole batch)."""
    rows = await session.execute(
        select(EmployeeLabel.employee_id, Label)
        .join(Label, Label.id == EmployeeLabel.label_id)
        .where(EmployeeLabel.employee_id.in_(list(employee_ids)))
        .order_by(Label.name)
    )
    found: dict[uuid.UUID, list[Label]] = {}
    for employee_id, label in rows:
        found.setdefault(employee_id, []).append(label)
    return [found.get(i, []) for i in employee_ids]


async def employee_counts(session: AsyncSession, label_ids: Sequence[uuid.UUID]) -> list[int]:
    rows = await session.execute(
        select(EmployeeLabel.label_id, func.count())
        .where(EmployeeLabel.label_id.in_(list(label_ids)))
        .group_by(EmployeeLabel.label_id)
    )
    found = {label_id: int(count) for label_id, count in rows}
    return [found.get(i, 0) for i in label_ids]


async def titles_by_number(session: AsyncSession, numbers: Sequence[str]) -> list[Title | None]:
    rows = await session.scalars(select(Title).where(Title.number.in_(list(set(numbers)))))
    found = {row.number: row for row in rows}
    return [found.get(n) for n in numbers]


# --- CSV export ---------------------------------------------------------------------------------


async def export_employees(
    session: AsyncSession, organisation_id: uuid.UUID, filters: DashboardFilter, today: date
) -> str:
    """The list as CSV text (`;`, French headers), sorted by name; three statements."""
    colour = employee_colour_sql(today)
    query = filtered(
        select(Employee, Title, colour).outerjoin(Title, Title.id == Employee.title_id),
        organisation_id,
        filters,
    )
    if filters.colours:
        query = query.where(colour.in_([c.value for c in filters.colours]))
    query = query.order_by(
        func.lower(Employee.family_name), Employee.given_names, Employee.id
    ).limit(MAX_EXPORT + 1)
    rows = (await session.execute(query)).all()
    if len(rows) > MAX_EXPORT:
        raise DomainError.one(
            CompanyCode.CSV_TOO_LARGE, ("csv",), max_rows=MAX_EXPORT, max_bytes="-"
        )
    names: dict[uuid.UUID, list[str]] = {}
    labelled = await session.execute(
        select(EmployeeLabel.employee_id, Label.name)
        .join(Label, Label.id == EmployeeLabel.label_id)
        .where(Label.organisation_id == organisation_id)
        .order_by(Label.name)
    )
    for employee_id, name in labelled:
        names.setdefault(employee_id, []).append(name)
    sirets = dict(
        (
            await session.execute(
                select(Establishment.id, Establishment.siret).where(
                    Establishment.organisation_id == organisation_id
                )
            )
        ).all()
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    for employee, title, value in rows:
        writer.writerow(
            _safe(cell)
            for cell in (
                employee.family_name,
                employee.given_names or "",
                employee.title_number or "",
                sirets.get(employee.establishment_id, "") if employee.establishment_id else "",
                LABEL_SEPARATOR.join(names.get(employee.id, [])),
                employee.email or "",
                effective_status(title, today).value if title else "UNKNOWN",
                Colour(value).value,
                title.expires_on.isoformat() if title else "",
            )
        )
    return out.getvalue()


def _safe(cell: str) -> str:
    """No cell a spreadsheet would run as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
