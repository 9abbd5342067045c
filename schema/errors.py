"""`UserError` and the `ErrorCode` enum, built from every area's catalogue of codes."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

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
import dossiers.title.errors  # noqa: F401 - registers the company and title codes
from schema.enums import described_enum
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


@strawberry.type(description="Une erreur attendue : code stable, champ fautif, message.")
class UserError:
    code: ErrorCode = strawberry.field(description="Le code stable, à tester par programme.")
    field: list[str] | None = strawberry.field(
        description='Chemin du champ fautif depuis les arguments, ex. ["input", "email"].'
    )
    message: str = strawberry.field(description="Message en français ou en anglais.")


def to_user_error(error: FieldError, locale: str) -> UserError:
    field = ["input", *error.field] if error.field else None
    return UserError(
        code=ErrorCode[error.code],
        field=field,
        message=render_message(error.code, locale, error.params),
    )


def to_user_errors(exc: DomainError, locale: str) -> list[UserError]:
    return [to_user_error(error, locale) for error in exc.errors]
