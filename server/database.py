"""Database engines and session factories; the statement counter used by tests and benches."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tenants.isolation import ROLE_CHECK_SQL

log = logging.getLogger("guichet.db")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Parameters never appear in a database error (they hold names, birth dates, tokens),
    and so never in a log."""
    kwargs.setdefault("hide_parameters", True)
    kwargs.setdefault("json_deserializer", orjson.loads)  # JSON columns and aggregates
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def role_bypasses_rls(engine: AsyncEngine) -> bool:
    """True when the server's PostgreSQL role would escape row-level security."""
    if engine.dialect.name != "postgresql":
        return False
    async with engine.connect() as conn:
        return bool((await conn.execute(text(ROLE_CHECK_SQL))).scalar())


class StatementCounter:
    """Counts the SQL statements an engine sends (tests assert a fixed count per query),
    the transactions' `BEGIN`, `COMMIT` and `ROLLBACK` included: each is a round trip."""

    _ENDS = ("begin", "commit", "rollback")

    def __init__(self, engine: AsyncEngine | Engine) -> None:
        self._engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
        self.statements: list[str] = []
        self._active = False
        event.listen(self._engine, "before_cursor_execute", self._on_execute)
        self._on_ends = {name: self._recorder(name.upper()) for name in self._ENDS}
        for name, listener in self._on_ends.items():
            event.listen(self._engine, name, listener)

    def _recorder(self, statement: str) -> Any:
        def record(*_args: Any) -> None:
            if self._active:
                self.statements.append(statement)

        return record

    def _on_execute(self, *args: Any) -> None:
        if self._active:
            self.statements.append(str(args[2]))

    def transactions(self) -> int:
        """How many transactions began while counting."""
        return self.statements.count("BEGIN")

    @contextmanager
    def count(self) -> Iterator[list[str]]:
        self.statements = []
        self._active = True
        try:
            yield self.statements
        finally:
            self._active = False

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._on_execute)
        for name, listener in self._on_ends.items():
            event.remove(self._engine, name, listener)
