"""The built-in pages in a real browser: walks them as a person would and saves a screenshot
of each step.

Starts `guichet serve` (embedded SQLite, mail as `.eml` files, in a throw-away directory),
registers a cnaps account through the API, then in headless Chromium (which can resolve only
127.0.0.1): the home page → the confirmation link of the mail → confirmed → the link again
(used) → sign in (wrong password, then right: what to do next) → "Mot de passe oublié ?" →
the reset link of the mail (a weak password, then a good one) → the link again (used) → an
expired link → an unknown portal and an unknown page (HTML 404s) → after `guichet demo`, an
account with a temporary password choosing its own, and the same pages in English. Prints
each step with its address and title; `tests/server/test_pages_browser.py` asserts the same
journey (and skips when Chromium is missing).

    .venv/bin/python bench/pages_screenshots.py [--out DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.browser import CHROMIUM, Browser  # noqa: E402

GUICHET = Path(sys.executable).parent / "guichet"
PASSWORD = "Une-Phrase-Assez-Longue-42"
REGISTER = """mutation ($input: RegisterInput!) { register(input: $input) { errors { code } } }"""
REQUEST_RESET = """mutation ($email: String!) {
  requestPasswordReset(input: {email: $email}) { errors { code } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mails(maildir: Path, recipient: str, count: int) -> list[EmailMessage]:
    """Wait until `count` messages to `recipient` are in the maildir; oldest first."""
    for _ in range(200):
        found = []
        for path in sorted((maildir / "new").glob("*"), key=lambda p: p.stat().st_mtime):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if recipient in str(message["To"]):
                found.append(message)
        if len(found) >= count:
            assert all(isinstance(m, EmailMessage) for m in found)
            return [m for m in found if isinstance(m, EmailMessage)]
        time.sleep(0.05)
    raise RuntimeError(f"fewer than {count} mails for {recipient}")


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+", body.get_content())
    assert found
    return found.group(0)


class Walk:
    def __init__(self, tab: Browser, out: Path) -> None:
        self.tab = tab
        self.out = out
        self.step = 0

    async def shot(self, name: str) -> None:
        self.step += 1
        path = self.out / f"{self.step:02d}-{name}.png"
        await self.tab.screenshot(path)
        title = await self.tab.evaluate("document.title")
        print(f"{path.name:34} {await self.tab.url()}  [{title}]")


async def walk(base: str, out: Path, maildir: Path, server_dir: Path, env: dict[str, str]) -> None:
    address = f"marie.{int(time.time())}@example.org"
    variables = {
        "input": {
            "email": address,
            "password": PASSWORD,
            "familyName": "Dupont",
            "givenNames": "Marie",
            "birthDate": "1988-05-17",
            "birthCity": "Nantes",
            "birthCountry": "FR",
            "address": {
                "line1": "3 rue des Lilas",
                "postalCode": "44000",
                "city": "Nantes",
                "country": "FR",
            },
            "acceptTerms": True,
        }
    }
    registered = await asyncio.to_thread(
        httpx.post, f"{base}/t/cnaps/graphql", json={"query": REGISTER, "variables": variables}
    )
    assert registered.json()["data"]["register"]["errors"] == [], registered.text
    [confirmation] = mails(maildir, address, 1)
    async with Browser(out) as tab:
        w = Walk(tab, out)
        await tab.goto(f"{base}/")
        await w.shot("home")
        await tab.goto(link_in(confirmation))
        await w.shot("confirm-link")
        await tab.click("form button")
        await w.shot("confirmed")
        await tab.goto(link_in(confirmation))
        await w.shot("confirm-link-used")
        await tab.click("a.secondary[href='sign-in']")
        await w.shot("sign-in")
        await tab.fill("#email", address)
        await tab.fill("#password", "pas le bon mot de passe")
        await tab.click("form button")
        await w.shot("sign-in-wrong-password")
        await tab.fill("#password", PASSWORD)
        await tab.click("form button")
        await w.shot("signed-in-what-next")
        await tab.click("a[href='sign-in']")
        await tab.click("a[href='forgot-password']")
        await w.shot("forgot-password")
        await tab.fill("#email", address)
        await tab.click("form button")
        await w.shot("forgot-password-sent")
        *_, reset = mails(maildir, address, 2)
        await tab.goto(link_in(reset))
        await w.shot("reset-form")
        await tab.fill("#new_password", "court")
        await tab.click("form button")
        await w.shot("reset-weak-password")
        await tab.fill("#new_password", "Une-Autre-Phrase-Longue-43")
        await tab.click("form button")
        await w.shot("reset-done")
        await tab.goto(link_in(reset))
        await w.shot("reset-link-used")
        for _ in range(2):  # a newer link makes the older one expire
            await asyncio.to_thread(
                httpx.post,
                f"{base}/t/cnaps/graphql",
                json={"query": REQUEST_RESET, "variables": {"email": address}},
            )
        *_, older, _newer = mails(maildir, address, 5)
        await tab.goto(link_in(older))
        await w.shot("reset-link-expired")
        await tab.click("a.button[href='forgot-password']")
        await w.shot("reset-link-expired-new-link")
        await walk_on(w, base, server_dir, env, link_in(older))


async def walk_on(w: Walk, base: str, server_dir: Path, env: dict[str, str], expired: str) -> None:
    """HTML 404s; after `guichet demo`, a temporary password replaced; pages in English."""
    tab = w.tab
    await tab.goto(f"{base}/t/inconnu/sign-in")
    await w.shot("unknown-portal-404")
    await tab.goto(f"{base}/nulle-part")
    await w.shot("unknown-page-404")
    demo = await asyncio.to_thread(
        subprocess.run,
        [str(GUICHET), "demo"],
        cwd=server_dir,
        env=env,
        capture_output=True,
        check=True,
    )
    print(demo.stdout.decode().strip())
    await tab.goto(f"{base}/t/cnsa/sign-in")
    await tab.fill("#email", "yamile.zemirli@demo.guichet.example.org")
    await tab.fill("#password", "Demo-Guichet-2026!")
    await tab.click("form button")
    await w.shot("temporary-password-change")
    await tab.fill("#password", "Demo-Guichet-2026!")
    await tab.fill("#new_password", "Mon-Secret-A-Moi-7")
    await tab.click("form button")
    await w.shot("temporary-password-changed")

    await tab.send(
        "Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "en-GB,en;q=0.9"}}
    )
    await tab.send("Network.enable")
    await tab.goto(f"{base}/t/cnaps/sign-in")
    await w.shot("sign-in-english")
    await tab.goto(expired)
    await w.shot("reset-link-expired-english")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="pages-")))
    out: Path = parser.parse_args().out
    if CHROMIUM is None:
        sys.exit("chromium is not installed (Debian: apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    server_dir = out / "server"
    server_dir.mkdir(exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env |= {
        "GUICHET_PUBLIC_URL": base,
        "GUICHET_PASSWORD_HASH_MEMORY_KIB": "8192",
        "GUICHET_PASSWORD_HASH_TIME_COST": "1",
        "GUICHET_PASSWORD_HASH_PARALLELISM": "1",
    }
    with (out / "server.log").open("w") as sink:
        server = subprocess.Popen(
            [str(GUICHET), "serve", "--port", str(port)],
            cwd=server_dir,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        asyncio.run(walk(base, out, server_dir / "var" / "mail", server_dir, env))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
