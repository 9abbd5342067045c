"""Settings, from environment variables prefixed `GUICHET_` (the only place that reads them)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


@dataclass(frozen=True)
class Setting:
    """How a setting is documented (README "Configuration" is generated from this table)."""

    name: str
    variable: str
    default: str
    help: str


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file guichet.db in the working directory
    migration_database_url: str = ""  # empty: same as database_url
    public_url: str = ""  # empty: follows `guichet serve --host/--port`
    smtp_url: str = ""  # empty: maildir folder <data_dir>/mail
    send_mail_in_process: bool = True
    signing_keys: str = ""  # JWK set JSON, or a path to one; empty: <data_dir>/signing-keys.json
    access_token_ttl_seconds: int = 600
    refresh_token_ttl_days: int = 14
    session_max_age_days: int = 30
    frontend_urls: Mapping[str, str] = field(default_factory=dict)
    cors_origins: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    oidc_client_secrets: Mapping[str, str] = field(default_factory=dict)
    password_hash_time_cost: int = 3
    password_hash_memory_kib: int = 65536
    password_hash_parallelism: int = 4
    log_level: str = "INFO"
    log_format: str = "auto"
    max_query_depth: int = 12
    max_aliases: int = 30
    max_query_cost: int = 5000
    max_query_tokens: int = 2000
    files_dir: str = ""  # empty: <data_dir>/files
    max_upload_bytes: int = 10 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024
    trusted_proxies: str = ""
    alerts_interval_seconds: int = 3600
    redis_url: str = ""  # empty: counters in the database, events by LISTEN/NOTIFY
    public_proof_of_work: bool = True  # false only for benchmarks
    message_notification_delay_seconds: int = 300
    message_notifications_interval_seconds: int = 60
    webhook_disable_after_failures: int = 10
    webhook_disable_after_hours: int = 24

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def resolved_public_url(self) -> str:
        return self.public_url or DEFAULT_PUBLIC_URL

    def listening_on(self, host: str, port: int) -> Settings:
        """These settings for a server listening on `host:port`: without GUICHET_PUBLIC_URL,
        the links it mails lead there."""
        if self.public_url:
            return self
        return replace(self, public_url=listen_url(host, port))

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or "sqlite+aiosqlite:///guichet.db"

    @property
    def resolved_migration_url(self) -> str:
        return self.migration_database_url or self.resolved_database_url

    @property
    def resolved_files_dir(self) -> Path:
        return Path(self.files_dir) if self.files_dir else self.data_dir / "files"

    @property
    def access_token_ttl(self) -> timedelta:
        return timedelta(seconds=self.access_token_ttl_seconds)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"GUICHET_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _parse(f.name, str(f.type), raw)
        values.update(overrides)
        return cls(**values)


DEFAULT_PUBLIC_URL = "http://localhost:8000"


def listen_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches `host:port` at (a wildcard bind is
    reached as localhost)."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - a bind address read, not bound
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _parse(name: str, kind: str, raw: str) -> Any:
    try:
        if kind == "bool":
            return _bool(raw)
        if kind == "int":
            return int(raw)
        if kind == "Path":
            return Path(raw)
        if kind.startswith("Mapping"):
            value = json.loads(raw) if raw.strip() else {}
            if not isinstance(value, dict):
                raise ValueError("expected a JSON object")
            if "tuple" in kind:
                if not all(isinstance(v, list) for v in value.values()):
                    raise ValueError("expected a JSON object of lists")
                return {str(k): tuple(str(item) for item in v) for k, v in value.items()}
            return {str(k): str(v) for k, v in value.items()}
        return raw
    except ValueError as exc:
        raise ValueError(f"GUICHET_{name.upper()}: {exc}") from None


SETTINGS_DOC = (
    Setting(
        "env",
        "GUICHET_ENV",
        "development",
        "`production` turns off GraphiQL and "
        "introspection, refuses to generate signing keys and to run as a role that "
        "bypasses row-level security.",
    ),
    Setting(
        "data_dir",
        "GUICHET_DATA_DIR",
        "var",
        "Folder for the generated signing keys and the maildir of the embedded default.",
    ),
    Setting(
        "database_url",
        "GUICHET_DATABASE_URL",
        "sqlite+aiosqlite:///guichet.db",
        "The database the server uses (`postgresql+asyncpg://user@host/db` in production, "
        "as a role that owns no table).",
    ),
    Setting(
        "migration_database_url",
        "GUICHET_MIGRATION_DATABASE_URL",
        "(database URL)",
        "The table owner `guichet migrate` connects as; it grants the server's role.",
    ),
    Setting(
        "public_url",
        "GUICHET_PUBLIC_URL",
        "(`http://<--host>:<--port>`)",
        "The server's public address: links in e-mails, token issuer. Unset, `guichet serve` "
        "uses the address it listens on (`0.0.0.0` as `localhost`) and logs it at startup; "
        "other commands use `http://localhost:8000`.",
    ),
    Setting(
        "smtp_url",
        "GUICHET_SMTP_URL",
        "(maildir `var/mail`)",
        "`smtp://user:pass@host:587?starttls=required`, `smtps://…:465`, or `maildir:path`.",
    ),
    Setting(
        "send_mail_in_process",
        "GUICHET_SEND_MAIL_IN_PROCESS",
        "true",
        "`guichet serve` sends mail itself; set `false` when `guichet worker`s do.",
    ),
    Setting(
        "signing_keys",
        "GUICHET_SIGNING_KEYS",
        "(`var/signing-keys.json`, generated once)",
        "Private JWK set (JSON, or a path to it) signing access tokens; first key signs.",
    ),
    Setting(
        "access_token_ttl_seconds",
        "GUICHET_ACCESS_TOKEN_TTL_SECONDS",
        "600",
        "Lifetime of an access token.",
    ),
    Setting(
        "refresh_token_ttl_days",
        "GUICHET_REFRESH_TOKEN_TTL_DAYS",
        "14",
        "Lifetime of a refresh token (each refresh hands out a new one).",
    ),
    Setting(
        "session_max_age_days",
        "GUICHET_SESSION_MAX_AGE_DAYS",
        "30",
        "After this, a session ends whatever its refreshes.",
    ),
    Setting(
        "frontend_urls",
        "GUICHET_FRONTEND_URLS",
        "{}",
        'JSON `{"cnaps": "https://app.example/"}`: e-mail links lead to '
        "`<url>/confirm-email?token=…` and `<url>/reset-password?token=…` of that "
        "frontend instead of the built-in pages; the built-in sign-in page leads to "
        "`<url>` after signing in.",
    ),
    Setting(
        "cors_origins",
        "GUICHET_CORS_ORIGINS",
        "{}",
        'JSON `{"cnaps": ["http://localhost:5173"]}`: origins allowed to call a tenant\'s API '
        "from a browser besides its `GUICHET_FRONTEND_URLS` one (see CORS).",
    ),
    Setting(
        "oidc_client_secrets",
        "GUICHET_OIDC_CLIENT_SECRETS",
        "{}",
        'JSON `{"cnsa/camsp-cmpp": "…"}`: the secrets of the confidential OpenID Connect '
        "clients (by tenant/client id); a confidential client without one cannot sign in.",
    ),
    Setting("password_hash_time_cost", "GUICHET_PASSWORD_HASH_TIME_COST", "3", "Argon2id passes."),
    Setting(
        "password_hash_memory_kib",
        "GUICHET_PASSWORD_HASH_MEMORY_KIB",
        "65536",
        "Argon2id memory (KiB).",
    ),
    Setting(
        "password_hash_parallelism", "GUICHET_PASSWORD_HASH_PARALLELISM", "4", "Argon2id lanes."
    ),
    Setting("log_level", "GUICHET_LOG_LEVEL", "INFO", "Log level."),
    Setting(
        "log_format",
        "GUICHET_LOG_FORMAT",
        "auto",
        "`json` (one object a line), `text` (for a human), or `auto`: text on a terminal, "
        "JSON otherwise.",
    ),
    Setting("max_query_depth", "GUICHET_MAX_QUERY_DEPTH", "12", "GraphQL depth limit."),
    Setting(
        "max_aliases",
        "GUICHET_MAX_ALIASES",
        "30",
        "GraphQL alias limit (fragments counted where spread).",
    ),
    Setting(
        "max_query_cost",
        "GUICHET_MAX_QUERY_COST",
        "5000",
        "GraphQL cost limit: a field costs 1, a connection multiplies by `first`.",
    ),
    Setting(
        "max_query_tokens",
        "GUICHET_MAX_QUERY_TOKENS",
        "2000",
        "GraphQL document size limit, in tokens.",
    ),
    Setting(
        "files_dir",
        "GUICHET_FILES_DIR",
        "(`var/files`)",
        "Folder of uploaded files (organisations' documents), content-addressed.",
    ),
    Setting(
        "max_upload_bytes",
        "GUICHET_MAX_UPLOAD_BYTES",
        "10485760",
        "Largest uploaded file (bytes); a multipart request may carry a few of them.",
    ),
    Setting(
        "max_body_bytes",
        "GUICHET_MAX_BODY_BYTES",
        "1048576",
        "Largest GraphQL request body that is not a multipart upload (bytes): a larger one "
        "is refused with HTTP 413 before it is parsed.",
    ),
    Setting(
        "trusted_proxies",
        "GUICHET_TRUSTED_PROXIES",
        "(none)",
        "Comma-separated addresses (or networks) of the reverse proxies whose "
        "`X-Forwarded-For` and `X-Forwarded-Proto` `guichet serve` believes; empty: none, "
        "the client address is the TCP peer's.",
    ),
    Setting(
        "alerts_interval_seconds",
        "GUICHET_ALERTS_INTERVAL_SECONDS",
        "3600",
        "How often the server (or `guichet worker`) looks for titles entering their renewal "
        "window and e-mails the alert digests; 0 turns it off (run `guichet alerts run`).",
    ),
    Setting(
        "redis_url",
        "GUICHET_REDIS_URL",
        "(none)",
        "`redis://host:6379/0`: the public services' rate limits and used security codes are "
        "counted in Redis (shared by every process) instead of the database, and real-time events "
        "travel between server processes through Redis instead of PostgreSQL LISTEN/NOTIFY "
        "(in-process on SQLite).",
    ),
    Setting(
        "public_proof_of_work",
        "GUICHET_PUBLIC_PROOF_OF_WORK",
        "true",
        "`false` takes any security code without checking its proof of work (each still "
        "serves once): for benchmarks only, refused in production.",
    ),
    Setting(
        "message_notification_delay_seconds",
        "GUICHET_MESSAGE_NOTIFICATION_DELAY_SECONDS",
        "300",
        "How long after an authority's message its e-mail notice (without the content) waits; "
        "none is sent if the message was read meanwhile.",
    ),
    Setting(
        "message_notifications_interval_seconds",
        "GUICHET_MESSAGE_NOTIFICATIONS_INTERVAL_SECONDS",
        "60",
        "How often the server (or `guichet worker`) sends the due message notices and the "
        "daily digests; 0 turns it off.",
    ),
    Setting(
        "webhook_disable_after_failures",
        "GUICHET_WEBHOOK_DISABLE_AFTER_FAILURES",
        "10",
        "An organisation's webhook endpoint is disabled (and its administrators told by "
        "e-mail) after this many failed deliveries in a row…",
    ),
    Setting(
        "webhook_disable_after_hours",
        "GUICHET_WEBHOOK_DISABLE_AFTER_HOURS",
        "24",
        "…failing for at least this many hours (0: as soon as the count is reached).",
    ),
)
