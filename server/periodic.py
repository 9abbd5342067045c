"""Background duties of a server or worker process besides sending mail: the company space's
alerts (titles entering their renewal window, e-mail digests) and the purge of deposited
documents left in the trash for 30 days, every `interval` seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from dossiers.company.alert_digests import AlertsRun, run_due
from dossiers.deposit.deposits import purge_trash
from server.runtime import Runtime
from tenants.packs import PACKS

log = logging.getLogger("guichet.periodic")


async def run_alerts_once(runtime: Runtime) -> AlertsRun:
    """One pass in every tenant (a failing tenant does not stop the others); the digests it
    queues are handed to the mail sender."""
    services = runtime.services
    run = await run_due(services.sessions, PACKS.values(), services.clock, services.auth.links)
    if run.queued:
        runtime.sender.notify()
    await purge_trash_once(runtime)
    return run


async def purge_trash_once(runtime: Runtime) -> int:
    """Erase the deposited documents in the trash for more than 30 days (a failure is
    logged; the next pass tries again)."""
    services = runtime.services
    try:
        erased = await purge_trash(
            services.sessions, PACKS.values(), services.clock, services.files
        )
    except Exception:  # the periodic loop must outlive a database hiccup
        log.exception("trash purge failed")
        return 0
    if erased:
        log.info("trash purged", extra={"documents": erased})
    return erased


async def run_alerts_forever(
    runtime: Runtime,
    stop: asyncio.Event,
    interval: float,
    on_pass: Callable[[bool], None] | None = None,
) -> None:
    """Until `stop`: a pass, then wait `interval` seconds; `on_pass(succeeded)` after each.
    Several processes may run it: each tenant's pass is guarded by a lock on PostgreSQL, and
    alerts are deduplicated anyway."""
    while not stop.is_set():
        try:
            succeeded = not (await run_alerts_once(runtime)).failed  # failures logged per tenant
        except Exception:  # the loop must outlive a database hiccup
            log.exception("alerts pass failed")
            succeeded = False
        if on_pass is not None:
            on_pass(succeeded)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
