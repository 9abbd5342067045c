"""The refusals the HTTP layer answers itself, before or around GraphQL, with their French and
English messages in the one catalogue (`tenants.errors`). They travel as
`{"errors": [{"message": …, "extensions": {"code": …}}]}` with an HTTP status, never in a
mutation's payload, so they are not `ErrorCode` members."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes, render_message


class HttpCode(StrEnum):
    TENANT_NOT_FOUND = "TENANT_NOT_FOUND"
    INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 - a code, not a secret
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    CSRF_PREFLIGHT_REQUIRED = "CSRF_PREFLIGHT_REQUIRED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


register_codes(
    {
        HttpCode.TENANT_NOT_FOUND: Message(
            "Portail inconnu ou non indiqué : utilisez /t/{{portail}}/graphql, l'en-tête "
            "X-Tenant ou le nom d'hôte du portail.",
            "Unknown or missing tenant: use /t/{{tenant}}/graphql, the X-Tenant header or "
            "the tenant's host name.",
        ),
        HttpCode.INVALID_TOKEN: Message(
            "Jeton d'accès invalide, expiré ou révoqué : reconnectez-vous.",
            "Invalid, expired or revoked access token.",
        ),
        HttpCode.REQUEST_TOO_LARGE: Message(
            "Requête trop volumineuse.",
            "Request too large.",
        ),
        HttpCode.CSRF_PREFLIGHT_REQUIRED: Message(
            "Une requête multipart doit porter un en-tête Authorization, ou "
            "Apollo-Require-Preflight (ou X-Requested-With).",
            "Multipart requests need an Authorization header or an "
            "Apollo-Require-Preflight (or X-Requested-With) header.",
        ),
        HttpCode.INTERNAL_SERVER_ERROR: Message(
            "Erreur interne du serveur : l'incident est enregistré.",
            "Internal server error: the incident was logged.",
        ),
    },
    area="server",
    user_errors=False,
)


def http_message(code: HttpCode, locale: str) -> str:
    return render_message(code, locale, {})
