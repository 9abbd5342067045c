"""The built-in pages in headless Chromium against a real `guichet serve`: a person follows
the confirmation link, signs in, forgets their password, resets it, meets an expired link and
an unknown portal, only by clicking what the pages show; every page has the favicon and
every link on it answers. Skipped when Chromium is missing (`bench/pages_screenshots.py`
walks the same pages and saves screenshots)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import unique_email
from tests.helpers.browser import CHROMIUM, Browser
from tests.helpers.flows import PASSWORD, REGISTER, cnaps_input
from tests.helpers.live_server import LiveServer, first_link, live_server, ok

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)
REQUEST_RESET = "mutation($e: String!) { requestPasswordReset(input: {email: $e}) { ok } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("pages")) as running:
        yield running


async def check_page(tab: Browser, code: str | None = None) -> str:
    """The page has its icon; each of its links answers; returns its text."""
    html = await tab.html()
    assert '<link rel="icon" href="' in html
    async with httpx.AsyncClient(headers={"Accept": "text/html"}) as client:
        for link in await tab.links():
            if not link.startswith("mailto:"):
                assert (await client.get(link)).status_code == 200, link
    if code is not None:
        assert f'data-code="{code}"' in html, html
    return await tab.text()


async def mail(server: LiveServer, email: str, count: int) -> str:
    messages = await asyncio.to_thread(server.mails, email, count)
    return first_link(messages[-1])


async def resets(server: LiveServer, email: str, count: int) -> list[str]:
    """The links of the first `count` reset mails to `email` (waiting for them)."""
    for _ in range(200):
        messages = await asyncio.to_thread(server.mails, email)
        found = [m for m in messages if m["X-Guichet-Template"] == "reset_password"]
        if len(found) >= count:
            return [first_link(m) for m in found]
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} reset mails")


async def test_a_person_walks_the_pages_by_clicking(server: LiveServer, tmp_path: Path) -> None:
    email = unique_email("browser")
    variables = {"input": cnaps_input(email)}
    ok(await asyncio.to_thread(server.gql, "cnaps", REGISTER, variables))
    confirm = await mail(server, email, 1)
    async with Browser(tmp_path) as tab:
        await tab.goto(confirm)
        assert "Confirmer mon adresse" in await check_page(tab)
        await tab.click("form button")
        await check_page(tab, "EMAIL_CONFIRMED")
        await tab.click("a.button[href='sign-in']")
        text = await check_page(tab)
        assert "Mot de passe oublié ?" in text
        await tab.fill("#email", email)
        await tab.fill("#password", PASSWORD)
        await tab.click("form button")
        text = await check_page(tab, "SIGNED_IN")
        assert "Et maintenant ?" in text and f"{server.base}/t/cnaps/graphql" in text

        await tab.click("a.button[href='sign-in']")
        await tab.click("form a[href='forgot-password']")
        await tab.fill("#email", email)
        await tab.click("form button")
        await check_page(tab, "RESET_REQUESTED")
        [reset] = await resets(server, email, 1)
        await tab.goto(reset)
        await check_page(tab)
        await tab.fill("#new_password", "Une-Autre-Phrase-Longue-43")
        await tab.click("form button")
        await check_page(tab, "PASSWORD_RESET")
        await tab.click("a.button[href='sign-in']")
        assert await tab.url() == f"{server.base}/t/cnaps/sign-in"

        # A newer link makes the older one expire: it says so before any password is typed.
        for _ in range(2):
            ok(await asyncio.to_thread(server.gql, "cnaps", REQUEST_RESET, {"e": email}))
        *_, older, _newest = await resets(server, email, 3)
        await tab.goto(older)
        text = await check_page(tab, "TOKEN_EXPIRED")
        assert "Nouveau mot de passe" not in text
        await tab.click("a.button[href='forgot-password']")
        assert await tab.url() == f"{server.base}/t/cnaps/forgot-password"

        await tab.goto(f"{server.base}/t/inconnu/sign-in")
        assert "« inconnu »" in await check_page(tab, "NOT_FOUND")
        await tab.click("a.button")
        assert await tab.url() == f"{server.base}/"
        await check_page(tab)
        await tab.click("a[href='t/cnsa/sign-in']")
        assert "Portail d'Accès Sécurisé" in await check_page(tab)
