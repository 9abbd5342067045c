"""Who a title is issued to, and the département its number carries (DOMAIN.md "Titles":
"3-digit département of the holder's domicile or establishment").

A holder is one of:
- a person of the directory: the département is that of their home postal code; a person
  whose domicile is not recorded cannot receive a title until it is (they, or their trusted
  third party, give it); only a domicile abroad lets the agent name the département;
- an establishment (SIRET), for an operating authorisation (`AUT`, `FOR`): the département of
  its address, and the title belongs to it (and to its organisation);
- a name only (a holder outside the directory, e.g. a title of the paper era): nothing to
  derive from, the agent names the département.

Where the département is derived, the input's (deprecated) département must agree with it or
the issue is refused: it no longer chooses the delegation that decides.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select

from auth.account.identity_fields import Collector
from auth.context import ServiceContext
from dossiers.title.errors import TitleCode
from dossiers.title.models import TitleKind
from dossiers.title.numbers import clean_departement, three_digits
from tenants.errors import CommonCode
from tenants.identifiers import departement_of
from tenants.models import Person
from tenants.organisations import Establishment

# Operating authorisations go to an establishment; the other titles to a person.
ESTABLISHMENT_KINDS = frozenset({TitleKind.AUT, TitleKind.FOR})


@dataclass(frozen=True)
class HolderInput:
    """The holder fields of an issue (exactly one of person, establishment, name)."""

    kind: TitleKind
    departement: str | None
    person_id: uuid.UUID | None
    establishment_id: uuid.UUID | None
    family_name: str | None
    given_names: str | None
    birth_date: date | None


@dataclass(frozen=True)
class Holder:
    family_name: str
    given_names: str | None = None
    birth_date: date | None = None
    person_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    establishment_id: uuid.UUID | None = None
    departement: str | None = None  # as the pack spells it; None when refused
    derived: bool = False  # from the domicile or establishment (else typed by the agent)

    @property
    def field(self) -> tuple[str, ...]:
        """The input field a refusal about the département points at."""
        if not self.derived:
            return ("departement",)
        return ("holderEstablishmentId",) if self.establishment_id else ("holderPersonId",)


async def resolve_holder(ctx: ServiceContext, data: HolderInput, check: Collector) -> Holder:
    given = [data.person_id is not None, data.establishment_id is not None]
    if sum(given) > 1 or (any(given) and data.family_name):
        check.add(TitleCode.HOLDER_AMBIGUOUS, ("holderFamilyName",))
        return Holder("")
    if data.person_id is not None:
        return await _person(ctx, data, check)
    if data.establishment_id is not None:
        return await _establishment(ctx, data, check)
    family_name = check.text(data.family_name, ("holderFamilyName",), True, 100)
    given_names = check.text(data.given_names, ("holderGivenNames",), False, 150)
    departement = _typed(ctx, data.departement, check)
    return Holder(family_name or "", given_names, data.birth_date, departement=departement)


async def _person(ctx: ServiceContext, data: HolderInput, check: Collector) -> Holder:
    field = ("holderPersonId",)
    if data.kind in ESTABLISHMENT_KINDS:
        check.add(TitleCode.HOLDER_NOT_FOR_THIS_KIND, field)
        return Holder("")
    person = await ctx.session.scalar(select(Person).where(Person.id == data.person_id))
    if person is None:
        check.add(CommonCode.NOT_FOUND, field)
        return Holder("")
    names = (person.family_name, person.given_names, person.birth_date, person.id)
    if person.country is not None and person.country != "FR":  # abroad: the agent says
        departement = _typed(ctx, data.departement, check)
        return Holder(*names, departement=departement)
    home = departement_of(person.postal_code or "") if person.postal_code else None
    if home is None:
        check.add(TitleCode.HOLDER_DOMICILE_UNKNOWN, field)
        return Holder(*names)
    departement = _derived(ctx, home, data.departement, field, check)
    return Holder(*names, departement=departement, derived=True)


async def _establishment(ctx: ServiceContext, data: HolderInput, check: Collector) -> Holder:
    field = ("holderEstablishmentId",)
    if data.kind not in ESTABLISHMENT_KINDS:
        check.add(TitleCode.HOLDER_NOT_FOR_THIS_KIND, field)
        return Holder("")
    site = await ctx.session.scalar(
        select(Establishment).where(Establishment.id == data.establishment_id)
    )
    if site is None:
        check.add(CommonCode.NOT_FOUND, field)
        return Holder("")
    holder = Holder(site.name[:100], organisation_id=site.organisation_id, establishment_id=site.id)
    home = departement_of(site.postal_code or "") if site.postal_code else None
    if home is None:
        check.add(TitleCode.HOLDER_DOMICILE_UNKNOWN, field)
        return holder
    departement = _derived(ctx, home, data.departement, field, check)
    return replace(holder, departement=departement, derived=True)


def _typed(ctx: ServiceContext, value: str | None, check: Collector) -> str | None:
    departement = clean_departement(value, ctx.pack)
    if departement is None:
        code = CommonCode.REQUIRED if not (value or "").strip() else TitleCode.INVALID_DEPARTEMENT
        check.add(code, ("departement",))
    return departement


def _derived(
    ctx: ServiceContext,
    home: str,
    typed: str | None,
    field: tuple[str, ...],
    check: Collector,
) -> str | None:
    """The domicile's or establishment's département; a typed one must be the same."""
    departement = clean_departement(home, ctx.pack)
    if departement is None:  # e.g. Saint-Pierre-et-Miquelon: no delegation of this portal
        check.add(TitleCode.INVALID_DEPARTEMENT, field)
        return None
    if (typed or "").strip() and clean_departement(typed, ctx.pack) != departement:
        check.add(
            TitleCode.DEPARTEMENT_MISMATCH, ("departement",), departement=three_digits(departement)
        )
        return None
    return departement
