"""`guichet authority …`: what the authority's operators run (agents' accounts).

Agents never register themselves: an operator opens their account for one or more
delegations; the agent receives the identifier and a temporary password by e-mail (never
printed here) and must change it at first sign-in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from tenants.packs import PACKS

if TYPE_CHECKING:
    from server.runtime import Runtime


@click.group()
def authority() -> None:
    """The authority's agents."""


async def add_agent_with(
    runtime: Runtime,
    tenant: str,
    email: str,
    delegations: Sequence[str],
    family_name: str | None = None,
    given_names: str | None = None,
    locale: str = "fr",
) -> list[str]:
    """Open the agent's account (or give the delegations it lacks), commit, then hand the
    e-mail to the sender. The lines to print; `DomainError` when refused."""
    from auth.account.agents import add_agent
    from auth.context import ServiceContext
    from tenants.session import open_session

    services = runtime.services
    async with open_session(services.sessions, tenant) as session:
        ctx = ServiceContext(
            session=session,
            pack=PACKS[tenant],
            clock=services.clock,
            config=services.auth,
            locale=locale,
        )
        result = await add_agent(ctx, email, delegations, family_name, given_names)
        await session.commit()
    account = result.account
    if result.created:
        await runtime.sender.run_once()
        return [
            f"Agent account opened: {account.email} (tenant {tenant}), "
            f"delegations: {', '.join(result.added)}.",
            "The identifier and a temporary password were sent by e-mail; the agent must "
            "change the password at first sign-in.",
        ]
    lines = [f"Agent {account.email} (tenant {tenant}) already exists."]
    if result.added:
        lines.append(f"Delegations added: {', '.join(result.added)}.")
    if result.already:
        lines.append(f"Delegations already held: {', '.join(result.already)}.")
    lines.append(f"The agent's delegations are now: {', '.join(account.delegations or [])}.")
    return lines


_PROMPTS = {
    "familyName": {"fr": "Nom de famille de l'agent", "en": "The agent's family name"},
    "givenNames": {"fr": "Prénoms de l'agent", "en": "The agent's given names"},
}


def _names_asked(exc: Exception) -> set[str]:
    """The name fields a refusal says are missing (and nothing else is wrong)."""
    from tenants.errors import CommonCode, DomainError

    if not isinstance(exc, DomainError):
        return set()
    fields = {e.field[-1] for e in exc.errors if e.code == CommonCode.REQUIRED and e.field}
    if len(fields) != len(exc.errors) or not fields <= set(_PROMPTS):
        return set()
    return fields


@authority.command("add-agent")
@click.option("--tenant", required=True, type=click.Choice(sorted(PACKS)), help="Portal.")
@click.option("--email", required=True, help="The agent's professional address.")
@click.option(
    "--delegation",
    "delegations",
    required=True,
    multiple=True,
    help="Delegation code (e.g. OUEST); repeat for several.",
)
@click.option("--family-name", help="Of a new agent (asked for when missing).")
@click.option("--given-names", help="Of a new agent (asked for when missing).")
@click.option(
    "--locale",
    default="fr",
    show_default=True,
    type=click.Choice(["fr", "en"]),
    help="Language of the agent's e-mails (and of refusals here).",
)
def add_agent_command(
    tenant: str,
    email: str,
    delegations: tuple[str, ...],
    family_name: str | None,
    given_names: str | None,
    locale: str,
) -> None:
    """Open an authority agent's account for delegations (idempotent: an existing agent is
    given the delegations they lack). A new agent's names are asked for when not given."""
    from server.runtime import build_runtime
    from server.settings import Settings
    from tenants.errors import DomainError, render_message

    runtime = build_runtime(Settings.from_env())

    async def run() -> list[str]:
        try:
            try:
                return await add_agent_with(
                    runtime, tenant, email, delegations, family_name, given_names, locale
                )
            except DomainError as exc:
                unnamed = _names_asked(exc)
                if not unnamed:
                    raise
            # a new agent without names: ask for them (never guessed from the address)
            family = family_name or click.prompt(_PROMPTS["familyName"][locale])
            given = given_names or click.prompt(_PROMPTS["givenNames"][locale])
            return await add_agent_with(runtime, tenant, email, delegations, family, given, locale)
        finally:
            await runtime.engine.dispose()

    try:
        lines = asyncio.run(run())
    except DomainError as exc:
        messages = []
        for error in exc.errors:
            where = f"--{error.field[-1]}: " if error.field else ""
            option = where.replace("familyName", "family-name").replace("givenNames", "given-names")
            messages.append(option + render_message(error.code, locale, error.params))
        raise click.ClickException("\n".join(messages)) from None
    for line in lines:
        click.echo(line)
