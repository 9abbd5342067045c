"""Error codes of webhooks, with their French and English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class WebhookCode(StrEnum):
    WEBHOOK_URL_NOT_HTTPS = "WEBHOOK_URL_NOT_HTTPS"
    WEBHOOK_ENDPOINT_LIMIT = "WEBHOOK_ENDPOINT_LIMIT"


register_codes(
    {
        WebhookCode.WEBHOOK_URL_NOT_HTTPS: Message(
            "L'adresse doit être une URL https:// complète (sans identifiant ni fragment).",
            "The address must be a full https:// URL (without credentials or fragment).",
        ),
        WebhookCode.WEBHOOK_ENDPOINT_LIMIT: Message(
            "Une organisation enregistre au plus {max} points de réception.",
            "An organisation registers at most {max} endpoints.",
        ),
    },
    area="dossiers.webhooks",
)
