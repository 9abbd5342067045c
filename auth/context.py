"""What a service call needs, built by `server/` per request or job and passed down."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from auth.account.passwords import PasswordHasher
from auth.account.tokens import AccessTokens
from auth.standing import HabilitationFact, MembershipFact
from tenants.clock import Clock
from tenants.events import Event
from tenants.files import Files
from tenants.packs.base import TenantPack


class Links(Protocol):
    """Where e-mailed links lead: the built-in pages or a tenant's frontend."""

    def confirm_email(self, pack: TenantPack, token: str) -> str: ...

    def reset_password(self, pack: TenantPack, token: str) -> str: ...

    def accept_invitation(self, pack: TenantPack, token: str) -> str: ...

    def confirm_dossier(self, pack: TenantPack, token: str) -> str: ...

    def sign_in(self, pack: TenantPack) -> str: ...


@dataclass(frozen=True)
class LockoutPolicy:
    """Consecutive failures are free up to `free_failures`; then each one makes the account
    wait `base_delay` doubled per extra failure, up to `max_delay` (the lock). The count
    resets after a successful sign-in, a password reset, or `reset_after` without failure.
    """

    free_failures: int = 5
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)
    reset_after: timedelta = timedelta(hours=12)

    def delay_after(self, failures: int) -> timedelta | None:
        if failures < self.free_failures:
            return None
        extra = failures - self.free_failures
        delay = self.base_delay * (2 ** min(extra, 20))
        return min(delay, self.max_delay)


@dataclass(frozen=True)
class AuthConfig:
    hasher: PasswordHasher
    tokens: AccessTokens
    links: Links
    refresh_token_ttl: timedelta = timedelta(days=14)
    session_max_age: timedelta = timedelta(days=30)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    resend_interval: timedelta = timedelta(seconds=60)
    resend_daily_limit: int = 5
    # Confidential OIDC clients' secrets, by "tenant/client_id" (never pack data).
    oidc_client_secrets: Mapping[str, str] = field(default_factory=dict)
    # Webhook endpoints on http://127.0.0.1 or localhost (tests, development; never production)
    webhook_loopback_http: bool = False


@dataclass(frozen=True)
class Actor:
    """The signed-in account behind a request (`None` in a context means anonymous)."""

    tenant: str
    account_id: uuid.UUID
    person_id: uuid.UUID
    session_id: uuid.UUID
    must_change_password: bool = False
    email_confirmed: bool = True
    # The organisations the person acts for (active memberships), loaded at authentication.
    memberships: tuple[MembershipFact, ...] = ()
    # Authority agents only: the delegations they work for.
    agent_delegations: frozenset[str] | None = None
    # Portals with habilitations (cnsa): the application profiles the account holds.
    habilitations: tuple[HabilitationFact, ...] = ()

    @property
    def is_agent(self) -> bool:
        return self.agent_delegations is not None

    def membership(self, organisation_id: uuid.UUID | None) -> MembershipFact | None:
        for fact in self.memberships:
            if fact.organisation_id == organisation_id:
                return fact
        return None


@dataclass(frozen=True)
class ClientInfo:
    ip_address: str | None = None
    user_agent: str | None = None


@dataclass
class ServiceContext:
    session: AsyncSession
    pack: TenantPack
    clock: Clock
    config: AuthConfig
    locale: str = "fr"
    actor: Actor | None = None
    client: ClientInfo = field(default_factory=ClientInfo)
    # File storage, for the services that write files (a title's PDF); None where a caller
    # has none to give (a title issued then gets its PDF at its first download).
    files: Files | None = None
    # Real-time events of this unit of work, published once it has committed.
    events: list[Event] = field(default_factory=list)
