"""Password rules of a tenant pack, plus the common-password list shipped with the code.

Each violated rule is its own error, so a form can tick them off one by one. Lengths are
counted in Unicode code points after NFC normalisation, spaces included (ASVS: no truncation,
no composition rule beyond the pack's own).
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from importlib import resources
from itertools import pairwise

from auth.account.errors import AuthCode
from tenants.errors import FieldError
from tenants.packs.base import PasswordRules

_EDGE = "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("auth.account") / "data"
    with gzip.open(str(data / "common-passwords.txt.gz"), "rt", encoding="utf-8") as fh:
        words = {line.strip().lower() for line in fh if line.strip()}
    extra = (data / "common-passwords-fr.txt").read_text(encoding="utf-8")
    words.update(
        line.strip().lower() for line in extra.splitlines() if line.strip() and line[0] != "#"
    )
    return frozenset(words)


def is_common(password: str) -> bool:
    """Common as is, or a common word dressed with digits and symbols at its ends."""
    lowered = password.lower()
    words = common_passwords()
    if lowered in words:
        return True
    core = lowered.strip(_EDGE)
    if len(core) >= 3 and core in words:
        return True
    return is_pattern(lowered)


def is_pattern(password: str) -> bool:
    """A short unit repeated (``abcabcabcabc``) or a run of keys (``123456789012``)."""
    for size in range(1, 5):
        unit = password[:size]
        if (
            len(password) >= 2 * size
            and unit * (len(password) // size) == password[: size * (len(password) // size)]
            and len(password) % size == 0
        ):
            return True
    if password.isdigit():
        steps = {(int(b) - int(a)) % 10 for a, b in pairwise(password)}
        return len(steps) == 1
    return False


def character_classes(password: str) -> int:
    upper = any(c.isupper() for c in password)
    lower = any(c.islower() for c in password)
    digit = any(c.isdigit() for c in password)
    special = any(not c.isalnum() for c in password)
    return sum((upper, lower, digit, special))


def normalise(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def check_password(
    password: str, rules: PasswordRules, field: tuple[str, ...] = ("password",)
) -> list[FieldError]:
    password = normalise(password)
    errors: list[FieldError] = []
    length = len(password)
    if length < rules.min_length:
        errors.append(FieldError(AuthCode.PASSWORD_TOO_SHORT, field, {"min": rules.min_length}))
    if length > rules.max_length:
        errors.append(FieldError(AuthCode.PASSWORD_TOO_LONG, field, {"max": rules.max_length}))
    if rules.required_classes and character_classes(password) < rules.required_classes:
        errors.append(
            FieldError(
                AuthCode.PASSWORD_TOO_FEW_CHARACTER_CLASSES,
                field,
                {"required": rules.required_classes},
            )
        )
    if is_common(password):
        errors.append(FieldError(AuthCode.PASSWORD_TOO_COMMON, field))
    return errors
