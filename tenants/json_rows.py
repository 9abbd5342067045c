"""`json_tuples(a, b, …)`: an aggregate of one JSON array per row, `[[a, b, …], …]`, on
PostgreSQL (`json_agg(json_build_array(…))`) and SQLite (`json_group_array(json_array(…))`)
alike: a list read for each row of a page in the page's own statement (its labels…)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import JSON


class json_tuples(GenericFunction[Any]):
    type = JSON()
    inherit_cache = True


@compiles(json_tuples)
def _json_tuples_sqlite(element: json_tuples, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_tuples, "postgresql")
def _json_tuples_postgresql(element: json_tuples, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


def tuples_of(value: Any) -> list[list[Any]]:
    """The aggregate's value as read (decoded already, or JSON text); `[[null]]`-free."""
    if value is None:
        return []
    decoded = orjson.loads(value) if isinstance(value, str | bytes) else value
    return [item for item in decoded if item and item[0] is not None]


def uuid_value(value: str) -> uuid.UUID:
    """A UUID as JSON holds it (with dashes on PostgreSQL, 32 hex digits on SQLite)."""
    return uuid.UUID(value)


def instant_value(value: str) -> datetime:
    """An instant as JSON holds it: ISO with its offset (PostgreSQL) or naive UTC (SQLite)."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
