"""Public tracking of a dossier, no account [seed 000, docs/DOMAIN.md "Dossiers"]: the
applicant's family name or the establishment's SIRET, the dossier number and a security code
give its state and dates — nothing personal. A wrong name or SIRET, an unknown number and a
dossier not yet submitted all answer `found: false`, alike, after the same statements."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from auth.account.identity_fields import Collector, clean_text
from auth.context import ServiceContext
from auth.organisation.errors import OrganisationCode
from dossiers.dossier.models import Dossier, DossierStatus
from dossiers.dossier.numbers import clean_number
from dossiers.public.counters import limit_hit
from dossiers.public.errors import PublicCode
from dossiers.public.verification import MAX_NAME, PublicServices, gate
from dossiers.title.numbers import fold_name
from tenants.errors import CommonCode, DomainError
from tenants.identifiers import normalise_siret
from tenants.models import Person
from tenants.organisations import Establishment, Organisation

# Before its confirmation a dossier is the applicant's draft: not known to the public.
NOT_FILED = frozenset({DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION})


@dataclass(frozen=True)
class Tracking:
    checked_at: datetime
    kind: str | None = None
    status: DossierStatus | None = None
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    decided_at: datetime | None = None

    @property
    def found(self) -> bool:
        return self.status is not None


async def track_dossier(
    ctx: ServiceContext,
    public: PublicServices,
    family_name: str | None,
    siret: str | None,
    number: str | None,
    security_code: str | None,
) -> Tracking:
    check = Collector([])
    name = check.text(family_name, ("familyName",), False, MAX_NAME)
    typed_siret = clean_text(siret)
    company = normalise_siret(typed_siret) if typed_siret else None
    if typed_siret and company is None:
        check.add(OrganisationCode.INVALID_SIRET, ("siret",))
    if name is None and typed_siret is None:
        check.add(CommonCode.REQUIRED, ("familyName",))
    elif name is not None and typed_siret is not None:
        check.add(PublicCode.NAME_OR_SIRET, ("siret",))
    wanted = clean_number(number)
    if wanted is None:
        empty = not (number or "").strip()
        check.add(CommonCode.REQUIRED if empty else PublicCode.INVALID_DOSSIER_NUMBER, ("number",))
    code = clean_text(security_code)
    if code is None:
        check.add(CommonCode.REQUIRED, ("securityCode",))
    if check.errors:
        raise DomainError(check.errors)
    assert wanted is not None and code is not None  # noqa: S101
    await gate(ctx, public, code, limit_hit(public.per_target, "dossier", wanted))
    row = (
        await ctx.session.execute(
            select(
                Dossier,
                Person.family_name,
                Establishment.siret,
                Organisation.head_office_siret,
            )
            .outerjoin(Person, Person.id == Dossier.applicant_person_id)
            .outerjoin(Establishment, Establishment.id == Dossier.establishment_id)
            .outerjoin(Organisation, Organisation.id == Dossier.applicant_organisation_id)
            .where(Dossier.number == wanted)
        )
    ).first()
    now = ctx.clock.now()
    if row is None:
        return Tracking(now)
    dossier, applicant_name, site_siret, head_siret = row
    if name is not None:
        matches = hmac.compare_digest(fold_name(applicant_name).encode(), fold_name(name).encode())
    else:
        matches = company is not None and company in {site_siret, head_siret}
    status = DossierStatus(dossier.status)
    if not matches or status in NOT_FILED:
        return Tracking(now)
    return Tracking(
        checked_at=now,
        kind=dossier.kind,
        status=status,
        submitted_at=dossier.submitted_at,
        updated_at=dossier.updated_at,
        decided_at=dossier.decided_at,
    )
