"""The `Upload` scalar, strict: a file is only ever a part of a GraphQL multipart request
(the spec's `map` puts it in the variables). A string typed inline, or a JSON value given as
the variable, is a bad input answered as such (a GraphQL validation error on that argument),
never a crash in the resolver that reads it."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, ValueNode
from strawberry.types.scalar import ScalarDefinition, scalar

NOT_A_FILE = "Un fichier s'envoie en partie d'une requête multipart (a file is a multipart part)."


def _refused() -> GraphQLError:
    # A GraphQLError (not a ValueError) so that GraphQL reports it as the bad input it is.
    return GraphQLError(NOT_A_FILE, extensions={"code": "INVALID_FORMAT"})


def _file_only(value: Any) -> Any:
    if not callable(getattr(value, "read", None)) or not isinstance(
        getattr(value, "filename", None), str | None
    ):
        raise _refused()
    return value


def _no_literal(_node: ValueNode, _variables: dict[str, Any] | None = None) -> Any:
    raise _refused()


STRICT_UPLOAD: ScalarDefinition = scalar(
    name="Upload",
    description="Un fichier (voir `schema.scalars`).",
    serialize=lambda v: v,
    parse_value=_file_only,
    parse_literal=_no_literal,
)
