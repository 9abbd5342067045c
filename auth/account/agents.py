"""Authority agents' accounts: opened by the authority's operators (`guichet authority
add-agent`), never by self-registration. The agent receives a temporary password by e-mail
and must change it at first sign-in (`auth.account.provisioning`); they handle the organisations
and dossiers of their delegations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from auth.account.identity_fields import Collector
from auth.account.models import Account, AccountKind
from auth.account.provisioning import NewPerson, open_account_for
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.organisation.errors import OrganisationCode as C
from tenants.errors import DomainError


@dataclass(frozen=True)
class AgentAdded:
    account: Account
    created: bool  # a new account (the temporary password was e-mailed)
    added: tuple[str, ...]  # delegations given now
    already: tuple[str, ...]  # delegations the agent already had


def _check_delegations(ctx: ServiceContext, delegations: Sequence[str]) -> list[str]:
    known = [d.code for d in ctx.pack.delegations]
    wanted: list[str] = []
    for raw in delegations:
        code = raw.strip().upper()
        if code not in known:
            raise DomainError.one(
                C.UNKNOWN_DELEGATION,
                ("delegation",),
                delegation=raw,
                known=", ".join(known) or "—",
            )
        if code not in wanted:
            wanted.append(code)
    if not wanted:
        raise DomainError.one(
            C.UNKNOWN_DELEGATION, ("delegation",), delegation="", known=", ".join(known) or "—"
        )
    return wanted


async def add_agent(
    ctx: ServiceContext,
    email_input: str,
    delegations: Sequence[str],
    family_name: str | None = None,
    given_names: str | None = None,
) -> AgentAdded:
    """Open an agent's account for these delegations, or give an existing agent the ones they
    lack (idempotent: asking again changes nothing). A new agent is named by the operator
    (`REQUIRED` on `familyName` / `givenNames` otherwise: nothing is guessed from the address).
    A person's account never becomes an agent's: refused."""
    wanted = _check_delegations(ctx, delegations)
    check = Collector([])
    email = check.email(email_input, ("email",))
    if check.errors or email is None:
        raise DomainError(check.errors)
    existing = await ctx.session.scalar(select(Account).where(Account.email == email))
    if existing is None:
        named = Collector([])
        family_name = named.text(family_name, ("familyName",), True, 100)
        given_names = named.text(given_names, ("givenNames",), True, 150)
        if named.errors or family_name is None or given_names is None:
            raise DomainError(named.errors)
        made = await open_account_for(
            ctx,
            NewPerson(email=email, family_name=family_name, given_names=given_names),
            kind=AccountKind.AGENT,
            delegations=wanted,
            opened_by=ctx.pack.short_name,
        )
        trail.record(
            ctx,
            AuditAction.ADD_AGENT,
            subject_type="Account",
            subject_id=made.account.id,
            details={"delegations": wanted, "by": "command line"},
        )
        return AgentAdded(made.account, True, tuple(wanted), ())
    if existing.kind != AccountKind.AGENT:
        raise DomainError.one(C.ACCOUNT_NOT_AN_AGENT, ("email",))
    current = list(existing.delegations or [])
    added = tuple(code for code in wanted if code not in current)
    already = tuple(code for code in wanted if code in current)
    if added:
        existing.delegations = [*current, *added]  # a new list: the JSON column sees the change
        trail.record(
            ctx,
            AuditAction.ADD_AGENT_DELEGATION,
            subject_type="Account",
            subject_id=existing.id,
            details={"added": list(added), "by": "command line"},
        )
    return AgentAdded(existing, False, added, already)
