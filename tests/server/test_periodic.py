"""The server's background alerts pass: it runs at once, then every interval, stops when
asked, outlives a database that fails (then comes back), and one tenant's failure does not
stop the others."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete

from auth.account.tokens import SigningKeys
from dossiers.company.models import Alert
from mail.transport import SmtpTransport
from server.migrate import upgrade
from server.periodic import run_alerts_forever, run_alerts_once
from server.runtime import Runtime, build_runtime
from server.settings import Settings
from tenants.session import open_session
from tests.helpers.clock import TestClock
from tests.helpers.company import add_employee, card_expiring, colour_dates, issuer
from tests.helpers.flows import deliver
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import validated_organisation
from tests.helpers.smtp import SmtpServer


class Passes:
    """What `run_alerts_forever` reports after each pass; wait for a number of them."""

    def __init__(self) -> None:
        self.results: list[bool] = []
        self._changed = asyncio.Event()

    def __call__(self, succeeded: bool) -> None:
        self.results.append(succeeded)
        self._changed.set()

    async def until(self, check: Callable[[list[bool]], bool]) -> None:
        async def waiting() -> None:
            while not check(self.results):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(waiting(), timeout=60)


async def test_a_pass_alerts_and_mails_in_each_tenant_once(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    await run_alerts_once(runtime)  # whatever earlier tests left due
    officer = await issuer(cnaps, runtime)
    title = await officer.issue(card_expiring("Lenoir", colour_dates(runtime)["orange_edge"]))
    org = await validated_organisation(cnaps, runtime, smtp)
    await add_employee(cnaps, org.admin.token, org, "Lenoir", title.number)
    # one renewal-window alert, one digest to the administrator; nothing in cnsa
    run = await run_alerts_once(runtime)
    assert run.done == {"cnaps": (1, 1), "cnsa": (0, 0)} and run.failed == ()
    assert (await run_alerts_once(runtime)).done == {"cnaps": (0, 0), "cnsa": (0, 0)}


async def test_the_loop_passes_at_once_then_waits_its_interval(runtime: Runtime) -> None:
    stop = asyncio.Event()
    passes = Passes()
    loop = asyncio.create_task(run_alerts_forever(runtime, stop, 3600, on_pass=passes))
    await passes.until(lambda r: len(r) >= 1)
    stop.set()
    await asyncio.wait_for(loop, timeout=10)
    assert passes.results == [True]  # stopped during its wait: no second pass


async def test_the_loop_passes_again_and_again_until_stopped(runtime: Runtime) -> None:
    stop = asyncio.Event()
    passes = Passes()
    loop = asyncio.create_task(run_alerts_forever(runtime, stop, 0.01, on_pass=passes))
    await passes.until(lambda r: len(r) >= 3)
    stop.set()
    await asyncio.wait_for(loop, timeout=10)
    assert all(passes.results) and len(passes.results) >= 3


async def test_the_loop_outlives_a_failing_database_and_resumes(
    tmp_path: Path,
    smtp: SmtpServer,
    signing_keys: SigningKeys,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A real database that cannot be opened (its folder does not exist yet), then can."""
    folder = tmp_path / "not-yet"
    url = f"sqlite+aiosqlite:///{folder / 'guichet.db'}"
    settings = Settings(database_url=url, data_dir=tmp_path / "data")
    failing = build_runtime(
        settings, clock=TestClock(), transport=SmtpTransport(smtp.url), keys=signing_keys
    )
    stop = asyncio.Event()
    passes = Passes()
    caplog.set_level(logging.ERROR, logger="guichet.periodic")
    loop = asyncio.create_task(run_alerts_forever(failing, stop, 0.2, on_pass=passes))
    try:
        await passes.until(lambda r: len(r) >= 3)
        assert passes.results[:3] == [False, False, False]
        assert not loop.done()
        failures = [r for r in caplog.records if r.getMessage() == "alerts run failed"]
        assert len(failures) >= 3
        folder.mkdir()
        await upgrade(url)  # the database is back
        await passes.until(lambda r: r[-1])
    finally:
        stop.set()
        await asyncio.wait_for(loop, timeout=10)
        await failing.engine.dispose()
    assert passes.results[-1] is True


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
