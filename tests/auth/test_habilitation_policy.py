"""The policy's habilitation capacities (cnsa): an application manager reviews only their
applications' requests; an account habilitated on a structure deposits for it, for the
deposit application only; nobody else."""

from __future__ import annotations

import uuid

from auth.context import Actor
from auth.policy import Action, Capacity, Resource, decide, managed_applications
from auth.standing import HabilitationFact

STRUCTURE = uuid.uuid4()


def actor(*facts: HabilitationFact, tenant: str = "cnsa") -> Actor:
    return Actor(
        tenant=tenant,
        account_id=uuid.uuid4(),
        person_id=uuid.uuid4(),
        session_id=uuid.uuid4(),
        habilitations=facts,
    )


def fact(application: str, profile: str, *structures: uuid.UUID) -> HabilitationFact:
    return HabilitationFact(uuid.uuid4(), application, profile, frozenset(structures))


MANAGER = fact("CAMSP_CMPP", "ADMINISTRATEUR_CAMSP_CMPP")
DEPOSITOR = fact("CAMSP_CMPP", "GESTIONNAIRE_CAMSP_CMPP", STRUCTURE)
EXTRANET = fact("EXTRANET", "MEMBRE_EXTRANET", STRUCTURE)


def on(application: str, structure: uuid.UUID | None = None, tenant: str = "cnsa") -> Resource:
    return Resource("Thing", None, tenant=tenant, application=application, structure_id=structure)


def test_an_application_manager_reviews_their_applications_only() -> None:
    allowed = decide(actor(MANAGER), Action.REVIEW_HABILITATIONS, on("CAMSP_CMPP"))
    assert allowed.allowed and allowed.capacity == Capacity.APPLICATION_MANAGER
    assert (allowed.via_type, allowed.via_id) == ("Habilitation", MANAGER.habilitation_id)
    elsewhere = decide(actor(MANAGER), Action.REVIEW_HABILITATIONS, on("EXTRANET"))
    assert elsewhere.code == "NOT_APPLICATION_MANAGER"
    holder = decide(actor(DEPOSITOR), Action.REVIEW_HABILITATIONS, on("CAMSP_CMPP"))
    assert holder.code == "NOT_APPLICATION_MANAGER"  # holding a profile is not managing
    assert managed_applications(actor(MANAGER, DEPOSITOR)) == {"CAMSP_CMPP"}


def test_deposits_need_the_deposit_application_on_that_structure() -> None:
    allowed = decide(actor(DEPOSITOR), Action.DEPOSIT_DOCUMENTS, on("CAMSP_CMPP", STRUCTURE))
    assert allowed.allowed and allowed.capacity == Capacity.HABILITATED
    other = decide(actor(DEPOSITOR), Action.DEPOSIT_DOCUMENTS, on("CAMSP_CMPP", uuid.uuid4()))
    assert other.code == "NOT_HABILITATED_ON_STRUCTURE"
    wrong_application = decide(
        actor(EXTRANET), Action.DEPOSIT_DOCUMENTS, on("CAMSP_CMPP", STRUCTURE)
    )
    assert wrong_application.code == "NOT_HABILITATED_ON_STRUCTURE"
    manager = decide(actor(MANAGER), Action.DEPOSIT_DOCUMENTS, on("CAMSP_CMPP", STRUCTURE))
    assert manager.code == "NOT_HABILITATED_ON_STRUCTURE"
    assert decide(None, Action.DEPOSIT_DOCUMENTS, on("CAMSP_CMPP", STRUCTURE)).code == (
        "AUTHENTICATION_REQUIRED"
    )


def test_cnaps_offers_none_of_it() -> None:
    cnaps = actor(MANAGER, DEPOSITOR, tenant="cnaps")
    for action in (
        Action.REVIEW_HABILITATIONS,
        Action.DEPOSIT_DOCUMENTS,
        Action.REQUEST_HABILITATION,
    ):
        decision = decide(cnaps, action, on("CAMSP_CMPP", STRUCTURE, tenant="cnaps"))
        assert decision.code == "NOT_AVAILABLE_ON_THIS_PORTAL"
