"""Organisation accounts, the applicant's side: register with the documents, complete or
correct the request, add a document, resubmit after a rejection; establishments once
validated (DOMAIN.md "Accounts and onboarding", "Identifiers").

Registration refuses an incomplete request (DOCUMENTS_MISSING): the multipart request
carries every file at once, so a pending request in the authority's queue is always
complete, and a pending request stays complete while its administrator completes it. A
rejected request may be incomplete while it is corrected; resubmitting checks again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from auth.account.identity_fields import Collector
from auth.account.onboarding import AddressData
from auth.audit import trail
from auth.context import ServiceContext
from auth.organisation.documents import (
    MAX_DOCUMENTS,
    document_kinds,
    missing_documents,
    missing_error,
    read_documents,
    store_documents,
)
from auth.organisation.errors import OrganisationCode as C
from auth.organisation.request_fields import (
    DocumentUpload,
    Field,
    OrganisationData,
    check_address,
    check_identity,
    check_siret,
    delegation_of,
)
from auth.policy import (
    Action,
    Decision,
    Resource,
    decide,
    organisation_resource,
    require_standing,
)
from tenants.errors import CommonCode, DomainError
from tenants.files import Files
from tenants.identifiers import siren_of
from tenants.organisations import (
    Establishment,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationDocument,
    OrganisationStatus,
)


@dataclass(frozen=True)
class Registered:
    organisation: Organisation
    membership: Membership


async def _siren_taken(ctx: ServiceContext, siren: str, other_than: uuid.UUID | None) -> bool:
    query = select(Organisation.id).where(Organisation.siren == siren)
    if other_than is not None:
        query = query.where(Organisation.id != other_than)
    return await ctx.session.scalar(query) is not None


async def register_organisation(
    ctx: ServiceContext, files: Files, data: OrganisationData
) -> Registered:
    """The actor registers an organisation and becomes its administrator; the request waits
    for the authority (PENDING_VALIDATION), at the delegation of the head office."""
    actor = ctx.actor
    resource = Resource(
        "Person",
        actor.person_id if actor else None,
        owner_person_id=actor.person_id if actor else None,
        tenant=actor.tenant if actor else None,
    )
    decision = decide(actor, Action.REGISTER_ORGANISATION, resource).require()
    assert actor is not None  # noqa: S101 - allowed means signed in
    check = Collector([])
    values = check_identity(ctx, check, data, full=True)
    siren, siret = values.get("siren"), values.get("head_office_siret")
    if isinstance(siren, str) and isinstance(siret, str) and siren_of(siret) != siren:
        check.add(C.SIRET_NOT_OF_SIREN, ("headOfficeSiret",), siren=siren)
    checked = await read_documents(
        check, files, data.documents, lambda i: ("documents", str(i), "file")
    )
    if len(data.documents) > MAX_DOCUMENTS:
        check.add(C.TOO_MANY_DOCUMENTS, ("documents",), max=MAX_DOCUMENTS)
    representative = bool(values.get("applicant_is_representative", True))
    # a kind whose file was refused is reported on that file, not as missing as well
    missing = missing_documents(representative, {str(u.kind) for u in data.documents})
    if missing:
        check.errors.append(missing_error(ctx, missing, ("documents",)))
    if isinstance(siren, str) and await _siren_taken(ctx, siren, None):
        check.add(C.ORGANISATION_ALREADY_REGISTERED, ("siren",))
    if check.errors:
        raise DomainError(check.errors)

    now = ctx.clock.now()
    organisation = Organisation(
        id=uuid.uuid4(),
        **values,
        delegation=delegation_of(ctx, str(values["country"]), str(values["postal_code"])),
        status=OrganisationStatus.PENDING_VALIDATION,
        submitted_at=now,
        created_by_account_id=actor.account_id,
        created_at=now,
    )
    documents = await store_documents(ctx, files, organisation.id, checked)
    ctx.session.add(organisation)
    try:
        await ctx.session.flush()  # first: the rows below refer to it
    except IntegrityError:  # a concurrent registration of the same SIREN won the race
        raise DomainError.one(C.ORGANISATION_ALREADY_REGISTERED, ("siren",)) from None
    head_office = Establishment(
        organisation_id=organisation.id,
        siret=organisation.head_office_siret,
        head_office=True,
        created_at=now,
    )
    _sync_head_office(head_office, organisation)
    membership = Membership(
        id=uuid.uuid4(),
        organisation_id=organisation.id,
        person_id=actor.person_id,
        role=MembershipRole.ADMINISTRATOR,
        permissions=[],
        granted_by_account_id=actor.account_id,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add_all([head_office, membership, *documents])
    await ctx.session.flush()
    trail.record(
        ctx,
        "REGISTER_ORGANISATION",
        subject_type="Organisation",
        subject_id=organisation.id,
        decision=decision,
        organisation_id=organisation.id,
        details={
            "kind": organisation.kind,
            "siren": organisation.siren,
            "delegation": organisation.delegation,
            "documents": [str(d.id) for d in documents],
        },
    )
    return Registered(organisation=organisation, membership=membership)


def _sync_head_office(head_office: Establishment, organisation: Organisation) -> None:
    head_office.siret = organisation.head_office_siret
    head_office.name = organisation.name
    head_office.address_line1 = organisation.address_line1
    head_office.address_line2 = organisation.address_line2
    head_office.postal_code = organisation.postal_code
    head_office.city = organisation.city


async def find_organisation(
    ctx: ServiceContext, organisation_id: uuid.UUID | None, action: Action, field: Field
) -> tuple[Organisation, Decision]:
    """The organisation, locked for the change, and the decision for `action`. Unknown, of
    another tenant or not the actor's to see: NOT_FOUND, one answer for all three."""
    require_standing(ctx.actor, action)  # who may not act at all is told why, not NOT_FOUND
    organisation = None
    if organisation_id is not None:
        organisation = await ctx.session.scalar(
            select(Organisation).where(Organisation.id == organisation_id).with_for_update()
        )
    resource = organisation_resource(organisation) if organisation else None
    if resource is None or not decide(ctx.actor, Action.VIEW_ORGANISATION, resource).allowed:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    assert organisation is not None  # noqa: S101 - a resource was made from it
    return organisation, decide(ctx.actor, action, resource).require(field)


def _editable(organisation: Organisation) -> None:
    if organisation.status == OrganisationStatus.VALIDATED:
        raise DomainError.one(C.ORGANISATION_ALREADY_VALIDATED, ("organisationId",))


async def update_request(
    ctx: ServiceContext, organisation_id: uuid.UUID | None, data: OrganisationData
) -> Organisation:
    """The administrator completes a pending request or corrects a rejected one. A pending
    request stays complete (its documents match who applies)."""
    field = ("organisationId",)
    organisation, decision = await find_organisation(
        ctx, organisation_id, Action.COMPLETE_ORGANISATION_REQUEST, field
    )
    _editable(organisation)
    check = Collector([])
    values = check_identity(ctx, check, data, full=False)
    siren = str(values.get("siren", organisation.siren))
    siret = str(values.get("head_office_siret", organisation.head_office_siret))
    if ("siren" in values or "head_office_siret" in values) and siren_of(siret) != siren:
        where = ("headOfficeSiret",) if "head_office_siret" in values else ("siren",)
        check.add(C.SIRET_NOT_OF_SIREN, where, siren=siren)
    if "siren" in values and await _siren_taken(ctx, siren, organisation.id):
        check.add(C.ORGANISATION_ALREADY_REGISTERED, ("siren",))
    representative = bool(
        values.get("applicant_is_representative", organisation.applicant_is_representative)
    )
    if organisation.status == OrganisationStatus.PENDING_VALIDATION:
        missing = missing_documents(representative, await document_kinds(ctx, organisation.id))
        if missing:
            check.errors.append(missing_error(ctx, missing, ("applicantIsRepresentative",)))
    if check.errors:
        raise DomainError(check.errors)
    changed = sorted(k for k, v in values.items() if getattr(organisation, k) != v)
    for key, value in values.items():
        setattr(organisation, key, value)
    organisation.delegation = delegation_of(ctx, organisation.country, organisation.postal_code)
    head_office = await ctx.session.scalar(
        select(Establishment).where(
            Establishment.organisation_id == organisation.id, Establishment.head_office.is_(True)
        )
    )
    if head_office is not None:
        _sync_head_office(head_office, organisation)
    try:
        await ctx.session.flush()
    except IntegrityError:
        raise DomainError.one(C.ORGANISATION_ALREADY_REGISTERED, ("siren",)) from None
    trail.record(
        ctx,
        "UPDATE_ORGANISATION_REQUEST",
        subject_type="Organisation",
        subject_id=organisation.id,
        decision=decision,
        organisation_id=organisation.id,
        details={"changed": changed},
    )
    return organisation


async def add_document(
    ctx: ServiceContext,
    files: Files,
    organisation_id: uuid.UUID | None,
    upload: DocumentUpload,
    replace_existing: bool = False,
) -> tuple[Organisation, OrganisationDocument]:
    """Add a document to a pending or rejected request; `replace_existing` removes the
    documents of that kind first (their files stay until a sweep: rows are what count)."""
    organisation, decision = await find_organisation(
        ctx, organisation_id, Action.COMPLETE_ORGANISATION_REQUEST, ("organisationId",)
    )
    _editable(organisation)
    check = Collector([])
    checked = await read_documents(check, files, [upload], lambda _: ("file",))
    kept = select(func.count()).where(OrganisationDocument.organisation_id == organisation.id)
    if replace_existing:
        kept = kept.where(OrganisationDocument.kind != upload.kind)
    count = await ctx.session.scalar(kept)
    if (count or 0) + 1 > MAX_DOCUMENTS:
        check.add(C.TOO_MANY_DOCUMENTS, ("file",), max=MAX_DOCUMENTS)
    if check.errors:
        raise DomainError(check.errors)
    replaced: list[uuid.UUID] = []
    if replace_existing:
        old = await ctx.session.scalars(
            select(OrganisationDocument).where(
                OrganisationDocument.organisation_id == organisation.id,
                OrganisationDocument.kind == upload.kind,
            )
        )
        for row in old:
            replaced.append(row.id)
            await ctx.session.delete(row)
    [document] = await store_documents(ctx, files, organisation.id, checked)
    ctx.session.add(document)
    await ctx.session.flush()
    trail.record(
        ctx,
        "ADD_ORGANISATION_DOCUMENT",
        subject_type="OrganisationDocument",
        subject_id=document.id,
        decision=decision,
        organisation_id=organisation.id,
        details={"kind": upload.kind, "replaced": [str(r) for r in replaced]},
    )
    return organisation, document


async def resubmit(ctx: ServiceContext, organisation_id: uuid.UUID | None) -> Organisation:
    """A corrected, complete, rejected request goes back to the authority's queue."""
    field = ("organisationId",)
    organisation, decision = await find_organisation(
        ctx, organisation_id, Action.COMPLETE_ORGANISATION_REQUEST, field
    )
    if organisation.status != OrganisationStatus.REJECTED:
        raise DomainError.one(C.ORGANISATION_NOT_REJECTED, field)
    present = await document_kinds(ctx, organisation.id)
    missing = missing_documents(organisation.applicant_is_representative, present)
    if missing:
        raise DomainError([missing_error(ctx, missing, field)])
    now = ctx.clock.now()
    previous_reason = organisation.rejection_reason
    moved = await ctx.session.execute(
        update(Organisation)
        .where(
            Organisation.id == organisation.id, Organisation.status == OrganisationStatus.REJECTED
        )
        .values(
            status=OrganisationStatus.PENDING_VALIDATION,
            submitted_at=now,
            decided_at=None,
            decided_by_account_id=None,
            rejection_reason=None,
        )
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError.one(C.ORGANISATION_NOT_REJECTED, field)
    trail.record(
        ctx,
        "RESUBMIT_ORGANISATION",
        subject_type="Organisation",
        subject_id=organisation.id,
        decision=decision,
        organisation_id=organisation.id,
        details={"previous_rejection_reason": previous_reason},
    )
    return organisation


async def add_establishment(
    ctx: ServiceContext,
    organisation_id: uuid.UUID | None,
    siret_input: str | None,
    name_input: str | None,
    address: AddressData | None,
) -> Establishment:
    """A validated company's administrator adds one of its establishments (its SIRET)."""
    organisation, decision = await find_organisation(
        ctx, organisation_id, Action.ADD_ESTABLISHMENT, ("organisationId",)
    )
    check = Collector([])
    siret = check_siret(check, siret_input, ("siret",))
    if siret is not None and siren_of(siret) != organisation.siren:
        check.add(C.SIRET_NOT_OF_SIREN, ("siret",), siren=organisation.siren)
    name = check.text(name_input, ("name",), True, 200)
    values = check_address(check, address, ("address",))
    if siret is not None and not check.errors:
        taken = await ctx.session.scalar(
            select(Establishment.id).where(Establishment.siret == siret)
        )
        if taken is not None:
            check.add(C.ESTABLISHMENT_ALREADY_REGISTERED, ("siret",))
    if check.errors:
        raise DomainError(check.errors)
    establishment = Establishment(
        id=uuid.uuid4(),
        organisation_id=organisation.id,
        siret=siret,
        name=name,
        address_line1=values["address_line1"],
        address_line2=values["address_line2"],
        postal_code=values["postal_code"],
        city=values["city"],
        head_office=False,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(establishment)
    try:
        await ctx.session.flush()
    except IntegrityError:
        raise DomainError.one(C.ESTABLISHMENT_ALREADY_REGISTERED, ("siret",)) from None
    trail.record(
        ctx,
        "ADD_ESTABLISHMENT",
        subject_type="Establishment",
        subject_id=establishment.id,
        decision=decision,
        organisation_id=organisation.id,
        details={"siret": siret},
    )
    return establishment
