"""The schema reads as one hand wrote it, checked on the built schema (by introspection of
graphql-core's types), generically: a type, field or mutation added later is held to the same
rules without touching this file.

- every type, field, argument, input field and enum value has a description, in French (no
  Strawberry or graphql-core English default left);
- each mutation takes one `input` of its own `<Mutation>Input` and answers its own
  `<Mutation>Payload`: `ok: Boolean!`, `errors: [UserError!]!`, the rest nullable;
- a connection is named `…Connection`; custom scalars say their specification
  (`@specifiedBy`);
- `RegisterInput`: the fields every portal requires are non-null, the others nullable, and
  each says which portal requires, accepts or ignores it (as README's table does).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    specified_scalar_types,
)
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition

from schema import build_schema
from tenants.packs import PACKS
from tenants.packs.base import RegistrationField

ROOT = Path(__file__).resolve().parents[2]

# Defaults of Strawberry and graphql-core that must never reach this schema.
ENGLISH_DEFAULTS = {
    "The Globally Unique ID of this object",
    "An object with a Globally Unique ID",
    "Date (isoformat)",
    "Date with time (isoformat)",
    "Time (isoformat)",
    "Decimal (fixed-point)",
    "Represents a file upload.",
    "Represents NULL values",
}
# Words of English prose that French text does not use.
ENGLISH_WORDS = re.compile(r"\b(the|this|of|with|and|which|represents|object|value)\b", re.I)


# What the issue found beside `ok` (`signedOut`, `changedCount`, `removedEmployeeId`…).
OTHER_SUCCESS_FLAG = re.compile(
    r"success\w*|succeeded|done|acknowledged|signedOut|changedCount|(removed|deleted)[A-Z]\w*"
)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def own_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    """The schema's types, not GraphQL's own (introspection, String, Int, Boolean, ID…)."""
    return [
        named
        for name, named in sorted(schema.type_map.items())
        if not name.startswith("__") and name not in specified_scalar_types
    ]


def described_elements(schema: GraphQLSchema) -> list[tuple[str, str | None]]:
    """(coordinate, description) of every element a client can see."""
    found: list[tuple[str, str | None]] = []
    for named in own_types(schema):
        found.append((named.name, named.description))
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                found.append((f"{named.name}.{field_name}", field.description))
                for arg_name, arg in field.args.items():
                    coordinate = f"{named.name}.{field_name}({arg_name}:)"
                    found.append((coordinate, arg.description))
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                found.append((f"{named.name}.{field_name}", input_field.description))
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                found.append((f"{named.name}.{value_name}", value.description))
    return found


def test_every_element_has_a_french_description(schema: GraphQLSchema) -> None:
    elements = described_elements(schema)
    assert len(elements) > 800  # the walk reaches fields, arguments and values
    missing = [where for where, text in elements if not (text or "").strip()]
    assert missing == [], f"{len(missing)} elements without a description: {missing}"
    english = [
        (where, text)
        for where, text in elements
        if text and (text in ENGLISH_DEFAULTS or ENGLISH_WORDS.search(text))
    ]
    # `Locale.EN` is described in its own language on purpose: « English ».
    assert english == [], english
    # as schema linters want them (graphql-schema-linter's descriptions-are-capitalized)
    uncapitalised = [(where, text) for where, text in elements if text and not text[0].isupper()]
    assert [x for x in uncapitalised if not x[1][0].isdigit()] == []


def test_the_english_check_knows_the_libraries_defaults() -> None:
    """The list follows the installed Strawberry (a default it renames is noticed here)."""
    assert DateDefinition.description in ENGLISH_DEFAULTS
    assert DateTimeDefinition.description in ENGLISH_DEFAULTS
    assert ENGLISH_WORDS.search("The Globally Unique ID of this object")
    assert not ENGLISH_WORDS.search("Le nom de l'organisation, tel qu'il figure au Kbis.")


def _pascal(name: str) -> str:
    return name[0].upper() + name[1:]


def test_each_mutation_owns_its_input_and_payload(schema: GraphQLSchema) -> None:
    mutation = schema.mutation_type
    assert mutation is not None
    inputs: Counter[str] = Counter()
    payloads: Counter[str] = Counter()
    for name, field in mutation.fields.items():
        assert list(field.args) == ["input"], f"{name}: one argument, `input`"
        input_type = get_named_type(field.args["input"].type)
        payload = field.type
        assert isinstance(payload, GraphQLNonNull), f"{name}: a payload is never null"
        payload_type = get_named_type(payload)
        assert input_type.name == f"{_pascal(name)}Input", (name, input_type.name)
        assert payload_type.name == f"{_pascal(name)}Payload", (name, payload_type.name)
        inputs[input_type.name] += 1
        payloads[payload_type.name] += 1
    shared = [n for n, count in (inputs + payloads).items() if count > 1]
    assert shared == []
    # and no other field of the schema takes or answers them
    for named in own_types(schema):
        if named is mutation or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in named.fields.items():
            assert get_named_type(field.type).name not in payloads, (named.name, field_name)


def test_every_payload_says_ok_and_errors_and_nothing_else_is_required(
    schema: GraphQLSchema,
) -> None:
    mutation = schema.mutation_type
    assert mutation is not None
    for name, field in mutation.fields.items():
        payload = get_named_type(field.type)
        assert isinstance(payload, GraphQLObjectType), name
        fields = payload.fields
        assert "ok" in fields and "errors" in fields, f"{payload.name} lacks ok/errors"
        assert str(fields["ok"].type) == "Boolean!", payload.name
        assert str(fields["errors"].type) == "[UserError!]!", payload.name
        for field_name, produced in fields.items():
            if field_name not in ("ok", "errors"):
                # a refusal leaves the objects produced null, and counts 0 (`importedCount`)
                if field_name.endswith("Count"):
                    assert str(produced.type) == "Int!", (payload.name, field_name)
                else:
                    assert not isinstance(produced.type, GraphQLNonNull), (
                        payload.name,
                        field_name,
                    )
                # one success flag, `ok`: none of another spelling
                assert not OTHER_SUCCESS_FLAG.fullmatch(field_name), (payload.name, field_name)


def test_connections_are_named_connections(schema: GraphQLSchema) -> None:
    for named in own_types(schema):
        if isinstance(named, GraphQLObjectType) and {"edges", "pageInfo"} <= set(named.fields):
            assert named.name.endswith("Connection"), named.name
            edge = get_named_type(named.fields["edges"].type)
            assert edge.name.endswith("Edge"), edge.name


def test_custom_scalars_say_their_specification(schema: GraphQLSchema) -> None:
    urls = {
        named.name: named.specified_by_url
        for named in own_types(schema)
        if isinstance(named, GraphQLScalarType)
    }
    assert urls == {
        "Date": "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
        "DateTime": "https://www.rfc-editor.org/rfc/rfc3339",
        "Upload": "https://github.com/jaydenseric/graphql-multipart-request-spec",
    }
    exported = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert exported.count("@specifiedBy(url:") == 3


# Input fields no portal does without (their service answers REQUIRED when given empty):
# typed non-null, so code generators make them required.
REQUIRED_EVERYWHERE = [
    "RegisterInput.email",
    "RegisterInput.password",
    "SignInInput.password",  # email may give way to `identifier` on cnsa
    "ResendConfirmationInput.email",
    "RequestPasswordResetInput.email",
    "ResetPasswordInput.newPassword",
    "ChangePasswordInput.currentPassword",
    "ChangePasswordInput.newPassword",
    "RegisterOrganisationInput.kind",
    "RegisterOrganisationInput.name",
    "RegisterOrganisationInput.siren",
    "RegisterOrganisationInput.headOfficeSiret",
    "RegisterOrganisationInput.address",
    "RegisterOrganisationInput.legalRepresentative",
    "LegalRepresentativeInput.familyName",
    "LegalRepresentativeInput.givenNames",
    "RejectOrganisationInput.reason",
    "AddEstablishmentInput.siret",
    "AddEstablishmentInput.name",
    "InviteManagerInput.email",
    "RequestMandateInput.email",
    "CreateEmployeeAccountInput.email",
    "CreateEmployeeAccountInput.familyName",
    "CreateEmployeeAccountInput.givenNames",
    "AddEmployeeInput.familyName",
    "AddEmployeeInput.titleNumber",
    "CreateLabelInput.name",
    "RenameLabelInput.name",
]


@pytest.mark.parametrize("coordinate", REQUIRED_EVERYWHERE)
def test_fields_every_portal_requires_are_non_null(schema: GraphQLSchema, coordinate: str) -> None:
    type_name, field_name = coordinate.split(".")
    input_type = schema.type_map[type_name]
    assert isinstance(input_type, GraphQLInputObjectType)
    assert isinstance(input_type.fields[field_name].type, GraphQLNonNull), coordinate


def test_register_input_is_non_null_where_every_portal_requires_it(
    schema: GraphQLSchema,
) -> None:
    register = schema.type_map["RegisterInput"]
    assert isinstance(register, GraphQLInputObjectType)
    for always in ("email", "password"):
        assert isinstance(register.fields[always].type, GraphQLNonNull), always
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in RegistrationField:
        input_field = register.fields[str(field)]
        everywhere = all(pack.requires(field) for pack in PACKS.values())
        assert isinstance(input_field.type, GraphQLNonNull) is everywhere, field
        text = input_field.description or ""
        ignoring = sorted(slug for slug, pack in PACKS.items() if not pack.accepts(field))
        if ignoring:
            assert re.search(rf"ignoré : {', '.join(ignoring)}\b", text), (field, text)
        # README's table: one row per field, a cell per portal
        row = re.search(rf"^\| `{field}` \|(.+)\|$", readme, re.MULTILINE)
        assert row, f"README's registration table lacks {field}"
        cells = [cell.strip() for cell in row.group(1).split("|")]
        expected = [
            "required" if pack.requires(field) else "optional" if pack.accepts(field) else "ignored"
            for pack in PACKS.values()
        ]
        assert cells == expected, (field, cells, expected)
