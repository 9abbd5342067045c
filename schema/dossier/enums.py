"""GraphQL twins of the dossier enums, with their French descriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossiers.dossier import models as m
from schema.enums import graphql_enum

if TYPE_CHECKING:
    from dossiers.dossier.models import DossierStatus
else:
    DossierStatus = graphql_enum(
        m.DossierStatus,
        "DossierStatus",
        "État d'une demande (d'après les états de Démarches Simplifiées).",
        {
            m.DossierStatus.DRAFT: "Brouillon : le demandeur la remplit",
            m.DossierStatus.AWAITING_CONFIRMATION: "Signée : attend la confirmation par le "
            "lien envoyé par courriel",
            m.DossierStatus.SUBMITTED: "Déposée et numérotée : attend l'instruction",
            m.DossierStatus.UNDER_REVIEW: "En instruction par la délégation",
            m.DossierStatus.CORRECTIONS_REQUESTED: "Renvoyée au demandeur pour corrections",
            m.DossierStatus.GRANTED: "Accordée : le titre est délivré",
            m.DossierStatus.REFUSED: "Refusée (motif donné)",
            m.DossierStatus.CLOSED_WITHOUT_ACTION: "Classée sans suite",
            m.DossierStatus.WITHDRAWN: "Retirée par le demandeur",
        },
    )

__all__ = ["DossierStatus"]
