"""Error codes of the public services (no account), with their French and English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class PublicCode(StrEnum):
    INVALID_SECURITY_CODE = "INVALID_SECURITY_CODE"
    INVALID_VERIFICATION_DIGITS = "INVALID_VERIFICATION_DIGITS"
    INVALID_DOSSIER_NUMBER = "INVALID_DOSSIER_NUMBER"
    NAME_OR_SIRET = "NAME_OR_SIRET"


register_codes(
    {
        PublicCode.INVALID_SECURITY_CODE: Message(
            "Le code de sécurité n'est pas valide, a expiré ou a déjà servi : demandez-en un "
            "nouveau.",
            "The security code is not valid, has expired or was already used: ask for a new one.",
        ),
        PublicCode.INVALID_VERIFICATION_DIGITS: Message(
            "Saisissez les 7 derniers chiffres du numéro (ex. 0755135).",
            "Type the last 7 digits of the number (e.g. 0755135).",
        ),
        PublicCode.INVALID_DOSSIER_NUMBER: Message(
            "Numéro de dossier invalide : attendu AAAA-DDD-NNNNNNN (ex. 2026-044-0000123).",
            "Invalid dossier number: expected YYYY-DDD-NNNNNNN (e.g. 2026-044-0000123).",
        ),
        PublicCode.NAME_OR_SIRET: Message(
            "Indiquez le nom de famille du demandeur ou le SIRET de l'établissement, pas les deux.",
            "Give the applicant's family name or the establishment's SIRET, not both.",
        ),
    },
    area="public",
)
