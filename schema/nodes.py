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

NODE_DESCRIPTION = "Un objet qui a un identifiant global (Relay) : `node(id:)` le retrouve."
NODE_ID_DESCRIPTION = (
    "L'identifiant global de cet objet : opaque, propre à un objet d'un seul type, stable."
)


def _describe_relay_node() -> None:
    """Strawberry's `Node` interface, and the `id` field every node inherits from it, carry
    English descriptions; this schema speaks French. Set once, before any node type is
    decorated (each copies the interface's fields)."""
    definition = get_object_definition(relay.Node, strict=True)
    definition.description = NODE_DESCRIPTION
    for field in definition.fields:
        if field.python_name == "_id":
            field.description = NODE_ID_DESCRIPTION


_describe_relay_node()


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
