"""SIREN, SIRET, FINESS and postal codes at their edges (docs/DOMAIN.md "Identifiers")."""

from __future__ import annotations

import pytest

from tenants.identifiers import (
    LA_POSTE_HEAD_OFFICE,
    departement_of,
    luhn_valid,
    normalise_finess,
    normalise_postal_code,
    normalise_siren,
    normalise_siret,
    siret_checksum_valid,
)
from tenants.packs import PACKS

# Real, Luhn-valid SIRENs and SIRETs of well-known companies.
REAL_SIRENS = ["732829320", "552100554", "542051180", "443061841", "652014051"]


@pytest.mark.parametrize("siren", REAL_SIRENS)
def test_real_sirens_are_valid(siren: str) -> None:
    assert normalise_siren(siren) == siren


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("732 829 320", "732829320"),
        ("732.829.320", "732829320"),
        ("732-829-320", "732829320"),
        ("732\u00a0829\u202f320", "732829320"),  # non-breaking spaces pasted from a PDF
        (" 732829320 ", "732829320"),
    ],
)
def test_separators_people_type_are_removed(typed: str, expected: str) -> None:
    assert normalise_siren(typed) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "732829321",  # key wrong by one
        "73282932",  # 8 digits
        "7328293200",  # 10 digits
        "73282932O",  # a letter O for a zero
        "abcdefghi",
        "",
        "٧٣٢٨٢٩٣٢٠",  # Arabic-Indic digits are digits to Python, not to INSEE
    ],
)
def test_invalid_sirens(bad: str) -> None:
    assert normalise_siren(bad) is None


def test_siret_is_luhn_over_14_digits_and_its_siren_must_be_valid() -> None:
    assert normalise_siret("732 829 320 00074") == "73282932000074"
    assert normalise_siret("73282932000075") is None  # key wrong
    assert normalise_siret("7328293200007") is None  # 13 digits
    assert normalise_siret("732829320000741") is None  # 15 digits
    assert normalise_siret("7328293200007A") is None
    # 14 digits passing Luhn whose first 9 do not: not a SIRET of any SIREN
    candidate = next(
        f"12345678{d}{nic:05d}"
        for d in range(10)
        for nic in range(100)
        if luhn_valid(f"12345678{d}{nic:05d}") and not luhn_valid(f"12345678{d}")
    )
    assert siret_checksum_valid(candidate)
    assert normalise_siret(candidate) is None


def test_la_poste_establishments_use_the_digit_sum_rule() -> None:
    # digit sum 15, a multiple of 5, though Luhn fails: valid
    assert not luhn_valid("35600000000001")
    assert normalise_siret("356 000 000 00001") == "35600000000001"
    # Luhn holds but the digit sum (14 + 1 + 4 = 19) is not a multiple of 5: refused
    assert luhn_valid("35600000000014")
    assert normalise_siret("35600000000014") is None
    # real: La Poste, Paris, digit sum 45
    assert normalise_siret("35600000049837") == "35600000049837"
    # the head office keeps the Luhn key (digit sum 26)
    assert normalise_siret(LA_POSTE_HEAD_OFFICE) == LA_POSTE_HEAD_OFFICE
    assert normalise_siren("356000000") == "356000000"


def test_finess() -> None:
    valid = next(
        f"75000{n:03d}{d}" for n in range(1000) for d in range(10) if luhn_valid(f"75000{n:03d}{d}")
    )
    assert normalise_finess(valid) == valid
    wrong_key = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert normalise_finess(wrong_key) is None
    # Corsica: letters, no Luhn to check; lower case and spaces normalised
    assert normalise_finess("2a 000 001 0") == "2A0000010"
    assert normalise_finess("2B0000010") == "2B0000010"
    assert normalise_finess("2C0000010") is None
    assert normalise_finess("75000123") is None  # 8 characters
    assert normalise_finess("A50001234") is None


@pytest.mark.parametrize(
    ("postal_code", "departement"),
    [
        ("44000", "44"),
        ("75009", "75"),
        ("01000", "01"),
        ("20000", "2A"),  # Ajaccio
        ("20167", "2A"),
        ("20199", "2A"),
        ("20200", "2B"),  # Bastia
        ("20600", "2B"),
        ("20699", "2B"),
        ("20700", None),
        ("97200", "972"),  # Martinique
        ("97400", "974"),
        ("97600", "976"),
        ("98714", "987"),  # Polynésie française
        ("98800", "988"),
        ("00100", None),
        ("4400", None),
        ("440000", None),
        ("4400A", None),
        ("44 000", "44"),
    ],
)
def test_departement_of_postal_code(postal_code: str, departement: str | None) -> None:
    assert departement_of(postal_code) == departement
    assert (normalise_postal_code(postal_code) is not None) is (departement is not None)


@pytest.mark.parametrize(
    ("postal_code", "delegation"),
    [
        ("44000", "OUEST"),
        ("75009", "IDF"),
        ("59000", "NORD"),
        ("20000", "SUD"),
        ("20200", "SUD"),
        ("69001", "SUD_EST"),
        ("31000", "SUD_OUEST"),
        ("67000", "EST"),
        ("97200", "ANTILLES_GUYANE"),
        ("97600", "OCEAN_INDIEN"),
        ("98714", "POLYNESIE"),
        ("98800", "NOUVELLE_CALEDONIE"),
        ("97500", None),  # Saint-Pierre-et-Miquelon: no delegation in the pack
        ("98000", None),  # Monaco
        ("00000", None),
    ],
)
def test_delegation_for_postal_code(postal_code: str, delegation: str | None) -> None:
    found = PACKS["cnaps"].delegation_for_postal_code(postal_code)
    assert (found.code if found else None) == delegation
    assert PACKS["cnsa"].delegation_for_postal_code(postal_code) is None
