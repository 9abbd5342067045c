"""Background duties of a server or worker process besides sending mail: the company space's
alerts (titles entering their renewal window, e-mail digests), the purge of deposited
documents left in the trash for 30 days, the public services' ended counters dropped from
the database, and the messaging's e-mail notices and daily digests, each every `interval`
seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from auth.context import ServiceContext
from auth.oidc.grants import purge_grants
from dossiers.company.alert_digests import AlertsRun, run_due
from dossiers.deposit.deposits import purge_trash
from dossiers.messaging import notifications
from dossiers.public import counters
from server.runtime import Runtime
from tenants.packs import PACKS
from tenants.session import open_session

log = logging.getLogger("guichet.periodic")


async def run_alerts_once(runtime: Runtime) -> AlertsRun:
    """One pass in every tenant (a failing tenant does not stop the others); the digests it
    queues are handed to the mail sender."""
    services = runtime.services
    run = await run_due(services.sessions, PACKS.values(), services.clock, services.auth.links)
    if run.queued:
        runtime.sender.notify()
    await purge_trash_once(runtime)
    await purge_grants_once(runtime)
    return run


async def purge_grants_once(runtime: Runtime) -> int:
    """Erase the single sign-on authorizations older than a day (a failure is logged; the
    next pass tries again)."""
    services = runtime.services
    try:
        erased = await purge_grants(services.sessions, PACKS.values(), services.clock)
    except Exception:  # the periodic loop must outlive a database hiccup
        log.exception("oidc grants purge failed")
        return 0
    if erased:
        log.info("oidc grants purged", extra={"grants": erased})
    return erased


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


async def purge_public_counters(runtime: Runtime) -> int:
    """Drop the rate-limit and security-code counters whose window has ended (in Redis they
    expire by themselves)."""
    services = runtime.services
    if not isinstance(services.public.counters, counters.DatabaseCounters):
        return 0
    dropped = 0
    for pack in PACKS.values():
        async with open_session(services.sessions, pack.slug) as session:
            ctx = ServiceContext(session, pack, services.clock, services.auth)
            dropped += await counters.purge(ctx, services.clock.now())
            await session.commit()
    return dropped


async def run_message_notifications_once(runtime: Runtime) -> notifications.NotificationsRun:
    """The due message notices and daily digests in every tenant offering messaging."""
    services = runtime.services
    delay = timedelta(seconds=runtime.settings.message_notification_delay_seconds)
    run = await notifications.run_due(
        services.sessions, PACKS.values(), services.clock, services.auth.links, delay
    )
    if run.queued:
        runtime.sender.notify()
    return run


async def run_alerts_forever(
    runtime: Runtime,
    stop: asyncio.Event,
    interval: float,
    on_pass: Callable[[bool], None] | None = None,
) -> None:
    """Until `stop`: a pass, then wait `interval` seconds; `on_pass(succeeded)` after each.
    Several processes may run it: each tenant's pass is guarded by a lock on PostgreSQL, and
    alerts are deduplicated anyway."""

    async def alerts() -> bool:
        succeeded = not (await run_alerts_once(runtime)).failed  # failures logged per tenant
        await purge_public_counters(runtime)
        return succeeded

    await _forever("alerts", alerts, stop, interval, on_pass)


async def run_message_notifications_forever(
    runtime: Runtime,
    stop: asyncio.Event,
    interval: float,
    on_pass: Callable[[bool], None] | None = None,
) -> None:
    """As `run_alerts_forever`, for the message notices (exactly once: each message is
    stamped in the transaction that queues its e-mail)."""

    async def notices() -> bool:
        return not (await run_message_notifications_once(runtime)).failed

    await _forever("message notifications", notices, stop, interval, on_pass)


async def _forever(
    name: str,
    once: Callable[[], Awaitable[bool]],
    stop: asyncio.Event,
    interval: float,
    on_pass: Callable[[bool], None] | None,
) -> None:
    while not stop.is_set():
        try:
            succeeded = await once()
        except Exception:  # the loop must outlive a database hiccup
            log.exception("%s pass failed", name)
            succeeded = False
        if on_pass is not None:
            on_pass(succeeded)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
