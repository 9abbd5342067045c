"""The outbox: written with the change that causes it, delivered once, never lost."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import uuid
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
from sqlalchemy import select, text

from auth.account.provisioning import NewPerson, open_account_for
from auth.context import ServiceContext
from mail.models import OutboxMessage, OutboxStatus
from mail.transport import SmtpTransport, transport_from_url
from mail.worker import MailSender
from server.app import create_app
from server.database import create_engine
from server.runtime import Runtime, build_runtime
from tenants.leases import backoff
from tenants.packs import PACKS
from tenants.session import open_session
from tests.conftest import Database, make_settings, unique_email
from tests.helpers.clock import TestClock
from tests.helpers.flows import (
    REGISTER,
    cnsa_input,
    deliver,
    link_in,
    register,
    token_of,
)
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import validated_organisation
from tests.helpers.smtp import SmtpServer

INVITE = """
mutation($input: InviteManagerInput!) { inviteManager(input: $input) { errors { code } } }
"""
REQUEST_RESET = """
mutation($e: String!) { requestPasswordReset(input: {email: $e}) { ok errors { code } } }
"""


def clock_like(runtime: Runtime) -> TestClock:
    """A clock of its own, at the shared clock's time (other tests move that one forward)."""
    clock = TestClock()
    shared = runtime.services.clock
    assert isinstance(shared, TestClock)
    clock.offset = shared.offset
    return clock


async def outbox_rows(runtime: Runtime, tenant: str, recipient: str) -> list[OutboxMessage]:
    async with open_session(runtime.services.sessions, tenant) as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient)
        )
        return list(rows.all())


async def test_a_refused_change_leaves_no_mail(cnsa: GraphQLClient, runtime: Runtime) -> None:
    email_address = unique_email()
    refused = await cnsa(REGISTER, {"input": cnsa_input(email_address, password="court")})
    assert refused["register"]["errors"]
    assert await outbox_rows(runtime, "cnsa", email_address) == []


async def test_smtp_down_then_back_delivers_exactly_once(
    cnsa: GraphQLClient, runtime: Runtime
) -> None:
    down = SmtpServer()
    down.start()
    port = down.port
    down.stop()
    clock = clock_like(runtime)
    sender = MailSender(
        runtime.services.sessions, SmtpTransport(f"smtp://127.0.0.1:{port}"), clock, ["cnsa"]
    )
    address = unique_email()
    await register(cnsa, address)

    assert await sender.run_once() == 0  # server down: kept, retried later
    [row] = await outbox_rows(runtime, "cnsa", address)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.last_error and "Cannot connect" in row.last_error
    assert row.content  # still to be sent: the body stays until then
    assert row.next_attempt_at - clock.now() <= timedelta(seconds=30)

    back = SmtpServer(port=port, fail_next=1)  # comes back, answers 451 once
    back.start()
    try:
        assert await sender.run_once() == 0  # not due yet
        clock.advance(timedelta(seconds=31))
        assert await sender.run_once() == 0  # 451: retried later again
        [row] = await outbox_rows(runtime, "cnsa", address)
        assert row.attempts == 2 and row.status == OutboxStatus.PENDING
        clock.advance(timedelta(minutes=1, seconds=1))
        assert await sender.run_once() == 1
        clock.advance(timedelta(hours=2))
        assert await sender.run_once() == 0
        received = [m for m in back.messages if address in m.rcpt_tos]
        assert len(received) == 1
        [row] = await outbox_rows(runtime, "cnsa", address)
        assert row.status == OutboxStatus.SENT and row.attempts == 3 and row.sent_at
        assert row.content == ""  # sent: the body (and the link in it) is gone
        assert received[0].message["Message-ID"] == row.message_id
    finally:
        back.stop()


async def test_a_long_outage_loses_no_mail(cnsa: GraphQLClient, runtime: Runtime) -> None:
    """Past `max_attempts` of a transient failure the message is still pending with its body,
    retried at the capped interval, and delivered once the server is back."""
    down = SmtpServer()
    down.start()
    port = down.port
    down.stop()
    clock = clock_like(runtime)
    sender = MailSender(
        runtime.services.sessions,
        SmtpTransport(f"smtp://127.0.0.1:{port}"),
        clock,
        ["cnsa"],
        max_attempts=2,
    )
    address = unique_email()
    await register(cnsa, address)
    for _ in range(4):  # twice the attempts allowed before someone is alerted
        assert await sender.run_once() == 0
        clock.advance(timedelta(hours=1, seconds=1))
    [row] = await outbox_rows(runtime, "cnsa", address)
    assert row.status == OutboxStatus.PENDING and row.attempts == 4
    assert row.content and "confirm-email?token=" in row.content
    assert row.next_attempt_at - clock.now() <= timedelta(hours=1)
    back = SmtpServer(port=port)
    back.start()
    try:
        assert await sender.run_once() == 1
        assert [m for m in back.messages if address in m.rcpt_tos]
        [row] = await outbox_rows(runtime, "cnsa", address)
        assert row.status == OutboxStatus.SENT and row.content == ""
    finally:
        back.stop()


async def test_two_senders_never_send_the_same_message_twice(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    addresses = [unique_email() for _ in range(5)]
    for address in addresses:
        await register(cnaps, address)
    clock = runtime.services.clock
    senders = [
        MailSender(runtime.services.sessions, SmtpTransport(smtp.url), clock, ["cnaps"])
        for _ in range(3)
    ]
    await asyncio.gather(*(s.run_once() for s in senders))
    for address in addresses:
        assert len([m for m in smtp.messages if address in m.rcpt_tos]) == 1


async def test_a_permanent_refusal_is_kept_as_failed(cnsa: GraphQLClient, runtime: Runtime) -> None:
    address = unique_email()
    refusing = SmtpServer(refuse_rcpt={address})
    refusing.start()
    try:
        await register(cnsa, address)
        sender = MailSender(
            runtime.services.sessions, SmtpTransport(refusing.url), clock_like(runtime), ["cnsa"]
        )
        await sender.run_once()
        [row] = await outbox_rows(runtime, "cnsa", address)
        assert row.status == OutboxStatus.FAILED and row.attempts == 1
        assert row.last_error and "550" in row.last_error
        # failed for good: metadata and error kept, the body with its link erased
        assert row.content == "" and row.template == "confirm_email" and row.message_id
    finally:
        refusing.stop()


def _readable(content: str) -> str:
    """The raw message and its decoded text and HTML parts (bodies may be base64)."""
    if not content:
        return ""
    message = email.message_from_string(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    parts = [content]
    for kind in ("plain", "html"):
        body = message.get_body((kind,))
        if isinstance(body, EmailMessage):
            parts.append(body.get_content())
    return "\n".join(parts)


async def test_no_mailed_secret_stays_in_the_outbox_once_sent(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, database: Database
) -> None:
    """A confirmation link, a reset link, an invitation link and a temporary password are
    mailed; once sent, no row of `outbox_messages` (read with plain SQL as the table's owner,
    every tenant) holds any of them; each row keeps its metadata."""
    org = await validated_organisation(cnaps, runtime, smtp, name="Sigma Sûreté")
    newcomer = unique_email("newcomer")
    await register(cnaps, newcomer)
    invited = unique_email("invited")
    await register(cnaps, invited)
    payload = await cnaps(
        INVITE,
        {"input": {"organisationId": org.id, "email": invited, "permissions": ["FILE_DOSSIERS"]}},
        token=org.admin.token,
    )
    assert payload["inviteManager"]["errors"] == []
    await cnaps(REQUEST_RESET, {"e": org.admin.email})
    opened = unique_email("opened")
    services = runtime.services
    async with open_session(services.sessions, "cnaps") as session:
        ctx = ServiceContext(
            session=session, pack=PACKS["cnaps"], clock=services.clock, config=services.auth
        )
        await open_account_for(
            ctx, NewPerson(email=opened, family_name="Roux", given_names="Inès"), opened_by="X"
        )
        await session.commit()

    secrets: dict[str, str] = {}
    for address in (newcomer, invited, org.admin.email, opened):
        for message in await deliver(runtime, smtp, address):
            template = str(message["X-Guichet-Template"])
            text_body = message.get_body(("plain",))
            assert isinstance(text_body, EmailMessage)
            password = re.search(r"Mot de passe provisoire : (\S+)", text_body.get_content())
            if password:
                secrets[f"{template}:{address}"] = password.group(1)
            elif "token=" in link_in(message):
                secrets[f"{template}:{address}"] = token_of(link_in(message))
    assert {key.split(":")[0] for key in secrets} >= {
        "confirm_email",
        "manager_invitation",
        "reset_password",
        "account_opened",
    }, sorted(secrets)

    engine = create_engine(database.owner_url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT recipient, template, status, message_id, content FROM outbox_messages"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    for recipient, template, status, _message_id, content in rows:
        readable = _readable(content)
        for name, secret in secrets.items():
            assert secret not in readable, (name, recipient, template, status)
    ours = [row for row in rows if row[0] in (newcomer, invited, opened)]
    assert ours and all(row[2] == "SENT" and row[3] and row[4] == "" for row in ours)


def test_backoff_grows_and_is_capped() -> None:
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    delays = [backoff(n, base, cap).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_embedded_default_writes_eml_files_sent_in_process(
    database: Database, tmp_path: Path, signing_keys: object
) -> None:
    """No SMTP setting: `guichet serve` sends in-process into a maildir of .eml files."""
    settings = make_settings(database, tmp_path, send_mail_in_process=True)
    runtime = build_runtime(settings)  # transport from settings: maildir in data_dir/mail
    app = create_app(runtime)
    address = unique_email()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            await register(GraphQLClient(http, "cnsa"), address)
            new = tmp_path / "mail" / "new"
            for _ in range(100):
                files = list(new.glob("*.eml")) if new.exists() else []
                if files:
                    break
                await asyncio.sleep(0.05)
    [path] = [p for p in files if address in p.read_text(encoding="utf-8", errors="replace")]
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    assert message["To"] == address
    assert "/t/cnsa/confirm-email?token=" in link_in(message)
    assert not list((tmp_path / "mail" / "tmp").glob("*"))
    assert (tmp_path / "signing-keys.json").exists()  # generated once in the data directory


def test_transport_from_settings() -> None:
    maildir = transport_from_url("", Path("/tmp/x"))
    assert type(maildir).__name__ == "MaildirTransport"
    smtp = transport_from_url("smtps://user:secret@mail.example:465", Path("/tmp/x"))
    assert "secret" not in repr(smtp)
    assert str(uuid.uuid4())
