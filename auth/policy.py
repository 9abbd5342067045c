"""The one policy: `decide(actor, action, resource)` answers allowed or denied, and in which
capacity the actor acts (self, organisation administrator, manager with a permission, trusted
third party under a mandate, authority agent). Every permission in Guichet is asked here;
mutations then record the capacity, and the membership or mandate relied on, in the audit log
(`auth.audit.trail.record`).

`standing()` answers first, from the actor alone: an account that must change its password,
or whose address is not confirmed yet, is told so by every act it may not take, before any
resource is looked up (so never NOT_FOUND). `RULES` is then the whole table: for each action,
which capacities may take it. A pending or
rejected organisation gives its members no capacity, except its administrator viewing and
completing the request; only an accepted, unexpired, unrevoked mandate gives any right.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from auth.account.errors import AuthCode
from auth.context import Actor
from auth.habilitation.errors import HabilitationCode
from auth.standing import MandateFact, MembershipFact
from tenants.errors import CommonCode, DomainError
from tenants.mandates import MandateScope, MandateStatus
from tenants.organisations import MembershipRole, Organisation, OrganisationStatus, Permission
from tenants.packs import find_pack
from tenants.packs.base import Capability

C = Capability


class Capacity(StrEnum):
    ANONYMOUS = "ANONYMOUS"  # register, confirm, sign in, reset: the link or password is the right
    SELF = "SELF"
    ADMINISTRATOR = "ADMINISTRATOR"
    MANAGER = "MANAGER"
    TRUSTED_THIRD_PARTY = "TRUSTED_THIRD_PARTY"
    AUTHORITY_AGENT = "AUTHORITY_AGENT"
    APPLICATION_MANAGER = "APPLICATION_MANAGER"  # holds a managing profile of the application
    HABILITATED = "HABILITATED"  # holds a profile of the application on the structure


class Action(StrEnum):
    # One's own account
    VIEW_ACCOUNT = "VIEW_ACCOUNT"
    VIEW_PERSON = "VIEW_PERSON"
    LIST_SESSIONS = "LIST_SESSIONS"
    CHANGE_PASSWORD = "CHANGE_PASSWORD"  # noqa: S105
    SIGN_OUT = "SIGN_OUT"
    REVOKE_SESSION = "REVOKE_SESSION"
    VIEW_AUDIT = "VIEW_AUDIT"  # who acted for me, and by which right
    # Acting for a person
    UPDATE_PERSON_CONTACT = "UPDATE_PERSON_CONTACT"
    VIEW_PERSON_TITLES = "VIEW_PERSON_TITLES"
    RESPOND_TO_MANDATE = "RESPOND_TO_MANDATE"  # accept, refuse, revoke a mandate given
    ACCEPT_INVITATION = "ACCEPT_INVITATION"
    # Organisations
    REGISTER_ORGANISATION = "REGISTER_ORGANISATION"
    VIEW_ORGANISATION = "VIEW_ORGANISATION"
    COMPLETE_ORGANISATION_REQUEST = "COMPLETE_ORGANISATION_REQUEST"
    REVIEW_ORGANISATION = "REVIEW_ORGANISATION"  # list pending, validate, reject
    ADD_ESTABLISHMENT = "ADD_ESTABLISHMENT"
    VIEW_MEMBERS = "VIEW_MEMBERS"
    MANAGE_MANAGERS = "MANAGE_MANAGERS"  # invite, change permissions, revoke
    TRANSFER_ADMINISTRATION = "TRANSFER_ADMINISTRATION"
    MANAGE_EMPLOYEES = "MANAGE_EMPLOYEES"  # employees, labels, dashboard, import, alerts
    MANAGE_MANDATES = "MANAGE_MANDATES"  # ask for, list, revoke mandates (trusted third party)
    VIEW_ORGANISATION_AUDIT = "VIEW_ORGANISATION_AUDIT"  # what was done in its name
    MANAGE_WEBHOOKS = "MANAGE_WEBHOOKS"  # its endpoints, their secrets and delivery logs
    # The authority
    MANAGE_TITLES = "MANAGE_TITLES"  # issue a title, change its status
    # Habilitations (cnsa)
    REQUEST_HABILITATION = "REQUEST_HABILITATION"  # ask, list and withdraw one's own
    REVIEW_HABILITATIONS = "REVIEW_HABILITATIONS"  # list, approve, reject, revoke (managers)
    DEPOSIT_DOCUMENTS = "DEPOSIT_DOCUMENTS"  # deposit, list, trash, restore a structure's
    # Messaging
    TAKE_PART_IN_THREAD = "TAKE_PART_IN_THREAD"  # see a thread, write in it, mark it read
    HANDLE_MESSAGES = "HANDLE_MESSAGES"  # the agents' inbox: list, assign, close
    UPDATE_NOTIFICATION_PREFERENCES = "UPDATE_NOTIFICATION_PREFERENCES"
    # Dossiers
    FILE_DOSSIER = "FILE_DOSSIER"  # create, complete, sign, withdraw, correct a request
    FOLLOW_DOSSIER = "FOLLOW_DOSSIER"  # see a request and its events
    INSTRUCT_DOSSIER = "INSTRUCT_DOSSIER"  # the queue, assign, review, correct, decide
    SIGN_IN_TO_APPLICATION = "SIGN_IN_TO_APPLICATION"  # single sign-on (OIDC) of an application


@dataclass(frozen=True)
class Rule:
    """Who may take an action. `manager` names the permission a manager needs."""

    self_: bool = False
    administrator: bool = False
    administrator_while_pending: bool = False
    manager: Permission | None = None
    any_manager: bool = False  # any manager of the organisation (reading it)
    mandate_scope: MandateScope | None = None
    # what the organisation's member relying on the mandate must hold besides
    # ACT_AS_TRUSTED_THIRD_PARTY (the administrator holds everything)
    mandate_permission: Permission | None = None
    agent: bool = False
    application_manager: bool = False  # holders of a managing profile of the application
    habilitated: bool = False  # holders of a profile of the application on the structure
    capability: Capability | None = None  # the pack must offer it; None: every portal


RULES: dict[Action, Rule] = {
    Action.VIEW_ACCOUNT: Rule(self_=True),
    Action.VIEW_PERSON: Rule(self_=True, mandate_scope=MandateScope.FOLLOW_DOSSIERS),
    Action.LIST_SESSIONS: Rule(self_=True),
    Action.CHANGE_PASSWORD: Rule(self_=True),
    Action.SIGN_OUT: Rule(self_=True),
    Action.REVOKE_SESSION: Rule(self_=True),
    Action.VIEW_AUDIT: Rule(self_=True),
    Action.UPDATE_PERSON_CONTACT: Rule(self_=True, mandate_scope=MandateScope.FILE_DOSSIERS),
    Action.VIEW_PERSON_TITLES: Rule(
        self_=True, mandate_scope=MandateScope.FOLLOW_DOSSIERS, agent=True, capability=C.TITLES
    ),
    Action.RESPOND_TO_MANDATE: Rule(self_=True, capability=C.MANDATES),
    Action.ACCEPT_INVITATION: Rule(self_=True, capability=C.MANAGERS),
    Action.REGISTER_ORGANISATION: Rule(self_=True, capability=C.ORGANISATIONS),
    Action.VIEW_ORGANISATION: Rule(
        administrator=True,
        administrator_while_pending=True,
        any_manager=True,
        agent=True,
        capability=C.ORGANISATIONS,
    ),
    Action.COMPLETE_ORGANISATION_REQUEST: Rule(
        administrator_while_pending=True, capability=C.ORGANISATIONS
    ),
    Action.REVIEW_ORGANISATION: Rule(agent=True, capability=C.ORGANISATIONS),
    Action.ADD_ESTABLISHMENT: Rule(administrator=True, capability=C.ORGANISATIONS),
    Action.VIEW_MEMBERS: Rule(
        self_=True, administrator=True, manager=Permission.MANAGE_MANAGERS, capability=C.MANAGERS
    ),
    Action.MANAGE_MANAGERS: Rule(
        administrator=True, manager=Permission.MANAGE_MANAGERS, capability=C.MANAGERS
    ),
    Action.TRANSFER_ADMINISTRATION: Rule(administrator=True, capability=C.MANAGERS),
    Action.MANAGE_EMPLOYEES: Rule(
        administrator=True, manager=Permission.MANAGE_EMPLOYEES, capability=C.COMPANY_SPACE
    ),
    Action.MANAGE_MANDATES: Rule(
        administrator=True, manager=Permission.ACT_AS_TRUSTED_THIRD_PARTY, capability=C.MANDATES
    ),
    Action.VIEW_ORGANISATION_AUDIT: Rule(administrator=True, capability=C.ORGANISATIONS),
    Action.MANAGE_WEBHOOKS: Rule(administrator=True, capability=C.ORGANISATIONS),
    Action.MANAGE_TITLES: Rule(agent=True, capability=C.TITLES),
    Action.REQUEST_HABILITATION: Rule(self_=True, capability=C.HABILITATIONS),
    Action.REVIEW_HABILITATIONS: Rule(application_manager=True, capability=C.HABILITATIONS),
    Action.DEPOSIT_DOCUMENTS: Rule(habilitated=True, capability=C.DOCUMENT_DEPOSIT),
    # A person's thread: the person, an organisation holding their mandate to receive
    # communications (administrator, managers acting as trusted third party); an
    # organisation's thread: its administrator and managers allowed to message the authority;
    # either: the agents of the thread's delegation.
    Action.TAKE_PART_IN_THREAD: Rule(
        self_=True,
        administrator=True,
        manager=Permission.MESSAGE_AUTHORITY,
        mandate_scope=MandateScope.RECEIVE_COMMUNICATIONS,
        agent=True,
        capability=C.MESSAGING,
    ),
    Action.HANDLE_MESSAGES: Rule(agent=True, capability=C.MESSAGING),
    Action.UPDATE_NOTIFICATION_PREFERENCES: Rule(self_=True, capability=C.MESSAGING),
    # A person files for themselves; an organisation for itself (its administrator, or a
    # manager with FILE_DOSSIERS) or for a person under an accepted mandate with FILE_DOSSIERS
    # (its administrator, or a manager holding FILE_DOSSIERS and ACT_AS_TRUSTED_THIRD_PARTY).
    Action.FILE_DOSSIER: Rule(
        self_=True,
        administrator=True,
        manager=Permission.FILE_DOSSIERS,
        mandate_scope=MandateScope.FILE_DOSSIERS,
        mandate_permission=Permission.FILE_DOSSIERS,
        capability=C.DOSSIERS,
    ),
    Action.FOLLOW_DOSSIER: Rule(
        self_=True,
        administrator=True,
        manager=Permission.FILE_DOSSIERS,
        mandate_scope=MandateScope.FOLLOW_DOSSIERS,
        agent=True,
        capability=C.DOSSIERS,
    ),
    Action.INSTRUCT_DOSSIER: Rule(agent=True, capability=C.DOSSIERS),
    # Any profile of the application, on any structure (the application is told which).
    Action.SIGN_IN_TO_APPLICATION: Rule(habilitated=True, capability=C.HABILITATIONS),
}


def offered(tenant: str | None, action: Action) -> bool:
    """Whether the portal offers the capability the action belongs to (an unknown tenant
    is left to the other rules: they refuse it)."""
    capability = RULES[action].capability
    pack = find_pack(tenant)
    return capability is None or pack is None or pack.offers(capability)


def require_offered(tenant: str | None, action: Action) -> None:
    """For services that look an object up before deciding: on a portal without the
    capability, any ID gets the same clear answer, not NOT_FOUND."""
    if not offered(tenant, action):
        raise DomainError.one(CommonCode.NOT_AVAILABLE_ON_THIS_PORTAL)


# What an account that must change its password may still do.
_RESTRICTED_ALLOWED = frozenset({Action.VIEW_ACCOUNT, Action.CHANGE_PASSWORD, Action.SIGN_OUT})
# What a session whose address is not confirmed yet may still do (an account opened for
# someone else, after its password change): wait for the confirmation, as a new sign-in
# would have to (`resendConfirmation` needs no session).
_UNCONFIRMED_ALLOWED = frozenset({Action.VIEW_ACCOUNT, Action.SIGN_OUT})
# What only a person (not an authority agent) does for themselves.
_PERSONS_ONLY = frozenset(
    {
        Action.REGISTER_ORGANISATION,
        Action.ACCEPT_INVITATION,
        Action.RESPOND_TO_MANDATE,
        Action.REQUEST_HABILITATION,
    }
)


@dataclass(frozen=True)
class Resource:
    """What an action is on: its kind and id, the account or person it belongs to, the
    organisation it belongs to (with that organisation's delegation, for agents), and, for a
    person, the mandates that concern it."""

    kind: str
    id: uuid.UUID | None
    owner_account_id: uuid.UUID | None = None
    owner_person_id: uuid.UUID | None = None
    tenant: str | None = None
    organisation_id: uuid.UUID | None = None
    delegation: str | None = None  # None: any agent of the tenant
    mandates: tuple[MandateFact, ...] = ()
    application: str | None = None  # a pack's Application.code (habilitations, deposits)
    structure_id: uuid.UUID | None = None  # a FINESS structure (deposits)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    capacity: Capacity | None
    code: str | None = None
    via_type: str | None = None  # "Membership" or "Mandate": what the right rests on
    via_id: uuid.UUID | None = None
    permission: str | None = None  # the manager's permission relied on
    params: tuple[tuple[str, str], ...] = ()

    def require(self, field: tuple[str, ...] | None = None) -> Decision:
        if not self.allowed:
            raise DomainError.one(self.code or AuthCode.FORBIDDEN, field, **dict(self.params))
        return self


def _deny(code: str, **params: str) -> Decision:
    return Decision(allowed=False, capacity=None, code=code, params=tuple(params.items()))


def _allow(
    capacity: Capacity,
    via_type: str | None = None,
    via_id: uuid.UUID | None = None,
    permission: str | None = None,
) -> Decision:
    return Decision(True, capacity, via_type=via_type, via_id=via_id, permission=permission)


def standing(actor: Actor | None, action: Action | None = None) -> Decision | None:
    """The refusal that depends on the actor alone, whatever the resource: nobody signed in,
    a temporary password still to change, an address still to confirm. `None` when the actor
    may go on to the resource. Services that hide what the actor may not see (NOT_FOUND) ask
    this first, so such an account always hears why it may not act. No `action`: any act
    beyond looking at one's own account and signing out."""
    if actor is None:
        return _deny(AuthCode.AUTHENTICATION_REQUIRED)
    if actor.must_change_password:
        if action not in _RESTRICTED_ALLOWED:
            return _deny(AuthCode.PASSWORD_CHANGE_REQUIRED)
    elif not actor.email_confirmed and action not in _UNCONFIRMED_ALLOWED:
        return _deny(AuthCode.EMAIL_NOT_CONFIRMED)
    return None


def require_standing(actor: Actor | None, action: Action | None = None) -> Actor:
    """The actor, if `standing` lets them act at all; otherwise its refusal is raised."""
    refusal = standing(actor, action)
    if refusal is not None:
        refusal.require()
    assert actor is not None  # noqa: S101 - standing refuses anonymous callers
    return actor


def decide(actor: Actor | None, action: Action, resource: Resource) -> Decision:
    refusal = standing(actor, action)
    if refusal is not None or actor is None:
        return refusal or _deny(AuthCode.AUTHENTICATION_REQUIRED)
    if resource.tenant is not None and resource.tenant != actor.tenant:
        return _deny(AuthCode.FORBIDDEN)
    if not offered(actor.tenant, action):
        return _deny(CommonCode.NOT_AVAILABLE_ON_THIS_PORTAL)
    rule = RULES[action]
    if rule.self_ and _is_self(actor, resource):
        if actor.is_agent and action in _PERSONS_ONLY:
            return _deny(AuthCode.FORBIDDEN)
        return _allow(Capacity.SELF)
    if rule.agent and actor.agent_delegations is not None:
        if resource.delegation is None or resource.delegation in actor.agent_delegations:
            return _allow(Capacity.AUTHORITY_AGENT, "Delegation")
        return _deny(AuthCode.OUTSIDE_DELEGATION)
    if rule.application_manager or rule.habilitated:
        return _by_habilitation(actor, rule, resource)
    if resource.organisation_id is not None:
        membership = actor.membership(resource.organisation_id)
        if membership is not None:
            return _as_member(membership, rule)
    if rule.mandate_scope is not None and resource.mandates:
        return _as_trusted_third_party(
            actor, rule.mandate_scope, resource.mandates, rule.mandate_permission
        )
    return _deny(AuthCode.FORBIDDEN)


def managed_applications(actor: Actor | None) -> frozenset[str]:
    """The applications whose managing profile the actor holds (their habilitation requests
    are theirs to review)."""
    if actor is None:
        return frozenset()
    pack = find_pack(actor.tenant)
    managed = set()
    for fact in actor.habilitations:
        application = pack.application(fact.application) if pack else None
        if application is not None and fact.profile in application.managing_profiles:
            managed.add(fact.application)
    return frozenset(managed)


def _by_habilitation(actor: Actor, rule: Rule, resource: Resource) -> Decision:
    """An application manager (the application's managing profile), or an account holding a
    profile of the application on the structure."""
    if rule.application_manager:
        pack = find_pack(actor.tenant)
        application = pack.application(resource.application or "") if pack else None
        for fact in actor.habilitations:
            if application is not None and (
                fact.application == application.code
                and fact.profile in application.managing_profiles
            ):
                return _allow(Capacity.APPLICATION_MANAGER, "Habilitation", fact.habilitation_id)
        return _deny(HabilitationCode.NOT_APPLICATION_MANAGER)
    if resource.kind == "Application":
        for fact in actor.habilitations:
            if fact.application == resource.application:
                return _allow(Capacity.HABILITATED, "Habilitation", fact.habilitation_id)
        return _deny(HabilitationCode.NOT_HABILITATED_FOR_APPLICATION)
    for fact in actor.habilitations:
        if (
            fact.application == resource.application
            and resource.structure_id is not None
            and resource.structure_id in fact.structure_ids
        ):
            return _allow(Capacity.HABILITATED, "Habilitation", fact.habilitation_id)
    return _deny(HabilitationCode.NOT_HABILITATED_ON_STRUCTURE)


def _is_self(actor: Actor, resource: Resource) -> bool:
    return (
        resource.owner_account_id is not None and resource.owner_account_id == actor.account_id
    ) or (resource.owner_person_id is not None and resource.owner_person_id == actor.person_id)


def _as_member(membership: MembershipFact, rule: Rule) -> Decision:
    via = ("Membership", membership.membership_id)
    administrator = membership.role == MembershipRole.ADMINISTRATOR
    if membership.organisation_status != OrganisationStatus.VALIDATED:
        if administrator and rule.administrator_while_pending:
            return _allow(Capacity.ADMINISTRATOR, *via)
        return _deny(AuthCode.ORGANISATION_NOT_VALIDATED)
    if administrator:
        if rule.administrator or rule.administrator_while_pending:
            return _allow(Capacity.ADMINISTRATOR, *via)
        return _deny(AuthCode.FORBIDDEN)
    if rule.manager is not None and rule.manager in membership.effective_permissions:
        return _allow(Capacity.MANAGER, *via, permission=rule.manager)
    if rule.any_manager:
        return _allow(Capacity.MANAGER, *via)
    if rule.manager is not None:
        return _deny(AuthCode.PERMISSION_MISSING, permission=rule.manager)
    return _deny(AuthCode.FORBIDDEN)


_MANDATE_REFUSALS = {
    MandateStatus.REQUESTED: AuthCode.MANDATE_NOT_ACCEPTED,
    MandateStatus.REFUSED: AuthCode.MANDATE_REFUSED,
    MandateStatus.REVOKED: AuthCode.MANDATE_REVOKED,
    MandateStatus.EXPIRED: AuthCode.MANDATE_EXPIRED,
}


def _as_trusted_third_party(
    actor: Actor,
    scope: MandateScope,
    mandates: tuple[MandateFact, ...],
    also: Permission | None = None,
) -> Decision:
    """The first mandate the actor may rely on: given to an organisation they act for as its
    administrator or as a manager allowed to act as trusted third party."""
    refusal: Decision | None = None
    for mandate in mandates:
        membership = actor.membership(mandate.organisation_id)
        if membership is None:
            continue
        if membership.organisation_status != OrganisationStatus.VALIDATED:
            refusal = refusal or _deny(AuthCode.ORGANISATION_NOT_VALIDATED)
            continue
        missing = [
            p
            for p in (Permission.ACT_AS_TRUSTED_THIRD_PARTY, also)
            if p is not None and p not in membership.effective_permissions
        ]
        if missing:
            refusal = refusal or _deny(AuthCode.PERMISSION_MISSING, permission=missing[0])
            continue
        if mandate.status != MandateStatus.ACCEPTED:
            refusal = refusal or _deny(_MANDATE_REFUSALS[mandate.status])
            continue
        if scope not in mandate.scopes:
            refusal = refusal or _deny(AuthCode.MANDATE_SCOPE_MISSING, scope=scope)
            continue
        return _allow(Capacity.TRUSTED_THIRD_PARTY, "Mandate", mandate.mandate_id, also)
    return refusal or _deny(AuthCode.FORBIDDEN)


def organisation_resource(organisation: Organisation) -> Resource:
    """An organisation as a resource: its members' standing and its delegation (for agents)
    decide."""
    return Resource(
        "Organisation",
        organisation.id,
        tenant=organisation.tenant_id,
        organisation_id=organisation.id,
        delegation=organisation.delegation,
    )


def organisations_where(actor: Actor | None, action: Action) -> list[uuid.UUID]:
    """The organisations in whose name the actor may take `action` (their memberships that
    the policy allows), e.g. every organisation whose alerts or mandates they handle."""
    if actor is None:
        return []
    return [
        fact.organisation_id
        for fact in actor.memberships
        if decide(
            actor,
            action,
            Resource("Organisation", fact.organisation_id, organisation_id=fact.organisation_id),
        ).allowed
    ]


def own_account(actor: Actor | None) -> Resource:
    """The resource "the actor's own account" (sign-out, password change, sessions)."""
    account = actor.account_id if actor else None
    return Resource(
        kind="Account",
        id=account,
        owner_account_id=account,
        tenant=actor.tenant if actor else None,
    )
