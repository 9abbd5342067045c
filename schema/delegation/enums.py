"""GraphQL enumerations of memberships (delegation area), with French descriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schema.enums import graphql_enum
from tenants import organisations as o

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
    from tenants.organisations import MembershipRole, Permission
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
