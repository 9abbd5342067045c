"""Dossier numbers: `YYYY-DDD-NNNNNNN` — the year of submission, the instructing
département on three characters, a 7-digit sequence per tenant and year [choice, after the
title numbers of docs/DOMAIN.md "Titles"]. Public tracking uses the whole number."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text

from auth.context import ServiceContext
from dossiers.dossier.models import Dossier
from dossiers.title.numbers import three_digits

SEQUENCE_DIGITS = 7
NUMBER = re.compile(r"^(?P<year>\d{4})-(?P<ddd>\d{2}[0-9AB])-(?P<sequence>\d{7})$")


def format_number(year: int, departement: str, sequence: int) -> str:
    return f"{year:04d}-{three_digits(departement)}-{sequence:0{SEQUENCE_DIGITS}d}"


def clean_number(value: str | None) -> str | None:
    """What people type (spaces, lower case) made comparable; None when not a number."""
    if value is None:
        return None
    cleaned = "".join(value.split()).upper()
    return cleaned if NUMBER.match(cleaned) else None


async def next_number(ctx: ServiceContext, year: int, departement: str) -> tuple[str, str]:
    """The number and its sequence. On PostgreSQL a transaction-level advisory lock per tenant
    and year makes concurrent submissions wait for each other (SQLite has one writer)."""
    session = ctx.session
    if session.get_bind().dialect.name == "postgresql":
        key = f"dossiers:{ctx.pack.slug}:{year}"
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    highest = await session.scalar(
        select(func.max(Dossier.sequence)).where(Dossier.number.like(f"{year:04d}-%"))
    )
    following = int(highest or 0) + 1
    if following >= 10**SEQUENCE_DIGITS:
        raise RuntimeError(f"dossier sequence exhausted for {year}")
    return format_number(year, departement, following), f"{following:0{SEQUENCE_DIGITS}d}"
