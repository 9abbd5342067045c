"""Reading a dossier kind of the pack (`tenants.packs.base.DossierKind`): which fields and
documents it requires in the dossier's situation, and checking what the applicant gives.

Nothing here names a kind: adding a kind, a field or a document rule is a change of pack
data. Situations are read off the dossier (its nationality field, its activities, its
"employed" field) [seed 003 arts. 3-4, 9].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from auth.account.identity_fields import Collector, clean_text
from dossiers.dossier.errors import DossierCode
from dossiers.title.numbers import add_months
from tenants.countries import is_country
from tenants.errors import CommonCode, DomainError
from tenants.identifiers import normalise_siret
from tenants.packs.base import (
    DocumentRule,
    DossierField,
    DossierKind,
    FieldType,
    Situation,
    TenantPack,
)

MAX_COUNT = 20
DOG_HANDLER = "DOG_HANDLER"
# Which dossier field says what: the pack's forms use these names for the situations.
NATIONALITY_FIELD = "nationality"
EMPLOYED_FIELD = "employed"


def kind_of(pack: TenantPack, code: str | None, field: tuple[str, ...] = ("kind",)) -> DossierKind:
    kind = pack.dossier_kind(code)
    if kind is None:
        raise DomainError.one(DossierCode.UNKNOWN_DOSSIER_KIND, field)
    return kind


def situations(
    pack: TenantPack, fields: dict[str, Any], activities: Iterable[str]
) -> set[Situation]:
    found = {Situation.ALWAYS}
    nationality = fields.get(NATIONALITY_FIELD)
    if nationality:
        free = nationality in pack.free_movement_countries
        found.add(Situation.FREE_MOVEMENT_NATIONAL if free else Situation.FOREIGN_NATIONAL)
    if DOG_HANDLER in set(activities):
        found.add(Situation.DOG_HANDLER)
    if fields.get(EMPLOYED_FIELD) == "true":
        found.add(Situation.EMPLOYED)
    return found


def field_required(rule: DossierField, now: set[Situation]) -> bool:
    return rule.situation is not None and rule.situation in now


def clean_fields(
    kind: DossierKind,
    given: Sequence[tuple[str, str | None]],
    current: dict[str, Any],
    today: date,
    check: Collector,
) -> dict[str, Any]:
    """`current` with the given values set ("" or null removes one); each value checked by its
    type. Errors on `fields.<index>.name` / `fields.<index>.value`."""
    rules = {rule.name: rule for rule in kind.fields}
    values = dict(current)
    for index, (name, raw) in enumerate(given):
        rule = rules.get(name)
        if rule is None:
            check.add(DossierCode.UNKNOWN_FIELD, ("fields", str(index), "name"), name=name[:50])
            continue
        text = clean_text(raw)
        if text is None:
            values.pop(name, None)
            continue
        cleaned = _value(rule, text, today)
        if cleaned is None:
            check.add(
                DossierCode.INVALID_FIELD_VALUE,
                ("fields", str(index), "value"),
                label=rule.label.fr,
                name=name,
            )
            continue
        values[name] = cleaned
    return values


def _value(rule: DossierField, text: str, today: date) -> str | None:
    if rule.type == FieldType.TEXT:
        return text if len(text) <= rule.max_length else None
    if rule.type == FieldType.BOOLEAN:
        lowered = text.lower()
        return lowered if lowered in ("true", "false") else None
    if rule.type == FieldType.COUNTRY:
        code = text.upper()
        return code if is_country(code) else None
    if rule.type == FieldType.SIRET:
        return normalise_siret(text)
    if rule.type == FieldType.COUNT:
        return text if text.isdigit() and 0 <= int(text) <= MAX_COUNT else None
    if rule.type == FieldType.DATE:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return day.isoformat() if day <= today else None
    return None  # pragma: no cover - every FieldType is handled above


def document_rule(kind: DossierKind, code: str | None) -> DocumentRule | None:
    return next((rule for rule in kind.documents if rule.code == code), None)


@dataclass(frozen=True)
class Requirement:
    """A document the dossier needs now, how many, and how many it holds."""

    rule: DocumentRule
    needed: int
    provided: int


def requirements(
    pack: TenantPack,
    kind: DossierKind,
    fields: dict[str, Any],
    activities: Iterable[str],
    held: Iterable[str],
) -> list[Requirement]:
    """The documents required in the dossier's situation (one per dog for a per-field rule)."""
    now = situations(pack, fields, activities)
    counts: dict[str, int] = {}
    for code in held:
        counts[code] = counts.get(code, 0) + 1
    found = []
    for rule in kind.documents:
        if rule.situation not in now:
            continue
        needed = 1
        if rule.per_field is not None:
            value = fields.get(rule.per_field)
            needed = max(1, int(value)) if isinstance(value, str) and value.isdigit() else 1
        found.append(Requirement(rule, needed, counts.get(rule.code, 0)))
    return found


def oldest_allowed(rule: DocumentRule, today: date) -> date | None:
    """A document of this rule must be issued after this day ("less than N months ago")."""
    if rule.max_age_months is None:
        return None
    return add_months(today, -rule.max_age_months)


def check_document_date(
    rule: DocumentRule,
    issued_on: date | None,
    today: date,
    field: tuple[str, ...],
    check: Collector,
) -> None:
    if issued_on is None:
        if rule.max_age_months is not None:
            check.add(DossierCode.DOCUMENT_DATE_REQUIRED, field)
        return
    if issued_on > today:
        check.add(DossierCode.DOCUMENT_DATE_IN_FUTURE, field)
        return
    limit = oldest_allowed(rule, today)
    if limit is not None and issued_on <= limit:
        check.add(
            DossierCode.DOCUMENT_TOO_OLD,
            field,
            label=rule.label.fr,
            months=rule.max_age_months,
            after=limit.isoformat(),
        )


def missing_names(missing: Sequence[Requirement], locale: str) -> str:
    return ", ".join(
        r.rule.label.get(locale) + (f" ({r.needed - r.provided})" if r.needed > 1 else "")
        for r in missing
    )


def missing_fields(
    pack: TenantPack, kind: DossierKind, fields: dict[str, Any], activities: Iterable[str]
) -> list[DossierField]:
    now = situations(pack, fields, activities)
    return [rule for rule in kind.fields if field_required(rule, now) and not fields.get(rule.name)]


def check_known(codes: Iterable[str], check: Collector, field: tuple[str, ...]) -> None:
    for code in codes:
        if not code:
            check.add(CommonCode.REQUIRED, field)
