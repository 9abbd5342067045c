"""Title numbers, validity periods, and what a date makes of a title: its effective status
and its colour (docs/DOMAIN.md "Titles", "Company space"). Pure rules, plus the colour as a SQL
expression so that lists can be filtered and counted by colour in the database.

Number format `PFX-DDD-YYYY-MM-DD-NNNNNNNNNNN`: the kind's prefix, the holder's département
on 3 characters (`044`, `02A`, `974`), the expiry date, then 11 digits = the issue year and a
7-digit sequence (per tenant and per year). Public verification uses the last 7 digits.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, literal
from sqlalchemy.sql.elements import ColumnElement

from dossiers.company.models import Employee
from dossiers.title.models import Colour, Title, TitleKind, TitleStatus, TitleView
from tenants.clock import Clock
from tenants.packs.base import TenantPack

PARIS = ZoneInfo("Europe/Paris")

# Validity in months from the issue date; None: given at issue (the renewal receipt lasts
# until the decision on the renewal). [law] R612-13, [seed 003 art. 8]; AUT is open-ended in
# practice (real numbers expire in 2123–2124): 100 years.
VALIDITY_MONTHS: dict[TitleKind, int | None] = {
    TitleKind.CAR: 60,
    TitleKind.PRE: 6,
    TitleKind.PRV: 6,
    TitleKind.REC: None,
    TitleKind.AGD: 60,
    TitleKind.AUT: 1200,
    TitleKind.FOR: 60,
}

# Titles held by a person for activities: they must mention at least one.
NEEDS_ACTIVITIES = frozenset({TitleKind.CAR, TitleKind.PRE, TitleKind.PRV, TitleKind.REC})

# Renewal (and its alerts) concerns cards, approvals and operating authorisations; prior and
# provisional authorisations and renewal receipts are not renewable [seed 003 arts. 6, 8].
RENEWABLE = frozenset({TitleKind.CAR, TitleKind.AGD, TitleKind.AUT, TitleKind.FOR})

RENEWAL_WINDOW_MONTHS = 6  # docs/DOMAIN.md "Company space": orange within 6 months of expiry

SEQUENCE_DIGITS = 7
_NUMBER = re.compile(
    r"^(?P<prefix>[A-Z]{3})-(?P<ddd>\d{2}[0-9AB])-(?P<expiry>\d{4}-\d{2}-\d{2})-"
    r"(?P<year>\d{4})(?P<sequence>\d{7})$"
)


@dataclass(frozen=True)
class TitleNumber:
    kind: TitleKind
    departement: str  # as the pack lists it: "44", "2A", "974"
    expires_on: date
    year: int
    sequence: str  # the last 7 digits

    def __str__(self) -> str:
        return format_number(self.kind, self.departement, self.expires_on, self.year, self.sequence)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def renewable(kind: str) -> bool:
    return kind in RENEWABLE


def renewal_limit(today: date) -> date:
    """A title expiring on or before this date is in its renewal window (orange)."""
    return add_months(today, RENEWAL_WINDOW_MONTHS)


def three_digits(departement: str) -> str:
    return departement.rjust(3, "0")


def format_number(
    kind: TitleKind, departement: str, expires_on: date, year: int, sequence: str | int
) -> str:
    seq = f"{int(sequence):0{SEQUENCE_DIGITS}d}"
    return f"{kind.value}-{three_digits(departement)}-{expires_on.isoformat()}-{year:04d}{seq}"


def clean_number(value: str | None) -> str | None:
    """What people type (spaces, lower case) made comparable; `None` when empty."""
    if value is None:
        return None
    cleaned = "".join(value.split()).upper()
    return cleaned or None


def parse_number(value: str | None) -> TitleNumber | None:
    """The parts of a well-formed number (prefix of a known kind, real expiry date), else None."""
    cleaned = clean_number(value)
    found = _NUMBER.match(cleaned) if cleaned else None
    if found is None:
        return None
    try:
        kind = TitleKind(found["prefix"])
        expires_on = date.fromisoformat(found["expiry"])
    except ValueError:
        return None
    ddd = found["ddd"]
    departement = ddd[1:] if ddd[0] == "0" else ddd
    return TitleNumber(kind, departement, expires_on, int(found["year"]), found["sequence"])


def known_departements(pack: TenantPack) -> dict[str, str]:
    """Each département the pack's delegations cover, with the delegation's code."""
    return {d: delegation.code for delegation in pack.delegations for d in delegation.departements}


def clean_departement(value: str | None, pack: TenantPack) -> str | None:
    """`44`, `044`, `2a`, `974`, `1` → the pack's spelling (`44`, `2A`, `974`, `01`), or None."""
    if value is None:
        return None
    text = value.strip().upper()
    if len(text) == 3 and text.startswith("0"):
        text = text[1:]
    if len(text) == 1 and text.isdigit():
        text = "0" + text
    return text if text in known_departements(pack) else None


def delegation_of(departement: str, pack: TenantPack) -> str | None:
    return known_departements(pack).get(departement)


# --- what a date makes of a title -----------------------------------------------------------


def today_of(clock: Clock) -> date:
    """The date in France: titles are valid through their expiry day, Paris time."""
    return clock.now().astimezone(PARIS).date()


_STATUSES = {status.value: status for status in TitleStatus}  # a lookup, not an Enum call


def effective_status(title: Title | TitleView, today: date) -> TitleStatus:
    """The stored decision (suspended, withdrawn) first; a valid title past its expiry date
    is EXPIRED (never stored)."""
    status = _STATUSES[title.status]
    if status is TitleStatus.VALID and title.expires_on < today:
        return TitleStatus.EXPIRED
    return status


def colour_of(title: Title | TitleView | None, today: date) -> Colour:
    """Green valid; orange expires within 6 months (expiry on or before the same day six
    months on); red expired, suspended, withdrawn or unknown."""
    if title is None:
        return Colour.RED
    return colour_at(effective_status(title, today), title.expires_on, today)


def colour_at(status: TitleStatus, expires_on: date, today: date) -> Colour:
    """`colour_of` from a title's effective status already known."""
    if status is not TitleStatus.VALID:
        return Colour.RED
    if expires_on <= renewal_limit(today):
        return Colour.ORANGE
    return Colour.GREEN


def follow(employee: Employee, title: Title | None) -> None:
    """Keep on the row the state of the title it matches (or none): what the dashboard
    colours and counts from. Called wherever a row meets its title or the title changes."""
    employee.title_id = title.id if title is not None else None
    employee.title_status = title.status if title is not None else None
    employee.title_expires_on = title.expires_on if title is not None else None


def employee_colour_sql(today: date) -> ColumnElement[Any]:
    """`colour_of` in SQL over an employee row's copy of its title's state (no join)."""
    return colour_case(today, Employee.title_id, Employee.title_status, Employee.title_expires_on)


def colour_case(today: date, title_id: Any, status: Any, expires_on: Any) -> ColumnElement[Any]:
    """The same over any columns standing for a title's (a subquery's, a lateral join's)."""
    return colour_case_between(today, renewal_limit(today), title_id, status, expires_on)


def colour_case_between(
    today: Any, limit: Any, title_id: Any, status: Any, expires_on: Any
) -> ColumnElement[Any]:
    """The same with today and its renewal limit given as values or bound parameters (a
    statement built once and run with each day's dates)."""
    return case(
        (title_id.is_(None), literal(Colour.RED.value)),
        (status != TitleStatus.VALID.value, literal(Colour.RED.value)),
        (expires_on < today, literal(Colour.RED.value)),
        (expires_on <= limit, literal(Colour.ORANGE.value)),
        else_=literal(Colour.GREEN.value),
    )


def fold_name(value: str | None) -> str:
    """A name compared case- and accent-insensitively ("Lefèvre-Dubois" = "LEFEVRE DUBOIS")."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("-", " ").replace("'", " ").replace("’", " ").casefold().split())
