"""Domain errors with stable codes, shared by every area.

A service raises `DomainError` with one or more `FieldError`s; the transaction is rolled back
and the API turns each into a `UserError` (code, field path, message in the caller's language).
Each area declares its codes and their French and English messages in its own `errors.py`
and registers them here, so the API has one catalogue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Message:
    fr: str
    en: str

    def render(self, locale: str, params: Mapping[str, Any]) -> str:
        template = self.en if locale == "en" else self.fr
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return template


_CATALOGUE: dict[str, tuple[Message, str]] = {}
_OUTSIDE_PAYLOADS: set[str] = set()


def register_codes(messages: Mapping[Any, Message], area: str, *, user_errors: bool = True) -> None:
    """Add an area's codes to the catalogue; a code means one thing across the API.

    `user_errors=False`: refusals answered at the HTTP level before any mutation runs (an
    unknown tenant, an invalid token): their messages live here too, but they never appear
    in a payload's `errors`, so they are not members of the GraphQL `ErrorCode` enum."""
    for key, message in messages.items():
        code = str(key.value) if isinstance(key, StrEnum) else str(key)
        existing = _CATALOGUE.get(code)
        if existing is not None and existing[1] != area:
            raise ValueError(f"error code {code} declared by {existing[1]} and {area}")
        _CATALOGUE[code] = (message, area)
        if not user_errors:
            _OUTSIDE_PAYLOADS.add(code)


def catalogue() -> Mapping[str, Message]:
    """The codes a payload's `errors` can carry (the `ErrorCode` enum)."""
    return {
        code: message
        for code, (message, _area) in _CATALOGUE.items()
        if code not in _OUTSIDE_PAYLOADS
    }


def render_message(code: str, locale: str, params: Mapping[str, Any]) -> str:
    entry = _CATALOGUE.get(code)
    if entry is None:
        return code
    return entry[0].render(locale, params)


@dataclass(frozen=True)
class FieldError:
    code: str
    field: tuple[str, ...] | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class DomainError(Exception):
    """An expected failure: nothing the service did is kept (unless `keep_changes`)."""

    keep_changes = False

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__(", ".join(error.code for error in errors))
        self.errors: tuple[FieldError, ...] = tuple(errors)

    @classmethod
    def one(cls, code: str, field: Sequence[str] | None = None, **params: Any) -> DomainError:
        return cls([FieldError(code, tuple(field) if field is not None else None, params)])


class KeptRefusal(DomainError):
    """A refusal whose side effects must be committed: a failed sign-in counts, a replayed
    refresh token revokes its family."""

    keep_changes = True


class CommonCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_FORMAT = "INVALID_FORMAT"
    INVALID_DATE = "INVALID_DATE"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    NOT_FOUND = "NOT_FOUND"
    TOO_MANY_IDS = "TOO_MANY_IDS"
    NOT_AVAILABLE_ON_THIS_PORTAL = "NOT_AVAILABLE_ON_THIS_PORTAL"
    INVALID_CHARACTERS = "INVALID_CHARACTERS"
    INVALID_CURSOR = "INVALID_CURSOR"
    PAGE_SIZE_TOO_LARGE = "PAGE_SIZE_TOO_LARGE"


register_codes(
    {
        CommonCode.REQUIRED: Message("Ce champ est obligatoire.", "This field is required."),
        CommonCode.TOO_LONG: Message(
            "Ce champ ne doit pas dépasser {max} caractères.",
            "This field must not exceed {max} characters.",
        ),
        CommonCode.INVALID_FORMAT: Message(
            "Le format de ce champ n'est pas valide.", "This field's format is not valid."
        ),
        CommonCode.INVALID_DATE: Message("Cette date n'est pas valide.", "This date is not valid."),
        CommonCode.TOO_MANY_REQUESTS: Message(
            "Trop de demandes : réessayez dans {retry_after} secondes.",
            "Too many requests: try again in {retry_after} seconds.",
        ),
        CommonCode.NOT_FOUND: Message("Cet objet n'existe pas.", "This object does not exist."),
        CommonCode.TOO_MANY_IDS: Message(
            "Au plus {max} identifiants à la fois.", "At most {max} IDs at a time."
        ),
        CommonCode.NOT_AVAILABLE_ON_THIS_PORTAL: Message(
            "Ce service n'est pas proposé sur ce portail (voir tenant.capabilities).",
            "This service is not offered on this portal (see tenant.capabilities).",
        ),
        CommonCode.INVALID_CHARACTERS: Message(
            "Ce texte contient des caractères interdits (caractère nul ou Unicode invalide).",
            "This text contains forbidden characters (a NUL character or invalid Unicode).",
        ),
        CommonCode.INVALID_CURSOR: Message(
            "Ce curseur de pagination n'est pas valide : reprenez-le d'une page reçue.",
            "This pagination cursor is not valid: take it from a page you received.",
        ),
        CommonCode.PAGE_SIZE_TOO_LARGE: Message(
            "Trop d'éléments demandés par page (first) : {max} au plus.",
            "Too many items asked per page (first): {max} at most.",
        ),
    },
    area="tenants",
)
