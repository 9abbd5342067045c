"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol: open a page,
fill a field, click, read the page, take a screenshot. It can resolve no host but 127.0.0.1
(nothing is fetched from the internet). Used by the pages' browser test and by
`bench/pages_screenshots.py`; the page's own Content-Security-Policy stays in force."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import shutil
from pathlib import Path
from types import TracebackType
from typing import Any

import websockets

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1000,900",
    "--lang=fr-FR",
    "--accept-lang=fr-FR,fr",
)


class Browser:
    """One tab. `async with Browser(workdir) as tab: await tab.goto(url)`."""

    def __init__(self, workdir: Path, *, timeout: float = 30.0) -> None:
        if CHROMIUM is None:
            raise RuntimeError("chromium is not installed (Debian: apt-get install chromium)")
        self.workdir = workdir
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._loads: list[asyncio.Future[None]] = []
        self._session = ""

    async def __aenter__(self) -> Browser:
        assert CHROMIUM is not None
        self._process = await asyncio.create_subprocess_exec(
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={self.workdir / 'chromium-profile'}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        endpoint = await asyncio.wait_for(self._endpoint(), self.timeout)
        self._socket = await websockets.connect(endpoint, max_size=64 * 1024 * 1024)
        self._reader = asyncio.create_task(self._read())
        target = await self.send("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = await self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, True
        )
        self._session = attached["sessionId"]
        await self.send("Page.enable")
        await self.send("Runtime.enable")
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._reader.cancel()
        with contextlib.suppress(Exception):
            await self._socket.close()
        if self._process.returncode is None:
            self._process.terminate()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._process.wait(), 10)

    async def _endpoint(self) -> str:
        assert self._process.stderr is not None
        while line := (await self._process.stderr.readline()).decode():
            if line.startswith("DevTools listening on "):
                return line.removeprefix("DevTools listening on ").strip()
        raise RuntimeError("chromium exited before opening its DevTools endpoint")

    async def _read(self) -> None:
        async for raw in self._socket:
            message = json.loads(raw)
            if "id" in message and message["id"] in self._pending:
                future = self._pending.pop(message["id"])
                if "error" in message:
                    future.set_exception(RuntimeError(str(message["error"])))
                else:
                    future.set_result(message.get("result", {}))
            elif message.get("method") == "Page.loadEventFired":
                for waiting in self._loads:
                    if not waiting.done():
                        waiting.set_result(None)
                self._loads.clear()

    async def send(
        self, method: str, params: dict[str, Any] | None = None, browser: bool = False
    ) -> dict[str, Any]:
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if not browser:
            message["sessionId"] = self._session
        await self._socket.send(json.dumps(message))
        return await asyncio.wait_for(future, self.timeout)

    def _next_load(self) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._loads.append(future)
        return future

    async def goto(self, url: str) -> None:
        loaded = self._next_load()
        await self.send("Page.navigate", {"url": url})
        await asyncio.wait_for(loaded, self.timeout)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}
        )
        if "exceptionDetails" in result:
            raise RuntimeError(str(result["exceptionDetails"]))
        return result["result"].get("value")

    async def fill(self, selector: str, value: str) -> None:
        await self.evaluate(
            f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}"
        )

    async def click(self, selector: str) -> None:
        """Click what `selector` finds (a link, a submit button) and wait for the next page."""
        loaded = self._next_load()
        found = await self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return false; e.click(); return true; })()"
        )
        if not found:
            loaded.cancel()
            raise AssertionError(f"nothing matches {selector} on {await self.url()}")
        await asyncio.wait_for(loaded, self.timeout)

    async def url(self) -> str:
        return str(await self.evaluate("location.href"))

    async def html(self) -> str:
        return str(await self.evaluate("document.documentElement.outerHTML"))

    async def text(self) -> str:
        return str(await self.evaluate("document.body.innerText"))

    async def links(self) -> list[str]:
        """Every link's resolved address on the page."""
        found = await self.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
        return [str(link) for link in found]

    async def screenshot(self, path: Path) -> None:
        shot = await self.send(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
