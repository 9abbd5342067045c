"""Filing a dossier: a draft (kind, activities, fields), its documents, the signature (the
certifications of seed 001 steps 8-9) that mails a confirmation link [seed 001 step 10],
the confirmation that submits and numbers it, the withdrawal before a decision, and the
resubmission after corrections.

Who files (the one policy, `Action.FILE_DOSSIER`): the person for themselves; an
organisation for a person under an accepted mandate with FILE_DOSSIERS (the person is told
by e-mail, and every act appears in their "acted for me"); an organisation for itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from auth.account.errors import AuthCode
from auth.account.identity_fields import Collector, clean_text
from auth.account.models import Account, AccountKind
from auth.account.onboarding import format_local
from auth.account.opaque_tokens import digest, new_token
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.organisation.documents import read_documents
from auth.organisation.errors import OrganisationCode
from auth.organisation.request_fields import DocumentUpload
from auth.permit import may_know, signed_in
from auth.policy import (
    Action,
    Capacity,
    Decision,
    Resource,
    decide,
    organisation_resource,
    require_offered,
)
from dossiers.dossier import kinds, renewal
from dossiers.dossier.access import DossierPermit, applicant_permit, mandates_of
from dossiers.dossier.errors import DossierCode
from dossiers.dossier.events import move, record, require_move, thread_subject
from dossiers.dossier.models import Dossier, DossierDocument, DossierStatus
from dossiers.dossier.numbers import next_number
from dossiers.dossier.transitions import EDITABLE, DossierAction
from dossiers.messaging import dossier_threads
from dossiers.title.issuing import check_activities
from dossiers.title.models import Title, TitleKind
from dossiers.title.numbers import clean_departement, delegation_of, today_of
from mail.outbox import enqueue
from tenants.errors import CommonCode, DomainError, FieldError
from tenants.files import Files, content_key
from tenants.identifiers import departement_of
from tenants.models import Person
from tenants.organisations import Establishment, Organisation
from tenants.packs.base import Applicant, DossierKind

MAX_DOCUMENTS = 30
MAX_REASON = 1000
FieldValues = Sequence[tuple[str, str | None]]


@dataclass(frozen=True)
class NewDossier:
    kind: str | None
    person_id: uuid.UUID | None = None  # default: the actor (a person's kind)
    establishment_id: uuid.UUID | None = None  # an organisation's own request
    activities: list[str] | None = None
    fields: FieldValues = ()
    renewed_title_id: uuid.UUID | None = None


@dataclass(frozen=True)
class DossierChange:
    activities: list[str] | None = None
    fields: FieldValues | None = None


@dataclass(frozen=True)
class Signature:
    certify_exact: bool
    accept_conditions: bool
    sign: bool


@dataclass(frozen=True)
class Confirmed:
    dossier: Dossier
    receipt: Title | None  # a timely renewal's receipt
    late_renewal: bool  # a renewal confirmed too late for a receipt


# --- creating ----------------------------------------------------------------------------


async def create_dossier(ctx: ServiceContext, data: NewDossier) -> Dossier:
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.FILE_DOSSIER)
    kind = kinds.kind_of(ctx.pack, data.kind)
    now = ctx.clock.now()
    today = today_of(ctx.clock)
    if kind.applicant == Applicant.PERSON:
        person, decision, third_party = await _person_applicant(ctx, data)
        applicant: dict[str, Any] = {"applicant_person_id": person.id}
    else:
        site, decision = await _organisation_applicant(ctx, kind, data)
        person, third_party = None, None
        applicant = {
            "applicant_organisation_id": site.organisation_id,
            "establishment_id": site.id,
        }
    check = Collector([])
    fields = kinds.clean_fields(kind, data.fields, {}, today, check)
    title: Title | None = None
    if kind.renews is not None:
        title = await renewal.renewed_title(
            ctx,
            kind,
            data.renewed_title_id,
            person.id if person else None,
            ("renewedTitleId",),
        )
    activities = _activities(ctx, kind, data.activities, title, check)
    if check.errors:
        raise DomainError(check.errors)
    dossier = Dossier(
        id=uuid.uuid4(),
        kind=kind.code,
        status=DossierStatus.DRAFT.value,
        filed_by_account_id=actor.account_id,
        third_party_organisation_id=third_party,
        mandate_id=decision.via_id if decision.capacity == Capacity.TRUSTED_THIRD_PARTY else None,
        activities=activities,
        fields=fields,
        renewed_title_id=title.id if title else None,
        correction_items=[],
        created_at=now,
        updated_at=now,
        **applicant,
    )
    ctx.session.add(dossier)
    await ctx.session.flush()
    record(
        ctx,
        dossier,
        "CREATE",
        decision,
        from_status=DossierStatus.DRAFT.value,
        organisation_id=third_party,
    )
    _audit(ctx, AuditAction.CREATE_DOSSIER, dossier, decision, {"kind": kind.code})
    await dossier_threads.thread_for_dossier(ctx, thread_subject(ctx, dossier))
    if third_party is not None and person is not None:
        await _tell_person(ctx, dossier, person.id, third_party)
    return dossier


async def _person_applicant(
    ctx: ServiceContext, data: NewDossier
) -> tuple[Person, Decision, uuid.UUID | None]:
    actor = signed_in(ctx)
    if data.establishment_id is not None:
        raise DomainError.one(DossierCode.KIND_NOT_FOR_ORGANISATIONS, ("establishmentId",))
    person_id = data.person_id or actor.person_id
    person = await ctx.session.get(Person, person_id)
    if person is None:
        raise DomainError.one(CommonCode.NOT_FOUND, ("personId",))
    mandates = await mandates_of(ctx, actor, person.id)
    resource = Resource(
        "Dossier", None, owner_person_id=person.id, tenant=person.tenant_id, mandates=mandates
    )
    decision = decide(actor, Action.FILE_DOSSIER, resource)
    if not decision.allowed and not mandates and decision.code == AuthCode.FORBIDDEN:
        raise DomainError.one(CommonCode.NOT_FOUND, ("personId",))  # no relation at all
    decision.require(("personId",))
    third_party = None
    if decision.capacity == Capacity.TRUSTED_THIRD_PARTY:
        third_party = next(m.organisation_id for m in mandates if m.mandate_id == decision.via_id)
    return person, decision, third_party


async def _organisation_applicant(
    ctx: ServiceContext, kind: DossierKind, data: NewDossier
) -> tuple[Establishment, Decision]:
    actor = signed_in(ctx)
    if data.person_id is not None:
        raise DomainError.one(DossierCode.KIND_NOT_FOR_PERSONS, ("personId",))
    if data.establishment_id is None:
        raise DomainError.one(CommonCode.REQUIRED, ("establishmentId",))
    found = (
        await ctx.session.execute(
            select(Establishment, Organisation)
            .join(Organisation, Organisation.id == Establishment.organisation_id)
            .where(Establishment.id == data.establishment_id)
        )
    ).one_or_none()
    if found is None or not may_know(actor, found[1]):
        raise DomainError.one(CommonCode.NOT_FOUND, ("establishmentId",))
    site, organisation = found
    decision = decide(actor, Action.FILE_DOSSIER, organisation_resource(organisation)).require()
    if organisation.kind not in kind.organisation_kinds:
        raise DomainError.one(DossierCode.KIND_NOT_FOR_THIS_ORGANISATION, ("kind",))
    return site, decision


def _activities(
    ctx: ServiceContext,
    kind: DossierKind,
    given: list[str] | None,
    title: Title | None,
    check: Collector,
) -> list[str]:
    """Known, each once, the pack's exclusivity rules; one only where the kind says so; a
    renewal's among the renewed title's (all of them when none are given)."""
    codes = list(given or [])
    if not kind.activities:
        if codes:
            check.add(DossierCode.NO_ACTIVITY_FOR_THIS_KIND, ("activities",))
        return []
    if not codes:
        return list(title.activities) if title is not None else []
    chosen = check_activities(ctx.pack, TitleKind(kind.title), codes, check)
    if kind.single_activity and len(chosen) > 1:
        check.add(DossierCode.ONE_ACTIVITY_PER_DOSSIER, ("activities",))
    if title is not None:
        for code in chosen:
            if code not in (title.activities or []):
                check.add(DossierCode.ACTIVITY_NOT_ON_RENEWED_TITLE, ("activities",), activity=code)
    return chosen


# --- completing --------------------------------------------------------------------------


def _editable(dossier: Dossier) -> None:
    if DossierStatus(dossier.status) not in EDITABLE:
        raise DomainError.one(DossierCode.NOT_EDITABLE, ("dossierId",))


async def update_dossier(
    ctx: ServiceContext, dossier_id: uuid.UUID | None, change: DossierChange
) -> Dossier:
    """Change the activities and fields of a draft or of a dossier sent back for corrections
    (a field given empty is removed; fields not given are kept)."""
    allowed = await applicant_permit(ctx, dossier_id)
    dossier = allowed.dossier
    _editable(dossier)
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    check = Collector([])
    if change.fields is not None:
        fields = kinds.clean_fields(
            kind, change.fields, dict(dossier.fields or {}), today_of(ctx.clock), check
        )
    else:
        fields = dict(dossier.fields or {})
    activities = list(dossier.activities or [])
    if change.activities is not None:
        title = (
            await ctx.session.get(Title, dossier.renewed_title_id)
            if dossier.renewed_title_id
            else None
        )
        activities = _activities(ctx, kind, change.activities, title, check)
    if change.fields is None and change.activities is None:
        check.add(DossierCode.NOTHING_CORRECTED, ("fields",))
    if check.errors:
        raise DomainError(check.errors)
    dossier.fields = fields
    dossier.activities = activities
    dossier.updated_at = ctx.clock.now()
    _audit(ctx, AuditAction.UPDATE_DOSSIER, dossier, allowed.decision, {})
    return dossier


async def add_document(
    ctx: ServiceContext,
    files: Files,
    dossier_id: uuid.UUID | None,
    requirement: str | None,
    upload: object,
    issued_on: date | None,
) -> tuple[Dossier, DossierDocument]:
    """Add a document for one of the kind's requirements, read and checked like an
    organisation's (content sniffed: PDF, PNG, JPEG; size; name), with its issue date where
    the rule limits its age."""
    allowed = await applicant_permit(ctx, dossier_id)
    dossier = allowed.dossier
    _editable(dossier)
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    check = Collector([])
    rule = kinds.document_rule(kind, requirement)
    today = today_of(ctx.clock)
    if rule is None:
        check.add(DossierCode.UNKNOWN_DOCUMENT_KIND, ("kind",), kind=(requirement or "")[:50])
    else:
        now = kinds.situations(ctx.pack, dossier.fields or {}, dossier.activities or [])
        if rule.situation not in now:
            check.add(DossierCode.DOCUMENT_NOT_ASKED, ("kind",), label=rule.label.get(ctx.locale))
        kinds.check_document_date(rule, issued_on, today, ("issuedOn",), check)
    code = rule.code if rule else ""
    checked = await read_documents(
        check, files, [DocumentUpload(code, upload)], lambda _: ("file",)
    )
    count = await ctx.session.scalar(
        select(func.count()).where(DossierDocument.dossier_id == dossier.id)
    )
    if (count or 0) + 1 > MAX_DOCUMENTS:
        check.add(OrganisationCode.TOO_MANY_DOCUMENTS, ("file",), max=MAX_DOCUMENTS)
    if check.errors:
        raise DomainError(check.errors)
    [(_, file)] = checked
    key = content_key(f"{ctx.pack.slug}/dossier-documents", file.sha256_hex)
    await files.storage.put(key, file.data)  # the bytes first: a rollback leaves an orphan file
    document = DossierDocument(
        id=uuid.uuid4(),
        dossier_id=dossier.id,
        requirement=code,
        filename=file.filename,
        content_type=str(file.content_type),
        size=file.size,
        sha256=file.sha256,
        storage_key=key,
        issued_on=issued_on,
        uploaded_by_account_id=allowed.actor.account_id,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(document)
    dossier.updated_at = ctx.clock.now()
    await ctx.session.flush()
    _audit(ctx, AuditAction.ADD_DOSSIER_DOCUMENT, dossier, allowed.decision, {"kind": code})
    return dossier, document


async def remove_document(ctx: ServiceContext, document_id: uuid.UUID | None) -> Dossier:
    signed_in(ctx)
    document = (
        await ctx.session.scalar(select(DossierDocument).where(DossierDocument.id == document_id))
        if document_id
        else None
    )
    field = ("documentId",)
    if document is None:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    allowed = await applicant_permit(ctx, document.dossier_id, field)
    dossier = allowed.dossier
    _editable(dossier)
    await ctx.session.delete(document)
    dossier.updated_at = ctx.clock.now()
    await ctx.session.flush()
    _audit(
        ctx,
        AuditAction.REMOVE_DOSSIER_DOCUMENT,
        dossier,
        allowed.decision,
        {"kind": document.requirement},
    )
    return dossier


# --- completeness ------------------------------------------------------------------------


async def check_complete(ctx: ServiceContext, dossier: Dossier, check: Collector) -> None:
    """Everything the kind requires in the dossier's situation: its fields, activities and
    documents (each in number, each recent enough). Errors name what is missing."""
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    fields = dict(dossier.fields or {})
    activities = list(dossier.activities or [])
    for field_rule in kinds.missing_fields(ctx.pack, kind, fields, activities):
        label = field_rule.label.get(ctx.locale)
        check.add(CommonCode.REQUIRED, ("fields", field_rule.name), label=label)
    title_type = ctx.pack.title_type(kind.title)
    if (
        kind.activities
        and not activities
        and title_type is not None
        and title_type.needs_activities
    ):
        check_activities(ctx.pack, TitleKind(kind.title), [], check)
    documents = list(
        (
            await ctx.session.scalars(
                select(DossierDocument).where(DossierDocument.dossier_id == dossier.id)
            )
        ).all()
    )
    needs = kinds.requirements(
        ctx.pack, kind, fields, activities, [d.requirement for d in documents]
    )
    missing = [r for r in needs if r.provided < r.needed]
    if missing:
        check.errors.append(
            FieldError(
                OrganisationCode.DOCUMENTS_MISSING,
                ("documents",),
                {
                    "missing": kinds.missing_names(missing, ctx.locale),
                    "kinds": [r.rule.code for r in missing],
                },
            )
        )
    today = today_of(ctx.clock)
    required = {r.rule.code: r.rule for r in needs}
    for document in documents:
        rule = required.get(document.requirement)
        if rule is not None and rule.max_age_months is not None:
            kinds.check_document_date(
                rule, document.issued_on, today, ("documents", document.requirement), check
            )


async def _renewal_still_open(ctx: ServiceContext, dossier: Dossier) -> Title | None:
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    if kind.renews is None:
        return None
    return await renewal.renewed_title(
        ctx,
        kind,
        dossier.renewed_title_id,
        dossier.applicant_person_id,
        ("dossierId",),
        exclude=dossier.id,
    )


# --- signing and confirming --------------------------------------------------------------


async def sign_dossier(
    ctx: ServiceContext, dossier_id: uuid.UUID | None, signature: Signature
) -> Dossier:
    """Certify the information exact, accept the conditions and sign [seed 001 steps 8-9]:
    the dossier waits for the confirmation link mailed to the signer [step 10]. Signing
    again sends a new link (the previous one stops working)."""
    allowed = await applicant_permit(ctx, dossier_id)
    dossier = allowed.dossier
    require_move(dossier, DossierAction.SIGN)
    check = Collector([])
    for name, ticked in (
        ("certifyExact", signature.certify_exact),
        ("acceptConditions", signature.accept_conditions),
        ("sign", signature.sign),
    ):
        if not ticked:
            check.add(DossierCode.CERTIFICATION_REQUIRED, (name,))
    await check_complete(ctx, dossier, check)
    if check.errors:
        raise DomainError(check.errors)
    await _renewal_still_open(ctx, dossier)
    now = ctx.clock.now()
    raw = new_token()
    dossier.confirmation_hash = digest(raw)
    dossier.confirmation_expires_at = now + ctx.pack.confirmation_ttl
    dossier.signed_at = now
    dossier.signed_by_account_id = allowed.actor.account_id
    await move(
        ctx,
        dossier,
        DossierAction.SIGN,
        allowed.decision,
        organisation_id=_acting_for(allowed),
    )
    signer = await ctx.session.get_one(Account, allowed.actor.account_id)
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    await enqueue(
        ctx.session,
        pack=ctx.pack,
        recipient=signer.email,
        template="dossier_confirm",
        locale=signer.locale,
        context={
            "kind": kind.label.get(signer.locale),
            "link": ctx.config.links.confirm_dossier(ctx.pack, raw),
            "expires_at": format_local(dossier.confirmation_expires_at, signer.locale),
        },
        now=now,
    )
    return dossier


async def confirm_submission(ctx: ServiceContext, token: str | None) -> Confirmed:
    """The e-mailed link: the dossier is submitted to the delegation of the applicant's
    domicile (the establishment's address for an organisation) and numbered. The link is the
    right (no sign-in needed, as for the address confirmation); it serves once."""
    field = ("token",)
    raw = (token or "").strip()
    if not raw or len(raw) > 200:
        raise DomainError.one(DossierCode.CONFIRMATION_INVALID, field)
    dossier = await ctx.session.scalar(
        select(Dossier).where(Dossier.confirmation_hash == digest(raw)).with_for_update()
    )
    if dossier is None:
        raise DomainError.one(DossierCode.CONFIRMATION_INVALID, field)
    status = DossierStatus(dossier.status)
    if status != DossierStatus.AWAITING_CONFIRMATION:
        if dossier.submitted_at is not None:
            raise DomainError.one(DossierCode.CONFIRMATION_ALREADY_USED, field)
        raise DomainError.one(DossierCode.CONFIRMATION_INVALID, field)
    now = ctx.clock.now()
    if dossier.confirmation_expires_at is None or dossier.confirmation_expires_at <= now:
        raise DomainError.one(DossierCode.CONFIRMATION_EXPIRED, field)
    check = Collector([])
    await check_complete(ctx, dossier, check)
    if check.errors:
        raise DomainError(check.errors)
    title = await _renewal_still_open(ctx, dossier)
    place = await instructing_place(ctx, dossier)
    if place is None:
        raise DomainError.one(DossierCode.DOMICILE_REQUIRED, field)
    dossier.departement, dossier.delegation = place
    today = today_of(ctx.clock)
    dossier.number, dossier.sequence = await next_number(ctx, today.year, place[0])
    dossier.submitted_at = now
    decision = Decision(True, Capacity.ANONYMOUS)  # the link is the right
    receipt: Title | None = None
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    late = False
    if title is not None and kind.receipt_title is not None:
        if renewal.in_time_for_receipt(kind, title, today):
            receipt = await renewal.issue_receipt(ctx, dossier, title, decision)
        else:
            late = True
    await move(
        ctx,
        dossier,
        DossierAction.CONFIRM,
        decision,
        actor_account_id=dossier.signed_by_account_id,
        details={"number": dossier.number, "receipt": receipt.number if receipt else None},
        notice=renewal.LATE_RENEWAL.fr if late else None,
    )
    return Confirmed(dossier, receipt, late)


async def instructing_place(ctx: ServiceContext, dossier: Dossier) -> tuple[str, str] | None:
    """(département, delegation) of the applicant's domicile, or of the establishment; a
    person living abroad files with the pack's `abroad_delegation` [choice]."""
    postal_code: str | None = None
    if dossier.establishment_id is not None:
        site = await ctx.session.get(Establishment, dossier.establishment_id)
        postal_code = site.postal_code if site else None
    elif dossier.applicant_person_id is not None:
        person = await ctx.session.get(Person, dossier.applicant_person_id)
        if person is not None and person.country not in (None, "FR"):
            return ctx.pack.abroad_delegation
        postal_code = person.postal_code if person else None
    home = departement_of(postal_code) if postal_code else None
    departement = clean_departement(home, ctx.pack) if home else None
    if departement is None:
        return None
    delegation = delegation_of(departement, ctx.pack)
    return (departement, delegation) if delegation else None


# --- withdrawing and resubmitting --------------------------------------------------------


async def withdraw_dossier(
    ctx: ServiceContext, dossier_id: uuid.UUID | None, reason: str | None
) -> Dossier:
    """The applicant's side withdraws the dossier before a decision; a renewal's receipt
    ends with it."""
    allowed = await applicant_permit(ctx, dossier_id)
    dossier = allowed.dossier
    require_move(dossier, DossierAction.WITHDRAW)
    cleaned = _reason(reason, required=False)
    await move(
        ctx,
        dossier,
        DossierAction.WITHDRAW,
        allowed.decision,
        reason=cleaned,
        organisation_id=_acting_for(allowed),
    )
    dossier.confirmation_hash = None
    dossier.decided_at = ctx.clock.now()
    await renewal.end_titles(ctx, dossier, "Demande de renouvellement retirée", replaced=False)
    return dossier


async def resubmit_dossier(ctx: ServiceContext, dossier_id: uuid.UUID | None) -> Dossier:
    """After the corrections the authority asked for, back to its review."""
    allowed = await applicant_permit(ctx, dossier_id)
    dossier = allowed.dossier
    require_move(dossier, DossierAction.RESUBMIT)
    check = Collector([])
    await check_complete(ctx, dossier, check)
    if check.errors:
        raise DomainError(check.errors)
    await move(
        ctx,
        dossier,
        DossierAction.RESUBMIT,
        allowed.decision,
        organisation_id=_acting_for(allowed),
    )
    return dossier


# --- helpers -----------------------------------------------------------------------------


def _reason(value: str | None, *, required: bool) -> str | None:
    cleaned = clean_text(value)
    if cleaned is None:
        if required:
            raise DomainError.one(DossierCode.REASON_REQUIRED, ("reason",))
        return None
    if len(cleaned) > MAX_REASON:
        raise DomainError.one(CommonCode.TOO_LONG, ("reason",), max=MAX_REASON)
    return cleaned


def _acting_for(allowed: DossierPermit) -> uuid.UUID | None:
    """The organisation in whose name the act is done (a trusted third party's)."""
    mandate = allowed.mandate
    return mandate.organisation_id if mandate is not None else None


def _audit(
    ctx: ServiceContext,
    action: AuditAction,
    dossier: Dossier,
    decision: Decision,
    details: dict[str, Any],
) -> None:
    for_someone = decision.capacity == Capacity.TRUSTED_THIRD_PARTY
    organisation = dossier.third_party_organisation_id if for_someone else None
    trail.record(
        ctx,
        action,
        subject_type="Dossier",
        subject_id=dossier.id,
        decision=decision,
        organisation_id=organisation or dossier.applicant_organisation_id,
        on_behalf_of_person_id=dossier.applicant_person_id if for_someone else None,
        details={"kind": dossier.kind, **details},
    )


async def _tell_person(
    ctx: ServiceContext, dossier: Dossier, person_id: uuid.UUID, organisation_id: uuid.UUID
) -> None:
    """A trusted third party opened a dossier in the person's name: they are told."""
    organisation = await ctx.session.get(Organisation, organisation_id)
    accounts = await ctx.session.scalars(
        select(Account).where(Account.person_id == person_id, Account.kind == AccountKind.PERSON)
    )
    kind = kinds.kind_of(ctx.pack, dossier.kind)
    for account in accounts:
        await enqueue(
            ctx.session,
            pack=ctx.pack,
            recipient=account.email,
            template="dossier_filed_for_you",
            locale=account.locale,
            context={
                "kind": kind.label.get(account.locale),
                "organisation_name": organisation.name if organisation else "",
                "link": ctx.config.links.sign_in(ctx.pack),
            },
            now=ctx.clock.now(),
        )


# --- renewal -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    dossier: Dossier
    late: bool  # already too late for a receipt: the answer says so


async def start_renewal(ctx: ServiceContext, title_id: uuid.UUID | None) -> Started:
    """A renewal draft pre-filled from the title [seed 000]: its activities, and the fields
    of the dossier that yielded it, if any. Refused before the renewal window opens and once
    the title has expired (`dossiers.dossier.renewal`)."""
    signed_in(ctx)
    require_offered(ctx.pack.slug, Action.FILE_DOSSIER)
    field = ("titleId",)
    title = (
        await ctx.session.scalar(select(Title).where(Title.id == title_id)) if title_id else None
    )
    if title is None or title.holder_person_id is None:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    kind = renewal.renewal_kind(ctx.pack, title.kind)
    if kind is None:
        raise DomainError.one(DossierCode.NOT_RENEWABLE, field)
    earlier = await ctx.session.scalar(
        select(Dossier.fields).where(Dossier.title_id == title.id).limit(1)
    )
    names = {f.name for f in kind.fields}
    prefill = [(k, str(v)) for k, v in (earlier or {}).items() if k in names]
    try:
        dossier = await create_dossier(
            ctx,
            NewDossier(
                kind=kind.code,
                person_id=title.holder_person_id,
                fields=prefill,
                renewed_title_id=title.id,
            ),
        )
    except DomainError as refused:  # the title is what the caller gave: errors point at it
        moved = {("personId",), ("renewedTitleId",)}
        raise DomainError(
            [
                FieldError(e.code, field if e.field in moved else e.field, e.params)
                for e in refused.errors
            ]
        ) from None
    late = not renewal.in_time_for_receipt(kind, title, today_of(ctx.clock))
    return Started(dossier, late and kind.receipt_title is not None)
