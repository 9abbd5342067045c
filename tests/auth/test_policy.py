"""The policy, table-driven: every capacity against every action, allowed and denied.

Each actor below holds one kind of standing towards the same organisation `ORG` and the same
person `PERSON`; `EXPECTED` says, for every action, who is allowed and in which capacity.
Everyone not listed for an action is denied, and the test checks the code of the denial.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from auth.context import Actor
from auth.policy import RULES, Action, Capacity, Decision, Resource, decide, offered, standing
from auth.standing import MandateFact, MembershipFact
from tenants.mandates import MandateScope, MandateStatus
from tenants.organisations import MembershipRole, OrganisationStatus, Permission

ORG = uuid.uuid4()
PERSON = uuid.uuid4()  # the person resources are about
PERSON_ACCOUNT = uuid.uuid4()
DELEGATION = "OUEST"
TODAY = date(2026, 11, 23)


def member(
    role: MembershipRole, *permissions: Permission, status: str = "VALIDATED"
) -> MembershipFact:
    return MembershipFact(uuid.uuid4(), ORG, role, frozenset(permissions), status)


def actor(
    *,
    person: uuid.UUID | None = None,
    memberships: tuple[MembershipFact, ...] = (),
    agent: frozenset[str] | None = None,
    must_change_password: bool = False,
    tenant: str = "cnaps",
) -> Actor:
    return Actor(
        tenant=tenant,
        account_id=PERSON_ACCOUNT if person == PERSON else uuid.uuid4(),
        person_id=person or uuid.uuid4(),
        session_id=uuid.uuid4(),
        must_change_password=must_change_password,
        memberships=memberships,
        agent_delegations=agent,
    )


ADMIN = member(MembershipRole.ADMINISTRATOR)
ACTORS: dict[str, Actor | None] = {
    "anonymous": None,
    "self": actor(person=PERSON),
    "self_must_change": actor(person=PERSON, must_change_password=True),
    "stranger": actor(),
    "administrator": actor(memberships=(ADMIN,)),
    "administrator_pending": actor(
        memberships=(
            member(MembershipRole.ADMINISTRATOR, status=OrganisationStatus.PENDING_VALIDATION),
        )
    ),
    "administrator_rejected": actor(
        memberships=(member(MembershipRole.ADMINISTRATOR, status=OrganisationStatus.REJECTED),)
    ),
    "manager_employees": actor(
        memberships=(member(MembershipRole.MANAGER, Permission.MANAGE_EMPLOYEES),)
    ),
    "manager_managers": actor(
        memberships=(member(MembershipRole.MANAGER, Permission.MANAGE_MANAGERS),)
    ),
    "manager_third_party": actor(
        memberships=(member(MembershipRole.MANAGER, Permission.ACT_AS_TRUSTED_THIRD_PARTY),)
    ),
    "manager_pending": actor(
        memberships=(
            member(
                MembershipRole.MANAGER,
                *Permission,
                status=OrganisationStatus.PENDING_VALIDATION,
            ),
        )
    ),
    "agent": actor(agent=frozenset({DELEGATION})),
    "agent_elsewhere": actor(agent=frozenset({"IDF"})),
    "other_tenant_agent": actor(agent=frozenset({DELEGATION}), tenant="cnsa"),
}


def mandate(status: MandateStatus, *scopes: MandateScope) -> MandateFact:
    return MandateFact(uuid.uuid4(), ORG, PERSON, frozenset(scopes), status)


ALL_SCOPES = tuple(MandateScope)
ACCEPTED = mandate(MandateStatus.ACCEPTED, *ALL_SCOPES)


def resource(mandates: tuple[MandateFact, ...] = (ACCEPTED,), tenant: str = "cnaps") -> Resource:
    """A resource both about `PERSON` and of `ORG`: each actor's standing decides."""
    return Resource(
        "Thing",
        uuid.uuid4(),
        owner_person_id=PERSON,
        tenant=tenant,
        organisation_id=ORG,
        delegation=DELEGATION,
        mandates=mandates,
    )


def person_resource(mandates: tuple[MandateFact, ...] = (ACCEPTED,)) -> Resource:
    """A resource about `PERSON` only (what a trusted third party acts on)."""
    return Resource("Person", PERSON, owner_person_id=PERSON, tenant="cnaps", mandates=mandates)


S, A, M, T, G = (
    Capacity.SELF,
    Capacity.ADMINISTRATOR,
    Capacity.MANAGER,
    Capacity.TRUSTED_THIRD_PARTY,
    Capacity.AUTHORITY_AGENT,
)
ADMINS = {"administrator": A}
OWN = {"self": S}
REVIEWERS = {"agent": G}

# action -> (resource kind, {actor: capacity}); every actor not listed is denied.
EXPECTED: dict[Action, tuple[str, dict[str, Capacity]]] = {
    Action.VIEW_ACCOUNT: ("org", {"self": S, "self_must_change": S}),
    Action.VIEW_PERSON: ("person", {"self": S, "administrator": T, "manager_third_party": T}),
    Action.LIST_SESSIONS: ("org", OWN),
    Action.CHANGE_PASSWORD: ("org", {"self": S, "self_must_change": S}),
    Action.SIGN_OUT: ("org", {"self": S, "self_must_change": S}),
    Action.REVOKE_SESSION: ("org", OWN),
    Action.VIEW_AUDIT: ("org", OWN),
    Action.UPDATE_PERSON_CONTACT: (
        "person",
        {"self": S, "administrator": T, "manager_third_party": T},
    ),
    Action.VIEW_PERSON_TITLES: (
        "person",
        {"self": S, "administrator": T, "manager_third_party": T, "agent": G, "agent_elsewhere": G},
    ),
    Action.RESPOND_TO_MANDATE: ("org", OWN),
    Action.ACCEPT_INVITATION: ("org", OWN),
    Action.REGISTER_ORGANISATION: ("org", OWN),
    Action.VIEW_ORGANISATION: (
        "org",
        {
            "administrator": A,
            "administrator_pending": A,
            "administrator_rejected": A,
            "manager_employees": M,
            "manager_managers": M,
            "manager_third_party": M,
            "agent": G,
        },
    ),
    Action.COMPLETE_ORGANISATION_REQUEST: (
        "org",
        {"administrator": A, "administrator_pending": A, "administrator_rejected": A},
    ),
    Action.REVIEW_ORGANISATION: ("org", REVIEWERS),
    Action.ADD_ESTABLISHMENT: ("org", ADMINS),
    Action.VIEW_MEMBERS: ("org", {"self": S, "administrator": A, "manager_managers": M}),
    Action.MANAGE_MANAGERS: ("org", {"administrator": A, "manager_managers": M}),
    Action.TRANSFER_ADMINISTRATION: ("org", ADMINS),
    Action.MANAGE_EMPLOYEES: ("org", {"administrator": A, "manager_employees": M}),
    Action.MANAGE_MANDATES: ("org", {"administrator": A, "manager_third_party": M}),
    Action.VIEW_ORGANISATION_AUDIT: ("org", ADMINS),
    Action.MANAGE_WEBHOOKS: ("org", ADMINS),
    Action.MANAGE_TITLES: ("org", REVIEWERS),
    # cnsa only (tests/auth/test_habilitation_policy.py): nobody on this cnaps resource
    Action.REQUEST_HABILITATION: ("org", {}),
    Action.REVIEW_HABILITATIONS: ("org", {}),
    Action.DEPOSIT_DOCUMENTS: ("org", {}),
    # a person's dossier: the person, a trusted third party under the mandate (its
    # administrator: every permission); a manager also needs FILE_DOSSIERS to file
    Action.FILE_DOSSIER: ("person", {"self": S, "administrator": T}),
    Action.FOLLOW_DOSSIER: (
        "person",
        {"self": S, "administrator": T, "manager_third_party": T, "agent": G, "agent_elsewhere": G},
    ),
    Action.INSTRUCT_DOSSIER: ("org", REVIEWERS),
    Action.SIGN_IN_TO_APPLICATION: ("org", {}),
    # a person's thread: the person, a trusted third party holding RECEIVE_COMMUNICATIONS,
    # the agents (the person resource names no delegation: any agent)
    Action.TAKE_PART_IN_THREAD: (
        "person",
        {"self": S, "administrator": T, "manager_third_party": T, "agent": G, "agent_elsewhere": G},
    ),
    Action.HANDLE_MESSAGES: ("org", REVIEWERS),
    Action.UPDATE_NOTIFICATION_PREFERENCES: ("org", OWN),
}


def test_the_table_covers_every_action_and_the_rules_cover_it_too() -> None:
    assert set(EXPECTED) == set(Action) == set(RULES)


def _decide(actor_name: str, action: Action) -> Decision:
    kind, _ = EXPECTED[action]
    subject = resource() if kind == "org" else person_resource()
    return decide(ACTORS[actor_name], action, subject)


def _expected_denial(actor_name: str, action: Action) -> str:
    if actor_name == "anonymous":
        return "AUTHENTICATION_REQUIRED"
    if actor_name == "other_tenant_agent":
        return "FORBIDDEN"
    if actor_name == "self_must_change":
        return "PASSWORD_CHANGE_REQUIRED"
    if not offered("cnaps", action):
        return "NOT_AVAILABLE_ON_THIS_PORTAL"
    if actor_name == "agent_elsewhere" and RULES[action].agent:
        return "OUTSIDE_DELEGATION"
    kind, _ = EXPECTED[action]
    if kind == "org" and actor_name in {
        "administrator_pending",
        "administrator_rejected",
        "manager_pending",
    }:
        return "ORGANISATION_NOT_VALIDATED"
    rule = RULES[action]
    if kind == "org" and actor_name.startswith("manager_") and rule.manager is not None:
        return "PERMISSION_MISSING"
    if kind == "person" and actor_name in {"manager_employees", "manager_managers"}:
        return "PERMISSION_MISSING"
    if kind == "person" and actor_name == "manager_third_party" and rule.mandate_permission:
        return "PERMISSION_MISSING"
    if kind == "person" and actor_name in {
        "administrator_pending",
        "administrator_rejected",
        "manager_pending",
    }:
        return "ORGANISATION_NOT_VALIDATED"
    return "FORBIDDEN"


CASES = [(action, name) for action in Action for name in ACTORS]


@pytest.mark.parametrize(("action", "actor_name"), CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_every_capacity_against_every_action(action: Action, actor_name: str) -> None:
    _, allowed = EXPECTED[action]
    decision = _decide(actor_name, action)
    if actor_name in allowed:
        assert decision.allowed, decision
        assert decision.capacity == allowed[actor_name]
        if decision.capacity in (A, M):
            assert decision.via_type == "Membership"
        if decision.capacity == T:
            assert (decision.via_type, decision.via_id) == ("Mandate", ACCEPTED.mandate_id)
    else:
        assert not decision.allowed, decision
        assert decision.code == _expected_denial(actor_name, action)


def test_a_manager_files_for_a_person_with_both_permissions_and_for_the_organisation() -> None:
    both = actor(
        memberships=(
            member(
                MembershipRole.MANAGER,
                Permission.ACT_AS_TRUSTED_THIRD_PARTY,
                Permission.FILE_DOSSIERS,
            ),
        )
    )
    decision = decide(both, Action.FILE_DOSSIER, person_resource())
    assert (decision.capacity, decision.via_type) == (T, "Mandate")
    assert decision.permission == Permission.FILE_DOSSIERS
    only_filing = actor(memberships=(member(MembershipRole.MANAGER, Permission.FILE_DOSSIERS),))
    refused = decide(only_filing, Action.FILE_DOSSIER, person_resource())
    assert refused.code == "PERMISSION_MISSING"
    own = Resource("Dossier", None, tenant="cnaps", organisation_id=ORG)
    assert decide(only_filing, Action.FILE_DOSSIER, own).capacity == M
    without_scope = person_resource(
        (mandate(MandateStatus.ACCEPTED, MandateScope.FOLLOW_DOSSIERS),)
    )
    assert decide(both, Action.FILE_DOSSIER, without_scope).code == "MANDATE_SCOPE_MISSING"


def test_a_manager_decision_names_the_permission_relied_on() -> None:
    decision = _decide("manager_employees", Action.MANAGE_EMPLOYEES)
    assert decision.permission == Permission.MANAGE_EMPLOYEES


@pytest.mark.parametrize(
    ("status", "scopes", "code"),
    [
        (MandateStatus.REQUESTED, ALL_SCOPES, "MANDATE_NOT_ACCEPTED"),
        (MandateStatus.REFUSED, ALL_SCOPES, "MANDATE_REFUSED"),
        (MandateStatus.REVOKED, ALL_SCOPES, "MANDATE_REVOKED"),
        (MandateStatus.EXPIRED, ALL_SCOPES, "MANDATE_EXPIRED"),
        (MandateStatus.ACCEPTED, (MandateScope.FOLLOW_DOSSIERS,), "MANDATE_SCOPE_MISSING"),
    ],
)
def test_only_an_accepted_unexpired_unrevoked_mandate_in_scope_gives_a_right(
    status: MandateStatus, scopes: tuple[MandateScope, ...], code: str
) -> None:
    decision = decide(
        ACTORS["administrator"],
        Action.UPDATE_PERSON_CONTACT,
        person_resource((mandate(status, *scopes),)),
    )
    assert not decision.allowed
    assert decision.code == code


def test_an_accepted_mandate_is_found_behind_a_revoked_one() -> None:
    revoked = mandate(MandateStatus.REVOKED, *ALL_SCOPES)
    decision = decide(
        ACTORS["administrator"], Action.UPDATE_PERSON_CONTACT, person_resource((revoked, ACCEPTED))
    )
    assert decision.allowed
    assert decision.via_id == ACCEPTED.mandate_id


def test_a_mandate_given_to_another_organisation_gives_nothing() -> None:
    elsewhere = MandateFact(
        uuid.uuid4(), uuid.uuid4(), PERSON, frozenset(ALL_SCOPES), MandateStatus.ACCEPTED
    )
    decision = decide(
        ACTORS["administrator"], Action.UPDATE_PERSON_CONTACT, person_resource((elsewhere,))
    )
    assert (decision.allowed, decision.code) == (False, "FORBIDDEN")


def test_a_resource_of_another_tenant_is_refused_to_everyone() -> None:
    for name, who in ACTORS.items():
        if who is None:
            continue
        decision = decide(who, Action.VIEW_ORGANISATION, resource(tenant="other"))
        assert not decision.allowed, name


def test_agents_do_not_act_as_persons() -> None:
    agent_self = Actor(
        tenant="cnaps",
        account_id=PERSON_ACCOUNT,
        person_id=PERSON,
        session_id=uuid.uuid4(),
        agent_delegations=frozenset({DELEGATION}),
    )
    for action in (
        Action.REGISTER_ORGANISATION,
        Action.ACCEPT_INVITATION,
        Action.RESPOND_TO_MANDATE,
    ):
        assert decide(agent_self, action, resource()).code == "FORBIDDEN"


def test_an_unconfirmed_person_cannot_commit_their_organisation() -> None:
    unconfirmed = Actor(
        tenant="cnaps",
        account_id=PERSON_ACCOUNT,
        person_id=PERSON,
        session_id=uuid.uuid4(),
        email_confirmed=False,
    )
    decision = decide(unconfirmed, Action.REGISTER_ORGANISATION, resource())
    assert decision.code == "EMAIL_NOT_CONFIRMED"


@pytest.mark.parametrize("action", list(Action))
def test_an_unconfirmed_session_may_only_wait_for_its_confirmation(action: Action) -> None:
    """After an opened account's password change, before its address is confirmed: its own
    account and signing out, nothing else, whatever it holds."""
    unconfirmed = Actor(
        tenant="cnaps",
        account_id=PERSON_ACCOUNT,
        person_id=PERSON,
        session_id=uuid.uuid4(),
        email_confirmed=False,
        memberships=(
            MembershipFact(
                uuid.uuid4(), ORG, MembershipRole.ADMINISTRATOR, frozenset(), "VALIDATED"
            ),
        ),
    )
    decision = decide(unconfirmed, action, resource(tenant="cnaps"))
    if action in (Action.VIEW_ACCOUNT, Action.SIGN_OUT):
        assert decision.code != "EMAIL_NOT_CONFIRMED"
    else:
        assert decision.code == "EMAIL_NOT_CONFIRMED"
    assert standing(unconfirmed) == decide(unconfirmed, Action.MANAGE_TITLES, resource())


def test_a_temporary_password_is_the_answer_even_to_another_tenants_resource() -> None:
    temporary = Actor(
        tenant="cnaps",
        account_id=PERSON_ACCOUNT,
        person_id=PERSON,
        session_id=uuid.uuid4(),
        must_change_password=True,
        email_confirmed=False,
        agent_delegations=frozenset({DELEGATION}),
    )
    assert decide(temporary, Action.REVIEW_ORGANISATION, resource(tenant="cnsa")).code == (
        "PASSWORD_CHANGE_REQUIRED"
    )
    assert decide(temporary, Action.CHANGE_PASSWORD, resource()).code != (
        "PASSWORD_CHANGE_REQUIRED"
    )
