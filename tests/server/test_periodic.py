"""The server's background alerts pass: it runs at once, then every interval, and stops when
asked, whatever the database does."""

from __future__ import annotations

import asyncio

from server.periodic import run_alerts_forever, run_alerts_once
from server.runtime import Runtime


async def test_a_pass_covers_every_tenant(runtime: Runtime) -> None:
    done = await run_alerts_once(runtime)
    assert set(done) == {"cnaps", "cnsa"}
    assert all(created >= 0 and queued >= 0 for created, queued in done.values())


async def test_the_loop_runs_until_stopped(runtime: Runtime) -> None:
    stop = asyncio.Event()
    loop = asyncio.create_task(run_alerts_forever(runtime, stop, interval=0.05))
    await asyncio.sleep(0.2)
    assert not loop.done()
    stop.set()
    await asyncio.wait_for(loop, timeout=5)
