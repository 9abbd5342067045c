"""Checking the identity of an organisation's request: kind, name, SIREN, head-office SIRET,
address (its postal code gives the delegation), legal representative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auth.account.identity_fields import Collector
from auth.account.onboarding import AddressData
from auth.context import ServiceContext
from auth.organisation.errors import OrganisationCode as C
from tenants.errors import CommonCode
from tenants.identifiers import normalise_siren, normalise_siret

Field = tuple[str, ...]


@dataclass(frozen=True)
class RepresentativeData:
    family_name: str | None = None
    given_names: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class DocumentUpload:
    kind: str
    file: object  # tenants.files.Upload (Starlette's UploadFile), checked at run time


@dataclass(frozen=True)
class OrganisationData:
    """Registration (every field), or the changes to a request (`None`: unchanged)."""

    kind: str | None = None
    name: str | None = None
    siren: str | None = None
    head_office_siret: str | None = None
    address: AddressData | None = None
    representative: RepresentativeData | None = None
    applicant_is_representative: bool | None = None
    documents: Sequence[DocumentUpload] = ()


def check_identity(
    ctx: ServiceContext, check: Collector, data: OrganisationData, full: bool
) -> dict[str, Any]:
    """The valid identity fields as Organisation attribute values; errors collected.
    `full` (registration): every field is required; otherwise only those given change."""
    values: dict[str, Any] = {}
    if full or data.kind is not None:
        kind = _check_kind(ctx, check, data.kind)
        if kind is not None:
            values["kind"] = kind
    if full or data.name is not None:
        values["name"] = check.text(data.name, ("name",), True, 200)
    if full or data.siren is not None:
        siren = check_siren(check, data.siren, ("siren",))
        if siren is not None:
            values["siren"] = siren
    if full or data.head_office_siret is not None:
        siret = check_siret(check, data.head_office_siret, ("headOfficeSiret",))
        if siret is not None:
            values["head_office_siret"] = siret
    if full or data.address is not None:
        values.update(check_address(check, data.address, ("address",)))
    if full or data.representative is not None:
        values.update(_check_representative(check, data.representative))
    if data.applicant_is_representative is not None:
        values["applicant_is_representative"] = data.applicant_is_representative
    elif full:
        values["applicant_is_representative"] = True
    return values


def _check_kind(ctx: ServiceContext, check: Collector, kind: str | None) -> str | None:
    if not kind:
        check.add(CommonCode.REQUIRED, ("kind",))
        return None
    if kind not in {k.code for k in ctx.pack.organisation_kinds}:
        check.add(C.UNKNOWN_ORGANISATION_KIND, ("kind",))
        return None
    return kind


def check_siren(check: Collector, value: str | None, field: Field) -> str | None:
    if not (value or "").strip():
        check.add(CommonCode.REQUIRED, field)
        return None
    siren = normalise_siren(value or "")
    if siren is None:
        check.add(C.INVALID_SIREN, field)
    return siren


def check_siret(check: Collector, value: str | None, field: Field) -> str | None:
    if not (value or "").strip():
        check.add(CommonCode.REQUIRED, field)
        return None
    siret = normalise_siret(value or "")
    if siret is None:
        check.add(C.INVALID_SIRET, field)
    return siret


def _check_representative(check: Collector, given: object) -> dict[str, Any]:
    field = ("legalRepresentative",)
    if not isinstance(given, RepresentativeData):
        check.add(CommonCode.REQUIRED, field)
        return {}
    return {
        "representative_family_name": check.text(
            given.family_name, (*field, "familyName"), True, 100
        ),
        "representative_given_names": check.text(
            given.given_names, (*field, "givenNames"), True, 150
        ),
        "representative_role": check.text(given.role, (*field, "role"), False, 100),
    }


def check_address(check: Collector, given: AddressData | None, field: Field) -> dict[str, Any]:
    """Line 1, postal code and city required; country FR unless said; a French postal code
    is 5 digits naming a département."""
    if given is None:
        check.add(CommonCode.REQUIRED, field)
        return {}
    address = check.address(given, field, True, default_country="FR")
    return {
        "address_line1": address.line1,
        "address_line2": address.line2,
        "postal_code": address.postal_code,
        "city": address.city,
        "country": address.country,
    }


def delegation_of(ctx: ServiceContext, country: str | None, postal_code: str | None) -> str | None:
    """The delegation of a head office in France (by its postal code); `None` abroad or
    where the pack has none (every agent of the tenant then sees the request)."""
    if country != "FR" or not postal_code:
        return None
    delegation = ctx.pack.delegation_for_postal_code(postal_code)
    return delegation.code if delegation else None
