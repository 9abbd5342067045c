"""Importing the public FINESS extraction (data.gouv.fr, "FINESS Extraction du Fichier des
établissements", file `etalab-cs1100507-stock-*.csv`) into a tenant's directory.

The file is semicolon-separated with no header row: a first line `finess;etalab;<version>;
<date>`, then one `structureet` line per établissement (32 fields: 0 `structureet`,
1 `nofinesset`, 2 `nofinessej`, 3 `rs`, 4 `rslongue`, … 15 `ligneacheminement` "75012 PARIS
12E ARRONDISSEMENT", … 18 `categetab`, 19 `libcategetab`, …), then `geolocalisation` lines
(ignored). Older files are Latin-1, newer ones UTF-8: each line is read as UTF-8, else
Latin-1.

Streamed: the file is read line by line and written in batches (one SELECT of the batch's
numbers already known, for the counts; one multi-row `INSERT … ON CONFLICT (tenant_id,
finess) DO UPDATE`, PostgreSQL and SQLite alike; one commit), so memory does not grow with
the file. A bad line is reported (number and reason) and skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tenants.clock import Clock
from tenants.identifiers import normalise_finess
from tenants.session import open_session
from tenants.structures import Structure, search_key

BATCH = 2000
UPDATED = (
    "legal_entity_finess",
    "category_code",
    "category",
    "name",
    "town",
    "postal_code",
    "search_key",
    "updated_at",
)
FIELDS = 32
MAX_REPORTED = 1000  # bad lines kept in the report (all are counted)


@dataclass(frozen=True)
class BadLine:
    number: int
    reason: str


@dataclass
class ImportReport:
    lines: int = 0
    structures: int = 0  # établissement lines read (inserted or updated)
    inserted: int = 0
    updated: int = 0
    ignored: int = 0  # header and geolocalisation lines
    bad: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    finess: str
    legal_entity_finess: str | None
    category_code: str | None
    category: str | None
    name: str
    town: str | None
    postal_code: str | None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_line(text: str) -> Row | str | None:
    """A `structureet` line's row, `None` for a line to ignore (the header, a
    geolocalisation), or the reason the line is bad."""
    text = text.rstrip("\r\n")
    if not text.strip():
        return None
    cells = text.split(";")
    kind = cells[0].strip()
    if kind in {"finess", "geolocalisation"}:
        return None
    if kind != "structureet":
        return f"type de ligne inconnu « {kind[:30]} »"
    if len(cells) < 20:
        return f"{len(cells)} champs au lieu de {FIELDS}"
    finess = normalise_finess(cells[1])
    if finess is None:
        return f"N°FINESS invalide « {cells[1][:20]} »"
    name = (cells[4].strip() or cells[3].strip())[:200]
    if not name:
        return "raison sociale vide"
    routing = cells[15].strip()
    postal_code, _, town = routing.partition(" ")
    if not (len(postal_code) == 5 and postal_code.isdigit()):
        postal_code, town = "", routing
    legal = normalise_finess(cells[2])
    return Row(
        finess=finess,
        legal_entity_finess=legal,
        category_code=cells[18].strip()[:8] or None,
        category=cells[19].strip()[:200] or None,
        name=name,
        town=town.strip()[:100] or None,
        postal_code=postal_code or None,
    )


def read_lines(handle: BinaryIO) -> Iterator[tuple[int, str, int]]:
    """(line number, text, bytes read so far), one line at a time."""
    done = 0
    for number, raw in enumerate(handle, start=1):
        done += len(raw)
        yield number, _decode(raw), done


async def _write(
    session: AsyncSession, tenant: str, rows: dict[str, Row], now: datetime
) -> tuple[int, int]:
    """Upsert one batch by FINESS number: (inserted, updated)."""
    table: Any = Structure.__table__
    known: dict[str, uuid.UUID] = dict(
        (
            await session.execute(
                select(table.c.finess, table.c.id).where(
                    table.c.tenant_id == tenant, table.c.finess.in_(list(rows))
                )
            )
        ).all()
    )

    def values(row: Row) -> dict[str, Any]:
        return {
            "legal_entity_finess": row.legal_entity_finess,
            "category_code": row.category_code,
            "category": row.category,
            "name": row.name,
            "town": row.town,
            "postal_code": row.postal_code,
            "search_key": search_key(row.name, row.town, row.postal_code),
            "updated_at": now,
        }

    rows_out = [
        {"id": uuid.uuid4(), "tenant_id": tenant, "finess": f, **values(row)}
        for f, row in rows.items()
    ]
    dialect = (await session.connection()).dialect.name
    upsert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = upsert.on_conflict_do_update(
        index_elements=["tenant_id", "finess"],
        set_={name: upsert.excluded[name] for name in UPDATED},
    )
    await session.execute(statement, rows_out)
    await session.commit()
    return len(rows) - len(known), len(known)


async def import_finess(
    sessions: async_sessionmaker[AsyncSession],
    tenant: str,
    path: Path,
    clock: Clock,
    on_progress: Callable[[int], None] | None = None,
    on_bad_line: Callable[[BadLine], None] | None = None,
) -> ImportReport:
    """Read the file and upsert its structures into the tenant's directory. `on_progress`
    gets the bytes read since the last call; `on_bad_line` each bad line as it is met."""
    report = ImportReport()
    batch: dict[str, Row] = {}
    reported = done = 0
    now = clock.now()
    async with open_session(sessions, tenant) as session:
        with path.open("rb") as handle:
            for number, text, done in read_lines(handle):
                report.lines = number
                parsed = parse_line(text)
                if parsed is None:
                    report.ignored += 1
                elif isinstance(parsed, str):
                    report.bad += 1
                    bad = BadLine(number, parsed)
                    if len(report.bad_lines) < MAX_REPORTED:
                        report.bad_lines.append(bad)
                    if on_bad_line is not None:
                        on_bad_line(bad)
                else:
                    report.structures += 1
                    batch[parsed.finess] = parsed
                if len(batch) >= BATCH:
                    inserted, updated = await _write(session, tenant, batch, now)
                    report.inserted += inserted
                    report.updated += updated
                    batch = {}
                if on_progress is not None and number % 500 == 0:
                    on_progress(done - reported)
                    reported = done
            if batch:
                inserted, updated = await _write(session, tenant, batch, now)
                report.inserted += inserted
                report.updated += updated
            if on_progress is not None:
                on_progress(done - reported)
    return report
