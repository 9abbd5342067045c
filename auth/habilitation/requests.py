"""Habilitation requests (seed 004's wizard: Applications → Structures → Récapitulatif): an
account asks an application's profile for structures identified by FINESS; the request
waits for a manager of the application (and, when made at registration, for the address
to be confirmed: until then no manager sees it). The requester may view and delete a
pending request; managers approve it (it becomes a habilitation) or reject it with a
reason, and the requester is told by e-mail.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from auth.account.errors import AuthCode
from auth.account.identity_fields import Collector, clean_text
from auth.account.models import Account
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.habilitation.errors import HabilitationCode as H
from auth.habilitation.models import (
    Habilitation,
    HabilitationRequest,
    HabilitationRequestStructure,
    HabilitationStructure,
    RequestStatus,
)
from auth.habilitation.structures import finess_or_error, structures_by_finess
from auth.permit import authorise, signed_in
from auth.policy import (
    Action,
    Decision,
    Resource,
    decide,
    managed_applications,
    own_account,
    require_offered,
)
from mail.outbox import enqueue
from tenants.errors import CommonCode, DomainError, FieldError
from tenants.models import Person
from tenants.packs.base import Application, Capability, Profile
from tenants.pagination import Page, paginate
from tenants.structures import Structure

MAX_STRUCTURES = 50
MAX_REASON = 2000


@dataclass(frozen=True)
class RequestData:
    application: str | None
    profile: str | None
    structure_type: str | None = None
    finess: Sequence[str] = field(default_factory=tuple)


def application_resource(ctx: ServiceContext, application: str) -> Resource:
    return Resource(
        "Application", None, tenant=ctx.actor.tenant if ctx.actor else None, application=application
    )


def _check_choice(
    ctx: ServiceContext, check: Collector, data: RequestData, prefix: tuple[str, ...]
) -> tuple[Application | None, Profile | None]:
    """The application and its profile (and the structure type) the request names."""
    pack = ctx.pack
    application = pack.application(data.application) if data.application else None
    profile = None
    if not data.application:
        check.add(CommonCode.REQUIRED, (*prefix, "application"))
    elif application is None or application.portal:
        check.add(H.UNKNOWN_APPLICATION, (*prefix, "application"))
        application = None
    if not data.profile:
        check.add(CommonCode.REQUIRED, (*prefix, "profile"))
    elif application is not None:
        profile = application.profile(data.profile)
        if profile is None:
            check.add(H.UNKNOWN_PROFILE, (*prefix, "profile"))
    types = {t.code for t in pack.structure_types}
    if data.structure_type is not None and data.structure_type not in types:
        check.add(H.UNKNOWN_STRUCTURE_TYPE, (*prefix, "structureType"))
    return application, profile


async def _check_structures(
    ctx: ServiceContext, check: Collector, data: RequestData, prefix: tuple[str, ...]
) -> list[Structure]:
    """The structures of the FINESS numbers given, in order, each number checked (key,
    known to the directory) on its own field."""
    if len(data.finess) > MAX_STRUCTURES:
        check.add(H.TOO_MANY_STRUCTURES, (*prefix, "finess"), max=MAX_STRUCTURES)
        return []
    numbers: list[str | None] = []
    for index, value in enumerate(data.finess):
        found = finess_or_error(value, (*prefix, "finess", str(index)))
        if isinstance(found, FieldError):
            check.errors.append(found)
            numbers.append(None)
        else:
            numbers.append(found)
    known = await structures_by_finess(ctx.session, [n for n in numbers if n])
    structures: dict[str, Structure] = {}
    for index, number in enumerate(numbers):
        if number is None:
            continue
        if number not in known:
            check.add(H.UNKNOWN_FINESS, (*prefix, "finess", str(index)), finess=number)
        else:
            structures[number] = known[number]
    return list(structures.values())


async def _checked(
    ctx: ServiceContext, account_id: uuid.UUID | None, data: RequestData, prefix: tuple[str, ...]
) -> tuple[Application, Profile, str | None, list[Structure]]:
    """The application, profile, structure type and structures the request names, or
    every error at once on its fields."""
    check = Collector([])
    application, profile = _check_choice(ctx, check, data, prefix)
    structures = await _check_structures(ctx, check, data, prefix)
    if profile is not None and profile.needs_structures and not data.finess:
        check.add(H.STRUCTURES_REQUIRED, (*prefix, "finess"))
    if application is not None and profile is not None and account_id is not None:
        pending = await ctx.session.scalar(
            select(HabilitationRequest.id).where(
                HabilitationRequest.account_id == account_id,
                HabilitationRequest.application == application.code,
                HabilitationRequest.profile == profile.code,
                HabilitationRequest.status == RequestStatus.PENDING,
            )
        )
        if pending is not None:
            check.add(H.DUPLICATE_PENDING_REQUEST, (*prefix, "profile"))
    if check.errors:
        raise DomainError(check.errors)
    assert application is not None and profile is not None  # noqa: S101 - checked above
    structure_type = data.structure_type
    if structure_type is None and profile.needs_structures and ctx.pack.structure_types:
        structure_type = ctx.pack.structure_types[0].code
    return application, profile, structure_type, structures if profile.needs_structures else []


async def check_request(
    ctx: ServiceContext, data: RequestData, prefix: tuple[str, ...]
) -> list[FieldError]:
    """The request's errors, for a form that checks it with other fields (registration)."""
    if not ctx.pack.offers(Capability.HABILITATIONS):
        return [FieldError(CommonCode.NOT_AVAILABLE_ON_THIS_PORTAL, prefix)]
    try:
        await _checked(ctx, None, data, prefix)
    except DomainError as refused:
        return list(refused.errors)
    return []


async def create_request(
    ctx: ServiceContext,
    account_id: uuid.UUID,
    data: RequestData,
    prefix: tuple[str, ...] = (),
    *,
    check_duplicates: bool = True,
) -> HabilitationRequest:
    """Check and write a request for the account (registration calls it for the account it
    has just made; `requestHabilitation` through `request_habilitation`)."""
    _app, profile, structure_type, structures = await _checked(
        ctx, account_id if check_duplicates else None, data, prefix
    )
    request = HabilitationRequest(
        id=uuid.uuid4(),
        account_id=account_id,
        application=_app.code,
        profile=profile.code,
        structure_type=structure_type,
        status=RequestStatus.PENDING,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(request)
    await ctx.session.flush()
    for structure in structures:
        ctx.session.add(
            HabilitationRequestStructure(request_id=request.id, structure_id=structure.id)
        )
    return request


async def request_habilitation(ctx: ServiceContext, data: RequestData) -> HabilitationRequest:
    """`requestHabilitation`: a signed-in person asks for a profile of an application."""
    actor = signed_in(ctx)
    decision = decide(actor, Action.REQUEST_HABILITATION, own_account(actor)).require()
    request = await create_request(ctx, actor.account_id, data)
    _audit(ctx, AuditAction.REQUEST_HABILITATION, request, decision)
    return request


async def delete_request(ctx: ServiceContext, request_id: uuid.UUID | None) -> HabilitationRequest:
    """The requester deletes a pending request (kept as WITHDRAWN for the trail)."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.REQUEST_HABILITATION)
    request = None
    if request_id is not None:
        request = await ctx.session.scalar(
            select(HabilitationRequest)
            .where(HabilitationRequest.id == request_id)
            .with_for_update()
        )
    if request is None or request.account_id != actor.account_id:
        raise DomainError.one(CommonCode.NOT_FOUND, ("requestId",))
    decision = decide(
        actor,
        Action.REQUEST_HABILITATION,
        Resource("HabilitationRequest", request.id, owner_account_id=request.account_id),
    ).require()
    if request.status != RequestStatus.PENDING:
        raise DomainError.one(H.REQUEST_NOT_PENDING, ("requestId",))
    request.status = RequestStatus.WITHDRAWN
    request.decided_at = ctx.clock.now()
    _audit(ctx, AuditAction.DELETE_HABILITATION_REQUEST, request, decision)
    return request


async def requests_of(
    ctx: ServiceContext,
    account_id: uuid.UUID,
    statuses: Sequence[RequestStatus],
    first: int | None,
    after: str | None,
) -> Page[HabilitationRequest]:
    """The account's requests in those statuses, the newest first (two statements)."""
    query = select(HabilitationRequest).where(
        HabilitationRequest.account_id == account_id,
        HabilitationRequest.status.in_([s.value for s in statuses]),
    )
    return await paginate(
        ctx.session, query, HabilitationRequest.created_at, HabilitationRequest.id, first, after
    )


async def requests_to_review(
    ctx: ServiceContext, first: int | None, after: str | None
) -> Page[HabilitationRequest]:
    """The pending requests of the applications the actor manages, from accounts whose
    address is confirmed, the newest first (two statements). Refused to a non-manager."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.REVIEW_HABILITATIONS)
    managed = managed_applications(actor)
    if not managed:
        raise DomainError.one(H.NOT_APPLICATION_MANAGER)
    query = (
        select(HabilitationRequest)
        .join(Account, Account.id == HabilitationRequest.account_id)
        .where(
            HabilitationRequest.status == RequestStatus.PENDING,
            HabilitationRequest.application.in_(sorted(managed)),
            Account.email_confirmed_at.is_not(None),
        )
    )
    return await paginate(
        ctx.session, query, HabilitationRequest.created_at, HabilitationRequest.id, first, after
    )


async def _to_review(
    ctx: ServiceContext, request_id: uuid.UUID | None
) -> tuple[HabilitationRequest, Decision]:
    """A pending request of an application the actor manages, locked; NOT_FOUND for none or
    one still waiting for its address, NOT_APPLICATION_MANAGER outside their applications."""
    actor = signed_in(ctx)
    require_offered(ctx.pack.slug, Action.REVIEW_HABILITATIONS)
    found = None
    if request_id is not None:
        found = (
            await ctx.session.execute(
                select(HabilitationRequest, Account.email_confirmed_at)
                .join(Account, Account.id == HabilitationRequest.account_id)
                .where(HabilitationRequest.id == request_id)
                .with_for_update(of=HabilitationRequest)
            )
        ).one_or_none()
    if found is None or found[1] is None:
        raise DomainError.one(CommonCode.NOT_FOUND, ("requestId",))
    request = found[0]
    decision = authorise(
        ctx, Action.REVIEW_HABILITATIONS, application_resource(ctx, request.application)
    ).decision
    if request.account_id == actor.account_id:  # nobody approves their own request
        raise DomainError.one(AuthCode.FORBIDDEN, ("requestId",))
    if request.status != RequestStatus.PENDING:
        raise DomainError.one(H.REQUEST_NOT_PENDING, ("requestId",))
    return request, decision


async def approve(
    ctx: ServiceContext, request_id: uuid.UUID | None
) -> tuple[Habilitation, HabilitationRequest]:
    request, decision = await _to_review(ctx, request_id)
    now = ctx.clock.now()
    actor_id = ctx.actor.account_id if ctx.actor else None
    request.status = RequestStatus.APPROVED
    request.decided_at = now
    request.decided_by_account_id = actor_id
    habilitation = Habilitation(
        id=uuid.uuid4(),
        account_id=request.account_id,
        application=request.application,
        profile=request.profile,
        request_id=request.id,
        granted_at=now,
        granted_by_account_id=actor_id,
    )
    ctx.session.add(habilitation)
    await ctx.session.flush()
    structure_ids = list(
        await ctx.session.scalars(
            select(HabilitationRequestStructure.structure_id).where(
                HabilitationRequestStructure.request_id == request.id
            )
        )
    )
    for structure_id in structure_ids:
        ctx.session.add(
            HabilitationStructure(habilitation_id=habilitation.id, structure_id=structure_id)
        )
    _audit(ctx, AuditAction.APPROVE_HABILITATION_REQUEST, request, decision)
    await _tell_requester(ctx, request, "habilitation_approved", structure_ids, reason=None)
    return habilitation, request


async def reject(
    ctx: ServiceContext, request_id: uuid.UUID | None, reason: str | None
) -> HabilitationRequest:
    cleaned = clean_text(reason)
    request, decision = await _to_review(ctx, request_id)
    if cleaned is None:
        raise DomainError.one(CommonCode.REQUIRED, ("reason",))
    if len(cleaned) > MAX_REASON:
        raise DomainError.one(CommonCode.TOO_LONG, ("reason",), max=MAX_REASON)
    request.status = RequestStatus.REJECTED
    request.decided_at = ctx.clock.now()
    request.decided_by_account_id = ctx.actor.account_id if ctx.actor else None
    request.rejection_reason = cleaned
    _audit(ctx, AuditAction.REJECT_HABILITATION_REQUEST, request, decision)
    await _tell_requester(ctx, request, "habilitation_rejected", [], reason=cleaned)
    return request


def _audit(
    ctx: ServiceContext,
    action: AuditAction,
    request: HabilitationRequest,
    decision: Decision,
) -> None:
    trail.record(
        ctx,
        action,
        subject_type="HabilitationRequest",
        subject_id=request.id,
        decision=decision,
        details={"application": request.application, "profile": request.profile},
    )


async def _tell_requester(
    ctx: ServiceContext,
    request: HabilitationRequest,
    template: str,
    structure_ids: Sequence[uuid.UUID],
    reason: str | None,
) -> None:
    row = (
        await ctx.session.execute(
            select(Account, Person)
            .join(Person, Person.id == Account.person_id)
            .where(Account.id == request.account_id)
        )
    ).one()
    account, person = row
    names = ""
    if structure_ids:
        structures = await ctx.session.scalars(
            select(Structure).where(Structure.id.in_(list(structure_ids))).order_by(Structure.name)
        )
        names = ", ".join(f"{s.name} ({s.finess})" for s in structures)
    application = ctx.pack.application(request.application)
    profile = application.profile(request.profile) if application else None
    await enqueue(
        ctx.session,
        pack=ctx.pack,
        recipient=account.email,
        template=template,
        locale=account.locale,
        context={
            "given_names": person.given_names,
            "family_name": person.family_name,
            "application_name": application.name if application else request.application,
            "profile_label": profile.label.get(account.locale) if profile else request.profile,
            "structures": names,
            "reason": reason or "",
            "link": ctx.config.links.sign_in(ctx.pack),
        },
        now=ctx.clock.now(),
    )
