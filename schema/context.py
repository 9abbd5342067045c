"""The per-request GraphQL context and the per-app services it is built from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import Info as _Info

from auth.account.models import Account
from auth.context import Actor, AuthConfig, ClientInfo, ServiceContext
from schema.loaders import Loaders, build_loaders
from tenants.clock import Clock
from tenants.events import EventBus, LocalBus
from tenants.files import Files
from tenants.packs.base import TenantPack
from tenants.session import open_session


@dataclass
class AppServices:
    """Built once by `server/` and shared by every request."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    auth: AuthConfig
    files: Files  # uploaded files: the storage and the size limit
    notify_mail: Callable[[], None] = lambda: None
    events: EventBus = field(default_factory=LocalBus)  # real time, across processes


@dataclass
class GuichetContext:
    services: AppServices
    pack: TenantPack
    locale: str
    actor: Actor | None
    viewer_account: Account | None
    client: ClientInfo
    # Over WebSocket: the `connection_init` payload, the access token it carried (checked
    # again while subscriptions run) and a way to close the connection.
    connection_params: dict[str, Any] | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    close_connection: Callable[[int, str], Awaitable[None]] | None = field(default=None, repr=False)
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

    def read_session(self) -> AsyncSession:
        """A short session for one read (one DataLoader batch); never shared between
        resolvers running concurrently."""
        return open_session(self.services.sessions, self.pack.slug)

    def service_context(self, session: AsyncSession) -> ServiceContext:
        return ServiceContext(
            session=session,
            pack=self.pack,
            clock=self.services.clock,
            config=self.services.auth,
            locale=self.locale,
            actor=self.actor,
            client=self.client,
        )


Info = _Info[GuichetContext, None]
