"""Error codes of the public services (no account), with their French and English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class PublicCode(StrEnum):
    INVALID_SECURITY_CODE = "INVALID_SECURITY_CODE"
    INVALID_VERIFICATION_DIGITS = "INVALID_VERIFICATION_DIGITS"


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
    },
    area="public",
)
