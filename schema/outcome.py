"""What a failed operation answers and logs, on every transport (HTTP and WebSocket alike).

`ShapeErrors` rewrites the errors of a result before any transport formats them: a
`DomainError` becomes its code, field path and message in the caller's language; anything
unexpected becomes `INTERNAL_SERVER_ERROR` with no internal text. `GuichetSchema` logs each
failed operation once, by operation name, a hash of the document and the error codes: never
the document, its literals or its variables. An expected refusal is an info line; only a bug
(an unexpected exception) is logged at error level with its traceback.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from schema.errors import error_details
from schema.limits import limit_refusal
from tenants.errors import DomainError, Message, register_codes, render_message

log = logging.getLogger("guichet.graphql")

INTERNAL_CODE = "INTERNAL_SERVER_ERROR"
register_codes(
    {
        INTERNAL_CODE: Message(
            "Erreur interne du serveur : l'incident est enregistré.",
            "Internal server error: the incident was logged.",
        )
    },
    area="schema",
    user_errors=False,
)
# A document GraphQL refused before running it: it does not parse, or it does not fit the
# schema ("Cannot query field …", a variable of the wrong type).
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


def is_bug(error: GraphQLError) -> bool:
    """An error raised by our code that no rule expected (not a refusal, not a GraphQL error)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | DomainError)


def shape_error(error: GraphQLError, locale: str, *, suggestions: bool = True) -> GraphQLError:
    """The error as the client sees it (idempotent: a shaped error keeps its shape)."""
    original = error.original_error
    if isinstance(original, DomainError):
        first = original.errors[0]
        extensions: dict[str, Any] = {"code": first.code}
        if first.field:
            extensions["field"] = list(first.field)
        extensions.update(error_details(first.params))
        message = render_message(first.code, locale, first.params)
    elif is_bug(error):
        extensions = {"code": INTERNAL_CODE}
        message = render_message(INTERNAL_CODE, locale, {})
    elif (refusal := limit_refusal(error)) is not None:
        code, params = refusal
        extensions = {key: value for key, value in params.items() if value is not None}
        extensions["code"] = code
        message = render_message(code, locale, params)
    else:
        extensions = dict(error.extensions or {})
        if "code" in extensions and (suggestions or "Did you mean" not in error.message):
            return error  # already shaped
        extensions.setdefault("code", document_code(error))
        # graphql-core's text (safe and precise, in English), without guesses in production
        message = error.message if suggestions else _SUGGESTION.sub("", error.message)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def document_code(error: GraphQLError) -> str:
    """The code of an error graphql-core raised about the document itself."""
    return PARSE_FAILED if error.message.startswith("Syntax Error") else VALIDATION_FAILED


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, DomainError):
        return original.errors[0].code
    if is_bug(error):
        return INTERNAL_CODE
    refusal = limit_refusal(error)
    if refusal is not None:
        return refusal[0]
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    return document_code(error)


def _operation(execution_context: ExecutionContext | None) -> dict[str, Any]:
    if execution_context is None:
        return {}
    try:
        name = execution_context.operation_name
    except Exception:  # a document that does not parse has no operation
        name = None
    query = execution_context.query or ""
    return {
        # An operation name is an identifier; anything else a client sent is not logged.
        "operation": name if isinstance(name, str) and _NAME.fullmatch(name) else None,
        "document": hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()[:16],
    }


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """One line per failed operation (plus one per bug, with its traceback)."""
    described = _operation(execution_context)
    for error in errors:
        original = error.original_error
        if original is not None and is_bug(error):
            log.error(
                "unexpected error in an operation",
                exc_info=(type(original), original, original.__traceback__),
                extra=described | {"path": list(error.path or ())},
            )
    expected = [error_code(error) for error in errors if not is_bug(error)]
    if expected:
        log.info("operation refused", extra=described | {"codes": expected})


class GuichetSchema(strawberry.Schema):
    """Strawberry's schema, logging errors the way this module says (Strawberry's own logger
    writes the whole document, literals included, at error level)."""

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        log_errors(errors, execution_context)


class ShapeErrors(MaskErrors):
    """Strawberry's masking hook, applied to the result of every transport (HTTP, WebSocket,
    streams) before it is formatted."""

    suggestions = True

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        context = self.execution_context.context
        locale = getattr(context, "locale", "fr")
        return [shape_error(error, locale, suggestions=self.suggestions) for error in errors]


class ShapeErrorsWithoutSuggestions(ShapeErrors):
    """Production: a refused name gets no "Did you mean …?" (introspection by guessing)."""

    suggestions = False
