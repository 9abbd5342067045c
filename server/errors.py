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
    # Strawberry's refusals of a request it cannot read (answered BAD_REQUEST / HTTP_ERROR)
    BODY_NOT_JSON = "BODY_NOT_JSON"
    BODY_NOT_OBJECT = "BODY_NOT_OBJECT"
    NO_QUERY = "NO_QUERY"
    UNSUPPORTED_CONTENT_TYPE = "UNSUPPORTED_CONTENT_TYPE"
    HTTP_REFUSED = "HTTP_REFUSED"


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
        HttpCode.BODY_NOT_JSON: Message(
            "Requête HTTP refusée ({status}) : le corps n'est pas du JSON valide en UTF-8.",
            "Unable to parse request body as JSON",
        ),
        HttpCode.BODY_NOT_OBJECT: Message(
            "Requête HTTP refusée ({status}) : le corps doit être un objet JSON.",
            "The request body must be a JSON object.",
        ),
        HttpCode.NO_QUERY: Message(
            "Requête HTTP refusée ({status}) : aucune requête GraphQL dans le corps.",
            "No GraphQL query found in the request",
        ),
        HttpCode.UNSUPPORTED_CONTENT_TYPE: Message(
            "Requête HTTP refusée ({status}) : type de contenu non pris en charge "
            "(application/json).",
            "Unsupported content type",
        ),
        HttpCode.HTTP_REFUSED: Message(
            "Requête HTTP refusée ({status}).", "HTTP request refused ({status})."
        ),
    },
    area="server",
    user_errors=False,
)


def http_message(code: HttpCode, locale: str) -> str:
    return render_message(code, locale, {})


# Strawberry's reason (its English text) → our code, for `bad_request`.
BAD_REQUEST_REASONS = {
    "Unable to parse request body as JSON": HttpCode.BODY_NOT_JSON,
    "The request body must be a JSON object.": HttpCode.BODY_NOT_OBJECT,
    "No GraphQL query found in the request": HttpCode.NO_QUERY,
    "Unsupported content type": HttpCode.UNSUPPORTED_CONTENT_TYPE,
}
