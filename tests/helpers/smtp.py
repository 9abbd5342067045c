"""A real SMTP server (aiosmtpd) for tests, on 127.0.0.1 and a free port.

    server = SmtpServer(require_auth=("user", "secret")).start()
    try:
        await SmtpTransport(server.url_with_auth("user", "secret")).send(message)
        [received] = await server.wait_for(1)
    finally:
        server.stop()

The server runs in its own thread (aiosmtpd's Controller), so it can be driven from sync
fixtures and async tests alike. It stores every accepted message; it can require AUTH,
speak implicit TLS or offer STARTTLS (see ``self_signed_context``), answer 451 to the
next N messages (``fail_next``) and refuse some recipients with 550 (``refuse_rcpt``).
No pytest dependency.
"""

from __future__ import annotations

import asyncio
import datetime
import email
import email.message
import email.policy
import ipaddress
import pathlib
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["ReceivedMessage", "SmtpServer", "self_signed_context"]


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message: email.message.EmailMessage
    tls: bool
    """Whether the session was encrypted (implicit TLS or STARTTLS)."""
    login: str | None
    """The user the client authenticated as, if it did."""
    mail_options: list[str] = field(default_factory=list)


class _Handler:
    """aiosmtpd handler hooks; they run in the server's thread."""

    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self.owner.require_auth is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in {a.lower() for a in self.owner.refuse_rcpt}:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.owner._lock:
            if self.owner._fail_next > 0:
                self.owner._fail_next -= 1
                return "451 4.3.0 try again later"
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        auth_data = session.auth_data
        received = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            data=raw,
            message=parsed,
            tls=self.owner.tls is not None or session.ssl is not None,
            login=auth_data.login.decode() if isinstance(auth_data, LoginPassword) else None,
            mail_options=list(envelope.mail_options),
        )
        with self.owner._lock:
            self.owner.messages.append(received)
        return "250 2.0.0 OK queued"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        expected = self.owner.require_auth
        if (
            expected is not None
            and mechanism in ("PLAIN", "LOGIN")
            and isinstance(auth_data, LoginPassword)
            and auth_data.login == expected[0].encode()
            and auth_data.password == expected[1].encode()
        ):
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)


class _Controller(Controller):
    """Binds port 0 when asked and learns the port the system picked."""

    def _trigger_server(self) -> None:
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    host = "127.0.0.1"

    def __init__(
        self,
        *,
        require_auth: tuple[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        starttls: ssl.SSLContext | None = None,
        fail_next: int = 0,
        refuse_rcpt: Iterable[str] = (),
        port: int | None = None,
    ) -> None:
        if tls is not None and starttls is not None:
            raise ValueError("implicit TLS and STARTTLS are exclusive")
        self.require_auth = require_auth
        self.tls = tls
        self.starttls = starttls
        self.refuse_rcpt: set[str] = set(refuse_rcpt)
        self.messages: list[ReceivedMessage] = []
        self._port = port
        self._fail_next = fail_next
        self._lock = threading.Lock()
        self._handler = _Handler(self)
        self._controller: _Controller | None = None

    # Lifecycle

    def start(self) -> SmtpServer:
        """Listen (again: on the same port after a ``stop``). Returns self."""
        if self._controller is not None:
            raise RuntimeError("SMTP server already running")
        kwargs: dict[str, Any] = {}
        if self.require_auth is not None:
            kwargs.update(authenticator=self._handler.authenticate, auth_require_tls=False)
        if self.starttls is not None:
            kwargs["tls_context"] = self.starttls
        controller = _Controller(
            self._handler,
            hostname=self.host,
            port=self._port or 0,
            ssl_context=self.tls,
            server_hostname="localhost",  # the name in the greeting; avoids a DNS lookup
            ready_timeout=10.0,
            **kwargs,
        )
        controller.start()
        self._port = controller.port
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening; received messages are kept, ``start`` again reuses the port."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    # Addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("SMTP server not started yet")
        return self._port

    @property
    def url(self) -> str:
        """``smtp://127.0.0.1:PORT`` (``smtps://`` with implicit TLS)."""
        scheme = "smtps" if self.tls is not None else "smtp"
        return f"{scheme}://{self.host}:{self.port}"

    def url_with_auth(self, user: str, password: str, query: str = "") -> str:
        """``url`` with percent-encoded credentials and an optional query string."""
        scheme, rest = self.url.split("://", 1)
        userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}"
        return f"{scheme}://{userinfo}@{rest}" + (f"?{query}" if query else "")

    # Behaviour

    @property
    def fail_next(self) -> int:
        """How many of the next DATA commands still get ``451 4.3.0 try again later``."""
        with self._lock:
            return self._fail_next

    @fail_next.setter
    def fail_next(self, count: int) -> None:
        with self._lock:
            self._fail_next = count

    # Received mail

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    async def wait_for(  # polls the list that the server thread fills
        self,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[ReceivedMessage]:
        """Wait until at least ``count`` messages were received; they all, in order."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
                got = len(self.messages)
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{got} message(s) received in {timeout}s, expected {count}")
            await asyncio.sleep(0.01)


def self_signed_context(
    directory: pathlib.Path | None = None,
) -> tuple[ssl.SSLContext, pathlib.Path]:
    """A server SSLContext with a new self-signed certificate for 127.0.0.1 and localhost,
    and the path of that certificate (PEM), to give clients as their CA file."""
    if directory is None:
        directory = pathlib.Path(tempfile.mkdtemp(prefix="guichet-smtp-tls-"))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path
