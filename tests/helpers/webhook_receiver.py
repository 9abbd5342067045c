"""A real HTTP receiver of webhooks on 127.0.0.1 (Starlette under uvicorn, in the test's event
loop): it records what arrives and answers the status the test sets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.helpers.live_server import free_port


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    status: int = 200
    received: list[Received] = field(default_factory=list)


@contextlib.asynccontextmanager
async def webhook_receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}/hooks/guichet")

    async def hook(request: Request) -> Response:
        receiver.received.append(Received(dict(request.headers), await request.body()))
        return Response(status_code=receiver.status)

    app = Starlette(routes=[Route("/hooks/guichet", hook, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        yield receiver
    finally:
        server.should_exit = True
        await task
