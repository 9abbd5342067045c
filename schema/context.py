"""The per-request GraphQL context and the per-app services it is built from."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import Info as _Info

from auth.account.models import Account
from auth.context import Actor, AuthConfig, ClientInfo, ServiceContext
from dossiers.public.challenges import ChallengeSettings
from dossiers.public.verification import PublicServices
from schema.loaders import Loaders, build_loaders
from tenants.clock import Clock
from tenants.events import EventBus, LocalBus
from tenants.files import Files
from tenants.packs.base import TenantPack
from tenants.session import RequestSession


@dataclass
class AppServices:
    """Built once by `server/` and shared by every request."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    auth: AuthConfig
    files: Files  # uploaded files: the storage and the size limit
    notify_mail: Callable[[], None] = lambda: None
    # The public services' security codes and counters (`server.runtime` builds them from the
    # settings; this default keeps counters in the database with a key of this process).
    public: PublicServices = field(
        default_factory=lambda: PublicServices(ChallengeSettings(secrets.token_bytes(32)))
    )
    events: EventBus = field(default_factory=LocalBus)  # real time, across processes


@dataclass
class GuichetContext:
    services: AppServices
    pack: TenantPack
    locale: str
    actor: Actor | None
    viewer_account: Account | None
    client: ClientInfo
    db: RequestSession | None = field(default=None, repr=False)
    # Over WebSocket: the `connection_init` payload, the access token it carried (checked
    # again while subscriptions run) and a way to close the connection.
    connection_params: dict[str, Any] | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    close_connection: Callable[[int, str], Awaitable[None]] | None = field(default=None, repr=False)
    # Sets a header of the HTTP response (None on WebSocket): e.g. a refusal's `Retry-After`
    set_header: Callable[[str, str], None] | None = None
    _loaders: Loaders | None = field(default=None, repr=False)
    _now: datetime | None = field(default=None, repr=False)

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = build_loaders(self.read_session)
        return self._loaders

    def fresh_reads(self) -> None:
        """Forget what was read (a subscription's next event is read anew, as a new request
        would)."""
        self._loaders = None
        self._now = None

    @property
    def now(self) -> datetime:
        """The request's instant, the same for every field of the response (rows read for
        many parents at once are filtered alike)."""
        if self._now is None:
            self._now = self.services.clock.now()
        return self._now

    @property
    def request_session(self) -> RequestSession:
        """The request's one session (opened at first use, closed by the endpoint)."""
        if self.db is None:
            self.db = RequestSession(self.services.sessions, self.pack.slug)
        return self.db

    def read_session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """The request's session behind its gate: `async with context.read_session() as
        session:` — every read of the request (DataLoader batches, connections) runs in the
        same transaction, one holder at a time. Never await a DataLoader inside the block."""
        return self.request_session.use()

    def reset_loaders(self) -> None:
        """Forget what the DataLoaders read (after a mutation changed or rolled back rows)."""
        self._loaders = None

    def service_context(self, session: AsyncSession) -> ServiceContext:
        return ServiceContext(
            session=session,
            pack=self.pack,
            clock=self.services.clock,
            config=self.services.auth,
            locale=self.locale,
            actor=self.actor,
            client=self.client,
            files=self.services.files,
        )


Info = _Info[GuichetContext, None]
