"""GraphQL enumerations of memberships (delegation area), with French descriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schema.enums import Permission, graphql_enum
from tenants import organisations as o

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
    from tenants.organisations import MembershipRole
else:
    MembershipRole = graphql_enum(
        o.MembershipRole,
        "MembershipRole",
        "Rôle d'une personne dans l'organisation.",
        {
            o.MembershipRole.ADMINISTRATOR: "Administrateur (un par organisation)",
            o.MembershipRole.MANAGER: "Gestionnaire, dans les droits que l'administrateur délègue",
        },
    )

__all__ = ["MembershipRole", "Permission"]
