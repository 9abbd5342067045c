"""The lean execution of plain fields: a leaf read straight from its object.

graphql-core executes every field the same way: it builds a `GraphQLResolveInfo` (Strawberry
an `Info` on top for resolvers that ask for it), calls the field's resolver, then completes
the value. For a leaf (scalar or enum) with no resolver, no argument and no extension, that
machinery only reads an attribute and serialises it; a dashboard page of 50 rows has about
750 such fields. `LeanExecutionContext` answers them in its `execute_fields` (graphql-core
3.3's, with that shortcut), planned once per schema:

- a *plain* field (Strawberry's "basic" field: no resolver, no permission, no extension) is
  `getattr(source, python_name)` serialised by its GraphQL type, exactly what
  `complete_leaf_value` does;
- the Relay `id` of a node type that keeps Strawberry's `resolve_id` and `resolve_typename`
  is the same `GlobalID(type name, str(node id))`, serialised the same way (the format of
  every global ID is unchanged).

Anything else, and any value the shortcut cannot finish (a null on a non-null field, an
error), goes through graphql-core's own `execute_field`, which answers it as before (errors
on their path included). The shortcut adds no field hook: schema extensions run once per
operation, never per field.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField


@dataclass(frozen=True, slots=True)
class LeafPlan:
    """How to read one leaf field of one object type without its resolver."""

    attribute: str
    leaf: GraphQLLeafType
    non_null: bool
    node: type[relay.Node] | None = None  # set for a Relay `id`: the node type it belongs to


Plans = dict[tuple[str, str], LeafPlan]
PLANS: weakref.WeakKeyDictionary[GraphQLSchema, Plans] = weakref.WeakKeyDictionary()

_RESOLVE_ID = relay.Node.resolve_id.__func__  # type: ignore[attr-defined]
_RESOLVE_TYPENAME = relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]


def _default_node_id(origin: type[relay.Node]) -> bool:
    return (
        getattr(origin.resolve_id, "__func__", None) is _RESOLVE_ID
        and getattr(origin.resolve_typename, "__func__", None) is _RESOLVE_TYPENAME
    )


def _global_id_is_base64(leaf: GraphQLLeafType) -> bool:
    """The ID scalar writes a `GlobalID` as Relay's base64 of `Type:id` (what `_leaf` writes
    without building one)."""
    try:
        sample = leaf.coerce_output_value(relay.GlobalID(type_name="Type", node_id="1"))
    except Exception:  # a scalar that cannot write it: left to the resolver
        return False
    return bool(sample == relay.to_base64("Type", "1"))


def _plan(type_: GraphQLObjectType, field: GraphQLField) -> LeafPlan | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.args:
        return None
    output = field.type
    non_null = isinstance(output, GraphQLNonNull)
    leaf = output.of_type if isinstance(output, GraphQLNonNull) else output
    if not is_leaf_type(leaf):
        return None
    if (
        definition.is_basic_field
        and definition.default_resolver is getattr
        and getattr(field.resolve, "_is_default", False)
    ):
        return LeafPlan(definition.python_name, leaf, non_null)
    owner = (type_.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = owner.origin if isinstance(owner, StrawberryObjectDefinition) else None
    if (
        definition.python_name == "_id"
        and not definition.extensions
        and isinstance(origin, type)
        and issubclass(origin, relay.Node)
        and _default_node_id(origin)
        and _global_id_is_base64(leaf)
    ):
        return LeafPlan(origin.resolve_id_attr(), leaf, non_null, node=origin)
    return None


def plan_schema(schema: GraphQLSchema) -> Plans:
    """The leaf fields every object type of this schema can read directly."""
    plans: Plans = {}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            plan = _plan(type_, field)
            if plan is not None:
                plans[type_.name, name] = plan
    PLANS[schema] = plans
    return plans


def _leaf(plan: LeafPlan, type_name: str, source: Any) -> Any:
    """The serialised value, or `Undefined` to let graphql-core answer the field."""
    try:
        if plan.node is not None:
            if type(source) is not plan.node:
                return Undefined
            node_id = getattr(source, plan.attribute)
            if node_id is None:
                return Undefined
            return relay.to_base64(type_name, str(node_id))  # the GlobalID's own format
        value = getattr(source, plan.attribute)
        if value is None:
            return Undefined if plan.non_null else None
        coerced = plan.leaf.coerce_output_value(value)
    except Exception:  # graphql-core's path raises it again, on the field's path
        return Undefined
    if coerced is None or coerced is Undefined:
        return Undefined
    return coerced


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain leaves read without their resolver."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plans = PLANS.get(self.schema)
        if plans is None:
            plans = plan_schema(self.schema)
        # A schema extension with a `resolve` hook is graphql-core middleware, wrapped around
        # every field: then nothing is read directly (this schema has none).
        manager = self.middleware_manager
        wrapped = manager is not None and bool(manager.middlewares)
        self.plans = {} if wrapped else plans

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core 3.3's `execute_fields`, where a planned leaf is answered in place:
        no `Path`, no `GraphQLResolveInfo`, no resolver call, no awaitable check."""
        plans = self.plans
        if not plans:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        type_name = parent_type.name
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                plan = plans.get((type_name, node.name.value))
                if plan is not None and not node.arguments:
                    value = _leaf(plan, type_name, source_value)
                    if value is not Undefined:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, type_name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()
