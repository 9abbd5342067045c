"""The suite runs once on SQLite and once on PostgreSQL (when GUICHET_TEST_DATABASE_URL is
set; CI sets it and GUICHET_TEST_REQUIRE_POSTGRES=1 so a skipped PostgreSQL run fails, and so
does a run that selected no PostgreSQL test at all: see `pytest_sessionfinish`)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from auth.account.tokens import SigningKeys, generate_key_set
from mail.transport import SmtpTransport
from server.app import create_app
from server.database import StatementCounter, create_engine
from server.migrate import grant_app_role, upgrade
from server.runtime import Runtime, build_runtime
from server.settings import Settings
from tests.helpers.clock import TestClock
from tests.helpers.databases import refuse_unless_disposable
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer

APP_ROLE = "guichet_test_app"
PG_URL_ENV = "GUICHET_TEST_DATABASE_URL"
REQUIRE_PG_ENV = "GUICHET_TEST_REQUIRE_POSTGRES"
POSTGRES_RAN = pytest.StashKey[int]()


def asyncpg_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+asyncpg://", url)


@dataclass
class Database:
    backend: str
    app_url: str  # the server's role (no table owned, no BYPASSRLS on PostgreSQL)
    owner_url: str


async def _prepare_postgres(owner_url: str) -> str:
    refuse_unless_disposable(owner_url)
    engine = create_engine(owner_url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
        exists = await conn.scalar(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        )
        if not exists:
            await conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
    await engine.dispose()
    await upgrade(owner_url)
    app_url = make_url(owner_url).set(username=APP_ROLE, password=None)
    rendered = app_url.render_as_string(hide_password=False)
    await grant_app_role(owner_url, rendered)
    return rendered


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "guichet.db"
        url = f"sqlite+aiosqlite:///{path}"
        await upgrade(url)
        yield Database("sqlite", url, url)
        return
    raw = os.environ.get(PG_URL_ENV)
    if not raw:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{PG_URL_ENV} is not set but {REQUIRE_PG_ENV}=1")
        pytest.skip(
            f"PostgreSQL tests need {PG_URL_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    owner = asyncpg_url(raw)
    app_url = await _prepare_postgres(owner)
    yield Database("postgresql", app_url, owner)


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def signing_keys() -> SigningKeys:
    return SigningKeys(generate_key_set())


OIDC_TEST_SECRET = "camsp-cmpp-test-secret"


def make_settings(database: Database, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database.app_url,
        "migration_database_url": database.owner_url,
        "data_dir": data_dir,
        "public_url": "http://testserver",
        "send_mail_in_process": False,
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 8192,
        "password_hash_parallelism": 1,
        "oidc_client_secrets": {"cnsa/camsp-cmpp": OIDC_TEST_SECRET},
    }
    return Settings(**(values | overrides))


@pytest.fixture(scope="session")
async def runtime(
    database: Database,
    smtp: SmtpServer,
    signing_keys: SigningKeys,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Runtime]:
    settings = make_settings(database, tmp_path_factory.mktemp("data"))
    built = build_runtime(
        settings, clock=TestClock(), transport=SmtpTransport(smtp.url), keys=signing_keys
    )
    yield built
    await built.engine.dispose()


@pytest.fixture(scope="session")
def clock(runtime: Runtime) -> TestClock:
    assert isinstance(runtime.services.clock, TestClock)
    return runtime.services.clock


@pytest.fixture(autouse=True)
def _clock_back_to_now(request: pytest.FixtureRequest) -> Iterator[None]:
    """Whatever a test did to the shared clock, the next one starts at the real time."""
    if "runtime" not in request.fixturenames:
        yield
        return
    shared = request.getfixturevalue("clock")
    shared.reset()
    yield
    shared.reset()


@pytest.fixture(scope="session")
async def http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def cnaps(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http, "cnaps")


@pytest.fixture
def cnsa(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http, "cnsa")


@pytest.fixture(scope="session")
def statements(runtime: Runtime) -> Iterator[StatementCounter]:
    counter = StatementCounter(runtime.engine)
    yield counter
    counter.close()


@pytest.fixture
def backend(database: Database) -> str:
    return database.backend


def unique_email(prefix: str = "person") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:12]}@example.org"


def pytest_configure(config: pytest.Config) -> None:
    config.stash[POSTGRES_RAN] = 0


def pytest_runtest_call(item: pytest.Item) -> None:
    """Count the tests that really ran on PostgreSQL (their setup passed: not skipped)."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("database") == "postgresql":
        item.config.stash[POSTGRES_RAN] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With GUICHET_TEST_REQUIRE_POSTGRES=1, a session in which no PostgreSQL test ran fails,
    whatever selected them away (-k, -m, paths, a skip)."""
    if os.environ.get(REQUIRE_PG_ENV) != "1" or session.config.stash[POSTGRES_RAN] > 0:
        return
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    ran = config.stash[POSTGRES_RAN]
    if os.environ.get(REQUIRE_PG_ENV) == "1" and ran == 0:
        terminalreporter.write_line(
            f"{REQUIRE_PG_ENV}=1 but no PostgreSQL test ran: failing the session", red=True
        )
    elif os.environ.get(PG_URL_ENV):
        terminalreporter.write_line(f"PostgreSQL tests run: {ran}")
