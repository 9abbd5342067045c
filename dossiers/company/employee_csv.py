"""CSV import and export of an organisation's list of employees.

Import: UTF-8 (with or without a byte-order mark), `;` or `,` (or tab) separator detected on
the header line, which names the columns (English or French, case and accents aside):

| column | also accepted | |
|---|---|---|
| `familyName` | nom, nom de famille | required |
| `givenNames` | prénoms, prénom | |
| `titleNumber` | numéro de titre | required, `PFX-DDD-YYYY-MM-DD-NNNNNNNNNNN` |
| `establishmentSiret` | siret établissement, siret | one of the organisation's SIRETs |
| `labels` | libellés, libellé | label names separated by `|`; missing labels are created |
| `email` | courriel, e-mail | |
| `status`, `colour`, `expiresOn` | statut, couleur, échéance | ignored (what the export adds) |

Every line is checked before anything is written; if one is broken, nothing is imported and
each error names its line and column: code `CSV_LINE_…`, field `["input", "csv"]`, and the
parameters `line` and `column_number` as whole numbers (counted from 1, the header being line
1; no column for an error about a whole line or a missing column), which the API gives as
`line` and `column`; the message says them too. At most `MAX_ROWS` lines and `MAX_BYTES` bytes.

Export (`dossiers.company.dashboard.export_employees`): the same columns (French headers, `;`) plus
the title's status, colour and expiry; it imports back.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.account.identity_fields import clean_text, normalise_email
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from dossiers.company.dashboard import EXPORT_HEADERS, LABEL_SEPARATOR
from dossiers.company.employees import (
    MAX_GIVEN_NAMES,
    MAX_LABELS,
    MAX_NAME,
    insert_employees,
    managed_organisation,
    match_titles,
    titles_by_number,
)
from dossiers.company.errors import CompanyCode
from dossiers.company.models import Employee, EmployeeLabel, Label
from dossiers.title.numbers import (
    clean_number,
    fold_name,
    parse_number,
)
from tenants.errors import CommonCode, DomainError, FieldError
from tenants.organisations import Establishment

MAX_ROWS = 5000
MAX_BYTES = 2_000_000
MAX_ERRORS = 100
MAX_EXPORT = 20_000

ALIASES: dict[str, tuple[str, ...]] = {
    "familyName": ("familyName", "family name", "nom", "nom de famille"),
    "givenNames": ("givenNames", "given names", "prénoms", "prénom"),
    "titleNumber": ("titleNumber", "title number", "numéro de titre", "numéro du titre"),
    "establishmentSiret": (
        "establishmentSiret",
        "establishment siret",
        "siret établissement",
        "siret de l'établissement",
        "siret",
    ),
    "labels": ("labels", "libellés", "libellé"),
    "email": ("email", "e-mail", "courriel", "adresse électronique"),
    "status": ("status", "statut"),
    "colour": ("colour", "color", "couleur"),
    "expiresOn": ("expiresOn", "expires on", "échéance", "date d'échéance"),
}
REQUIRED = ("familyName", "titleNumber")
IGNORED = frozenset({"status", "colour", "expiresOn"})
_BY_FOLDED = {fold_name(alias): key for key, names in ALIASES.items() for alias in names}
_KNOWN = ", ".join(EXPORT_HEADERS[:6])  # the import's columns, as the export names them


@dataclass(frozen=True)
class ImportResult:
    imported: int
    labels_created: int


@dataclass
class _Line:
    number: int
    family_name: str
    given_names: str | None
    title_number: str
    establishment_id: uuid.UUID | None
    labels: list[str]
    email: str | None


class _Errors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, code: str, line: int, position: int | None = None, **params: object) -> None:
        """An error of `line` (and of the cell in column `position`, counted from 1)."""
        details = {"line": line, "column_number": position}
        self.items.append(FieldError(code, ("csv",), {**details, **params}))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = self.items[:MAX_ERRORS]
        if len(self.items) > MAX_ERRORS:
            shown.append(
                FieldError(CompanyCode.CSV_TOO_MANY_ERRORS, ("csv",), {"shown": MAX_ERRORS})
            )
        raise DomainError(shown)


def decode(content: str | bytes) -> str:
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise _too_large()
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError.one(CompanyCode.CSV_NOT_UTF8, ("csv",)) from None
    elif len(content.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_large()
    return content.removeprefix("\ufeff")


def _too_large() -> DomainError:
    return DomainError.one(
        CompanyCode.CSV_TOO_LARGE, ("csv",), max_rows=MAX_ROWS, max_bytes=MAX_BYTES
    )


def detect_separator(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _header(row: list[str], errors: _Errors) -> list[str | None]:
    keys: list[str | None] = []
    for position, cell in enumerate(row, start=1):
        name = (clean_text(cell) or "").strip()
        key = _BY_FOLDED.get(fold_name(name))
        if key is None or key in keys:
            errors.add(CompanyCode.CSV_INVALID_HEADER, 1, position, column=name, columns=_KNOWN)
        keys.append(key)
    for key in REQUIRED:
        if key not in keys:
            errors.add(CompanyCode.CSV_INVALID_HEADER, 1, column=ALIASES[key][2], columns=_KNOWN)
    return keys


async def import_employees(
    ctx: ServiceContext, organisation_id: uuid.UUID | None, content: str | bytes | None
) -> ImportResult:
    """`content`: the CSV text, or the file's bytes (UTF-8, with or without a BOM)."""
    allowed = await managed_organisation(ctx, organisation_id)
    if content is None:
        raise DomainError.one(CommonCode.REQUIRED, ("csv",))
    text = decode(content)
    if not text.strip():
        raise DomainError.one(CompanyCode.CSV_EMPTY, ("csv",))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(text))
    errors = _Errors()
    try:
        header_row = next(reader)
    except csv.Error:
        raise DomainError.one(CompanyCode.CSV_INVALID_HEADER, ("csv",), line=1) from None
    keys = _header(header_row, errors)
    errors.raise_if_any()
    sirets = dict(
        (
            await ctx.session.execute(
                select(Establishment.siret, Establishment.id).where(
                    Establishment.organisation_id == allowed.row.id
                )
            )
        ).all()
    )
    lines: list[_Line] = []
    seen: dict[str, int] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.add(CompanyCode.CSV_LINE_INVALID_VALUE, reader.line_num, column="")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(lines) >= MAX_ROWS:
            raise _too_large()
        line = _check_line(reader.line_num, row, keys, header_row, sirets, errors)
        if line is None:
            continue
        first = seen.setdefault(line.title_number, line.number)
        if first != line.number:
            errors.add(
                CompanyCode.CSV_LINE_DUPLICATE,
                line.number,
                _column(keys, "titleNumber"),
                first_line=first,
            )
        lines.append(line)
    if not lines and not errors.items:
        raise DomainError.one(CompanyCode.CSV_EMPTY, ("csv",))
    await _already_listed(ctx.session, allowed.row.id, lines, errors, _column(keys, "titleNumber"))
    errors.raise_if_any()
    labels, created = await _labels(ctx, allowed.row.id, lines)
    now = ctx.clock.now()
    employees = [
        Employee(
            organisation_id=allowed.row.id,
            establishment_id=line.establishment_id,
            family_name=line.family_name,
            given_names=line.given_names,
            title_number=line.title_number,
            email=line.email,
            added_by_account_id=allowed.actor.account_id,
            created_at=now,
        )
        for line in lines
    ]
    match_titles(employees, await titles_by_number(ctx, [line.title_number for line in lines]))
    await insert_employees(ctx, employees, ("csv",))
    ctx.session.add_all(
        EmployeeLabel(employee_id=employee.id, label_id=labels[fold_name(name)].id)
        for employee, line in zip(employees, lines, strict=True)
        for name in line.labels
    )
    await ctx.session.flush()
    trail.record(
        ctx,
        AuditAction.IMPORT_EMPLOYEES,
        subject_type="Organisation",
        subject_id=allowed.row.id,
        decision=allowed.decision,
        organisation_id=allowed.row.id,
        details={"imported": len(employees), "labels_created": created},
    )
    return ImportResult(imported=len(employees), labels_created=created)


Checked = tuple[object, str | None]  # the cell's value, or the code of what is wrong with it


def _family_name(value: str | None, _sirets: dict[str, uuid.UUID]) -> Checked:
    if value is None:
        return None, CompanyCode.CSV_LINE_MISSING_VALUE
    return (value, None) if len(value) <= MAX_NAME else (None, CompanyCode.CSV_LINE_INVALID_VALUE)


def _given_names(value: str | None, _sirets: dict[str, uuid.UUID]) -> Checked:
    if value is None or len(value) <= MAX_GIVEN_NAMES:
        return value, None
    return None, CompanyCode.CSV_LINE_INVALID_VALUE


def _title_number(value: str | None, _sirets: dict[str, uuid.UUID]) -> Checked:
    number = clean_number(value)
    if number is None:
        return None, CompanyCode.CSV_LINE_MISSING_VALUE
    return (number, None) if parse_number(number) else (None, CompanyCode.CSV_LINE_INVALID_VALUE)


def _establishment(value: str | None, sirets: dict[str, uuid.UUID]) -> Checked:
    siret = "".join((value or "").split())
    if not siret:
        return None, None
    found = sirets.get(siret)
    return (found, None) if found else (None, CompanyCode.CSV_LINE_UNKNOWN_ESTABLISHMENT)


def _label_names(value: str | None, _sirets: dict[str, uuid.UUID]) -> Checked:
    names: dict[str, str] = {}
    for part in (value or "").split(LABEL_SEPARATOR):
        name = clean_text(part)
        if name is not None and len(name) > MAX_NAME:
            return None, CompanyCode.CSV_LINE_INVALID_VALUE
        if name is not None:
            names.setdefault(fold_name(name), name)
    return list(names.values()), None


def _email(value: str | None, _sirets: dict[str, uuid.UUID]) -> Checked:
    if not value:
        return None, None
    email = normalise_email(value)
    return (email, None) if email else (None, CompanyCode.CSV_LINE_INVALID_VALUE)


CELLS = {
    "familyName": _family_name,
    "givenNames": _given_names,
    "titleNumber": _title_number,
    "establishmentSiret": _establishment,
    "labels": _label_names,
    "email": _email,
}


def _check_line(
    number: int,
    row: list[str],
    keys: list[str | None],
    header: list[str],
    sirets: dict[str, uuid.UUID],
    errors: _Errors,
) -> _Line | None:
    if len(row) != len(keys):
        errors.add(
            CompanyCode.CSV_LINE_WRONG_COLUMN_COUNT, number, found=len(row), expected=len(keys)
        )
        return None
    values = {key: clean_text(cell) for key, cell in zip(keys, row, strict=True) if key}
    names = {key: cell.strip() for key, cell in zip(keys, header, strict=True) if key}
    parsed: dict[str, Any] = {}
    for key, check in CELLS.items():
        value, code = check(values.get(key), sirets)
        if code is None:
            parsed[key] = value
        else:
            errors.add(code, number, _column(keys, key), column=names.get(key) or key)
    if len(parsed) < len(CELLS):
        return None
    return _Line(
        number=number,
        family_name=parsed["familyName"],
        given_names=parsed["givenNames"],
        title_number=parsed["titleNumber"],
        establishment_id=parsed["establishmentSiret"],
        labels=parsed["labels"],
        email=parsed["email"],
    )


def _column(keys: list[str | None], key: str) -> int | None:
    """The number of the column (from 1) holding `key`, if the file has it."""
    return keys.index(key) + 1 if key in keys else None


async def _already_listed(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    lines: Sequence[_Line],
    errors: _Errors,
    column: int | None,
) -> None:
    numbers = [line.title_number for line in lines]
    listed: set[str] = set()
    for start in range(0, len(numbers), 500):
        found = await session.scalars(
            select(Employee.title_number).where(
                Employee.organisation_id == organisation_id,
                Employee.title_number.in_(numbers[start : start + 500]),
            )
        )
        listed.update(n for n in found if n)
    for line in lines:
        if line.title_number in listed:
            errors.add(CompanyCode.CSV_LINE_ALREADY_LISTED, line.number, column)


async def _labels(
    ctx: ServiceContext, organisation_id: uuid.UUID, lines: Sequence[_Line]
) -> tuple[dict[str, Label], int]:
    """The organisation's labels by folded name, with those the file names created."""
    existing = (
        await ctx.session.scalars(select(Label).where(Label.organisation_id == organisation_id))
    ).all()
    by_name = {fold_name(label.name): label for label in existing}
    now = ctx.clock.now()
    created: list[Label] = []
    for line in lines:
        for name in line.labels:
            if fold_name(name) not in by_name:
                label = Label(organisation_id=organisation_id, name=name, created_at=now)
                by_name[fold_name(name)] = label
                created.append(label)
    if len(existing) + len(created) > MAX_LABELS:
        raise DomainError.one(CompanyCode.LABEL_LIMIT_REACHED, ("csv", "labels"), max=MAX_LABELS)
    if created:
        ctx.session.add_all(created)
        await ctx.session.flush()
    return by_name, len(created)
