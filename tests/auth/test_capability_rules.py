"""The policy refuses, whoever asks, the actions of a capability the portal does not offer
(before the password-change rule: nothing to change a password for)."""

from __future__ import annotations

import uuid

import pytest

from auth.context import Actor
from auth.policy import RULES, Action, Resource, decide, offered
from tenants.packs import PACKS
from tenants.packs.base import Capability


def actor(tenant: str, **changes: object) -> Actor:
    values: dict[str, object] = {
        "tenant": tenant,
        "account_id": uuid.uuid4(),
        "person_id": uuid.uuid4(),
        "session_id": uuid.uuid4(),
        "agent_delegations": frozenset({"OUEST"}),
    }
    values.update(changes)
    return Actor(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("action", list(Action))
def test_an_action_is_refused_where_its_capability_is_not_offered(action: Action) -> None:
    capability = RULES[action].capability
    for slug, pack in PACKS.items():
        who = actor(slug)
        own = Resource("Person", who.person_id, owner_person_id=who.person_id, tenant=slug)
        decision = decide(who, action, own)
        if capability is not None and not pack.offers(capability):
            assert not offered(slug, action)
            assert decision.code == "NOT_AVAILABLE_ON_THIS_PORTAL", (slug, action)
        else:
            assert offered(slug, action)
            assert decision.code != "NOT_AVAILABLE_ON_THIS_PORTAL", (slug, action)


def test_the_packs_offer_what_their_sources_describe() -> None:
    assert PACKS["cnaps"].capabilities == frozenset(Capability) - {
        Capability.HABILITATIONS,
        Capability.DOCUMENT_DEPOSIT,
    }
    assert PACKS["cnsa"].capabilities == {
        Capability.ORGANISATIONS,
        Capability.MANAGERS,
        Capability.HABILITATIONS,
        Capability.DOCUMENT_DEPOSIT,
    }
    refused = decide(actor("cnsa"), Action.MANAGE_TITLES, Resource("Title", None))
    assert refused.code == "NOT_AVAILABLE_ON_THIS_PORTAL"
    # an account that must change its password hears that first, for every act
    restricted = actor("cnsa", must_change_password=True)
    assert decide(restricted, Action.MANAGE_TITLES, Resource("Title", None)).code == (
        "PASSWORD_CHANGE_REQUIRED"
    )
    # an unknown tenant is left to the other rules
    assert offered("elsewhere", Action.MANAGE_TITLES)
