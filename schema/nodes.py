"""Relay node types: their one base, and the registry by GraphQL name of what `node`/`nodes`
can resolve.

Every node type derives from `VisibleNode` and says, in `visible_nodes`, which of the asked
IDs the viewer may see (in order; `None` for what is missing, malformed, of another tenant or
not the viewer's, indistinguishably). Each area's types module registers its nodes with
`@register_node` (under the `@strawberry.type` decorator); `schema.build_schema` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from strawberry import relay
from strawberry.types.base import get_object_definition

from schema.context import Info


class VisibleNode(relay.Node):
    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> Sequence[Any]:
        """The nodes of these IDs the viewer may see, in order, `None` for the others."""
        raise NotImplementedError

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> Any:
        """Strawberry's hook: the same as `visible_nodes` (an awaitable)."""
        return cls.visible_nodes(info, node_ids)


N = TypeVar("N", bound=type[VisibleNode])

NODE_TYPES: dict[str, type[VisibleNode]] = {}


def register_node(cls: N) -> N:
    name = get_object_definition(cls, strict=True).name
    NODE_TYPES[name] = cls
    return cls
