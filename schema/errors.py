"""`UserError` and the `ErrorCode` enum, built from every area's catalogue of codes, and the
one shape of an error's machine-readable details (`error_details`): the same names, typed,
on a payload's `UserError` and in a GraphQL error's `extensions`."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

import auth.account.errors
import auth.delegation.errors
import auth.habilitation.errors
import auth.organisation.errors  # noqa: F401 - registers the organisation codes
import dossiers.company.errors
import dossiers.deposit.errors
import dossiers.dossier.errors
import dossiers.messaging.errors
import dossiers.public.errors
import dossiers.title.errors
import dossiers.webhooks.errors  # noqa: F401 - registers the company, title and webhook codes
from schema.enums import MandateScope, Permission, described_enum
from tenants.errors import DomainError, FieldError, catalogue, render_message

if TYPE_CHECKING:

    class ErrorCode(StrEnum):
        """The codes are the areas' catalogues, gathered at import time."""

else:
    ErrorCode = described_enum(
        "ErrorCode",
        "Code stable d'une erreur attendue (le message suit la langue demandée).",
        {code: (code, message.fr) for code, message in sorted(catalogue().items())},
    )


# A service's error parameter → its GraphQL name (in `UserError` and in `extensions`).
# Only these are details; the other parameters only fill the message.
DETAILS = {
    "permission": "permission",
    "scope": "scope",
    "line": "line",
    "column_number": "column",
    "retry_after": "retryAfterSeconds",
    "max": "max",
}


ENUMS: dict[str, Any] = {"permission": Permission, "scope": MandateScope}


def error_details(params: Mapping[str, Any]) -> dict[str, Any]:
    """The machine-readable details of an error, under their GraphQL names (absent: not
    given). `permission` is a `Permission` code, `scope` a `MandateScope` one; the others are
    whole numbers."""
    details: dict[str, Any] = {}
    for param, name in DETAILS.items():
        value = params.get(param)
        if value is None:
            continue
        if name in ENUMS:
            if str(value) in ENUMS[name].__members__:
                details[name] = str(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            details[name] = value
    return details


@strawberry.type(
    description="Une erreur attendue : code stable, champ fautif, message, et les détails "
    "lisibles par un programme que le code prévoit (les mêmes noms que dans les "
    "`extensions` d'une erreur GraphQL)."
)
class UserError:
    code: ErrorCode = strawberry.field(description="Le code stable, à tester par programme.")
    field: list[str] | None = strawberry.field(
        description='Chemin du champ fautif depuis les arguments, ex. ["input", "email"].'
    )
    message: str = strawberry.field(description="Message en français ou en anglais.")
    permission: Permission | None = strawberry.field(
        default=None,
        description="PERMISSION_MISSING : le droit délégué qui manque au gestionnaire.",
    )
    scope: MandateScope | None = strawberry.field(
        default=None,
        description="MANDATE_SCOPE_MISSING : la portée que le mandat ne donne pas.",
    )
    line: int | None = strawberry.field(
        default=None,
        description="Erreur d'un fichier CSV : le numéro de la ligne (l'en-tête est la ligne 1).",
    )
    column: int | None = strawberry.field(
        default=None,
        description="Erreur d'un fichier CSV : le numéro de la colonne (la première est 1).",
    )
    retry_after_seconds: int | None = strawberry.field(
        default=None,
        description="TOO_MANY_REQUESTS, ACCOUNT_LOCKED : le nombre de secondes à attendre "
        "avant de réessayer.",
    )
    max: int | None = strawberry.field(
        default=None,
        description="Le maximum dépassé (TOO_LONG, TOO_MANY_IDS, PAGE_SIZE_TOO_LARGE…).",
    )


def to_user_error(error: FieldError, locale: str) -> UserError:
    field = ["input", *error.field] if error.field else None
    details = error_details(error.params)
    for name, enum in ENUMS.items():
        if name in details:
            details[name] = enum(details[name])
    return UserError(
        code=ErrorCode[error.code],
        field=field,
        message=render_message(error.code, locale, error.params),
        permission=details.get("permission"),
        scope=details.get("scope"),
        line=details.get("line"),
        column=details.get("column"),
        retry_after_seconds=details.get("retryAfterSeconds"),
        max=details.get("max"),
    )


def retry_after(exc: DomainError) -> int | None:
    """The longest wait a refusal asks for, in seconds (for HTTP's `Retry-After`)."""
    waits = [e.params["retry_after"] for e in exc.errors if "retry_after" in e.params]
    return max(waits) if waits else None


def to_user_errors(exc: DomainError, locale: str) -> list[UserError]:
    return [to_user_error(error, locale) for error in exc.errors]
