"""Changing a person's contact details (phone, postal address): the person themselves, or a
trusted third party under an effective mandate covering FILE_DOSSIERS — the first act an
organisation can do in a person's name.

The act records the capacity and the mandate relied on, with the person it was done for and
the mandate's organisation, so the person's "who acted for me" lists it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from auth.account.errors import AuthCode
from auth.account.identity_fields import Collector
from auth.account.onboarding import AddressData
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.delegation.errors import DelegationCode
from auth.delegation.managers import paris_today
from auth.permit import signed_in
from auth.policy import Action, Capacity, Decision, Resource, decide
from auth.standing import MandateFact, mandates_for
from tenants.errors import CommonCode, DomainError
from tenants.models import Person


@dataclass(frozen=True)
class ContactChange:
    """`phone`: None leaves it, "" removes it; `address`: None leaves it, else replaces it
    whole (line 1, postal code, city and country required)."""

    phone: str | None = None
    address: AddressData | None = None


@dataclass(frozen=True)
class ContactUpdated:
    person: Person
    decision: Decision
    mandate: MandateFact | None  # the mandate relied on, for a trusted third party
    may_view_person: bool  # the whole identity: self, or a mandate covering FOLLOW_DOSSIERS


async def update_person_contact(
    ctx: ServiceContext,
    person_id: uuid.UUID | None,
    change: ContactChange,
    mandate_id: uuid.UUID | None = None,
) -> ContactUpdated:
    actor = signed_in(ctx)
    person = await ctx.session.get(Person, person_id) if person_id else None
    if person is None:
        raise DomainError.one(CommonCode.NOT_FOUND, ("personId",))
    mandates: tuple[MandateFact, ...] = ()
    if person.id != actor.person_id:
        organisations = [fact.organisation_id for fact in actor.memberships]
        mandates = await mandates_for(
            ctx.session, person.id, organisations, paris_today(ctx), mandate_id
        )
    resource = Resource(
        "Person", person.id, owner_person_id=person.id, tenant=person.tenant_id, mandates=mandates
    )
    decision = decide(actor, Action.UPDATE_PERSON_CONTACT, resource)
    if not decision.allowed and not mandates and decision.code == AuthCode.FORBIDDEN:
        # No relation at all with this person: as if they did not exist.
        field = ("mandateId",) if mandate_id is not None else ("personId",)
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    decision.require()
    phone, address = _checked(change)
    if phone is not None:
        person.phone = phone or None
    if address is not None:
        person.address_line1 = address.line1
        person.address_line2 = address.line2
        person.postal_code = address.postal_code
        person.city = address.city
        person.country = address.country
    relied_on = next((m for m in mandates if m.mandate_id == decision.via_id), None)
    for_someone = decision.capacity == Capacity.TRUSTED_THIRD_PARTY
    details: dict[str, object] = {
        "changed": [n for n, v in (("phone", phone), ("address", address)) if v is not None]
    }
    membership = actor.membership(relied_on.organisation_id) if relied_on else None
    if membership is not None:  # who in the organisation relied on the mandate, as what
        details["membership_id"] = str(membership.membership_id)
        details["role"] = membership.role
    trail.record(
        ctx,
        AuditAction.UPDATE_PERSON_CONTACT,
        subject_type="Person",
        subject_id=person.id,
        decision=decision,
        organisation_id=relied_on.organisation_id if relied_on else None,
        on_behalf_of_person_id=person.id if for_someone else None,
        details=details,
    )
    return ContactUpdated(
        person=person,
        decision=decision,
        mandate=relied_on,
        may_view_person=decide(actor, Action.VIEW_PERSON, resource).allowed,
    )


def _checked(change: ContactChange) -> tuple[str | None, AddressData | None]:
    check = Collector([])
    phone: str | None = None
    if change.phone is not None:
        phone = "" if not change.phone.strip() else check.phone(change.phone, ("phone",), True)
    address: AddressData | None = None
    if change.address is not None:
        address = check.address(change.address, ("address",), True)
    if change.phone is None and change.address is None:
        check.add(DelegationCode.NOTHING_TO_CHANGE, ("phone",))
    if check.errors:
        raise DomainError(check.errors)
    return phone, address
