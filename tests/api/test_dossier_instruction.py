"""Instruction: the one transition table walked pair by pair, the queue and its filters, the
delegations' walls, the statement budget of the lists."""

from __future__ import annotations

from typing import Any

from dossiers.dossier.access import BEFORE_SUBMISSION
from dossiers.dossier.models import DossierStatus
from dossiers.dossier.transitions import SIDES, TRANSITIONS, DossierAction, Side
from server.database import StatementCounter
from server.runtime import Runtime
from tests.helpers.dossiers import (
    DOCUMENTS,
    KIND_INPUTS,
    MY_DOSSIERS,
    QUEUE,
    act,
    add_documents,
    call,
    confirm,
    create,
    mailed_token,
    queue_ids,
    seed_dossiers,
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
        names: dict[A, tuple[str, str, dict[str, Any]]] = {
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


async def test_an_agent_of_another_delegation_gets_not_found_and_the_queue_filters(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    walker = Walker(
        cnaps,
        runtime,
        smtp,
        await person(cnaps, runtime, smtp, "wall"),
        await agent(cnaps, runtime),
    )
    dossier_id = await walker.reach(S.SUBMITTED)
    elsewhere = await agent(cnaps, runtime, delegations=("NORD",))
    for name in ("startReview", "grantDossier", "assignDossier"):
        refused = await call(
            cnaps, act(name), {"input": {"dossierId": dossier_id}}, elsewhere.token
        )
        assert codes(refused) == ["NOT_FOUND"] and refused["errors"][0]["field"] == [
            "input",
            "dossierId",
        ]
    seen = await cnaps(
        "query($id: ID!) { node(id: $id) { id } }", {"id": dossier_id}, token=elsewhere.token
    )
    assert seen["node"] is None
    assert dossier_id not in await queue_ids(cnaps, elsewhere.token)
    # a person is not an agent: the queue is refused with its code, the rest answers
    response = await cnaps.post(QUEUE, {"first": 10}, token=walker.applicant.token)
    body = response.json()
    assert body["data"]["dossierQueue"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # filters: unassigned, then assigned to me once assigned
    officer = walker.officer.token
    assert dossier_id in await queue_ids(cnaps, officer, unassigned=True)
    assigned = await call(
        cnaps, act("assignDossier"), {"input": {"dossierId": dossier_id}}, officer
    )
    assert assigned["ok"] is True
    mine = await cnaps(QUEUE, {"first": 100, "mine": True}, token=officer)
    assert [n["id"] for n in mine["dossierQueue"]["nodes"]] == [dossier_id]
    assert dossier_id not in await queue_ids(cnaps, officer, unassigned=True)
    assert dossier_id not in await queue_ids(cnaps, officer, status=["GRANTED"])
    assert dossier_id not in await queue_ids(cnaps, officer, kind="DIRECTOR_APPROVAL")
    assert dossier_id in await queue_ids(cnaps, officer, kind="PROFESSIONAL_CARD")
    # an agent of another delegation cannot be assigned
    wrong = await call(
        cnaps,
        act("assignDossier"),
        {"input": {"dossierId": dossier_id, "agentId": elsewhere.account_id}},
        officer,
    )
    assert codes(wrong) == ["NOT_AN_AGENT_OF_THIS_DELEGATION"]


async def test_the_queue_and_my_dossiers_cost_the_same_for_10_and_100(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, statements: StatementCounter
) -> None:
    applicant = await person(cnaps, runtime, smtp, "many")
    await seed_dossiers(runtime, "cnaps", applicant.person_id, 12, delegation="NORD")
    officer = await agent(cnaps, runtime, delegations=("NORD",))
    counts = {}
    for first in (10, 100):
        with statements.count() as queue:
            data = await cnaps(QUEUE, {"first": first}, token=officer.token)
        nodes = data["dossierQueue"]["nodes"]
        assert len(nodes) == min(first, data["dossierQueue"]["totalCount"]) and len(nodes) >= 10
        assert all(
            n["documents"]["totalCount"] == 2 and n["events"]["totalCount"] == 2 for n in nodes
        )
        assert all(n["applicant"]["familyName"] == "Dupont" for n in nodes)
        with statements.count() as mine:
            own = await cnaps(MY_DOSSIERS, {"first": first}, token=applicant.token)
        assert len(own["viewer"]["dossiers"]["nodes"]) == min(first, 12)
        counts[first] = (len(queue), len(mine))
    print("statements (queue, viewer.dossiers):", counts)
    assert counts[10] == counts[100]
