"""The test suite resets the PostgreSQL database it is given (`DROP SCHEMA public CASCADE`):
only one whose name says it is a test database, or when a variable says so explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping

from sqlalchemy.engine import make_url

ALLOW_RESET_ENV = "GUICHET_TEST_ALLOW_DATABASE_RESET"


class NotATestDatabase(RuntimeError):
    pass


def refuse_unless_disposable(url: str, environ: Mapping[str, str] | None = None) -> None:
    """Raise unless the database's name contains "test" or GUICHET_TEST_ALLOW_DATABASE_RESET=1."""
    environ = os.environ if environ is None else environ
    name = make_url(url).database or ""
    if "test" in name.lower() or environ.get(ALLOW_RESET_ENV) == "1":
        return
    raise NotATestDatabase(
        f"refusing to reset database {name!r}: the tests drop its public schema. Use a "
        f'database whose name contains "test", or set {ALLOW_RESET_ENV}=1 if this one is '
        "really disposable."
    )
