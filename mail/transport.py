"""Outbound mail transports: hand one finished message to an SMTP relay or a Maildir.

The transport is chosen by a URL (``transport_from_url``):

* ``smtp://[user[:password]@]host[:port][?starttls=auto|required|no&timeout=SECONDS]`` —
  port 25 by default (587 with ``starttls=required``); ``auto`` upgrades with STARTTLS
  when the server offers it, ``required`` fails when it does not, ``no`` never upgrades.
* ``smtps://[user[:password]@]host[:port]`` — implicit TLS, port 465 by default.
* ``maildir:///absolute/path`` or ``maildir:relative/path`` — each message becomes an
  ``.eml`` file (for development and tests; the default when no URL is configured).

SMTP URLs also take ``tls_verify=0`` (accept any certificate: test servers only),
``ca_file=/path/to/bundle.pem`` (trust a private CA) and ``helo=name`` (the name given in
EHLO, by default the machine's FQDN). User and password are percent-decoded, so
``smtp://a%40b.fr:p%3Ass@host`` logs in as ``a@b.fr`` with ``p:ss``; they are only used
(AUTH) when a user is given. Use ``redact_url`` before logging a URL.

A failed delivery raises ``TransportError``; its ``permanent`` flag tells the caller
whether retrying can help (a 5xx refusal of the message, its sender or recipients, or of
the credentials) or not (connection failures, timeouts, TLS problems, 4xx answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.message
import logging
import os
import pathlib
import re
import time
import uuid
from typing import Protocol, runtime_checkable
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

import aiosmtplib

log = logging.getLogger("guichet.mail")

__all__ = [
    "MaildirTransport",
    "SmtpTransport",
    "Transport",
    "TransportError",
    "redact_url",
    "transport_from_url",
]

DEFAULT_TIMEOUT = 30.0
_STARTTLS_MODES: dict[str, bool | None] = {"auto": None, "required": True, "no": False}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_SMTP_PARAMS = frozenset({"starttls", "timeout", "tls_verify", "ca_file", "helo"})
_SMTPS_PARAMS = _SMTP_PARAMS - {"starttls"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class TransportError(Exception):
    """A message could not be handed over.

    ``permanent`` is True when the server refused for good (an SMTP 5xx answer): the caller
    should give up. Otherwise (connection refused or lost, timeout, TLS failure, 4xx) the
    caller should retry later. ``code`` is the SMTP reply code when there was one.
    """

    def __init__(self, message: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


@runtime_checkable
class Transport(Protocol):
    async def send(self, message: email.message.EmailMessage) -> None:
        """Deliver ``message`` (envelope taken from its headers) or raise TransportError."""
        ...


def redact_url(url: str) -> str:
    """``url`` with the password of its user info (if any) replaced by ``***``.

    Deliberately blunt: everything between the first ``:`` of the user info and the last
    ``@`` of the URL is hidden, so even a password with unescaped reserved characters
    does not leak (at worst a little more than the password is hidden).
    """
    match = _SCHEME.match(url)
    if match is None:
        return url
    prefix, rest = url[: match.end()], url[match.end() :]
    userinfo, at, hostpart = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{prefix}{user}:***@{hostpart}"


def _query(parts: SplitResult, allowed: frozenset[str], shown: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False):
        if key not in allowed:
            raise ValueError(
                f"Unknown parameter {key!r} in mail URL {shown} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
        if key in params:
            raise ValueError(f"Parameter {key!r} given twice in mail URL {shown}")
        params[key] = value
    return params


def _flag(value: str, name: str, shown: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"Invalid {name}={value!r} in mail URL {shown}: expected 0 or 1")


def _timeout(value: str | None, shown: str) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        timeout = float(value)
    except ValueError:
        raise ValueError(f"Invalid timeout={value!r} in SMTP URL {shown}") from None
    if not 0 < timeout < float("inf"):
        raise ValueError(f"timeout must be a positive number in SMTP URL {shown}")
    return timeout


def _credentials(netloc: str, shown: str) -> tuple[str | None, str | None]:
    """User and password of a URL's authority, percent-decoded (exactly once)."""
    userinfo, at, _ = netloc.rpartition("@")
    if not at:
        return None, None
    raw_user, colon, raw_password = userinfo.partition(":")
    username = unquote(raw_user) or None
    password = unquote(raw_password) if colon else None
    if username is None and password:
        raise ValueError(f"Password without a user in SMTP URL {shown}")
    return username, password


class SmtpTransport:
    """Sends through an SMTP relay, one connection per message (connect, send, quit)."""

    def __init__(self, url: str) -> None:
        shown = redact_url(url)
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:  # the message could quote part of a badly escaped password
            raise ValueError(
                f"Invalid host or port in SMTP URL {shown} "
                "(percent-encode '/', '?', '#', ':' and '@' in the user and password)"
            ) from None
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            raise ValueError(f"Not an SMTP URL (smtp:// or smtps://): {shown}")
        if not parts.hostname:
            raise ValueError(f"No host in SMTP URL {shown}")
        if parts.path not in ("", "/") or parts.fragment or "@" in parts.query:
            raise ValueError(
                f"Unexpected path, fragment or '@' in SMTP URL {shown} "
                "(percent-encode '/', '?', '#' and '@' in the user and password)"
            )
        params = _query(parts, _SMTPS_PARAMS if scheme == "smtps" else _SMTP_PARAMS, shown)

        self.use_tls = scheme == "smtps"
        mode = params.get("starttls", "auto").strip().lower()
        if mode not in _STARTTLS_MODES:
            raise ValueError(
                f"Invalid starttls={params['starttls']!r} in SMTP URL {shown}: "
                "expected auto, required or no"
            )
        # aiosmtplib: None = upgrade if offered, True = must upgrade, False = never.
        self.start_tls: bool | None = None if self.use_tls else _STARTTLS_MODES[mode]

        self.hostname: str = parts.hostname
        if port == 0:
            raise ValueError(f"Invalid port 0 in SMTP URL {shown}")
        if port is None:
            port = 465 if self.use_tls else 587 if self.start_tls is True else 25
        self.port: int = port

        self.timeout = _timeout(params.get("timeout"), shown)
        self.validate_certs = _flag(params.get("tls_verify", "1"), "tls_verify", shown)
        self.ca_file: str | None = params.get("ca_file") or None
        self.local_hostname: str | None = params.get("helo") or None
        if self.local_hostname is not None and not re.fullmatch(
            r"[A-Za-z0-9.\-\[\]:]+", self.local_hostname
        ):
            raise ValueError(f"Invalid helo={self.local_hostname!r} in SMTP URL {shown}")

        self.username, self.password = _credentials(parts.netloc, shown)
        self._shown = shown

    @property
    def url(self) -> str:
        """The URL this transport was built from, password redacted."""
        return self._shown

    def __repr__(self) -> str:
        return f"SmtpTransport({self._shown!r})"

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            local_hostname=self.local_hostname,
            timeout=self.timeout,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            validate_certs=self.validate_certs,
            cert_bundle=self.ca_file,
        )

    @property
    def _server(self) -> str:
        return f"SMTP server {self.hostname}:{self.port}"

    async def send(self, message: email.message.EmailMessage) -> None:
        client = self._client()
        try:
            try:
                await client.connect()
            except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as exc:
                # Includes a greeting/EHLO refusal, a STARTTLS that is required but not
                # offered and certificate failures: problems of the relay, not the message.
                code = exc.code if isinstance(exc, aiosmtplib.SMTPResponseException) else None
                raise TransportError(
                    f"Cannot connect to {self._server}: {_describe(exc)}",
                    permanent=False,
                    code=code,
                ) from exc

            if self.username is not None:
                await self._login(client, self.username)

            try:
                refused, _ = await client.send_message(message)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                codes = [r.code for r in exc.recipients]
                detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
                raise TransportError(
                    f"{self._server} refused every recipient ({detail})",
                    permanent=bool(codes) and all(code >= 500 for code in codes),
                    code=max(codes, default=None),
                ) from exc
            except aiosmtplib.SMTPResponseException as exc:
                raise TransportError(
                    f"{self._server} refused the message: {exc.code} {exc.message}",
                    permanent=exc.code >= 500,
                    code=exc.code,
                ) from exc
            except (aiosmtplib.SMTPNotSupported, ValueError) as exc:
                # Non-ASCII address without SMTPUTF8, no From/To header…: the message itself
                # cannot be sent, retrying will not help.
                raise TransportError(
                    f"Message not sendable through {self._server}: {_describe(exc)}",
                    permanent=True,
                ) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                raise TransportError(
                    f"Delivery to {self._server} interrupted: {_describe(exc)}", permanent=False
                ) from exc

            if refused:
                # Accepted for some recipients: resending would duplicate it for them.
                log.warning(
                    "mail accepted by %s but some recipients were refused: %s",
                    self._server,
                    "; ".join(f"{rcpt}: {r.code} {r.message}" for rcpt, r in refused.items()),
                )

            # The message was accepted already: a failing QUIT changes nothing.
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await client.quit()
        finally:
            client.close()

    async def _login(self, client: aiosmtplib.SMTP, username: str) -> None:
        try:
            await client.login(username, self.password or "")
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise TransportError(
                f"{self._server} refused the credentials of {username!r}: {exc.code} {exc.message}",
                permanent=exc.code >= 500,
                code=exc.code,
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise TransportError(
                f"Authentication on {self._server} failed: {exc.code} {exc.message}",
                permanent=False,
                code=exc.code,
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # E.g. AUTH not offered (maybe only after STARTTLS): a configuration problem.
            raise TransportError(
                f"Authentication on {self._server} failed: {_describe(exc)}", permanent=False
            ) from exc


def _describe(exc: BaseException) -> str:
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


class MaildirTransport:
    """Writes each message as an RFC 5322 ``.eml`` file (CRLF line ends) into a Maildir.

    The file is written into ``tmp/``, flushed to disk, then renamed into ``new/``: a
    reader of ``new/`` never sees a partial message.
    """

    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = pathlib.Path(directory)

    def __repr__(self) -> str:
        return f"MaildirTransport({str(self.directory)!r})"

    async def send(self, message: email.message.EmailMessage) -> None:
        await asyncio.to_thread(self.write, message)

    def write(self, message: email.message.EmailMessage) -> pathlib.Path:
        """Blocking delivery; the path of the file in ``new/``."""
        data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        tmp, new = self.directory / "tmp", self.directory / "new"
        for sub in (tmp, new, self.directory / "cur"):
            sub.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.eml"
        tmp_path, new_path = tmp / name, new / name
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(tmp_path, new_path)
        except BaseException:
            tmp_path.unlink(missing_ok=True)
            raise
        _fsync_dir(new)
        return new_path


def _fsync_dir(directory: pathlib.Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible everywhere (e.g. Windows); the rename is done anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _maildir_path(url: str, parts: SplitResult) -> pathlib.Path:
    shown = redact_url(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(
            f"Unexpected host in maildir URL {shown}: use maildir:///absolute/path "
            "or maildir:relative/path"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"Unexpected query or fragment in maildir URL {shown}")
    path = unquote(parts.path)
    if not path:
        raise ValueError(f"No directory in maildir URL {shown}")
    return pathlib.Path(path).expanduser()


def transport_from_url(url: str | None, default_maildir: pathlib.Path) -> Transport:
    """The transport a URL describes; no URL means a Maildir in ``default_maildir``."""
    if url is None or not url.strip():
        return MaildirTransport(default_maildir)
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError(f"Invalid mail transport URL {redact_url(url)}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme in ("smtp", "smtps"):
        return SmtpTransport(url)
    if scheme == "maildir":
        return MaildirTransport(_maildir_path(url, parts))
    raise ValueError(
        f"Unsupported mail transport URL {redact_url(url)}: expected smtp://, smtps:// or maildir:"
    )
