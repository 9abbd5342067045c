"""The registry of Relay node types, by GraphQL name: what `node`/`nodes` can resolve.

Each area's types module registers its nodes with `@register_node` (under the
`@strawberry.type` decorator); `schema.build_schema` lists them all.
"""

from __future__ import annotations

from typing import Any, TypeVar

from strawberry.types.base import get_object_definition

T = TypeVar("T")

NODE_TYPES: dict[str, Any] = {}


def register_node(cls: T) -> T:
    name = get_object_definition(cls, strict=True).name
    NODE_TYPES[name] = cls
    return cls
