"""Depth, alias, size and cost limits; introspection off in production; parse/validation caches.

The alias limit of Strawberry (0.315.7 and later) counts the aliases of a fragment each time
it is spread, so fragments cannot multiply aliases past it (tested in
tests/api/test_limits.py). Every refusal gets a code and a message from the catalogue,
French or English (`limit_refusal`, used by `schema/outcome.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as create_alias_validator
from strawberry.extensions.query_depth_limiter import (
    create_validator as create_depth_validator,
)

from tenants.errors import Message, register_codes
from tenants.pagination import DEFAULT_PAGE, MAX_PAGE

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"

# Refused before anything runs: never in a payload's `errors`, only in `extensions.code`.
LIMIT_CODES = {
    QUERY_TOO_DEEP: Message(
        "Requête trop profonde : au plus {max} niveaux imbriqués.",
        "Query too deep: at most {max} nested levels.",
    ),
    TOO_MANY_ALIASES: Message(
        "Trop d'alias : {count} pour un maximum de {max} (les alias d'un fragment comptent "
        "à chaque utilisation).",
        "Too many aliases: {count} for a maximum of {max} (a fragment's aliases count each "
        "time it is spread).",
    ),
    QUERY_TOO_COSTLY: Message(
        "Requête trop coûteuse : {cost} pour un maximum de {max}. "
        "Demandez moins d'éléments par page ou moins de champs.",
        "Query too costly: {cost} for a maximum of {max}. "
        "Ask for fewer items per page or fewer fields.",
    ),
    QUERY_TOO_LARGE: Message(
        "Requête trop longue : plus de {max} symboles (tokens).",
        "Query too large: more than {max} tokens.",
    ),
    QUERY_TOO_COMPLEX: Message(
        "Requête trop complexe à valider : répétez moins les mêmes champs et fragments.",
        "Query too complex to validate: repeat the same fields and fragments less.",
    ),
}
register_codes(LIMIT_CODES, area="limits", user_errors=False)

# graphql-core's parser and Strawberry's depth and alias rules report without a code, in
# English; their messages are recognised here (tests/api/test_limits.py fails if they change).
_TOO_MANY_TOKENS = re.compile(r"^Syntax Error: Document contains more than (\d+) tokens")
_TOO_DEEP = re.compile(r"exceeds maximum operation depth of (\d+)$")
_TOO_MANY_ALIASES = re.compile(r"^(\d+) aliases found\. Allowed: (\d+)$")


def limit_refusal(error: GraphQLError) -> tuple[str, dict[str, Any]] | None:
    """The code and parameters of an error raised by one of the limits, else None."""
    if error.original_error is not None:
        return None  # raised while resolving: not a limit
    extensions = error.extensions or {}
    if extensions.get("code") == QUERY_TOO_COSTLY:
        return QUERY_TOO_COSTLY, {"cost": extensions.get("cost"), "max": extensions.get("max")}
    if isinstance(error, ValidationAbortedError) or error.message.endswith(
        "Validation aborted."
    ):  # graphql-core's own validation budget (overlapping fields, fragments)
        return QUERY_TOO_COMPLEX, {}
    if found := _TOO_MANY_TOKENS.match(error.message):
        return QUERY_TOO_LARGE, {"max": int(found.group(1))}
    if found := _TOO_DEEP.search(error.message):
        return QUERY_TOO_DEEP, {"max": int(found.group(1))}
    if found := _TOO_MANY_ALIASES.match(error.message):
        return TOO_MANY_ALIASES, {"count": int(found.group(1)), "max": int(found.group(2))}
    return None


def cost_rule(max_cost: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        """A field costs 1; a field taking `first` multiplies its selection by it (a variable
        counts as the maximum page, an absent one as the default page)."""

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = schema.get_root_type(node.operation)
            if root is None:
                return
            cost = self._selection_cost(node.selection_set, root, set())
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        LIMIT_CODES[QUERY_TOO_COSTLY].render("fr", {"cost": cost, "max": max_cost}),
                        node,
                        extensions={"code": QUERY_TOO_COSTLY, "cost": cost, "max": max_cost},
                    )
                )

        def _selection_cost(
            self, selection_set: SelectionSetNode | None, parent: Any, seen: set[str]
        ) -> int:
            if selection_set is None:
                return 0
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    total += self._field_cost(selection, parent, seen)
                elif isinstance(selection, InlineFragmentNode):
                    target = parent
                    if selection.type_condition is not None:
                        target = self.context.schema.get_type(selection.type_condition.name.value)
                    total += self._selection_cost(selection.selection_set, target, seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.context.get_fragment(name)
                    if fragment is None or name in seen:
                        continue
                    target = self.context.schema.get_type(fragment.type_condition.name.value)
                    total += self._selection_cost(fragment.selection_set, target, seen | {name})
            return total

        def _field_cost(self, node: FieldNode, parent: Any, seen: set[str]) -> int:
            if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                return 1
            definition = parent.fields.get(node.name.value)
            if definition is None:
                return 1
            child_type = get_named_type(definition.type)
            multiplier = 1
            if "first" in definition.args:
                multiplier = DEFAULT_PAGE
                for argument in node.arguments or ():
                    if argument.name.value != "first":
                        continue
                    if isinstance(argument.value, IntValueNode):
                        multiplier = max(1, int(argument.value.value))
                    elif isinstance(argument.value, VariableNode):
                        multiplier = MAX_PAGE
            return 1 + multiplier * self._selection_cost(node.selection_set, child_type, seen)

    return CostLimit


def limit_extensions(
    *,
    production: bool,
    max_depth: int,
    max_aliases: int,
    max_cost: int,
    max_tokens: int,
) -> list[Callable[[], SchemaExtension]]:
    """The rule classes are built once, so the validation cache (keyed by the document and
    the rules) answers repeated operations without validating them again."""
    rules: list[type[ASTValidationRule]] = [
        create_depth_validator(max_depth, None, None),
        create_alias_validator(max_aliases),
        cost_rule(max_cost),
    ]
    if production:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories: Strawberry builds fresh extension objects per request; the parse and
    # validation caches live at module level, shared by every request.
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(rules),
    ]
