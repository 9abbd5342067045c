"""GraphiQL without internet, in a real browser: prints what headless Chromium rendered.

Starts `guichet serve` (embedded SQLite, throw-away directory), then for each tenant loads
`/t/{tenant}/graphql` in headless Chromium whose name resolution fails for every host but
127.0.0.1, dumps the DOM and saves a screenshot, and prints whether the GraphiQL editor
rendered and which requests the server saw. `tests/server/test_graphiql.py` asserts the same
(and skips when Chromium is missing); this script is for a look at the screenshots.

    .venv/bin/python bench/graphiql_offline.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

GUICHET = Path(sys.executable).parent / "guichet"
OFFLINE = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
    "--virtual-time-budget=15000",
    "--window-size=1400,900",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chromium(binary: str, profile: Path, *args: str) -> str:
    completed = subprocess.run(
        [binary, *OFFLINE, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return completed.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="graphiql-")))
    out: Path = parser.parse_args().out
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        sys.exit("chromium is not installed (Debian: apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env |= {"GUICHET_SMTP_URL": "smtp://127.0.0.1:9", "GUICHET_SEND_MAIL_IN_PROCESS": "false"}
    log = out / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [str(GUICHET), "serve", "--port", str(port)],
            cwd=out,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        for tenant in ("cnaps", "cnsa"):
            url = f"{base}/t/{tenant}/graphql"
            dom = chromium(binary, out / "profile", "--dump-dom", url)
            shot = out / f"graphiql-{tenant}.png"
            chromium(binary, out / "profile", f"--screenshot={shot}", url)
            rendered = "graphiql-query-editor" in dom and "Chargement" not in dom
            print(f"{tenant}: editor rendered={rendered}, DOM {len(dom)} chars, screenshot {shot}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    seen: dict[str, int] = {}
    for line in log.read_text().splitlines():
        if line.startswith("{") and (entry := json.loads(line)).get("message") == "request":
            key = f"{entry['method']} {entry['path']} {entry['status']}"
            seen[key] = seen.get(key, 0) + 1
    print("requests the server saw (Chromium could reach nothing else):")
    for key, count in sorted(seen.items()):
        print(f"  {count:3d}  {key}")


if __name__ == "__main__":
    main()
