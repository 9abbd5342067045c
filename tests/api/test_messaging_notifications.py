"""Message notices: an e-mail without any content, after the delay, not at all when read
meanwhile, one per recipient per pass, exactly once; preferences (at once, daily, never);
the agents' daily digest of threads awaiting an answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from server.periodic import run_message_notifications_once
from server.runtime import Runtime
from tests.api.test_mandates import mandate_in_force
from tests.api.test_messaging import READ, VIEWER, open_thread, send
from tests.helpers.clock import TestClock
from tests.helpers.flows import deliver
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import agent, person
from tests.helpers.smtp import SmtpServer

PREFERENCES = """
mutation($mode: NotificationMode!) {
  updateNotificationPreferences(input: {messages: $mode}) {
    ok errors { code } preferences { messages }
  }
}
"""
SECRET = "Le code de votre badge est 4242"


async def notices(
    runtime: Runtime, smtp: SmtpServer, email: str, template: str
) -> list[EmailMessage]:
    """The mails of `template` that reached `email`, once the outbox is empty (a pass may
    queue more than a sender's batch: digests to every agent of the suite)."""
    while await runtime.sender.run_once():
        pass
    return [m for m in await deliver(runtime, smtp, email) if m["X-Guichet-Template"] == template]


def text_of(message: EmailMessage) -> str:
    parts = [message.get_body(("plain",)), message.get_body(("html",))]
    return "\n".join(p.get_content() for p in parts if p is not None) + str(message["Subject"])


async def test_a_notice_without_content_after_the_delay_exactly_once(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    await run_message_notifications_once(runtime)  # whatever earlier tests left due
    org, someone, _ = await mandate_in_force(
        cnaps, runtime, smtp, ["FOLLOW_DOSSIERS", "RECEIVE_COMMUNICATIONS"]
    )
    officer = await agent(cnaps, runtime)
    first = (await open_thread(cnaps, someone, "Badge perdu"))["thread"]["id"]
    second = (await open_thread(cnaps, someone, "Autre question"))["thread"]["id"]
    await send(cnaps, officer, first, SECRET)
    await send(cnaps, officer, second, "Deuxième réponse")

    # Before the delay: nothing.
    clock.advance(timedelta(minutes=4))
    await run_message_notifications_once(runtime)
    assert await notices(runtime, smtp, someone.email, "message_notification") == []
    # After it: one e-mail for both messages, to the person and to their trusted third party.
    clock.advance(timedelta(minutes=2))
    await run_message_notifications_once(runtime)
    [mail] = await notices(runtime, smtp, someone.email, "message_notification")
    content = text_of(mail)
    assert "2 nouveaux messages" in content and "2 conversations" in content
    assert SECRET not in content and "Badge perdu" not in content
    [to_third_party] = await notices(runtime, smtp, org.admin.email, "message_notification")
    assert SECRET not in text_of(to_third_party)
    # Never twice; and the person's own messages notify nobody on their side.
    await send(cnaps, someone, first, "Merci")
    clock.advance(timedelta(minutes=10))
    await run_message_notifications_once(runtime)
    assert len(await notices(runtime, smtp, someone.email, "message_notification")) == 1
    assert len(await notices(runtime, smtp, org.admin.email, "message_notification")) == 1


async def test_no_notice_when_read_first_and_preferences_are_kept(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    await run_message_notifications_once(runtime)
    someone = await person(cnaps, runtime, smtp, "reader")
    quiet = await person(cnaps, runtime, smtp, "quiet")
    officer = await agent(cnaps, runtime)
    read_first = (await open_thread(cnaps, someone))["thread"]["id"]
    await send(cnaps, officer, read_first, SECRET)
    await cnaps(READ, {"input": {"threadId": read_first}}, token=someone.token)

    chosen = await cnaps(PREFERENCES, {"mode": "NEVER"}, token=quiet.token)
    assert chosen["updateNotificationPreferences"] == {
        "ok": True,
        "errors": [],
        "preferences": {"messages": "NEVER"},
    }
    theirs = (await open_thread(cnaps, quiet))["thread"]["id"]
    await send(cnaps, officer, theirs, "Réponse")

    clock.advance(timedelta(minutes=6))
    await run_message_notifications_once(runtime)
    assert await notices(runtime, smtp, someone.email, "message_notification") == []
    assert await notices(runtime, smtp, quiet.email, "message_notification") == []
    # "Never" still leaves the in-app count.
    assert (await cnaps(VIEWER, token=quiet.token))["viewer"]["unreadMessageCount"] == 1
    seen = await cnaps(
        "query { viewer { notificationPreferences { messages } } }", token=quiet.token
    )
    assert seen["viewer"]["notificationPreferences"] == {"messages": "NEVER"}
    default = await cnaps(
        "query { viewer { notificationPreferences { messages } } }", token=someone.token
    )
    assert default["viewer"]["notificationPreferences"] == {"messages": "IMMEDIATE"}
    # Anonymous callers get the policy's answer.
    anonymous = await cnaps(PREFERENCES, {"mode": "DAILY"})
    assert anonymous["updateNotificationPreferences"]["errors"] == [
        {"code": "AUTHENTICATION_REQUIRED"}
    ]


def next_morning(clock: TestClock) -> timedelta:
    """From now to tomorrow 8:00 in Paris."""
    paris = ZoneInfo("Europe/Paris")
    now = clock.now().astimezone(paris)
    target = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), paris)
    return target + timedelta(hours=8) - now


async def test_daily_digests_for_applicants_who_chose_them_and_for_agents(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    await run_message_notifications_once(runtime)
    daily = await person(cnaps, runtime, smtp, "daily")
    officer = await agent(cnaps, runtime)
    await cnaps(PREFERENCES, {"mode": "DAILY"}, token=daily.token)
    thread = (await open_thread(cnaps, daily))["thread"]["id"]
    await send(cnaps, officer, thread, SECRET)
    await open_thread(cnaps, daily, "Sans réponse")
    clock.advance(timedelta(minutes=6))
    await run_message_notifications_once(runtime)
    assert await notices(runtime, smtp, daily.email, "message_notification") == []

    clock.advance(next_morning(clock))
    await run_message_notifications_once(runtime)
    [digest] = await notices(runtime, smtp, daily.email, "message_digest")
    assert "1 message non lu" in text_of(digest) and SECRET not in text_of(digest)
    [agents] = await notices(runtime, smtp, officer.email, "agent_message_digest")
    assert "attendent une réponse" in text_of(agents) or "attend une réponse" in text_of(agents)
    # Once a day.
    clock.advance(timedelta(hours=2))
    await run_message_notifications_once(runtime)
    assert len(await notices(runtime, smtp, daily.email, "message_digest")) == 1
