"""GraphQL enumerations made from the domain's `StrEnum`s, each value with its French
description (the services keep plain `StrEnum`s and never import Strawberry).

An area declares its enums in two lines of sight: mypy reads the domain enum, GraphQL gets
its twin with the same names and values plus the descriptions::

    if TYPE_CHECKING:
        from dossiers.title.models import Colour
    else:
        Colour = graphql_enum(m.Colour, "Colour", "…", {m.Colour.GREEN: "Vert", …})

so `colour: Colour` type-checks against the domain's members, and `Colour(row.colour)` builds
the member Strawberry serialises.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from tenants import mandates as m
from tenants import organisations as o


def described_enum(
    name: str, description: str, values: Mapping[str, tuple[str, str]]
) -> type[Enum]:
    """A Strawberry enum from `{member name: (value, description)}`, known only at run time."""
    members = {
        key: strawberry.enum_value(value, description=text) for key, (value, text) in values.items()
    }
    python_enum = Enum(name, members)  # type: ignore[misc]  # members are not literals
    return strawberry.enum(python_enum, name=name, description=description)


def graphql_enum(
    source: type[StrEnum], name: str, description: str, labels: Mapping[Any, str]
) -> type[Enum]:
    """A Strawberry enum with the same names and values as `source`; `labels` must describe
    every member (a test lists them all in the SDL)."""
    missing = [member for member in source if member not in labels]
    if missing:
        raise ValueError(f"{name}: no description for {missing}")
    return described_enum(
        name, description, {member.name: (member.value, labels[member]) for member in source}
    )


# Shared by the delegation area and the errors' details (`UserError.permission`, `.scope`).
if TYPE_CHECKING:
    from tenants.mandates import MandateScope
    from tenants.organisations import Permission
else:
    MandateScope = graphql_enum(
        m.MandateScope,
        "MandateScope",
        "Ce qu'un mandat permet au tiers de confiance.",
        {
            m.MandateScope.FILE_DOSSIERS: "Déposer des demandes au nom de la personne",
            m.MandateScope.FOLLOW_DOSSIERS: "Suivre les demandes de la personne",
            m.MandateScope.RECEIVE_COMMUNICATIONS: (
                "Recevoir les notifications et communications de l'autorité"
            ),
        },
    )
    Permission = graphql_enum(
        o.Permission,
        "Permission",
        "Droit que l'administrateur délègue à un gestionnaire.",
        {
            o.Permission.MANAGE_EMPLOYEES: "Gérer les salariés (listes, libellés, tableau de bord)",
            o.Permission.FILE_DOSSIERS: "Déposer des demandes pour l'organisation",
            o.Permission.ACT_AS_TRUSTED_THIRD_PARTY: "Agir comme tiers de confiance",
            o.Permission.DECLARE_TRAINING_SESSIONS: "Déclarer les sessions de formation",
            o.Permission.MESSAGE_AUTHORITY: "Écrire à l'autorité",
            o.Permission.MANAGE_MANAGERS: "Gérer les gestionnaires et leurs droits",
        },
    )
