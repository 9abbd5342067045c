"""Relay cursor connections (`first`/`after`, at most 100, with `totalCount`)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from tenants.pagination import Page, PageKey, check_first, check_page

N = TypeVar("N")

First = Annotated[
    int | None,
    strawberry.argument(description="Nombre d'éléments de la page, 100 au plus."),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Commencer après ce curseur (le `pageInfo.endCursor` de la page "
        "précédente) ; sans curseur, au début."
    ),
]
"""The arguments of every connection field: `first: First = 20, after: After = None`."""


@strawberry.type(description="Où en est la pagination.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Vrai s'il reste des éléments après.")
    has_previous_page: bool = strawberry.field(
        description="Vrai si la page commence après un curseur (des éléments la précèdent)."
    )
    start_cursor: str | None = strawberry.field(
        description="Le curseur du premier élément de la page (null si elle est vide)."
    )
    end_cursor: str | None = strawberry.field(
        description="Le curseur du dernier élément : l'`after` de la page suivante (null si "
        "elle est vide)."
    )


@strawberry.type(description="Un élément d'une page et son curseur.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(description="Curseur opaque de cet élément.")
    node: N = strawberry.field(description="L'élément.")


@strawberry.type(description="Une page d'une liste (pagination Relay : `first` / `after`).")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(
        description="Les éléments de la page et leurs curseurs."
    )
    page_info: PageInfo = strawberry.field(description="Où en est la pagination.")
    total_count: int = strawberry.field(description="Nombre total d'éléments.")

    @strawberry.field(description="Les éléments de la page, sans les curseurs.")
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def to_connection(page: Page[Any], convert: Callable[[Any], N]) -> Connection[N]:
    edges = [Edge(cursor=cursor, node=convert(row)) for cursor, row in page.items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total_count,
    )


PageBatch = Callable[[AsyncSession, Sequence[PageKey]], Awaitable[list[Page[Any]]]]


def empty_connection(first: int | None, after: str | None) -> Connection[Any]:
    """The answer of a non-null connection on a portal that does not offer it (the
    arguments are still checked)."""
    check_first(first)
    return to_connection(Page([], False, after is not None, 0), lambda row: row)


async def nested_page(
    info: Info,
    load: PageBatch,
    parent: uuid.UUID,
    first: int | None,
    after: str | None,
    *filters: Any,
) -> Page[Any]:
    """A page of one parent's rows, read with the same page of every other parent of the
    response (one batch of the service's per-parent page loader `load`)."""
    check_page(first, after)
    loader = info.context.loaders.custom(load, load)
    page: Page[Any] = await loader.load(PageKey(parent, first, after, tuple(filters)))
    return page
