"""`guichet alerts …`: the company space's alerts (renewal windows, e-mail digests)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dossiers.company.alert_digests import AlertsRun
    from server.runtime import Runtime


@click.group()
def alerts() -> None:
    """Alerts about employees' titles."""


async def run_alerts(runtime: Runtime) -> AlertsRun:
    """Scan renewal windows and queue the digests in every tenant, then send the mail."""
    from server.periodic import run_alerts_once

    run = await run_alerts_once(runtime)
    await runtime.sender.run_once()
    return run


@alerts.command("run")
def run() -> None:
    """Once: alert on titles entering their renewal window or expiring, then e-mail each
    organisation the digest of its new alerts (run it daily, e.g. from cron)."""
    from server.cli import _settings
    from server.runtime import build_runtime

    runtime = build_runtime(_settings())

    async def go() -> AlertsRun:
        try:
            return await run_alerts(runtime)
        finally:
            await runtime.engine.dispose()

    run = asyncio.run(go())
    for slug, (created, queued) in run.done.items():
        click.echo(f"{slug}: {created} alerts created, {queued} digests sent")
    for slug in run.failed:
        click.echo(f"{slug}: failed (see the error log)", err=True)
    if run.failed:
        raise SystemExit(1)
