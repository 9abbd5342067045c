"""One check over every string a client sends, before anything reads it.

A lone surrogate (`"\\ud800"` in JSON) is not text: it breaks Python's codecs when echoed
back; a NUL byte is refused by PostgreSQL. Both are refused here, for every operation on every
transport, in the variables (keys and values), the operation name and the document's string
literals, with the code `INVALID_CHARACTERS` and the path of the offending value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from tenants.errors import CommonCode, render_message

_ODD = re.compile("[\x00\ud800-\udfff]")


def has_odd_characters(text: str) -> bool:
    return _ODD.search(text) is not None


def _odd_in_value(value: Any, path: list[str]) -> list[str] | None:
    if isinstance(value, str):
        return path if has_odd_characters(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if has_odd_characters(str(key)):
                return [*path, "?"]
            found = _odd_in_value(item, [*path, str(key)])
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _odd_in_value(item, [*path, str(index)])
            if found is not None:
                return found
    return None


def _literal_paths(value: ValueNode, path: list[str]) -> Iterator[tuple[list[str], str]]:
    if isinstance(value, StringValueNode):
        yield path, value.value
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from _literal_paths(field.value, [*path, field.name.value])
    elif isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            yield from _literal_paths(item, [*path, str(index)])


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] | None = None

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        for argument in node.arguments or ():
            self._check(argument)

    def _check(self, argument: ArgumentNode) -> None:
        for path, text in _literal_paths(argument.value, [argument.name.value]):
            if self.found is None and has_odd_characters(text):
                self.found = path


def odd_literal(document: DocumentNode) -> list[str] | None:
    visitor = _Literals()
    visit(document, visitor)
    return visitor.found


class RefuseOddCharacters(SchemaExtension):
    """Runs once the document is parsed, after the validation rules (so after the validation
    cache): the refusal is added to the validation errors, which every execution path (HTTP's
    `execute`, WebSocket's `stream`) answers before anything reads a value."""

    def _refuse(self, field: list[str]) -> GraphQLError:
        locale = getattr(self.execution_context.context, "locale", "fr")
        code = CommonCode.INVALID_CHARACTERS
        return GraphQLError(
            render_message(code, locale, {}),
            extensions={"code": str(code), "field": field},
        )

    def _odd_field(self) -> list[str] | None:
        ctx = self.execution_context
        name = ctx._provided_operation_name
        if isinstance(name, str) and has_odd_characters(name):
            return ["operationName"]
        if ctx.query is not None and has_odd_characters(ctx.query):
            return ["query"]
        found = _odd_in_value(ctx.variables or {}, [])
        if found is None and ctx.graphql_document is not None:
            found = odd_literal(ctx.graphql_document)
        return found

    def on_validate(self) -> Iterator[None]:
        found = self._odd_field()
        if found is not None:
            ctx = self.execution_context
            ctx.pre_execution_errors = [*(ctx.pre_execution_errors or ()), self._refuse(found)]
        yield
