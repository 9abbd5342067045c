"""`schema.execution.LeanExecutionContext` answers exactly what graphql-core's own execution
answers: the same data (global IDs included) and the same errors on the same paths, for the
fields it reads directly and for those it leaves to their resolvers.

A small schema of the same shapes as the API's (a Relay node with plain fields, an enum, a
custom ID, a non-null field holding null, a resolver, an argument) is executed twice, once
with Strawberry's execution context and once with the lean one; then the API's own schema is
checked to plan the dashboard's leaves and nothing that has a resolver."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import pytest
import strawberry
from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission

from schema import build_schema
from schema.execution import LeanExecutionContext, plan_schema


@strawberry.enum
class Shade(enum.Enum):
    GREEN = "green"
    RED = "red"


class Never(BasePermission):
    message = "refusé"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Item(relay.Node):
    id: relay.NodeID[str]
    name: str
    shade: Shade
    note: str | None
    broken: str  # holds None in one row: a non-null field answered null
    secret: str | None = strawberry.field(permission_classes=[Never], default="caché")

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times

    @classmethod
    def resolve_nodes(cls, *, info: Any, node_ids: Iterable[str], required: bool = False) -> Any:
        return [None for _ in node_ids]


@strawberry.type
class Custom(relay.Node):
    """A node with its own `resolve_id`: left to Strawberry's resolver."""

    key: relay.NodeID[str]

    @classmethod
    def resolve_id(cls, root: Any, *, info: Any) -> str:
        return f"custom-{root.key}"

    @classmethod
    def resolve_nodes(cls, *, info: Any, node_ids: Iterable[str], required: bool = False) -> Any:
        return [None for _ in node_ids]


ITEMS: list[Item | None] = [
    Item(id="1", name="un", shade=Shade.GREEN, note=None, broken="ok"),
    Item(id="2", name="deux", shade=Shade.RED, note="n", broken=None),  # type: ignore[arg-type]
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS

    @strawberry.field
    def custom(self) -> Custom:
        return Custom(key="k")


QUERY = """{
  items { id name shade note secret shout(times: 2) __typename alias: name broken }
  custom { id }
}"""


def run(context_class: type[LeanExecutionContext] | None) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    result = schema.execute_sync(QUERY)
    return {
        "data": result.data,
        "errors": sorted((str(e.path), e.message) for e in result.errors or ()),
    }


def test_same_answers_and_errors_as_graphql_core() -> None:
    plain = run(None)
    lean = run(LeanExecutionContext)
    assert lean == plain
    first = plain["data"]["items"][0]
    assert first["id"] == relay.to_base64("Item", "1")
    assert first["shade"] == "GREEN" and first["secret"] is None
    assert plain["data"]["items"][1] is None
    assert {path for path, _ in plain["errors"]} == {
        "['items', 0, 'secret']",
        "['items', 1, 'broken']",
        "['items', 1, 'secret']",
    }
    assert plain["data"]["custom"]["id"] == relay.to_base64("Custom", "custom-k")


def test_plans_only_fields_without_resolver() -> None:
    schema = strawberry.Schema(query=Query)
    plans = plan_schema(schema._schema)
    assert {name for type_name, name in plans if type_name == "Item"} == {
        "id",
        "name",
        "shade",
        "note",
        "broken",
    }
    assert ("Custom", "id") not in plans


@pytest.mark.parametrize(
    ("type_name", "field", "planned"),
    [
        ("Employee", "id", True),
        ("Employee", "familyName", True),
        ("Employee", "colour", True),
        ("Label", "id", True),
        ("Label", "name", True),
        ("Label", "employeeCount", False),  # a resolver (DataLoader)
        ("EmployeeEdge", "cursor", True),
        ("PageInfo", "endCursor", True),
        ("EmployeeDashboardConnection", "totalCount", True),
        ("Organisation", "dashboard", False),  # arguments, an object, a resolver
    ],
)
def test_api_plans_the_dashboard_leaves(type_name: str, field: str, planned: bool) -> None:
    plans = plan_schema(build_schema()._schema)
    assert ((type_name, field) in plans) is planned


def test_plain_leaves_build_no_resolve_info() -> None:
    """The point of the shortcut: no `GraphQLResolveInfo` for a plain leaf or a Relay id."""
    built: list[str] = []

    class Recording(LeanExecutionContext):
        def build_resolve_info(self, field_def: Any, field_nodes: Any, *args: Any) -> Any:
            built.append(field_nodes[0].name.value)
            return super().build_resolve_info(field_def, field_nodes, *args)

    assert run(Recording) == run(None)
    assert sorted(set(built)) == [
        "__typename",
        "broken",  # the null of a non-null field, answered by graphql-core
        "custom",
        "id",
        "items",
        "secret",
        "shout",
    ]
    assert built.count("id") == 1  # Custom's own resolve_id; the two Item ids went direct


def test_a_resolve_hook_still_sees_every_field() -> None:
    """A schema extension with a per-field `resolve` hook (graphql-core middleware) turns the
    shortcut off: the hook is never skipped."""
    seen: list[str] = []

    class EveryField(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    schema = strawberry.Schema(
        query=Query, extensions=[EveryField], execution_context_class=LeanExecutionContext
    )
    assert schema.execute_sync("{ items { id name } }").data == {
        "items": [
            {"id": relay.to_base64("Item", "1"), "name": "un"},
            {"id": relay.to_base64("Item", "2"), "name": "deux"},
        ]
    }
    assert seen == ["items", "id", "name", "id", "name"]


@pytest.mark.parametrize("production", [False, True])
def test_the_api_schema_hooks_no_field(production: bool) -> None:
    """Every schema extension of the API hooks operations (parse, validate, execute), none
    each field: a `resolve` hook would cost every field of every response (and turn the lean
    execution off)."""
    schema = build_schema(production=production)
    extensions = [factory() for factory in schema.extensions]
    assert extensions
    assert [type(e).__name__ for e in extensions if e._implements_resolve()] == []
