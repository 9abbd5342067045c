"""Keyset pagination for every connection: (created_at, id) descending, opaque cursors."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from tenants.errors import CommonCode, DomainError

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]  # (cursor, row)
    has_next: bool
    has_previous: bool
    total_count: int


def encode_cursor(at: datetime, id_: uuid.UUID) -> str:
    """`json.dumps([at.isoformat(), str(id_)])` in base64url, written out (a page encodes one
    per row; neither part holds a character JSON escapes)."""
    raw = f'["{at.isoformat()}", "{id_}"]'.encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The cursor `encode_cursor` made, or `INVALID_CURSOR` on `after`: whatever a client
    crafts (garbage, a naive or out-of-range date, a number for the ID) never reaches SQL."""
    try:
        if len(cursor) > 200:  # ours are about 90 characters
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(decoded, list) or len(decoded) != 2:
            raise ValueError("not a pair")
        at_text, id_text = decoded
        if not isinstance(at_text, str) or not isinstance(id_text, str):
            raise TypeError("not strings")
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("naive date")
        at = at.astimezone(UTC)
        if not 1970 <= at.year <= 9000:  # rows are stamped now: a year past this is crafted
            raise ValueError("date out of range")
        return at, uuid.UUID(id_text)
    except (ValueError, TypeError, OverflowError, binascii.Error):
        raise DomainError.one(CommonCode.INVALID_CURSOR, ("after",)) from None


def check_first(first: int | None) -> int:
    """The page size of every connection (the one check of `first`): above `MAX_PAGE` is
    `PAGE_SIZE_TOO_LARGE` naming the maximum, negative is `INVALID_FORMAT`, both on `first`."""
    if first is None:
        return DEFAULT_PAGE
    if first > MAX_PAGE:
        raise DomainError.one(CommonCode.PAGE_SIZE_TOO_LARGE, ("first",), max=MAX_PAGE)
    if first < 0:
        raise DomainError.one(CommonCode.INVALID_FORMAT, ("first",))
    return first


async def paginate(
    session: AsyncSession,
    query: Select[Any],
    created: InstrumentedAttribute[Any],
    ident: InstrumentedAttribute[uuid.UUID],
    first: int | None,
    after: str | None,
    *,
    ascending: bool = False,
) -> Page[Any]:
    """Two statements whatever the page size: the page (one row more, to know if there is a
    next one) and the total. Newest first, or oldest first (`ascending`: a queue)."""
    size = check_first(first)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if ascending:
        page_query = query.order_by(created.asc(), ident.asc()).limit(size + 1)
    else:
        page_query = query.order_by(created.desc(), ident.desc()).limit(size + 1)
    if after:
        at, id_ = decode_cursor(after)
        if ascending:
            page_query = page_query.where(or_(created > at, and_(created == at, ident > id_)))
        else:
            page_query = page_query.where(or_(created < at, and_(created == at, ident < id_)))
    rows = list((await session.scalars(page_query)).all())
    items = [(encode_cursor(getattr(r, created.key), getattr(r, ident.key)), r) for r in rows]
    return Page(
        items=items[:size],
        has_next=len(items) > size,
        has_previous=after is not None,
        total_count=int(total or 0),
    )


@dataclass(frozen=True)
class PageKey:
    """One page of one parent's rows: what a per-parent page loader is keyed by. `filters`
    (hashable) narrow the rows as the connection's arguments ask."""

    parent: uuid.UUID
    first: int | None = None
    after: str | None = None
    filters: tuple[Any, ...] = ()


def check_page(first: int | None, after: str | None) -> None:
    """The arguments' errors, raised by the field that was given them (before any batch)."""
    check_first(first)
    if after:
        decode_cursor(after)


async def pages_by_parent(
    session: AsyncSession,
    keys: Sequence[PageKey],
    parent: InstrumentedAttribute[Any],
    rows_for: Callable[[tuple[Any, ...]], Select[Any]],
    created: InstrumentedAttribute[datetime] | None = None,
    ident: InstrumentedAttribute[uuid.UUID] | None = None,
) -> list[Page[Any]]:
    """The pages of many parents in two statements per set of arguments (usually one set per
    request), whatever the number of parents: their rows ranked by `ROW_NUMBER() OVER
    (PARTITION BY parent ORDER BY created DESC, id DESC)` (SQLite 3.25+, PostgreSQL), and
    their totals grouped by parent. Same order, cursors and page info as `paginate`.
    `rows_for(filters)`: the rows a page is cut from, before the parent condition."""
    found: dict[PageKey, Page[Any]] = {}
    groups: dict[tuple[int | None, str | None, tuple[Any, ...]], list[uuid.UUID]] = {}
    for key in keys:
        groups.setdefault((key.first, key.after, key.filters), []).append(key.parent)
    for (first, after, filters), parents in groups.items():
        unique = list(dict.fromkeys(parents))
        pages = await _pages(
            session, rows_for(filters), parent, unique, first, after, created, ident
        )
        for parent_id, page in zip(unique, pages, strict=True):
            found[PageKey(parent_id, first, after, filters)] = page
    return [found[key] for key in keys]


async def _pages(
    session: AsyncSession,
    query: Select[Any],
    parent: InstrumentedAttribute[Any],
    parents: Sequence[uuid.UUID],
    first: int | None,
    after: str | None,
    created: InstrumentedAttribute[datetime] | None,
    ident: InstrumentedAttribute[uuid.UUID] | None,
) -> list[Page[Any]]:
    size = check_first(first)
    model = query.column_descriptions[0]["entity"]
    created = created if created is not None else model.created_at
    ident = ident if ident is not None else model.id
    query = query.where(parent.in_(parents))
    counted = query.with_only_columns(parent, func.count()).group_by(parent)
    rank = func.row_number().over(partition_by=parent, order_by=(created.desc(), ident.desc()))
    ranked_query = query.add_columns(rank.label("rank"))
    if after:
        at, id_ = decode_cursor(after)
        ranked_query = ranked_query.where(or_(created < at, and_(created == at, ident < id_)))
    ranked = ranked_query.subquery()
    row = aliased(model, ranked)
    page_query = select(row).where(ranked.c.rank <= size + 1).order_by(ranked.c.rank)
    rows = (await session.scalars(page_query)).all()
    totals: dict[uuid.UUID, int] = {p: n for p, n in await session.execute(counted)}
    grouped: dict[uuid.UUID, list[Any]] = {p: [] for p in parents}
    for found in rows:
        grouped[getattr(found, parent.key)].append(found)
    return [
        Page(
            items=[
                (encode_cursor(getattr(r, created.key), getattr(r, ident.key)), r)
                for r in grouped[p][:size]
            ],
            has_next=len(grouped[p]) > size,
            has_previous=after is not None,
            total_count=int(totals.get(p, 0)),
        )
        for p in parents
    ]
