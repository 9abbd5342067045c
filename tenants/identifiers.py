"""French identifiers: SIREN, SIRET, FINESS, and the département of a postal code.

Pure functions (docs/DOMAIN.md "Identifiers"): SIREN is 9 digits with a Luhn key; SIRET is the
SIREN followed by a 5-digit NIC, 14 digits with a Luhn key over all of them, except La Poste
(SIREN 356000000) whose establishments are too many for Luhn: their digit sum is a multiple
of 5 [law, INSEE] — all but its head office, 356 000 000 00048, which keeps Luhn. FINESS
is 9 characters, digits except the Corsican 2A/2B; when all digits the Luhn key holds on
every real number tested [practice].

`normalise_*` strips what people type between groups (spaces, dots, dashes, non-breaking
spaces) and returns `None` when what is left is not of the right shape.
"""

from __future__ import annotations

import re
import unicodedata

LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"  # keeps the Luhn key, as every validator knows

_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]")
_FINESS = re.compile(r"^(?:\d{9}|2[AB]\d{7})$")
_FRENCH_POSTAL_CODE = re.compile(r"^\d{5}$")
# Overseas: Guadeloupe (with Saint-Barthélemy 97133, Saint-Martin 97150), Martinique, Guyane,
# La Réunion, Saint-Pierre-et-Miquelon, Mayotte; TAAF, Wallis-et-Futuna, Polynésie française,
# Nouvelle-Calédonie. 980xx is Monaco's (not France), 97[07-9]xx and the rest name nothing.
OVERSEAS = frozenset({"971", "972", "973", "974", "975", "976", "984", "986", "987", "988"})


def luhn_valid(digits: str) -> bool:
    """The Luhn key over a string of ASCII digits (False for anything else)."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value)


def _zeros(digits: str) -> bool:
    """Nothing but zeros: Luhn accepts them (sum 0), INSEE never issued them."""
    return not digits.strip("0")


def normalise_siren(value: str) -> str | None:
    """The 9 digits of a valid SIREN, or `None` (`000000000` included)."""
    siren = _compact(value)
    if len(siren) != 9 or not luhn_valid(siren) or _zeros(siren):
        return None
    return siren


def siret_checksum_valid(siret: str) -> bool:
    """14 ASCII digits with a valid key: Luhn, or for La Poste a digit sum multiple of 5."""
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_HEAD_OFFICE:
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret)


def normalise_siret(value: str) -> str | None:
    """The 14 digits of a valid SIRET, or `None`. Its first 9 digits are its SIREN, a valid
    one (La Poste's passes Luhn too); a SIRET of zeros is refused like SIREN `000000000`."""
    siret = _compact(value)
    if not siret_checksum_valid(siret):
        return None
    if normalise_siren(siren_of(siret)) is None:  # zeros included
        return None
    return siret


def siren_of(siret: str) -> str:
    return siret[:9]


def normalise_finess(value: str) -> str | None:
    """The 9 characters of a FINESS number (upper case), or `None`; Luhn when all digits."""
    finess = _compact(value).upper()
    if not _FINESS.match(finess):
        return None
    if finess.isdigit() and not luhn_valid(finess):
        return None
    return finess


def departement_of(postal_code: str) -> str | None:
    """The département of a French postal code: the first two digits; Corsica 200xx–201xx
    is 2A and 202xx–206xx 2B; overseas (97x, 98x) the first three digits. `None` when the
    code is not 5 digits or names no département (00xxx, 207xx–209xx, 970xx, 980xx…)."""
    code = _compact(postal_code)
    if not _FRENCH_POSTAL_CODE.match(code) or not code.isascii():
        return None
    if code.startswith("20"):
        hundreds = int(code[2])
        if hundreds <= 1:
            return "2A"
        if hundreds <= 6:
            return "2B"
        return None
    if code.startswith(("97", "98")):
        return code[:3] if code[:3] in OVERSEAS else None
    if code.startswith("00"):
        return None
    return code[:2]


def normalise_postal_code(value: str) -> str | None:
    """A French postal code: 5 digits naming a département, or `None`."""
    code = _compact(value)
    return code if departement_of(code) is not None else None


_COMBINING = re.compile("[\u0300-\u036f]")  # the accents NFKD splits off Latin letters
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents and punctuation out, single spaces: "Hôpital  St-Jean" →
    "hopital st jean" (search keys and login identifiers; regular expressions rather than a
    loop per character: the FINESS import folds every line)."""
    plain = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()
    return _NOT_ALNUM.sub(" ", plain).strip()
