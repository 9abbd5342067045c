"""The server's background alerts pass: it runs at once, then every interval, and stops when
asked, whatever the database does; one tenant's failure does not stop the others."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import delete

from dossiers.company.models import Alert
from server.periodic import run_alerts_forever, run_alerts_once
from server.runtime import Runtime
from tenants.session import open_session
from tests.helpers.flows import deliver
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import validated_organisation
from tests.helpers.smtp import SmtpServer


async def test_a_pass_covers_every_tenant(runtime: Runtime) -> None:
    run = await run_alerts_once(runtime)
    assert set(run.done) == {"cnaps", "cnsa"} and run.failed == ()
    assert all(created >= 0 and queued >= 0 for created, queued in run.done.values())


async def test_the_loop_runs_until_stopped(runtime: Runtime) -> None:
    stop = asyncio.Event()
    loop = asyncio.create_task(run_alerts_forever(runtime, stop, interval=0.05))
    await asyncio.sleep(0.2)
    assert not loop.done()
    stop.set()
    await asyncio.wait_for(loop, timeout=5)


async def _add_alert(
    runtime: Runtime, tenant: str, organisation_id: uuid.UUID, **details: str
) -> uuid.UUID:
    async with open_session(runtime.services.sessions, tenant) as session:
        alert = Alert(
            organisation_id=organisation_id,
            kind="RENEWAL_WINDOW",
            colour="ORANGE",
            dedup_key=f"test:{uuid.uuid4().hex}",
            details={"title_number": "X", "family_name": "Durand", **details},
            created_at=runtime.services.clock.now(),
        )
        session.add(alert)
        await session.commit()
        return alert.id


async def test_a_failing_tenant_does_not_stop_the_others(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """cnaps (first) holds an alert its digest cannot render: its pass fails and rolls back,
    cnsa's still runs, queues its digest and wakes the mail sender."""
    broken = await validated_organisation(cnaps, runtime, smtp, name="Zêta Sécurité")
    healthy = await validated_organisation(cnsa, runtime, smtp, name="Structure Oméga")
    poisoned = await _add_alert(runtime, "cnaps", broken.uuid, expires_on="pas une date")
    await _add_alert(runtime, "cnsa", healthy.uuid, expires_on="2030-01-31")
    runtime.sender.wake.clear()
    try:
        run = await run_alerts_once(runtime)
    finally:
        async with open_session(runtime.services.sessions, "cnaps") as session:
            await session.execute(delete(Alert).where(Alert.id == poisoned))
            await session.commit()
    assert run.failed == ("cnaps",)
    assert "cnaps" not in run.done and run.done["cnsa"][1] >= 1
    assert runtime.sender.wake.is_set()
    digests = [
        m
        for m in await deliver(runtime, smtp, healthy.admin.email)
        if m["X-Guichet-Template"] == "alert_digest"
    ]
    assert len(digests) == 1
    to_broken = await deliver(runtime, smtp, broken.admin.email)
    assert all(m["X-Guichet-Template"] != "alert_digest" for m in to_broken)
    assert (await run_alerts_once(runtime)).failed == ()  # the bad row gone, cnaps runs again
