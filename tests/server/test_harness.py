"""The test harness keeps its promises: it resets only test databases, fails a session that
was required to run PostgreSQL tests and ran none, refuses a server that never became ready,
and gives each test the real time back."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers.clock import TestClock
from tests.helpers.databases import NotATestDatabase, refuse_unless_disposable
from tests.helpers.live_server import ServerNotReady, live_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://postgres@127.0.0.1:5432/guichet",
        "postgresql://guichet:secret@db.example.org/production",
        "postgresql://postgres@127.0.0.1:5432/",
    ],
)
def test_a_database_not_named_for_tests_is_never_reset(url: str) -> None:
    with pytest.raises(NotATestDatabase, match="refusing to reset"):
        refuse_unless_disposable(url, {})


def test_a_test_database_or_an_explicit_permission_allows_the_reset() -> None:
    refuse_unless_disposable("postgresql://postgres@127.0.0.1:5432/test_h7", {})
    refuse_unless_disposable("postgresql+asyncpg://u@h/guichet_TEST", {})
    refuse_unless_disposable(
        "postgresql://postgres@127.0.0.1/scratch", {"GUICHET_TEST_ALLOW_DATABASE_RESET": "1"}
    )
    with pytest.raises(NotATestDatabase):
        refuse_unless_disposable(
            "postgresql://postgres@127.0.0.1/scratch", {"GUICHET_TEST_ALLOW_DATABASE_RESET": "0"}
        )


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A separate pytest session on tests that touch no database (so no reset happens)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_TEST_")}
    return subprocess.run(  # noqa: S603 - this interpreter's pytest
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_session_required_to_run_postgresql_fails_when_none_ran() -> None:
    selection = ("tests/dossiers/test_title_numbers.py", "-k", "not postgresql")
    required = _pytest(
        *selection,
        GUICHET_TEST_REQUIRE_POSTGRES="1",
        GUICHET_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/test_never_opened",
    )
    assert required.returncode == pytest.ExitCode.TESTS_FAILED, required.stdout
    assert " passed" in required.stdout and " failed" not in required.stdout
    assert "no PostgreSQL test ran: failing the session" in required.stdout
    relaxed = _pytest(*selection)
    assert relaxed.returncode == pytest.ExitCode.OK, relaxed.stdout


def test_a_server_that_never_becomes_ready_is_refused(tmp_path: Path) -> None:
    # without its migrations the server answers /readyz with 503 for ever
    with (
        pytest.raises(ServerNotReady, match="not ready after 8 s"),
        live_server(tmp_path, serve_args=("--no-migrate",), ready_within=8),
    ):
        pytest.fail("handed over a server that is not ready")


def test_a_test_moves_the_shared_clock_forward(clock: TestClock) -> None:
    clock.advance(timedelta(days=14))
    assert clock.now() - datetime.now(UTC) > timedelta(days=13)


def test_the_next_test_finds_the_clock_at_the_real_time(clock: TestClock) -> None:
    assert clock.offset == timedelta()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)
