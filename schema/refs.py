"""References across schema areas, without importing the area that owns the type.

A field of one area that answers another area's type names it here, lazily
(`strawberry.lazy`), and resolves it through `node_of` (the registry of node types, filled
by each owning area): the owning area decides what the viewer may see, and no area imports
another back. Importing nothing of the areas, this module is a leaf of the schema graph.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from schema.context import Info
from schema.nodes import NODE_TYPES, VisibleNode

# The type checker sees the common base; GraphQL the owning area's type (its name is only a
# string here, resolved by Strawberry when the schema is built).
if TYPE_CHECKING:
    OrganisationRef = VisibleNode
    EstablishmentRef = VisibleNode
    MandateRef = VisibleNode
    MembershipRef = VisibleNode
else:
    _ORGANISATION, _REQUEST = "schema.organisation.types", "schema.organisation.request_fields"
    OrganisationRef = Annotated["OrganisationNode", strawberry.lazy(_ORGANISATION)]  # noqa: F821
    EstablishmentRef = Annotated["EstablishmentNode", strawberry.lazy(_REQUEST)]  # noqa: F821
    MandateRef = Annotated["MandateNode", strawberry.lazy("schema.delegation.types")]  # noqa: F821
    MembershipRef = Annotated["MembershipNode", strawberry.lazy("schema.delegation.members")]  # noqa: F821


async def node_of(info: Info, type_name: str, id_: uuid.UUID | None) -> Any:
    """The node of that type and id, as its area resolves it for `node(id:)`: null when
    missing or not the viewer's to see."""
    if id_ is None:
        return None
    [node] = await NODE_TYPES[type_name].visible_nodes(info, [str(id_)])
    return node


async def nodes_of(info: Info, type_name: str, ids: Sequence[uuid.UUID]) -> list[Any]:
    """`node_of` for many ids at once (one batch)."""
    return list(await NODE_TYPES[type_name].visible_nodes(info, [str(i) for i in ids]))


async def _organisation(root: Any, info: Info) -> OrganisationRef | None:
    organisation: OrganisationRef | None = await node_of(info, "Organisation", root.organisation_id)
    return organisation


def organisation_field(
    description: str = "L'organisation à laquelle cela appartient (null si la personne "
    "connectée ne peut pas la voir).",
) -> Any:
    """The back-reference of every row that belongs to an organisation (its
    `organisation_id`): the organisation, when the viewer may see it."""
    return strawberry.field(resolver=_organisation, description=description)
