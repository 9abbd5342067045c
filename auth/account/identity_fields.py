"""Normalising and checking the identity fields of a registration, per the tenant pack."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email

from auth.account.errors import AuthCode
from tenants.countries import is_country
from tenants.errors import CommonCode, FieldError
from tenants.identifiers import normalise_postal_code

_PHONE_JUNK = re.compile(r"[\s.\-/]")
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")


def normalise_email(value: str) -> str | None:
    """Lower-cased, NFC, syntax-checked (no DNS look-up); `None` when not an address."""
    value = unicodedata.normalize("NFC", value.strip())
    if not value or len(value) > 254:
        return None
    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def normalise_phone(value: str) -> str | None:
    """E.164 (`+33612345678`) from what people type (`+33 (0) 6 12 34 56 78`)."""
    cleaned = _PHONE_JUNK.sub("", value).replace("(0)", "").replace("(", "").replace(")", "")
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    return cleaned if _PHONE.match(cleaned) else None


def clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(unicodedata.normalize("NFC", value).split())
    return value or None


@dataclass(frozen=True)
class AddressData:
    """A postal address as typed (registration, contact change, organisation request)."""

    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass
class Collector:
    """Gathers every field error of an input, so the form shows them all at once."""

    errors: list[FieldError]

    def add(self, code: str, field: tuple[str, ...], **params: object) -> None:
        self.errors.append(FieldError(code, field, params))

    def text(
        self, value: str | None, field: tuple[str, ...], required: bool, max_length: int
    ) -> str | None:
        cleaned = clean_text(value)
        if cleaned is None:
            if required:
                self.add(CommonCode.REQUIRED, field)
            return None
        if len(cleaned) > max_length:
            self.add(CommonCode.TOO_LONG, field, max=max_length)
            return None
        return cleaned

    def country(self, value: str | None, field: tuple[str, ...], required: bool) -> str | None:
        cleaned = clean_text(value)
        if cleaned is None:
            if required:
                self.add(CommonCode.REQUIRED, field)
            return None
        code = cleaned.upper()
        if not is_country(code):
            self.add(AuthCode.INVALID_COUNTRY, field)
            return None
        return code

    def postal_code(
        self, value: str | None, country: str | None, field: tuple[str, ...], required: bool
    ) -> str | None:
        """Any text abroad; in France 5 digits naming a département (Corsica 20xxx as 2A/2B,
        overseas 97x/98x), spaces removed — it decides the delegation and title numbers."""
        cleaned = self.text(value, field, required, 16)
        if cleaned is None or country != "FR":
            return cleaned
        code = normalise_postal_code(cleaned)
        if code is None:
            self.add(AuthCode.INVALID_POSTAL_CODE, field)
        return code

    def address(
        self,
        given: AddressData,
        field: tuple[str, ...],
        required: bool,
        default_country: str | None = None,
    ) -> AddressData:
        """Line 1, postal code, city and country (`default_country` when not given)."""
        country = self.country(given.country or default_country, (*field, "country"), required)
        return AddressData(
            line1=self.text(given.line1, (*field, "line1"), required, 200),
            line2=self.text(given.line2, (*field, "line2"), False, 200),
            postal_code=self.postal_code(
                given.postal_code, country, (*field, "postalCode"), required
            ),
            city=self.text(given.city, (*field, "city"), required, 100),
            country=country,
        )

    def birth_date(
        self, value: date | None, field: tuple[str, ...], required: bool, today: date
    ) -> date | None:
        if value is None:
            if required:
                self.add(CommonCode.REQUIRED, field)
            return None
        if value > today:
            self.add(AuthCode.BIRTH_DATE_IN_FUTURE, field)
            return None
        if value.year < today.year - 130:
            self.add(CommonCode.INVALID_DATE, field)
            return None
        return value

    def phone(self, value: str | None, field: tuple[str, ...], required: bool) -> str | None:
        cleaned = clean_text(value)
        if cleaned is None:
            if required:
                self.add(CommonCode.REQUIRED, field)
            return None
        phone = normalise_phone(cleaned)
        if phone is None:
            self.add(AuthCode.INVALID_PHONE, field)
        return phone

    def email(self, value: str | None, field: tuple[str, ...]) -> str | None:
        if value is None or not value.strip():
            self.add(CommonCode.REQUIRED, field)
            return None
        email = normalise_email(value)
        if email is None:
            self.add(AuthCode.INVALID_EMAIL, field)
        return email
