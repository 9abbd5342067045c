"""GraphQL enumerations of the organisation area, with French descriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schema.enums import graphql_enum
from tenants import organisations as o

if TYPE_CHECKING:  # mypy reads the domain enums; GraphQL gets their described twins
    from tenants.organisations import DocumentKind, OrganisationStatus
else:
    OrganisationStatus = graphql_enum(
        o.OrganisationStatus,
        "OrganisationStatus",
        "Où en est le compte de l'organisation auprès de l'autorité.",
        {
            o.OrganisationStatus.PENDING_VALIDATION: "En attente de validation par l'autorité",
            o.OrganisationStatus.VALIDATED: "Validé par l'autorité : pleinement opérationnel",
            o.OrganisationStatus.REJECTED: "Refusé : à corriger puis soumettre à nouveau",
        },
    )
    DocumentKind = graphql_enum(
        o.DocumentKind,
        "DocumentKind",
        "Pièce de la demande de validation d'une organisation.",
        {
            o.DocumentKind.COMPANY_REGISTRATION_EXTRACT: "Extrait d'immatriculation (Kbis)",
            o.DocumentKind.REPRESENTATIVE_IDENTITY: "Pièce d'identité du représentant légal",
            o.DocumentKind.SIGNED_MANDATE: (
                "Mandat signé (si le demandeur n'est pas le représentant)"
            ),
        },
    )
