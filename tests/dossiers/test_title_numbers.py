"""Title numbers, validity dates, effective status and colour at their edges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dossiers.title.models import Colour, Title, TitleKind, TitleStatus
from dossiers.title.numbers import (
    add_months,
    clean_departement,
    clean_number,
    colour_of,
    delegation_of,
    effective_status,
    fold_name,
    format_number,
    parse_number,
    renewal_limit,
    today_of,
)
from tenants.clock import FrozenClock
from tenants.packs import PACKS

CNAPS = PACKS["cnaps"]


def test_the_documented_example_parses() -> None:
    parsed = parse_number("FOR-083-2027-02-08-20220755135")
    assert parsed is not None
    assert parsed.kind == TitleKind.FOR
    assert parsed.departement == "83"
    assert parsed.expires_on == date(2027, 2, 8)
    assert parsed.year == 2022 and parsed.sequence == "0755135"
    assert str(parsed) == "FOR-083-2027-02-08-20220755135"


@pytest.mark.parametrize(
    "number",
    [
        "XYZ-083-2027-02-08-20220755135",  # unknown prefix
        "FOR-83-2027-02-08-20220755135",  # département on 2 characters
        "FOR-083-2027-02-30-20220755135",  # no 30 February
        "FOR-083-2027-02-08-2022075513",  # 10 digits
        "FOR-083-2027-02-08-202207551355",  # 12 digits
        "FOR-0C3-2027-02-08-20220755135",
        "",
        None,
    ],
)
def test_malformed_numbers_are_refused(number: str | None) -> None:
    assert parse_number(number) is None


def test_what_people_type_is_cleaned() -> None:
    assert clean_number(" car-044-2031-03-01-2026 0000001 ") == "CAR-044-2031-03-01-20260000001"
    assert parse_number("car-02a-2031-03-01-20260000001") is not None
    assert parse_number("CAR-974-2031-03-01-20260000001").departement == "974"  # type: ignore[union-attr]
    assert parse_number("CAR-02B-2031-03-01-20260000001").departement == "2B"  # type: ignore[union-attr]


def test_format_pads_the_departement_and_the_sequence() -> None:
    assert (
        format_number(TitleKind.CAR, "2A", date(2031, 3, 1), 2026, 42)
        == "CAR-02A-2031-03-01-20260000042"
    )
    assert format_number(TitleKind.PRE, "974", date(2026, 9, 1), 2026, "1").startswith("PRE-974-")


def test_departements_are_the_pack_s() -> None:
    assert clean_departement("44", CNAPS) == "44"
    assert clean_departement("044", CNAPS) == "44"
    assert clean_departement("1", CNAPS) == "01"
    assert clean_departement("2a", CNAPS) == "2A"
    assert clean_departement("974", CNAPS) == "974"
    assert clean_departement("20", CNAPS) is None  # Corse is 2A / 2B since 1976
    assert clean_departement("99", CNAPS) is None
    assert clean_departement("44", PACKS["cnsa"]) is None  # no delegations there
    assert delegation_of("44", CNAPS) == "OUEST" and delegation_of("2B", CNAPS) == "SUD"


def test_months_are_added_with_the_end_of_month_clamped() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 60) == date(2029, 2, 28)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 15), -3) == date(2025, 12, 15)
    assert renewal_limit(date(2026, 11, 23)) == date(2027, 5, 23)


def title(expires_on: date, status: TitleStatus = TitleStatus.VALID) -> Title:
    return Title(expires_on=expires_on, status=status.value)


def test_colours_at_their_edges() -> None:
    day = date(2026, 11, 23)
    limit = date(2027, 5, 23)
    assert colour_of(title(date(2027, 5, 24)), day) == Colour.GREEN
    assert colour_of(title(limit), day) == Colour.ORANGE  # exactly six months
    assert colour_of(title(day), day) == Colour.ORANGE  # valid through its expiry day
    assert colour_of(title(date(2026, 11, 22)), day) == Colour.RED
    assert colour_of(title(date(2030, 1, 1), TitleStatus.SUSPENDED), day) == Colour.RED
    assert colour_of(title(date(2030, 1, 1), TitleStatus.WITHDRAWN), day) == Colour.RED
    assert colour_of(None, day) == Colour.RED  # unknown


def test_expired_is_read_off_the_date_after_decisions() -> None:
    day = date(2026, 11, 23)
    assert effective_status(title(day), day) == TitleStatus.VALID
    assert effective_status(title(date(2026, 11, 22)), day) == TitleStatus.EXPIRED
    past_and_suspended = title(date(2026, 1, 1), TitleStatus.SUSPENDED)
    assert effective_status(past_and_suspended, day) == TitleStatus.SUSPENDED


def test_today_is_the_date_in_paris() -> None:
    # 23:30 UTC on 31 December is already 1 January in Paris
    assert today_of(FrozenClock(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))) == date(2027, 1, 1)


def test_names_compare_without_case_accents_or_hyphens() -> None:
    assert fold_name("Lefèvre-Dubois") == fold_name("LEFEVRE DUBOIS")
    assert fold_name("N'Diaye") == fold_name("n diaye")
    assert fold_name("Müller") == fold_name("  MULLER ")
    assert fold_name("Martin") != fold_name("Martine")
