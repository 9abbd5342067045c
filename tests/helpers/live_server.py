"""A real `guichet serve` process on the embedded default (SQLite in its own directory), with a
real SMTP server: what a newcomer runs, driven over real HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.smtp import SmtpServer

GUICHET = Path(sys.executable).parent / "guichet"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    base: str
    smtp: SmtpServer
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None  # to kill it (SIGKILL tests)

    def guichet(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the `guichet` command against the same database and mail server."""
        return subprocess.run(  # noqa: S603 - our own console script
            [str(GUICHET), *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def gql(
        self,
        tenant: str,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(
            f"{self.base}/t/{tenant}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )

    def mails(self, recipient: str, count: int = 1) -> list[EmailMessage]:
        """Wait until `count` messages have reached `recipient`; all of them, oldest first."""
        for _ in range(200):
            found = [m.message for m in self.smtp.messages if recipient in m.rcpt_tos]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"fewer than {count} mails for {recipient}")


def ok(response: httpx.Response) -> dict[str, Any]:
    """The `data` of a successful GraphQL response (fails the test otherwise)."""
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def first_link(message: EmailMessage) -> str:
    found = re.search(r"https?://\S+", text_of(message))
    assert found, text_of(message)
    return found.group(0)


class ServerNotReady(RuntimeError):
    """`guichet serve` exited, or did not answer `GET /readyz` with 200 in time."""


def _wait_until_ready(
    base: str, process: subprocess.Popen[bytes], log: Path, within: float
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise ServerNotReady(f"guichet serve exited:\n{log.read_text()}")
        time.sleep(0.1)
    raise ServerNotReady(f"guichet serve not ready after {within:g} s:\n{log.read_text()}")


@contextmanager
def live_server(
    workdir: Path,
    secrets: tuple[str, ...] = (),
    serve_args: tuple[str, ...] = (),
    ready_within: float = 20.0,
    env: Mapping[str, str | None] | None = None,
) -> Iterator[LiveServer]:
    """Start `guichet serve` (with `serve_args`; `env` adds or overrides settings, e.g. a
    PostgreSQL database, and a `None` value unsets one) and wait until it is ready, else raise `ServerNotReady`; on exit,
    stop it and check its log holds no traceback and none of `secrets`."""
    env_overrides = dict(env or {})
    smtp = SmtpServer()
    smtp.start()
    port = free_port()
    served = {key: value for key, value in os.environ.items() if not key.startswith("GUICHET_")}
    served |= {
        "GUICHET_SMTP_URL": smtp.url,
        "GUICHET_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "GUICHET_PASSWORD_HASH_MEMORY_KIB": "8192",
        "GUICHET_PASSWORD_HASH_TIME_COST": "1",
        "GUICHET_PASSWORD_HASH_PARALLELISM": "1",
    }
    served |= {key: value for key, value in env_overrides.items() if value is not None}
    for key in [key for key, value in env_overrides.items() if value is None]:
        served.pop(key, None)
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [str(GUICHET), "serve", "--port", str(port), *serve_args],
        cwd=workdir,
        env=served,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, process, workdir / "server.log", ready_within)
        yield LiveServer(base=base, smtp=smtp, workdir=workdir, env=served, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)
        smtp.stop()
        log.close()
    output = (workdir / "server.log").read_text()
    assert "Traceback" not in output, output
    for secret in secrets:
        assert secret not in output
    assert "token=" not in output.replace("token=[redacted]", "")


def database_env(app_url: str) -> dict[str, str]:
    """The settings that point a live server at the suite's database (already migrated):
    SQLite or PostgreSQL, as the server's role."""
    return {"GUICHET_DATABASE_URL": app_url}
