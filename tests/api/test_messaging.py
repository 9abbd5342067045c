"""Secure messaging: a person, their trusted third party, an organisation and the agents of
the right delegation write in threads with attachments; each side sees when the other read;
the inbox sorts and filters; nobody else learns a thread exists."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from server.database import StatementCounter
from server.runtime import Runtime
from tests.api.test_mandates import mandate_in_force
from tests.helpers.company import manager
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisation_flows import multipart, pdf_bytes, png_bytes, upload
from tests.helpers.organisations import SignedIn, agent, person
from tests.helpers.smtp import SmtpServer

OPEN = """
mutation($input: OpenThreadInput!) {
  openThread(input: $input) {
    ok errors { code field message }
    thread { id subject status delegation messageCount awaitingAnswerSince
      messages(last: 10) { totalCount nodes { id body side capacity mine
        attachments { filename contentType size downloadUrl } } } }
  }
}
"""
SEND = """
mutation($input: SendMessageInput!) {
  sendMessage(input: $input) {
    ok errors { code field message }
    message { id body side capacity readByAuthorityAt readByApplicantAt
      onBehalfOfOrganisation { id }
      attachments { filename contentType size } }
    thread { id status messageCount unreadCount }
  }
}
"""
READ = """
mutation($input: MarkThreadReadInput!) {
  markThreadRead(input: $input) { ok errors { code field } thread { id unreadCount } }
}
"""
THREAD = """
query($id: ID!, $last: Int, $before: String) { node(id: $id) { ... on Thread {
  id subject unreadCount status
  messages(last: $last, before: $before) {
    totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    nodes { id body side authorName readByAuthorityAt readByApplicantAt
      attachments { filename } }
  } } } }
"""
INBOX = """
query($filter: MessageInboxFilter, $first: Int, $after: String) {
  messageInbox(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id subject unreadCount awaitingAnswerSince assignedToMe
      lastMessage { body side } }
  }
}
"""
VIEWER = """
query { viewer { unreadMessageCount threads(first: 20) { totalCount nodes { id subject
  unreadCount } } } }
"""
ASSIGN = """
mutation($input: AssignThreadInput!) {
  assignThread(input: $input) { ok errors { code field } thread { id assignedToMe } }
}
"""
CLOSE = """
mutation($input: CloseThreadInput!) {
  closeThread(input: $input) { ok errors { code field } thread { id status } }
}
"""


async def open_thread(
    client: GraphQLClient, who: SignedIn, subject: str = "Où en est mon dossier ?", **more: Any
) -> dict[str, Any]:
    variables = {"input": {"subject": subject, "body": "Bonjour,\nmerci de me répondre.", **more}}
    payload: dict[str, Any] = (await client(OPEN, variables, token=who.token))["openThread"]
    return payload


async def send(
    client: GraphQLClient, who: SignedIn, thread: str, body: str = "Réponse", **more: Any
) -> dict[str, Any]:
    variables = {"input": {"threadId": thread, "body": body, **more}}
    payload: dict[str, Any] = (await client(SEND, variables, token=who.token))["sendMessage"]
    return payload


async def thread_of(
    client: GraphQLClient, who: SignedIn, thread: str, **args: Any
) -> dict[str, Any] | None:
    node: dict[str, Any] | None = (await client(THREAD, {"id": thread, **args}, token=who.token))[
        "node"
    ]
    return node


async def inbox(client: GraphQLClient, who: SignedIn, **filters: Any) -> dict[str, Any]:
    data = await client(INBOX, {"filter": filters or None, "first": 50}, token=who.token)
    found: dict[str, Any] = data["messageInbox"]
    return found


async def test_a_person_and_an_agent_exchange_with_attachments_and_read_receipts(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnaps, runtime, smtp, "asker")
    officer = await agent(cnaps, runtime)  # OUEST: the asker lives in Nantes (44)
    files = {
        "input.attachments.0": ("avis.pdf", pdf_bytes("Avis"), "application/pdf"),
        "input.attachments.1": ("photo.png", png_bytes(), "image/png"),
    }
    variables = {
        "input": {
            "subject": "Ma carte",
            "body": "Voici les pièces.",
            "attachments": [None, None],
        }
    }
    opened = (await upload(cnaps, OPEN, variables, files, token=someone.token))["openThread"]
    assert opened["ok"] and opened["errors"] == [], opened
    thread = opened["thread"]
    assert thread["delegation"] == "OUEST" and thread["status"] == "OPEN"
    assert thread["awaitingAnswerSince"] is not None
    [first] = thread["messages"]["nodes"]
    assert first["side"] == "APPLICANT" and first["capacity"] == "SELF" and first["mine"]
    assert [(a["filename"], a["contentType"]) for a in first["attachments"]] == [
        ("avis.pdf", "application/pdf"),
        ("photo.png", "image/png"),
    ]
    download = await cnaps.http.get(first["attachments"][0]["downloadUrl"])
    assert download.status_code == 200 and download.content == pdf_bytes("Avis")

    # The agent finds it in the inbox, unread, awaiting an answer; nobody read it yet.
    box = await inbox(cnaps, officer, awaitingAnswer=True)
    mine = [n for n in box["nodes"] if n["id"] == thread["id"]]
    assert mine and mine[0]["unreadCount"] == 1 and mine[0]["lastMessage"]["side"] == "APPLICANT"
    seen = await thread_of(cnaps, someone, thread["id"])
    assert seen is not None
    assert seen["messages"]["nodes"][0]["readByAuthorityAt"] is None

    # The agent reads, then answers: the person sees "read by the authority at".
    read = await cnaps(READ, {"input": {"threadId": thread["id"]}}, token=officer.token)
    assert read["markThreadRead"]["ok"] and read["markThreadRead"]["thread"]["unreadCount"] == 0
    answer = await send(cnaps, officer, thread["id"], "Votre dossier est en cours.")
    assert answer["ok"], answer
    assert answer["message"]["side"] == "AUTHORITY"
    assert answer["message"]["capacity"] == "AUTHORITY_AGENT"
    seen = await thread_of(cnaps, someone, thread["id"])
    assert seen is not None and seen["unreadCount"] == 1
    applicant_message, agent_message = seen["messages"]["nodes"]
    read_at = datetime.fromisoformat(applicant_message["readByAuthorityAt"])
    assert read_at <= datetime.now(UTC)
    assert agent_message["readByApplicantAt"] is None
    viewer = (await cnaps(VIEWER, token=someone.token))["viewer"]
    assert viewer["unreadMessageCount"] == 1
    assert [t["id"] for t in viewer["threads"]["nodes"]] == [thread["id"]]

    # The person reads up to the agent's message: the agent sees "read by the applicant".
    marked = await cnaps(
        READ,
        {"input": {"threadId": thread["id"], "upToMessageId": agent_message["id"]}},
        token=someone.token,
    )
    assert marked["markThreadRead"]["thread"]["unreadCount"] == 0
    by_agent = await thread_of(cnaps, officer, thread["id"])
    assert by_agent is not None
    assert by_agent["messages"]["nodes"][1]["readByApplicantAt"] is not None
    # The first reading is kept: reading again changes nothing.
    again = await thread_of(cnaps, someone, thread["id"])
    await cnaps(READ, {"input": {"threadId": thread["id"]}}, token=someone.token)
    assert await thread_of(cnaps, officer, thread["id"]) == by_agent
    assert again is not None
    assert (await cnaps(VIEWER, token=someone.token))["viewer"]["unreadMessageCount"] == 0


async def test_strangers_other_delegations_and_other_tenants_see_nothing(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnaps, runtime, smtp, "asker")
    stranger = await person(cnaps, runtime, smtp, "stranger")
    elsewhere = await agent(cnaps, runtime, delegations=("EST",))
    opened = await open_thread(cnaps, someone)
    thread = opened["thread"]["id"]
    message = opened["thread"]["messages"]["nodes"][0]["id"]
    for who in (stranger, elsewhere):
        assert await thread_of(cnaps, who, thread) is None
        node = await cnaps(
            "query($id: ID!) { node(id: $id) { id } }", {"id": message}, token=who.token
        )
        assert node["node"] is None
        assert codes(await send(cnaps, who, thread)) == ["NOT_FOUND"]
        read = await cnaps(READ, {"input": {"threadId": thread}}, token=who.token)
        assert codes(read["markThreadRead"]) == ["NOT_FOUND"]
        threads = (await cnaps(VIEWER, token=who.token))["viewer"]["threads"]
        assert thread not in [t["id"] for t in threads["nodes"]]
    assert thread not in [n["id"] for n in (await inbox(cnaps, elsewhere))["nodes"]]
    # The person may not use the agents' inbox.
    response = await cnaps.post(INBOX, {"first": 5}, token=someone.token)
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Another tenant: that portal has no messaging; the ID means nothing there.
    other = await person(cnsa, runtime, smtp, "cnsa")
    assert await thread_of(cnsa, other, thread) is None
    assert codes(await send(cnsa, other, thread)) == ["NOT_AVAILABLE_ON_THIS_PORTAL"]
    # Nothing was written by the refused sends.
    seen = await thread_of(cnaps, someone, thread)
    assert seen is not None and seen["messages"]["totalCount"] == 1


async def test_a_trusted_third_party_writes_for_the_person_and_managers_need_the_right(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org, someone, _mandate = await mandate_in_force(
        cnaps, runtime, smtp, ["FOLLOW_DOSSIERS", "RECEIVE_COMMUNICATIONS"]
    )
    opened = await open_thread(cnaps, someone)
    thread = opened["thread"]["id"]
    # The organisation's administrator takes part, as trusted third party, for the person.
    written = await send(cnaps, org.admin, thread, "Je complète pour elle.")
    assert written["ok"], written
    assert written["message"]["capacity"] == "TRUSTED_THIRD_PARTY"
    assert written["message"]["onBehalfOfOrganisation"] == {"id": org.id}
    threads = (await cnaps(VIEWER, token=org.admin.token))["viewer"]["threads"]["nodes"]
    assert thread in [t["id"] for t in threads]
    # A manager without the trusted-third-party right sees nothing.
    plain = await manager(cnaps, runtime, smtp, org, ["MANAGE_EMPLOYEES"])
    assert await thread_of(cnaps, plain, thread) is None
    # A mandate without RECEIVE_COMMUNICATIONS gives no access to the person's threads.
    org2, other, _ = await mandate_in_force(cnaps, runtime, smtp, ["FOLLOW_DOSSIERS"])
    theirs = (await open_thread(cnaps, other))["thread"]["id"]
    assert await thread_of(cnaps, org2.admin, theirs) is None
    # The organisation's own thread: the administrator and managers allowed to message.
    own = await open_thread(cnaps, org.admin, "Question de l'entreprise", organisationId=org.id)
    assert own["ok"], own
    assert own["thread"]["messages"]["nodes"][0]["capacity"] == "ADMINISTRATOR"
    writer = await manager(cnaps, runtime, smtp, org, ["MESSAGE_AUTHORITY"])
    assert (await send(cnaps, writer, own["thread"]["id"]))["message"]["capacity"] == "MANAGER"
    assert await thread_of(cnaps, plain, own["thread"]["id"]) is None
    assert await thread_of(cnaps, someone, own["thread"]["id"]) is None


async def test_a_retried_send_posts_once_and_bad_input_changes_nothing(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnaps, runtime, smtp, "asker")
    opened = await open_thread(cnaps, someone, clientMutationId="open-1")
    thread = opened["thread"]["id"]
    replay = await open_thread(cnaps, someone, clientMutationId="open-1")
    assert replay["thread"]["id"] == thread
    key = f"send-{uuid.uuid4()}"
    one = await send(cnaps, someone, thread, "Une fois", clientMutationId=key)
    two = await send(cnaps, someone, thread, "Une fois", clientMutationId=key)
    assert one["message"]["id"] == two["message"]["id"]
    other = (await open_thread(cnaps, someone, "Autre"))["thread"]["id"]
    reused = await send(cnaps, someone, other, "Ailleurs", clientMutationId=key)
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"] and reused["ok"] is False

    assert codes(await send(cnaps, someone, thread, "   ")) == ["MESSAGE_EMPTY"]
    too_long = await send(cnaps, someone, thread, "x" * 5001)
    assert too_long["errors"][0]["field"] == ["input", "body"]
    assert codes(too_long) == ["TOO_LONG"]
    assert codes(await send(cnaps, someone, "VGhyZWFkOm5vcGU=")) == ["NOT_FOUND"]
    bad = await multipart(
        cnaps,
        SEND,
        {"input": {"threadId": thread, "body": "Pièce", "attachments": [None]}},
        {"input.attachments.0": ("notes.txt", b"plain text", "text/plain")},
        token=someone.token,
    )
    payload = bad.json()["data"]["sendMessage"]
    assert codes(payload) == ["ATTACHMENT_TYPE_NOT_ACCEPTED"]
    assert payload["errors"][0]["field"] == ["input", "attachments", "0"]
    forged = await cnaps.post(
        THREAD, {"id": thread, "last": 5, "before": "forged"}, token=someone.token
    )
    assert forged.json()["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    seen = await thread_of(cnaps, someone, thread)
    assert seen is not None and seen["messages"]["totalCount"] == 2


async def test_messages_page_backwards_newest_last(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    someone = await person(cnaps, runtime, smtp, "asker")
    thread = (await open_thread(cnaps, someone))["thread"]["id"]
    for n in range(1, 6):
        await send(cnaps, someone, thread, f"message {n}")
    page = await thread_of(cnaps, someone, thread, last=3)
    assert page is not None
    bodies = [m["body"] for m in page["messages"]["nodes"]]
    assert bodies == ["message 3", "message 4", "message 5"]
    assert page["messages"]["pageInfo"]["hasPreviousPage"] is True
    before = page["messages"]["pageInfo"]["startCursor"]
    older = await thread_of(cnaps, someone, thread, last=3, before=before)
    assert older is not None
    assert [m["body"] for m in older["messages"]["nodes"]] == [
        "Bonjour,\nmerci de me répondre.",
        "message 1",
        "message 2",
    ]
    assert older["messages"]["pageInfo"]["hasPreviousPage"] is False


async def test_inbox_oldest_unanswered_first_assign_close_and_reopen(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    officer = await agent(cnaps, runtime)
    colleague = await agent(cnaps, runtime)
    elsewhere = await agent(cnaps, runtime, delegations=("EST",))
    someone = await person(cnaps, runtime, smtp, "asker")
    older = (await open_thread(cnaps, someone, "Premier"))["thread"]["id"]
    newer = (await open_thread(cnaps, someone, "Second"))["thread"]["id"]
    answered = (await open_thread(cnaps, someone, "Répondu"))["thread"]["id"]
    await send(cnaps, officer, answered, "Voilà.")
    ids = [n["id"] for n in (await inbox(cnaps, officer))["nodes"]]
    assert ids.index(older) < ids.index(newer) < ids.index(answered)
    waiting = [n["id"] for n in (await inbox(cnaps, officer, awaitingAnswer=True))["nodes"]]
    assert older in waiting and answered not in waiting

    assigned = await cnaps(
        ASSIGN,
        {"input": {"threadId": older, "agentId": colleague.account_id}},
        token=officer.token,
    )
    assert assigned["assignThread"]["ok"]
    mine = await inbox(cnaps, colleague, assignedToMe=True)
    assert [n["id"] for n in mine["nodes"]] == [older]
    assert older not in [n["id"] for n in (await inbox(cnaps, officer, unassigned=True))["nodes"]]
    wrong = await cnaps(
        ASSIGN,
        {"input": {"threadId": newer, "agentId": elsewhere.account_id}},
        token=officer.token,
    )
    assert codes(wrong["assignThread"]) == ["NOT_AN_AGENT_OF_THE_DELEGATION"]
    by_person = await cnaps(CLOSE, {"input": {"threadId": newer}}, token=someone.token)
    assert codes(by_person["closeThread"]) == ["FORBIDDEN"]

    closed = await cnaps(CLOSE, {"input": {"threadId": newer}}, token=officer.token)
    assert closed["closeThread"]["thread"]["status"] == "CLOSED"
    twice = await cnaps(CLOSE, {"input": {"threadId": newer}}, token=officer.token)
    assert codes(twice["closeThread"]) == ["THREAD_ALREADY_CLOSED"]
    reopened = await send(cnaps, someone, newer, "Encore une question")
    assert reopened["thread"]["status"] == "OPEN"


async def test_reading_threads_costs_the_same_for_10_and_100_rows(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, statements: StatementCounter
) -> None:
    counts: list[tuple[int, int, int]] = []
    for size in (10, 100):
        someone = await person(cnaps, runtime, smtp, "asker")
        officer = await agent(cnaps, runtime)
        thread = (await open_thread(cnaps, someone))["thread"]["id"]
        files = {"input.attachments.0": ("avis.pdf", pdf_bytes("Avis"), "application/pdf")}
        for n in range(size - 1):
            variables = {"input": {"threadId": thread, "body": f"m{n}", "attachments": [None]}}
            if n % 10 == 0:
                await upload(cnaps, SEND, variables, files, token=someone.token)
            else:
                await send(cnaps, someone, thread, f"m{n}")
        await cnaps(READ, {"input": {"threadId": thread}}, token=officer.token)
        for n in range(size - 1):
            await open_thread(cnaps, someone, f"Sujet {n}")
        with statements.count() as messages_seen:
            page = await thread_of(cnaps, someone, thread, last=size)
        assert page is not None and len(page["messages"]["nodes"]) == size
        with statements.count() as inbox_seen:
            box = await cnaps(
                """query($n: Int) { messageInbox(first: $n) { nodes { id unreadCount
                  lastMessage { body attachments { filename } } } } }""",
                {"n": size},
                token=officer.token,
            )
        assert len(box["messageInbox"]["nodes"]) == size
        with statements.count() as viewer_seen:
            seen = await cnaps(VIEWER.replace("first: 20", f"first: {size}"), token=someone.token)
        assert len(seen["viewer"]["threads"]["nodes"]) == size
        counts.append((len(messages_seen), len(inbox_seen), len(viewer_seen)))
    assert counts[0] == counts[1], counts


async def test_the_same_key_sent_at_once_posts_one_message(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    import asyncio

    someone = await person(cnaps, runtime, smtp, "asker")
    thread = (await open_thread(cnaps, someone))["thread"]["id"]
    key = f"race-{uuid.uuid4()}"
    answers = await asyncio.gather(
        *(send(cnaps, someone, thread, "Une fois", clientMutationId=key) for _ in range(6))
    )
    ids = {a["message"]["id"] for a in answers if a["ok"]}
    assert len(ids) == 1
    assert all(a["ok"] or codes(a) == ["SEND_IN_PROGRESS"] for a in answers)
    seen = await thread_of(cnaps, someone, thread)
    assert seen is not None and seen["messages"]["totalCount"] == 2
