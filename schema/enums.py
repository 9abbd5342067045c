"""GraphQL enumerations made from the domain's `StrEnum`s, each value with its French
description (the services keep plain `StrEnum`s and never import Strawberry)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from typing import Any


def graphql_enum(
    source: type[StrEnum], name: str, description: str, labels: Mapping[Any, str]
) -> Any:
    """A Strawberry enum with the same names and values as `source`; `labels` must describe
    every member (a test lists them all in the SDL)."""
    import strawberry

    missing = [member for member in source if member not in labels]
    if missing:
        raise ValueError(f"{name}: no description for {missing}")
    members = {
        member.name: strawberry.enum_value(member.value, description=labels[member])
        for member in source
    }
    python_enum = Enum(name, members)  # type: ignore[misc]
    return strawberry.enum(python_enum, name=name, description=description)
