"""Without GUICHET_PUBLIC_URL, the links `guichet serve --port N` mails lead to port N; with it,
the setting wins."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.helpers.live_server import LiveServer, first_link, live_server, ok
from tests.server.test_serve import INPUTS, PASSWORD, REGISTER


def _registration_link(server: LiveServer) -> str:
    email = f"public.url.{time.time_ns()}@example.org"
    registered = ok(
        server.gql(
            "cnaps",
            REGISTER,
            {"input": {"email": email, "password": PASSWORD, **INPUTS["cnaps"]}},
        )
    )
    assert registered["register"]["errors"] == []
    [mail] = server.mails(email)
    return first_link(mail)


def _serving_line(workdir: Path) -> dict[str, object]:
    for line in (workdir / "server.log").read_text().splitlines():
        if line.startswith("{") and json.loads(line).get("message") == "serving":
            entry: dict[str, object] = json.loads(line)
            return entry
    raise AssertionError((workdir / "server.log").read_text())


def test_links_follow_the_port_served(tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("public-url")
    with live_server(workdir, env={"GUICHET_PUBLIC_URL": None}) as server:
        link = _registration_link(server)
        port = server.base.rsplit(":", 1)[1]
        assert port != "8000"
        assert link.startswith(f"http://127.0.0.1:{port}/t/cnaps/confirm-email?token="), link
        assert _serving_line(workdir)["public_url"] == f"http://127.0.0.1:{port}"


def test_the_public_url_setting_wins(tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("public-url-set")
    public = "https://guichet.example.org"
    with live_server(workdir, env={"GUICHET_PUBLIC_URL": public}) as server:
        link = _registration_link(server)
        assert link.startswith(f"{public}/t/cnaps/confirm-email?token="), link
        assert _serving_line(workdir)["public_url"] == public
