"""Inviting a manager: the administrator (or a manager who manages managers) invites a person
by e-mail with a set of permissions; the invitee accepts through the link, signed in with a
confirmed account, and becomes a manager with those permissions.

The link carries a random token, stored only as its SHA-256, single-use, valid
`INVITATION_TTL`; a new invitation to the same address for the same organisation replaces the
unused one (its link stops working).

The accepting account need not have the invited address [choice]: a person has one account
per tenant, often under a personal address, while the organisation knows a professional one;
requiring the same address would force a second account for the same person. The link is
the credential (as for any e-mailed link); the invited address and the accepting account are
both kept in the audit log, and the inviter is told by e-mail who accepted, so a forwarded
link is seen at once and the manager revoked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.account.identity_fields import Collector
from auth.account.models import Account
from auth.account.onboarding import format_local
from auth.account.opaque_tokens import digest, new_token
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.delegation.errors import DelegationCode
from auth.delegation.managers import canonical, full_name, not_held
from auth.permit import authorise, organisation_permit, permit
from auth.policy import Action, Resource
from mail.outbox import enqueue
from tenants.errors import DomainError, FieldError
from tenants.models import new_id
from tenants.organisations import Invitation, Membership, MembershipRole, Organisation
from tenants.pagination import Page, PageKey, pages_by_parent
from tenants.session import rows_changed

INVITATION_TTL = timedelta(days=7)  # [choice] a week to see the mail and open an account

PERMISSION_LABELS: dict[str, tuple[str, str]] = {
    "MANAGE_EMPLOYEES": ("gérer les salariés", "manage employees"),
    "FILE_DOSSIERS": ("déposer des demandes pour l'organisation", "file dossiers"),
    "ACT_AS_TRUSTED_THIRD_PARTY": ("agir comme tiers de confiance", "act as trusted third party"),
    "DECLARE_TRAINING_SESSIONS": ("déclarer les sessions de formation", "declare training"),
    "MESSAGE_AUTHORITY": ("écrire à l'autorité", "message the authority"),
    "MANAGE_MANAGERS": ("gérer les gestionnaires", "manage managers"),
}


class InvitationStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REVOKED = "REVOKED"  # withdrawn, or replaced by a newer invitation
    EXPIRED = "EXPIRED"


def invitation_status(invitation: Invitation, now: datetime) -> InvitationStatus:
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= now:
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def permission_labels(permissions: Iterable[str], locale: str) -> list[str]:
    index = 1 if locale == "en" else 0
    return [PERMISSION_LABELS[p][index] for p in canonical(permissions)]


async def _active_member(ctx: ServiceContext, organisation_id: uuid.UUID, email: str) -> bool:
    found = await ctx.session.scalar(
        select(Membership.id)
        .join(Account, Account.person_id == Membership.person_id)
        .where(
            Account.email == email,
            Membership.organisation_id == organisation_id,
            Membership.revoked_at.is_(None),
        )
    )
    return found is not None


async def invite_manager(
    ctx: ServiceContext,
    organisation_id: uuid.UUID | None,
    email_input: str | None,
    permissions: Iterable[str],
) -> Invitation:
    allowed = await organisation_permit(
        ctx, organisation_id, Action.MANAGE_MANAGERS, ("organisationId",)
    )
    org, actor, decision = allowed.row, allowed.actor, allowed.decision
    check = Collector([])
    email = check.email(email_input, ("email",))
    granted = canonical(permissions)
    check.errors.extend(not_held(actor, org.id, granted, ("permissions",)))
    if email is not None and await _active_member(ctx, org.id, email):
        check.add(DelegationCode.ALREADY_MEMBER, ("email",))
    if check.errors or email is None:
        raise DomainError(check.errors)
    now = ctx.clock.now()
    superseded = await ctx.session.execute(
        update(Invitation)
        .where(
            Invitation.organisation_id == org.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    raw = new_token()
    invitation = Invitation(
        id=new_id(),
        organisation_id=org.id,
        email=email,
        permissions=granted,
        token_hash=digest(raw),
        invited_by_account_id=actor.account_id,
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    ctx.session.add(invitation)
    existing = await ctx.session.scalar(select(Account.locale).where(Account.email == email))
    locale = existing or ctx.locale
    await enqueue(
        ctx.session,
        pack=ctx.pack,
        recipient=email,
        template="manager_invitation",
        locale=locale,
        context={
            "organisation": org.name,
            "inviter": await full_name(ctx, actor.person_id),
            "permissions": permission_labels(granted, locale),
            "link": ctx.config.links.accept_invitation(ctx.pack, raw),
            "expires_at": format_local(invitation.expires_at, locale),
        },
        now=now,
    )
    trail.record(
        ctx,
        AuditAction.INVITE_MANAGER,
        subject_type="Invitation",
        subject_id=invitation.id,
        decision=decision,
        organisation_id=org.id,
        details={
            "email": email,
            "permissions": granted,
            "superseded": rows_changed(superseded),
        },
    )
    return invitation


async def _invitation_of(ctx: ServiceContext, raw: str | None) -> Invitation:
    field = ("token",)
    token = (raw or "").strip()
    if not token or len(token) > 200:
        raise DomainError.one(DelegationCode.INVITATION_INVALID, field)
    invitation = await ctx.session.scalar(
        select(Invitation).where(Invitation.token_hash == digest(token))
    )
    if invitation is None:
        raise DomainError.one(DelegationCode.INVITATION_INVALID, field)
    status = invitation_status(invitation, ctx.clock.now())
    refusals = {
        InvitationStatus.ACCEPTED: DelegationCode.INVITATION_ALREADY_USED,
        InvitationStatus.REVOKED: DelegationCode.INVITATION_REVOKED,
        InvitationStatus.EXPIRED: DelegationCode.INVITATION_EXPIRED,
    }
    if status in refusals:
        raise DomainError.one(refusals[status], field)
    return invitation


async def accept_invitation(ctx: ServiceContext, token: str | None) -> Membership:
    person = ctx.actor.person_id if ctx.actor else None
    grant = authorise(
        ctx, Action.ACCEPT_INVITATION, Resource("Invitation", None, owner_person_id=person)
    )
    actor, decision = grant.actor, grant.decision
    invitation = await _invitation_of(ctx, token)
    org = await ctx.session.get_one(Organisation, invitation.organisation_id)
    already = await ctx.session.scalar(
        select(Membership.id).where(
            Membership.organisation_id == org.id,
            Membership.person_id == actor.person_id,
            Membership.revoked_at.is_(None),
        )
    )
    if already is not None:
        raise DomainError.one(DelegationCode.ALREADY_MEMBER, ("token",))
    now = ctx.clock.now()
    membership = Membership(
        id=new_id(),
        organisation_id=org.id,
        person_id=actor.person_id,
        role=MembershipRole.MANAGER,
        permissions=canonical(invitation.permissions or ()),
        granted_by_account_id=invitation.invited_by_account_id,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(membership)
    await ctx.session.flush()
    # Guarded update: of two concurrent uses of one link, exactly one wins.
    used = await ctx.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(accepted_at=now, accepted_membership_id=membership.id)
    )
    if rows_changed(used) != 1:
        raise DomainError.one(DelegationCode.INVITATION_ALREADY_USED, ("token",))
    account = await ctx.session.get_one(Account, actor.account_id)
    inviter = await ctx.session.get(Account, invitation.invited_by_account_id)
    if inviter is not None:
        await enqueue(
            ctx.session,
            pack=ctx.pack,
            recipient=inviter.email,
            template="invitation_accepted",
            locale=inviter.locale,
            context={
                "organisation": org.name,
                "manager": await full_name(ctx, actor.person_id),
                "manager_email": account.email,
                "invited_email": invitation.email,
                "permissions": permission_labels(membership.permissions, inviter.locale),
            },
            now=now,
        )
    trail.record(
        ctx,
        AuditAction.ACCEPT_INVITATION,
        subject_type="Membership",
        subject_id=membership.id,
        decision=decision,
        organisation_id=org.id,
        details={
            "invitation_id": str(invitation.id),
            "invited_email": invitation.email,
            "account_email": account.email,
            "permissions": membership.permissions,
        },
    )
    return membership


async def revoke_invitation(ctx: ServiceContext, invitation_id: uuid.UUID | None) -> Invitation:
    """Withdraw a pending invitation (its link stops working)."""
    field = ("invitationId",)
    allowed = await permit(ctx, Invitation, invitation_id, Action.MANAGE_MANAGERS, field)
    invitation, org = allowed.row, allowed.organisation
    actor, decision = allowed.actor, allowed.decision
    status = invitation_status(invitation, ctx.clock.now())
    if status == InvitationStatus.ACCEPTED:
        raise DomainError.one(DelegationCode.INVITATION_ALREADY_USED, field)
    if status == InvitationStatus.REVOKED:
        raise DomainError.one(DelegationCode.INVITATION_REVOKED, field)
    errors: list[FieldError] = not_held(actor, org.id, invitation.permissions or (), field)
    if errors:
        raise DomainError(errors)
    invitation.revoked_at = ctx.clock.now()
    trail.record(
        ctx,
        AuditAction.REVOKE_INVITATION,
        subject_type="Invitation",
        subject_id=invitation.id,
        decision=decision,
        organisation_id=org.id,
        details={"email": invitation.email},
    )
    return invitation


async def pending_invitation_pages(
    session: AsyncSession, keys: Sequence[PageKey]
) -> list[Page[Any]]:
    """Keyed by organisation, filters `(now,)`: the invitations still pending (sent, neither
    accepted, revoked nor expired)."""

    def rows(filters: tuple[Any, ...]) -> Select[Any]:
        (now,) = filters
        return select(Invitation).where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )

    return await pages_by_parent(session, keys, Invitation.organisation_id, rows)
