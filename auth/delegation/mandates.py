"""Mandates: a person's consent, formalised on the platform, that an organisation acts for
them as trusted third party (docs/DOMAIN.md "Delegation").

The organisation (its administrator, or a manager allowed to act as trusted third party) asks
a person, by their e-mail address, for a mandate with scopes and an optional end date (an
address without an account is invited to open one and the request waits for it: the answer
never tells whether the address has an account); the person, signed in as themselves,
accepts or refuses it; either side revokes it at any time (the other side is told by
e-mail); it ends by itself after its end date (the effective status is read off `ends_on`, a
day in Europe/Paris). Only an accepted, unexpired,
unrevoked mandate gives any right (`auth.policy`).

At most one open request or mandate in force per organisation and person (or address) at a
time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select

from auth.account.errors import AuthCode
from auth.account.identity_fields import Collector
from auth.account.models import Account, AccountKind
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import Actor, ServiceContext
from auth.delegation.errors import DelegationCode
from auth.delegation.managers import full_name, paris_today, person_account
from auth.delegation.mandate_reads import organisation_side, person_side
from auth.permit import Decides, Permit, organisation_permit, permit
from auth.policy import Action, Decision
from mail.outbox import enqueue
from tenants.errors import CommonCode, DomainError
from tenants.mandates import Mandate, MandateScope, MandateStatus, effective_status
from tenants.models import Person, new_id
from tenants.organisations import Membership, MembershipRole, Organisation

SCOPE_LABELS: dict[MandateScope, tuple[str, str]] = {
    MandateScope.FILE_DOSSIERS: (
        "déposer des demandes en votre nom",
        "file applications in your name",
    ),
    MandateScope.FOLLOW_DOSSIERS: ("suivre vos demandes", "follow your applications"),
    MandateScope.RECEIVE_COMMUNICATIONS: (
        "recevoir les notifications et communications de l'autorité",
        "receive the authority's notifications and communications",
    ),
}


def scope_labels(scopes: Iterable[str], locale: str) -> list[str]:
    index = 1 if locale == "en" else 0
    given = set(scopes)
    return [SCOPE_LABELS[s][index] for s in MandateScope if s in given]


def _scopes(scopes: Iterable[str]) -> list[str]:
    given = {str(s) for s in scopes}
    return [str(s) for s in MandateScope if s in given]


def format_day(day: date | None, locale: str) -> str | None:
    if day is None:
        return None
    return day.strftime("%d/%m/%Y")


# Asking


async def request_mandate(
    ctx: ServiceContext,
    organisation_id: uuid.UUID | None,
    email_input: str | None,
    scopes: Iterable[str],
    ends_on: date | None,
) -> Mandate:
    allowed = await organisation_permit(
        ctx, organisation_id, Action.MANAGE_MANDATES, ("organisationId",)
    )
    org, actor, decision = allowed.row, allowed.actor, allowed.decision
    today = paris_today(ctx)
    check = Collector([])
    email = check.email(email_input, ("email",))
    wanted = _scopes(scopes)
    if not wanted:
        check.add(CommonCode.REQUIRED, ("scopes",))
    if ends_on is not None and ends_on < today:
        check.add(DelegationCode.MANDATE_END_DATE_PAST, ("endsOn",))
    account = None
    if email is not None:
        account = await ctx.session.scalar(
            select(Account).where(Account.email == email, Account.kind == AccountKind.PERSON)
        )
        if await _open_request_exists(ctx, org.id, email, account, today):
            check.add(DelegationCode.MANDATE_ALREADY_EXISTS, ("email",))
    if check.errors or email is None:
        raise DomainError(check.errors)
    now = ctx.clock.now()
    mandate = Mandate(
        id=new_id(),
        organisation_id=org.id,
        person_id=account.person_id if account else None,
        email=email,
        scopes=wanted,
        status=MandateStatus.REQUESTED,
        ends_on=ends_on,
        requested_by_account_id=actor.account_id,
        created_at=now,
    )
    ctx.session.add(mandate)
    # The same request either way; only the mail differs, and only its recipient reads it:
    # with an account, "sign in to answer"; without, "open an account with this address, the
    # request will be waiting" (`tenants.mandates.claim_requests` at confirmation).
    locale = account.locale if account else ctx.locale
    context: dict[str, Any] = {
        "organisation": org.name,
        "siren": org.siren,
        "requester": await full_name(ctx, actor.person_id),
        "scopes": scope_labels(wanted, locale),
        "ends_on": format_day(ends_on, locale),
        "link": ctx.config.links.sign_in(ctx.pack),
    }
    if account is not None:
        template = "mandate_requested"
        context["given_names"] = await _given_names(ctx, account.person_id)
    else:
        template = "mandate_invitation"
        context["email"] = email
    await enqueue(
        ctx.session,
        pack=ctx.pack,
        recipient=email,
        template=template,
        locale=locale,
        context=context,
        now=now,
    )
    trail.record(
        ctx,
        AuditAction.REQUEST_MANDATE,
        subject_type="Mandate",
        subject_id=mandate.id,
        decision=decision,
        organisation_id=org.id,
        details={"scopes": wanted, "ends_on": ends_on.isoformat() if ends_on else None},
    )
    return mandate


async def _open_request_exists(
    ctx: ServiceContext,
    organisation_id: uuid.UUID,
    email: str,
    account: Account | None,
    today: date,
) -> bool:
    """A request not yet answered, or a mandate in force, of the organisation to this address
    (or to its account's person): the organisation knows its own requests, nothing more."""
    to_whom = Mandate.email == email
    if account is not None:
        to_whom = or_(to_whom, Mandate.person_id == account.person_id)
    open_ones = await ctx.session.scalars(
        select(Mandate).where(
            Mandate.organisation_id == organisation_id,
            to_whom,
            Mandate.status.in_([MandateStatus.REQUESTED, MandateStatus.ACCEPTED]),
        )
    )
    return any(effective_status(m, today) != MandateStatus.EXPIRED for m in open_ones.all())


async def _given_names(ctx: ServiceContext, person_id: uuid.UUID) -> str:
    person = await ctx.session.get(Person, person_id)
    return person.given_names if person else ""


async def _person_name(ctx: ServiceContext, mandate: Mandate) -> str:
    if mandate.person_id is None:
        return mandate.email or ""
    return await full_name(ctx, mandate.person_id)


# Answering and revoking


def _party(actor: Actor, mandate: Mandate, organisation: Organisation) -> bool:
    """Who may know of a mandate: its person, and whoever acts for its organisation."""
    return mandate.person_id == actor.person_id or actor.membership(organisation.id) is not None


def _person_side(actor: Actor, mandate: Mandate, _organisation: Organisation) -> Decision:
    return person_side(actor, mandate)


def _either_side(actor: Actor, mandate: Mandate, _organisation: Organisation) -> Decision:
    """The person revokes for themselves; anyone else only for the organisation."""
    side = person_side if mandate.person_id == actor.person_id else organisation_side
    return side(actor, mandate)


async def _mandate_in_reach(
    ctx: ServiceContext, mandate_id: uuid.UUID | None, decides: Decides[Mandate]
) -> Permit[Mandate]:
    return await permit(
        ctx,
        Mandate,
        mandate_id,
        decides,
        ("mandateId",),
        sees=_party,
        offered_as=Action.RESPOND_TO_MANDATE,
    )


_CLOSED = {
    MandateStatus.REVOKED: AuthCode.MANDATE_REVOKED,
    MandateStatus.REFUSED: AuthCode.MANDATE_REFUSED,
    MandateStatus.EXPIRED: AuthCode.MANDATE_EXPIRED,
}


def _refuse_closed(status: MandateStatus) -> None:
    if status in _CLOSED:
        raise DomainError.one(_CLOSED[status], ("mandateId",))


@dataclass(frozen=True)
class _Answer:
    status: MandateStatus
    action: AuditAction


async def _respond(ctx: ServiceContext, mandate_id: uuid.UUID | None, answer: _Answer) -> Mandate:
    allowed = await _mandate_in_reach(ctx, mandate_id, _person_side)
    mandate, org, decision = allowed.row, allowed.organisation, allowed.decision
    today = paris_today(ctx)
    status = effective_status(mandate, today)
    if status == MandateStatus.ACCEPTED:
        raise DomainError.one(DelegationCode.MANDATE_ALREADY_ACCEPTED, ("mandateId",))
    _refuse_closed(status)
    if mandate.ends_on is not None and mandate.ends_on < today:  # asked, then its end passed
        raise DomainError.one(AuthCode.MANDATE_EXPIRED, ("mandateId",))
    now = ctx.clock.now()
    mandate.status = answer.status
    mandate.responded_at = now
    requester = await ctx.session.get(Account, mandate.requested_by_account_id)
    if requester is not None:
        await enqueue(
            ctx.session,
            pack=ctx.pack,
            recipient=requester.email,
            template="mandate_answered",
            locale=requester.locale,
            context={
                "organisation": org.name,
                "person": await _person_name(ctx, mandate),
                "accepted": answer.status == MandateStatus.ACCEPTED,
                "scopes": scope_labels(mandate.scopes or (), requester.locale),
                "ends_on": format_day(mandate.ends_on, requester.locale),
            },
            now=now,
        )
    trail.record(
        ctx,
        answer.action,
        subject_type="Mandate",
        subject_id=mandate.id,
        decision=decision,
        organisation_id=mandate.organisation_id,
        details={"scopes": list(mandate.scopes or ())},
    )
    return mandate


async def accept_mandate(ctx: ServiceContext, mandate_id: uuid.UUID | None) -> Mandate:
    return await _respond(
        ctx, mandate_id, _Answer(MandateStatus.ACCEPTED, AuditAction.ACCEPT_MANDATE)
    )


async def refuse_mandate(ctx: ServiceContext, mandate_id: uuid.UUID | None) -> Mandate:
    return await _respond(
        ctx, mandate_id, _Answer(MandateStatus.REFUSED, AuditAction.REFUSE_MANDATE)
    )


async def revoke_mandate(ctx: ServiceContext, mandate_id: uuid.UUID | None) -> Mandate:
    """By the person (for themselves) or by the organisation: a request not yet answered is
    withdrawn, a mandate in force ends now. The other side is told by e-mail."""
    allowed = await _mandate_in_reach(ctx, mandate_id, _either_side)
    mandate, org = allowed.row, allowed.organisation
    actor, decision = allowed.actor, allowed.decision
    by_person = mandate.person_id == actor.person_id
    _refuse_closed(effective_status(mandate, paris_today(ctx)))
    now = ctx.clock.now()
    mandate.status = MandateStatus.REVOKED
    mandate.revoked_at = now
    mandate.revoked_by_account_id = actor.account_id
    person_id = mandate.person_id
    recipients = (
        await _organisation_contacts(ctx, mandate)
        if by_person
        else [a for a in [await person_account(ctx, person_id)] if a is not None]
        if person_id is not None
        else []  # asked of an address that has no account yet: nobody to tell
    )
    for account in recipients:
        await enqueue(
            ctx.session,
            pack=ctx.pack,
            recipient=account.email,
            template="mandate_revoked",
            locale=account.locale,
            context={
                "organisation": org.name,
                "person": await _person_name(ctx, mandate),
                "by_person": by_person,
                "revoked_by": await full_name(ctx, actor.person_id),
                "scopes": scope_labels(mandate.scopes or (), account.locale),
            },
            now=now,
        )
    trail.record(
        ctx,
        AuditAction.REVOKE_MANDATE,
        subject_type="Mandate",
        subject_id=mandate.id,
        decision=decision,
        organisation_id=mandate.organisation_id,
        details={"by": "PERSON" if by_person else "ORGANISATION"},
    )
    return mandate


async def _organisation_contacts(ctx: ServiceContext, mandate: Mandate) -> list[Account]:
    """Who asked for the mandate, and the organisation's administrator (once each)."""
    administrator = await ctx.session.scalar(
        select(Account)
        .join(Membership, Membership.person_id == Account.person_id)
        .where(
            and_(
                Membership.organisation_id == mandate.organisation_id,
                Membership.role == MembershipRole.ADMINISTRATOR,
                Membership.revoked_at.is_(None),
                Account.kind == AccountKind.PERSON,
            )
        )
    )
    requester = await ctx.session.get(Account, mandate.requested_by_account_id)
    found: dict[uuid.UUID, Account] = {}
    for account in (requester, administrator):
        if account is not None:
            found.setdefault(account.id, account)
    return list(found.values())
