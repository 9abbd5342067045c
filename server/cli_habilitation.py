"""`guichet finess …` and `guichet habilitation …`: the FINESS directory of a portal with
habilitations (cnsa), and the first managers of its applications."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tenants.packs import PACKS

if TYPE_CHECKING:
    from auth.habilitation.finess_import import BadLine, ImportReport
    from auth.habilitation.habilitations import ManagerAdded
    from server.runtime import Runtime

HABILITATION_TENANTS = sorted(slug for slug, pack in PACKS.items() if pack.applications)


@click.group()
def finess() -> None:
    """The FINESS directory (structures) of a portal."""


async def import_file(
    runtime: Runtime,
    tenant: str,
    path: Path,
    on_progress: Callable[[int], None] | None = None,
    on_bad_line: Callable[[BadLine], None] | None = None,
) -> ImportReport:
    from auth.habilitation.finess_import import import_finess

    services = runtime.services
    return await import_finess(
        services.sessions, tenant, path, services.clock, on_progress, on_bad_line
    )


@finess.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tenant",
    default="cnsa",
    show_default=True,
    type=click.Choice(HABILITATION_TENANTS),
    help="Portal whose directory is filled.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def import_command(file: Path, tenant: str, quiet: bool) -> None:
    """Import the public FINESS extraction of établissements (data.gouv.fr
    `etalab-cs1100507-stock-*.csv`): upsert by FINESS number, report bad lines and go on."""
    from server.cli import _settings
    from server.runtime import build_runtime

    runtime = build_runtime(_settings())
    size = file.stat().st_size

    def bad(line: BadLine) -> None:
        click.echo(f"line {line.number}: {line.reason}", err=True)

    async def go(progress: Callable[[int], None] | None) -> ImportReport:
        try:
            return await import_file(runtime, tenant, file, progress, bad)
        finally:
            await runtime.engine.dispose()

    if quiet:
        report = asyncio.run(go(None))
    else:
        with click.progressbar(length=size, label="FINESS", file=sys.stderr) as bar:
            update: Callable[[int], None] = bar.update
            report = asyncio.run(go(update))
    click.echo(
        f"{tenant}: {report.structures} structures read ({report.inserted} new, "
        f"{report.updated} updated), {report.bad} bad lines, {report.ignored} lines ignored."
    )


@click.group()
def habilitation() -> None:
    """Habilitations to a portal's applications."""


async def add_manager_with(
    runtime: Runtime,
    tenant: str,
    email: str,
    application: str,
    family_name: str | None = None,
    given_names: str | None = None,
) -> ManagerAdded:
    from auth.context import ServiceContext
    from auth.habilitation.habilitations import add_application_manager
    from tenants.session import open_session

    services = runtime.services
    async with open_session(services.sessions, tenant) as session:
        ctx = ServiceContext(
            session=session, pack=PACKS[tenant], clock=services.clock, config=services.auth
        )
        result = await add_application_manager(ctx, email, application, family_name, given_names)
        await session.commit()
    if result.created:
        await runtime.sender.run_once()
    return result


@habilitation.command("add-manager")
@click.option(
    "--tenant", default="cnsa", show_default=True, type=click.Choice(HABILITATION_TENANTS)
)
@click.option("--email", required=True, help="The manager's address.")
@click.option("--application", required=True, help="Application code (e.g. CAMSP_CMPP).")
@click.option("--family-name", help="Of a new account (asked for when missing).")
@click.option("--given-names", help="Of a new account (asked for when missing).")
def add_manager_command(
    tenant: str, email: str, application: str, family_name: str | None, given_names: str | None
) -> None:
    """Give an account the application's managing profile (opening the account, with a
    temporary password sent by e-mail, when the address has none): its first managers. A new
    account's names are asked for when not given."""
    from server.cli import _settings
    from server.cli_authority import _names_asked
    from server.runtime import build_runtime
    from tenants.errors import DomainError, render_message

    runtime = build_runtime(_settings())

    async def go() -> ManagerAdded:
        try:
            try:
                return await add_manager_with(
                    runtime, tenant, email, application, family_name, given_names
                )
            except DomainError as exc:
                if not _names_asked(exc):
                    raise
            # a new account without names: ask for them (never guessed from the address)
            family = family_name or click.prompt("Family name of the new account")
            given = given_names or click.prompt("Given names of the new account")
            return await add_manager_with(runtime, tenant, email, application, family, given)
        finally:
            await runtime.engine.dispose()

    try:
        result = asyncio.run(go())
    except DomainError as exc:
        raise click.ClickException(
            "\n".join(render_message(e.code, "en", e.params) for e in exc.errors)
        ) from None
    account = result.account
    opened = " (account opened: identifier and temporary password sent by e-mail)"
    click.echo(
        f"{account.email} ({account.identifier or 'no identifier'}) "
        + ("now manages " if result.granted else "already manages ")
        + application
        + (opened if result.created else "")
        + "."
    )
