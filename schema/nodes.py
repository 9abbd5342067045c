"""The registry of Relay node types, by GraphQL name: what `node`/`nodes` can resolve.

Each area's types module registers its nodes with `@register_node` (under the
`@strawberry.type` decorator); `schema.build_schema` lists them all.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

NODE_TYPES: dict[str, Any] = {}


def register_node(cls: T) -> T:
    name = cls.__strawberry_definition__.name  # type: ignore[attr-defined]
    NODE_TYPES[name] = cls
    return cls
