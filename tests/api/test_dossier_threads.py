"""A dossier's thread: opened with the dossier, seen by its applicant and the agents of its
delegation only, its correction requests and decisions posted as system messages."""

from __future__ import annotations

from server.runtime import Runtime
from tests.api.test_messaging import SEND, VIEWER, inbox, send
from tests.helpers.dossiers import act, call, filed
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import agent, person
from tests.helpers.smtp import SmtpServer

DOSSIER_THREAD = """
query($id: ID!) { node(id: $id) { ... on Dossier { id number thread { id subject delegation
  unreadCount messages(last: 20) { nodes { body side capacity } } } } } }
"""


async def test_a_dossier_thread_carries_corrections_as_system_messages(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    applicant = await person(cnaps, runtime, smtp, "applicant")
    officer = await agent(cnaps, runtime)
    elsewhere = await agent(cnaps, runtime, delegations=("EST",))
    stranger = await person(cnaps, runtime, smtp, "stranger")
    confirmed = await filed(
        cnaps, runtime, smtp, applicant.token, applicant.email, "PROFESSIONAL_CARD"
    )
    dossier = confirmed["dossier"]["id"]
    seen = (await cnaps(DOSSIER_THREAD, {"id": dossier}, token=applicant.token))["node"]
    thread = seen["thread"]
    assert thread is not None and thread["delegation"] == "OUEST"
    assert confirmed["number"] in thread["subject"]
    assert thread["messages"]["nodes"] == []

    await call(cnaps, act("startReview"), {"input": {"dossierId": dossier}}, officer.token)
    asked = await call(
        cnaps,
        act("requestCorrections"),
        {
            "input": {
                "dossierId": dossier,
                "reason": "La pièce d'identité est illisible.",
                "items": ["IDENTITY_DOCUMENT"],
            }
        },
        officer.token,
    )
    assert asked["errors"] == [], asked
    seen = (await cnaps(DOSSIER_THREAD, {"id": dossier}, token=applicant.token))["node"]
    [system] = seen["thread"]["messages"]["nodes"]
    assert system["side"] == "SYSTEM" and system["capacity"] is None
    assert "corrections" in system["body"] and "illisible" in system["body"]
    assert seen["thread"]["unreadCount"] == 1

    # Both sides write in it; the agent of another delegation and a stranger see nothing.
    thread_id = seen["thread"]["id"]
    assert (await send(cnaps, applicant, thread_id, "Je renvoie la pièce."))["ok"]
    by_agent = (await cnaps(DOSSIER_THREAD, {"id": dossier}, token=officer.token))["node"]
    assert [m["side"] for m in by_agent["thread"]["messages"]["nodes"]] == [
        "SYSTEM",
        "APPLICANT",
    ]
    for who in (elsewhere, stranger):
        node = (await cnaps(DOSSIER_THREAD, {"id": dossier}, token=who.token))["node"]
        assert node is None or node["thread"] is None
        refused = await cnaps(
            SEND, {"input": {"threadId": thread_id, "body": "?"}}, token=who.token
        )
        assert codes(refused["sendMessage"]) == ["NOT_FOUND"]
    threads = (await cnaps(VIEWER, token=applicant.token))["viewer"]["threads"]["nodes"]
    assert thread_id in [t["id"] for t in threads]
    # The inbox filters by dossier kind.
    cards = await inbox(cnaps, officer, dossierKind="PROFESSIONAL_CARD")
    assert thread_id in [n["id"] for n in cards["nodes"]]
    others = await inbox(cnaps, officer, dossierKind="NO_SUCH_KIND")
    assert others["nodes"] == [] and others["totalCount"] == 0
