"""The one transition table of dossiers: which action moves a dossier from which state to
which, and who may take it. Every service that changes a dossier's state goes through
`transition()` (`dossiers.dossier.events`), which refuses any pair this table lacks.

Modelled on Démarches Simplifiées' dossier states (brouillon → en construction → en
instruction → accepté / refusé / classé sans suite), with the CNAPS téléservice's e-mail
confirmation [seed 001 step 10] and corrections sent back to the applicant [choice].
"""

from __future__ import annotations

from enum import StrEnum

from dossiers.dossier.models import DossierStatus as S


class DossierAction(StrEnum):
    """What moves a dossier (each is one mutation of the API)."""

    SIGN = "SIGN"  # applicant side: certify, accept, sign → a confirmation link by e-mail
    CONFIRM = "CONFIRM"  # the e-mailed link: the dossier is submitted and numbered
    WITHDRAW = "WITHDRAW"  # applicant side, before a decision
    RESUBMIT = "RESUBMIT"  # applicant side, after corrections
    START_REVIEW = "START_REVIEW"  # agent
    REQUEST_CORRECTIONS = "REQUEST_CORRECTIONS"  # agent
    GRANT = "GRANT"  # agent: the title is issued
    REFUSE = "REFUSE"  # agent, with a reason
    CLOSE = "CLOSE"  # agent: closed without action


class Side(StrEnum):
    APPLICANT = "APPLICANT"  # the person, their trusted third party, the organisation
    LINK = "LINK"  # whoever holds the e-mailed confirmation link
    AGENT = "AGENT"  # an agent of the instructing delegation


# (action, from state) → to state. A pair missing here is refused with WRONG_STATE.
TRANSITIONS: dict[tuple[DossierAction, S], S] = {
    (DossierAction.SIGN, S.DRAFT): S.AWAITING_CONFIRMATION,
    (DossierAction.SIGN, S.AWAITING_CONFIRMATION): S.AWAITING_CONFIRMATION,  # a new link
    (DossierAction.CONFIRM, S.AWAITING_CONFIRMATION): S.SUBMITTED,
    (DossierAction.WITHDRAW, S.DRAFT): S.WITHDRAWN,
    (DossierAction.WITHDRAW, S.AWAITING_CONFIRMATION): S.WITHDRAWN,
    (DossierAction.WITHDRAW, S.SUBMITTED): S.WITHDRAWN,
    (DossierAction.WITHDRAW, S.UNDER_REVIEW): S.WITHDRAWN,
    (DossierAction.WITHDRAW, S.CORRECTIONS_REQUESTED): S.WITHDRAWN,
    (DossierAction.START_REVIEW, S.SUBMITTED): S.UNDER_REVIEW,
    (DossierAction.REQUEST_CORRECTIONS, S.SUBMITTED): S.CORRECTIONS_REQUESTED,
    (DossierAction.REQUEST_CORRECTIONS, S.UNDER_REVIEW): S.CORRECTIONS_REQUESTED,
    (DossierAction.RESUBMIT, S.CORRECTIONS_REQUESTED): S.UNDER_REVIEW,
    (DossierAction.GRANT, S.UNDER_REVIEW): S.GRANTED,
    (DossierAction.REFUSE, S.UNDER_REVIEW): S.REFUSED,
    (DossierAction.CLOSE, S.SUBMITTED): S.CLOSED_WITHOUT_ACTION,
    (DossierAction.CLOSE, S.UNDER_REVIEW): S.CLOSED_WITHOUT_ACTION,
    (DossierAction.CLOSE, S.CORRECTIONS_REQUESTED): S.CLOSED_WITHOUT_ACTION,
}

SIDES: dict[DossierAction, Side] = {
    DossierAction.SIGN: Side.APPLICANT,
    DossierAction.CONFIRM: Side.LINK,
    DossierAction.WITHDRAW: Side.APPLICANT,
    DossierAction.RESUBMIT: Side.APPLICANT,
    DossierAction.START_REVIEW: Side.AGENT,
    DossierAction.REQUEST_CORRECTIONS: Side.AGENT,
    DossierAction.GRANT: Side.AGENT,
    DossierAction.REFUSE: Side.AGENT,
    DossierAction.CLOSE: Side.AGENT,
}

# The applicant may change the draft (fields, documents) in these states only.
EDITABLE = frozenset({S.DRAFT, S.CORRECTIONS_REQUESTED})
# Decided or abandoned: nothing moves any more.
FINAL = frozenset({S.GRANTED, S.REFUSED, S.CLOSED_WITHOUT_ACTION, S.WITHDRAWN})
# Waiting for the authority: what the agents' queue shows by default.
IN_INSTRUCTION = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.CORRECTIONS_REQUESTED})


def target(action: DossierAction, current: S) -> S | None:
    """The state `action` leads to from `current`, or None when the table has no such pair."""
    return TRANSITIONS.get((action, current))
