"""GraphiQL works without internet: its page and assets come from Guichet, under a strict
Content-Security-Policy, and a headless Chromium that can reach only 127.0.0.1 renders it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.runtime import Runtime
from tests.helpers.live_server import LiveServer, live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TENANTS = ("cnaps", "cnsa")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("graphiql")) as running:
        yield running


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_page_loads_everything_from_guichet(server: LiveServer, tenant: str) -> None:
    page = httpx.get(f"{server.base}/t/{tenant}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no inline script, no CDN
    assert directives["connect-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert "<script>" not in page.text and "https://" not in page.text
    assets = _assets(page.text)
    assert len(assets) >= 6
    for asset in assets:
        assert asset.startswith("/"), asset  # same origin
        response = httpx.get(f"{server.base}{asset}")
        assert response.status_code == 200, asset


def test_favicon(server: LiveServer) -> None:
    icon = httpx.get(f"{server.base}/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/svg+xml"
    assert icon.content.startswith(b"<svg")


def test_vendored_files_are_recorded_with_their_licences() -> None:
    folder = Path(__file__).parents[2] / "server" / "static" / "graphiql"
    versions = (folder / "VERSIONS").read_text()
    for package in ("graphiql", "react", "react-dom"):
        assert re.search(rf"^{re.escape(package)} \S+ MIT ", versions, re.MULTILINE), package
        assert (folder / f"LICENSE.{package}").read_text().startswith("MIT License")


async def test_no_ide_nor_assets_in_production(runtime: Runtime) -> None:
    from dataclasses import replace

    from server.app import create_app

    production = replace(runtime, settings=replace(runtime.settings, env="production"))
    transport = httpx.ASGITransport(app=create_app(production))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        page = await client.get("/t/cnsa/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        assert (await client.get("/static/graphiql/graphiql.min.js")).status_code == 404
        assert (await client.get("/favicon.ico")).status_code == 200


def chromium(*args: str, url: str, workdir: Path) -> str:
    """Headless Chromium whose name resolution fails for every host but 127.0.0.1: a page
    that needs a CDN stays on its loading text."""
    assert CHROMIUM is not None
    completed = subprocess.run(  # noqa: S603 - the Debian package's binary
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=127.0.0.1",
            f"--user-data-dir={workdir / 'chromium'}",
            "--virtual-time-budget=15000",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("tenant", TENANTS)
def test_chromium_renders_graphiql_offline(server: LiveServer, tenant: str, tmp_path: Path) -> None:
    log = server.workdir / "server.log"
    before = len(_posts(log, tenant))
    dom = chromium("--dump-dom", url=f"{server.base}/t/{tenant}/graphql", workdir=tmp_path)
    assert "graphiql-container" in dom
    assert "graphiql-query-editor" in dom
    assert "Chargement" not in dom and "Loading" not in dom
    # GraphiQL asked the tenant's own endpoint for its schema: a POST the server logged.
    assert len(_posts(log, tenant)) > before


def _posts(log: Path, tenant: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [
        line
        for line in lines
        if line.get("method") == "POST" and line.get("path") == f"/t/{tenant}/graphql"
    ]
