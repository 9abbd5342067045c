"""The `guichet` command: serve, migrate, worker, demo, keys, export-schema."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from server.settings import Settings

log = logging.getLogger("guichet")


def _settings() -> Settings:
    from server.logging import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    return settings


async def _migrate(settings: Settings) -> None:
    from server.migrate import grant_app_role, upgrade

    if settings.resolved_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(settings.resolved_migration_url)
    if not settings.production:
        from server.keys import load_signing_keys

        load_signing_keys(settings)  # generated once, before servers and workers start
    role = await grant_app_role(settings.resolved_migration_url, settings.resolved_database_url)
    log.info("database migrated", extra={"granted_role": role})


@click.group()
def main() -> None:
    """Guichet: the GraphQL account platform of the cnaps and cnsa portals."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--migrate/--no-migrate",
    default=None,
    help="Run migrations first (default: on with the embedded SQLite, off otherwise).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (uvicorn's workers): one per core.",
)
def serve(host: str, port: int, migrate: bool | None, workers: int) -> None:
    """Serve the API (GraphiQL at /t/cnaps/graphql and /t/cnsa/graphql in development)."""
    import uvicorn

    from server.app import create_app
    from server.runtime import build_runtime

    settings = _settings().listening_on(host, port)
    if migrate is None:
        migrate = settings.resolved_database_url.startswith("sqlite")
    if migrate:
        asyncio.run(_migrate(settings))
    log.info(
        "serving",
        extra={
            "host": host,
            "port": port,
            "public_url": settings.public_url,
            "env": settings.env,
            "workers": workers,
        },
    )
    if workers == 1:
        app = create_app(build_runtime(settings))
        uvicorn.run(app, host=host, port=port, **uvicorn_options(settings))
        return
    # Each worker process builds its own app from the environment: the public URL this
    # command resolved is handed down with it (signing keys are generated once, above, by
    # `_migrate` on SQLite, or must exist in production).
    os.environ["GUICHET_PUBLIC_URL"] = settings.public_url
    if not settings.production:
        from server.keys import load_signing_keys

        load_signing_keys(settings)
    uvicorn.run(
        "server.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **uvicorn_options(settings),
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Forwarded headers are believed only from the proxies GUICHET_TRUSTED_PROXIES names
    (uvicorn would otherwise trust 127.0.0.1, or FORWARDED_ALLOW_IPS)."""
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    options: dict[str, Any] = {"log_config": None, "access_log": False}
    if proxies:
        options.update(proxy_headers=True, forwarded_allow_ips=proxies)
    else:
        options.update(proxy_headers=False, forwarded_allow_ips=[])
    return options


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic), then grant the server's role."""
    asyncio.run(_migrate(_settings()))


@main.command()
@click.option("--once", is_flag=True, help="Send what is due, then exit.")
def worker(once: bool) -> None:
    """Send the outbox's mail and webhooks and run the alerts (when several servers run with
    GUICHET_SEND_MAIL_IN_PROCESS=false)."""
    from server.runtime import build_runtime

    settings = _settings()
    runtime = build_runtime(settings)

    async def run() -> None:
        try:
            if once:
                sent = await runtime.sender.run_once()
                delivered = await runtime.webhooks.run_once()
                log.info("outbox flushed", extra={"sent": sent, "webhooks": delivered})
                return
            from server.periodic import run_alerts_forever, run_message_notifications_forever

            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            duties = [runtime.sender.run_forever(stop), runtime.webhooks.run_forever(stop)]
            if settings.alerts_interval_seconds > 0:
                interval = settings.alerts_interval_seconds
                duties.append(run_alerts_forever(runtime, stop, interval))
            if settings.message_notifications_interval_seconds > 0:
                every = settings.message_notifications_interval_seconds
                duties.append(run_message_notifications_forever(runtime, stop, every))
            await asyncio.gather(*duties)
        finally:
            await runtime.engine.dispose()

    asyncio.run(run())


@main.command()
def demo() -> None:
    """Load a small demo data set into both tenants (idempotent)."""
    from mail.transport import MaildirTransport
    from server.demo import load_demo
    from server.runtime import build_runtime

    settings = _settings()
    asyncio.run(_migrate(settings))
    runtime = build_runtime(settings)

    async def run() -> list[str]:
        try:
            lines = await load_demo(runtime)
            await runtime.sender.run_once()
            return lines
        finally:
            await runtime.engine.dispose()

    for line in asyncio.run(run()):
        click.echo(line)
    sender = runtime.sender.transport
    if isinstance(sender, MaildirTransport):
        click.echo(f"mail (temporary passwords, links): .eml files in {sender.directory / 'new'}")
    else:
        click.echo("mail (temporary passwords, links): sent to the server of GUICHET_SMTP_URL")


@main.group()
def keys() -> None:
    """Access-token signing keys."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new private JWK set (for GUICHET_SIGNING_KEYS)."""
    from auth.account.tokens import generate_key_set

    click.echo(json.dumps(generate_key_set()))


@keys.command("rotate")
def keys_rotate() -> None:
    """Put a new signing key in front of the key file; older keys keep verifying."""
    from server.keys import rotate

    path = rotate(_settings())
    click.echo(f"rotated: {path}")


@main.command("export-schema")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path), required=False)
def export_schema(output: Path | None) -> None:
    """Write the SDL (schema.graphql) — a test fails when the file drifts from the code."""
    from schema import build_schema

    sdl = str(build_schema()) + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")


def _register_groups() -> None:
    from server.cli_alerts import alerts
    from server.cli_authority import authority
    from server.cli_habilitation import finess, habilitation

    main.add_command(authority)
    main.add_command(alerts)
    main.add_command(finess)
    main.add_command(habilitation)


_register_groups()
