"""Error codes of habilitations and structures (cnsa), with their French and English
messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class HabilitationCode(StrEnum):
    INVALID_FINESS = "INVALID_FINESS"
    UNKNOWN_FINESS = "UNKNOWN_FINESS"
    UNKNOWN_APPLICATION = "UNKNOWN_APPLICATION"
    UNKNOWN_PROFILE = "UNKNOWN_PROFILE"
    UNKNOWN_STRUCTURE_TYPE = "UNKNOWN_STRUCTURE_TYPE"
    STRUCTURES_REQUIRED = "STRUCTURES_REQUIRED"
    TOO_MANY_STRUCTURES = "TOO_MANY_STRUCTURES"
    DUPLICATE_PENDING_REQUEST = "DUPLICATE_PENDING_REQUEST"
    REQUEST_NOT_PENDING = "REQUEST_NOT_PENDING"
    HABILITATION_ALREADY_REVOKED = "HABILITATION_ALREADY_REVOKED"
    NOT_APPLICATION_MANAGER = "NOT_APPLICATION_MANAGER"
    NOT_HABILITATED_ON_STRUCTURE = "NOT_HABILITATED_ON_STRUCTURE"
    SEARCH_TOO_SHORT = "SEARCH_TOO_SHORT"


M = Message
C = HabilitationCode

MESSAGES = {
    C.INVALID_FINESS: M(
        "Le N°FINESS doit être composé de 9 caractères alphanumériques, avec une clé valide.",
        "A FINESS number has 9 alphanumeric characters with a valid check digit.",
    ),
    C.UNKNOWN_FINESS: M(
        "Aucune structure n'a le N°FINESS {finess}.", "No structure has FINESS number {finess}."
    ),
    C.UNKNOWN_APPLICATION: M(
        "Cette application n'existe pas sur ce portail.",
        "This application does not exist on this portal.",
    ),
    C.UNKNOWN_PROFILE: M(
        "Ce profil n'est pas un profil de l'application choisie.",
        "This profile is not a profile of the chosen application.",
    ),
    C.UNKNOWN_STRUCTURE_TYPE: M(
        "Ce type de structures n'existe pas sur ce portail.",
        "This structure type does not exist on this portal.",
    ),
    C.STRUCTURES_REQUIRED: M(
        "Ajoutez au moins une structure pour ce profil.",
        "Add at least one structure for this profile.",
    ),
    C.TOO_MANY_STRUCTURES: M(
        "Une demande porte sur {max} structures au plus.",
        "A request covers at most {max} structures.",
    ),
    C.DUPLICATE_PENDING_REQUEST: M(
        "Une demande de ce profil est déjà en attente.",
        "A request for this profile is already pending.",
    ),
    C.REQUEST_NOT_PENDING: M(
        "Cette demande n'est plus en attente.", "This request is no longer pending."
    ),
    C.HABILITATION_ALREADY_REVOKED: M(
        "Cette habilitation est déjà révoquée.", "This habilitation is already revoked."
    ),
    C.NOT_APPLICATION_MANAGER: M(
        "Vous n'êtes pas gestionnaire de cette application.",
        "You are not a manager of this application.",
    ),
    C.NOT_HABILITATED_ON_STRUCTURE: M(
        "Vous n'êtes pas habilité sur cette structure.",
        "You are not habilitated on this structure.",
    ),
    C.SEARCH_TOO_SHORT: M(
        "Saisissez au moins {min} caractères.", "Type at least {min} characters."
    ),
}

register_codes(MESSAGES, area="habilitation")
