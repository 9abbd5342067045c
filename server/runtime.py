"""Everything built once per process from the settings: engine, services, mail sender."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from limits.aio.storage import RedisStorage
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.account.passwords import HashParams, PasswordHasher
from auth.account.tokens import AccessTokens, SigningKeys
from auth.context import AuthConfig
from dossiers.public.challenges import ChallengeSettings
from dossiers.public.counters import Counters, DatabaseCounters, StorageCounters
from dossiers.public.verification import PublicServices
from dossiers.webhooks.sender import WebhookSender
from mail.transport import Transport, transport_from_url
from mail.worker import MailSender
from schema.context import AppServices
from server.database import create_engine
from server.events import build_bus
from server.keys import load_signing_keys
from server.settings import Settings
from tenants.clock import Clock, SystemClock
from tenants.files import Files, FilesystemStorage
from tenants.packs import PACKS
from tenants.packs.base import TenantPack
from tenants.session import make_session_factory


class ServerLinks:
    """E-mailed links lead to the tenant's frontend when one is configured, else to the
    built-in pages (which post the token: a link never acts on GET alone)."""

    def __init__(self, public_url: str, frontend_urls: dict[str, str]) -> None:
        self.public_url = public_url.rstrip("/")
        self.frontend_urls = {k: v.rstrip("/") for k, v in frontend_urls.items()}

    def _base(self, pack: TenantPack) -> str:
        return self.frontend_urls.get(pack.slug) or f"{self.public_url}/t/{pack.slug}"

    def confirm_email(self, pack: TenantPack, token: str) -> str:
        return f"{self._base(pack)}/confirm-email?token={quote(token)}"

    def reset_password(self, pack: TenantPack, token: str) -> str:
        return f"{self._base(pack)}/reset-password?token={quote(token)}"

    def accept_invitation(self, pack: TenantPack, token: str) -> str:
        return f"{self._base(pack)}/accept-invitation?token={quote(token)}"

    def confirm_dossier(self, pack: TenantPack, token: str) -> str:
        return f"{self._base(pack)}/confirm-dossier?token={quote(token)}"

    def sign_in(self, pack: TenantPack) -> str:
        return f"{self._base(pack)}/sign-in"


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    services: AppServices
    sender: MailSender
    keys: SigningKeys
    webhooks: WebhookSender


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    transport: Transport | None = None,
    keys: SigningKeys | None = None,
) -> Runtime:
    clock = clock or SystemClock()
    engine = create_engine(settings.resolved_database_url)
    sessions = make_session_factory(engine)
    keys = keys or load_signing_keys(settings)
    auth = AuthConfig(
        hasher=PasswordHasher(
            HashParams(
                time_cost=settings.password_hash_time_cost,
                memory_cost_kib=settings.password_hash_memory_kib,
                parallelism=settings.password_hash_parallelism,
            )
        ),
        tokens=AccessTokens(keys, settings.resolved_public_url, settings.access_token_ttl),
        links=ServerLinks(settings.resolved_public_url, dict(settings.frontend_urls)),
        refresh_token_ttl=timedelta(days=settings.refresh_token_ttl_days),
        session_max_age=timedelta(days=settings.session_max_age_days),
        oidc_client_secrets=dict(settings.oidc_client_secrets),
        webhook_loopback_http=not settings.production,
    )
    transport = transport or transport_from_url(settings.smtp_url, settings.data_dir / "mail")
    sender = MailSender(sessions, transport, clock, PACKS.keys())
    files = Files(FilesystemStorage(settings.resolved_files_dir), settings.max_upload_bytes)
    services = AppServices(
        sessions=sessions,
        clock=clock,
        auth=auth,
        files=files,
        notify_mail=sender.notify,
        public=public_services(settings, keys),
        events=build_bus(settings),
    )
    webhooks = WebhookSender(
        sessions,
        clock,
        PACKS.keys(),
        auth.links,
        notify_mail=sender.notify,
        disable_after_failures=settings.webhook_disable_after_failures,
        disable_after=timedelta(hours=settings.webhook_disable_after_hours),
    )
    return Runtime(
        settings=settings,
        engine=engine,
        services=services,
        sender=sender,
        keys=keys,
        webhooks=webhooks,
    )


def public_services(settings: Settings, keys: SigningKeys) -> PublicServices:
    """Security codes signed with a key derived from the signing key (every process of the
    server agrees on it; it changes with a rotation); counters in Redis when configured."""
    if settings.production and not settings.public_proof_of_work:
        raise ValueError("GUICHET_PUBLIC_PROOF_OF_WORK=false is for benchmarks, not production")
    secret = keys.current.as_pem(private=True)
    hmac_key = hmac.new(secret, b"guichet security codes", hashlib.sha256).digest()
    counters: Counters = DatabaseCounters()
    if settings.redis_url:
        counters = StorageCounters(
            RedisStorage(settings.redis_url, implementation="redispy", key_prefix="guichet")
        )
    return PublicServices(
        challenges=ChallengeSettings(hmac_key, proof_of_work=settings.public_proof_of_work),
        counters=counters,
    )
