"""Instruction: the one transition table walked pair by pair, the queue and its filters, the
delegations' walls, the statement budget of the lists."""

from __future__ import annotations

from typing import Any

from dossiers.dossier.access import BEFORE_SUBMISSION
from dossiers.dossier.models import DossierStatus
from dossiers.dossier.transitions import SIDES, TRANSITIONS, DossierAction, Side
from server.runtime import Runtime
from tests.helpers.dossiers import (
    DOCUMENTS,
    KIND_INPUTS,
    act,
    add_documents,
    call,
    confirm,
    create,
    mailed_token,
    sign,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import SignedIn, agent, person
from tests.helpers.smtp import SmtpServer

S = DossierStatus
A = DossierAction
KIND = "PROFESSIONAL_CARD"
NODE = "query($id: ID!) { node(id: $id) { ... on Dossier { status events(first: 50) { totalCount } } } }"

# How each state is reached from a fresh draft: the path of actions.
PATHS: dict[S, list[A]] = {
    S.DRAFT: [],
    S.AWAITING_CONFIRMATION: [A.SIGN],
    S.SUBMITTED: [A.SIGN, A.CONFIRM],
    S.UNDER_REVIEW: [A.SIGN, A.CONFIRM, A.START_REVIEW],
    S.CORRECTIONS_REQUESTED: [A.SIGN, A.CONFIRM, A.START_REVIEW, A.REQUEST_CORRECTIONS],
    S.GRANTED: [A.SIGN, A.CONFIRM, A.START_REVIEW, A.GRANT],
    S.REFUSED: [A.SIGN, A.CONFIRM, A.START_REVIEW, A.REFUSE],
    S.CLOSED_WITHOUT_ACTION: [A.SIGN, A.CONFIRM, A.CLOSE],
    S.WITHDRAWN: [A.WITHDRAW],
}


class Walker:
    def __init__(
        self,
        client: GraphQLClient,
        runtime: Runtime,
        smtp: SmtpServer,
        applicant: SignedIn,
        officer: SignedIn,
    ) -> None:
        self.client, self.runtime, self.smtp = client, runtime, smtp
        self.applicant, self.officer = applicant, officer
        self.tokens: dict[str, str] = {}

    async def draft(self) -> str:
        created = await create(self.client, self.applicant.token, kind=KIND, **KIND_INPUTS[KIND])
        dossier_id: str = created["dossier"]["id"]
        await add_documents(
            self.client, self.runtime, self.applicant.token, dossier_id, DOCUMENTS[KIND]
        )
        return dossier_id

    async def do(self, action: A, dossier_id: str) -> dict[str, Any]:
        applicant, officer = self.applicant.token, self.officer.token
        if action == A.SIGN:
            payload = await sign(self.client, applicant, dossier_id)
            if payload["ok"]:
                self.tokens[dossier_id] = await mailed_token(
                    self.runtime, self.smtp, self.applicant.email
                )
            return payload
        if action == A.CONFIRM:
            return await confirm(self.client, self.tokens.get(dossier_id, "no-link-yet"))
        names = {
            A.WITHDRAW: ("withdrawDossier", applicant, {}),
            A.RESUBMIT: ("resubmitDossier", applicant, {}),
            A.START_REVIEW: ("startReview", officer, {}),
            A.REQUEST_CORRECTIONS: (
                "requestCorrections",
                officer,
                {"reason": "Pièce illisible", "items": ["IDENTITY_DOCUMENT"]},
            ),
            A.GRANT: ("grantDossier", officer, {}),
            A.REFUSE: ("refuseDossier", officer, {"reason": "Conditions non remplies"}),
            A.CLOSE: ("closeDossierWithoutAction", officer, {}),
        }
        name, token, extra = names[action]
        return await call(
            self.client, act(name), {"input": {"dossierId": dossier_id, **extra}}, token
        )

    async def reach(self, state: S) -> str:
        dossier_id = await self.draft()
        for step in PATHS[state]:
            done = await self.do(step, dossier_id)
            assert done["errors"] == [], (state, step, done)
        return dossier_id

    async def seen(self, dossier_id: str) -> tuple[str, int]:
        data = await self.client(NODE, {"id": dossier_id}, token=self.applicant.token)
        return data["node"]["status"], data["node"]["events"]["totalCount"]


async def test_every_state_and_action_of_the_transition_table(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    walker = Walker(
        cnaps,
        runtime,
        smtp,
        await person(cnaps, runtime, smtp, "walk"),
        await agent(cnaps, runtime),
    )
    for state in S:
        kept = await walker.reach(state)  # refused actions must leave it as it is
        for action in A:
            allowed = TRANSITIONS.get((action, state))
            if allowed is None:
                before = await walker.seen(kept)
                refused = await walker.do(action, kept)
                assert refused["ok"] is False, (state, action)
                expected = {"WRONG_STATE"}
                if action == A.CONFIRM:
                    expected = {"CONFIRMATION_INVALID", "CONFIRMATION_ALREADY_USED"}
                elif SIDES[action] == Side.AGENT and state in BEFORE_SUBMISSION:
                    expected = {"NOT_FOUND"}  # not the authority's yet: agents do not see it
                assert set(codes(refused)) <= expected and codes(refused), (state, action, refused)
                assert await walker.seen(kept) == before, (state, action)
                continue
            fresh = await walker.reach(state)
            _, events = await walker.seen(fresh)
            done = await walker.do(action, fresh)
            assert done["errors"] == [], (state, action, done)
            assert await walker.seen(fresh) == (allowed.value, events + 1), (state, action)
