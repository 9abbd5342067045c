"""Error codes of organisation accounts (registration, documents, review, establishments)
and of authority agents' accounts, with their French and English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class OrganisationCode(StrEnum):
    UNKNOWN_ORGANISATION_KIND = "UNKNOWN_ORGANISATION_KIND"
    INVALID_SIREN = "INVALID_SIREN"
    INVALID_SIRET = "INVALID_SIRET"
    SIRET_NOT_OF_SIREN = "SIRET_NOT_OF_SIREN"
    ORGANISATION_ALREADY_REGISTERED = "ORGANISATION_ALREADY_REGISTERED"
    ESTABLISHMENT_ALREADY_REGISTERED = "ESTABLISHMENT_ALREADY_REGISTERED"
    DOCUMENT_EMPTY = "DOCUMENT_EMPTY"
    DOCUMENT_TOO_LARGE = "DOCUMENT_TOO_LARGE"
    DOCUMENT_TYPE_NOT_ACCEPTED = "DOCUMENT_TYPE_NOT_ACCEPTED"
    DOCUMENT_TYPE_MISMATCH = "DOCUMENT_TYPE_MISMATCH"
    DOCUMENT_NOT_REQUIRED = "DOCUMENT_NOT_REQUIRED"
    DOCUMENTS_MISSING = "DOCUMENTS_MISSING"
    TOO_MANY_DOCUMENTS = "TOO_MANY_DOCUMENTS"
    ORGANISATION_NOT_PENDING = "ORGANISATION_NOT_PENDING"
    ORGANISATION_NOT_REJECTED = "ORGANISATION_NOT_REJECTED"
    ORGANISATION_ALREADY_VALIDATED = "ORGANISATION_ALREADY_VALIDATED"
    REJECTION_REASON_REQUIRED = "REJECTION_REASON_REQUIRED"
    UNKNOWN_DELEGATION = "UNKNOWN_DELEGATION"
    ACCOUNT_NOT_AN_AGENT = "ACCOUNT_NOT_AN_AGENT"


M = Message

MESSAGES = {
    OrganisationCode.UNKNOWN_ORGANISATION_KIND: M(
        "Cette sorte d'organisation n'existe pas sur ce portail.",
        "This kind of organisation does not exist on this portal.",
    ),
    OrganisationCode.INVALID_SIREN: M(
        "Ce numéro SIREN n'est pas valide : il compte 9 chiffres et sa clé doit être juste.",
        "This SIREN is not valid: it has 9 digits and its check digit must be right.",
    ),
    OrganisationCode.INVALID_SIRET: M(
        "Ce numéro SIRET n'est pas valide : il compte 14 chiffres et sa clé doit être juste.",
        "This SIRET is not valid: it has 14 digits and its check digit must be right.",
    ),
    OrganisationCode.SIRET_NOT_OF_SIREN: M(
        "Ce SIRET n'est pas celui d'un établissement de l'entreprise (SIREN {siren}) : ses "
        "9 premiers chiffres doivent être le SIREN.",
        "This SIRET is not one of the company's establishments (SIREN {siren}): its first "
        "9 digits must be the SIREN.",
    ),
    OrganisationCode.ORGANISATION_ALREADY_REGISTERED: M(
        "Une organisation est déjà inscrite avec ce SIREN. Si vous en êtes le représentant, "
        "contactez l'assistance.",
        "An organisation is already registered with this SIREN. If you represent it, "
        "contact the support team.",
    ),
    OrganisationCode.ESTABLISHMENT_ALREADY_REGISTERED: M(
        "Cet établissement (SIRET) est déjà inscrit.",
        "This establishment (SIRET) is already registered.",
    ),
    OrganisationCode.DOCUMENT_EMPTY: M("Ce fichier est vide.", "This file is empty."),
    OrganisationCode.DOCUMENT_TOO_LARGE: M(
        "Ce fichier dépasse la taille maximale ({max_mib} Mio).",
        "This file exceeds the maximum size ({max_mib} MiB).",
    ),
    OrganisationCode.DOCUMENT_TYPE_NOT_ACCEPTED: M(
        "Ce fichier n'est ni un PDF, ni une image PNG ou JPEG.",
        "This file is neither a PDF nor a PNG or JPEG image.",
    ),
    OrganisationCode.DOCUMENT_TYPE_MISMATCH: M(
        "Le contenu de ce fichier ({actual}) ne correspond pas à son nom ({filename}).",
        "This file's content ({actual}) does not match its name ({filename}).",
    ),
    OrganisationCode.DOCUMENT_NOT_REQUIRED: M(
        "Cette pièce n'est demandée que si le demandeur n'est pas le représentant légal.",
        "This document is only asked for when the applicant is not the legal representative.",
    ),
    OrganisationCode.DOCUMENTS_MISSING: M(
        "Pièces manquantes : {missing}.",
        "Missing documents: {missing}.",
    ),
    OrganisationCode.TOO_MANY_DOCUMENTS: M(
        "Une demande compte au plus {max} pièces.",
        "A request holds at most {max} documents.",
    ),
    OrganisationCode.ORGANISATION_NOT_PENDING: M(
        "Cette demande n'est pas en attente de validation.",
        "This request is not awaiting validation.",
    ),
    OrganisationCode.ORGANISATION_NOT_REJECTED: M(
        "Seule une demande refusée peut être soumise à nouveau.",
        "Only a rejected request can be submitted again.",
    ),
    OrganisationCode.ORGANISATION_ALREADY_VALIDATED: M(
        "Le compte de l'organisation est déjà validé : la demande ne se modifie plus.",
        "The organisation's account is already validated: the request can no longer change.",
    ),
    OrganisationCode.REJECTION_REASON_REQUIRED: M(
        "Indiquez le motif du refus : il est envoyé au demandeur.",
        "Give the reason for the rejection: it is sent to the applicant.",
    ),
    OrganisationCode.UNKNOWN_DELEGATION: M(
        "Délégation inconnue : {delegation}. Délégations du portail : {known}.",
        "Unknown delegation: {delegation}. The portal's delegations: {known}.",
    ),
    OrganisationCode.ACCOUNT_NOT_AN_AGENT: M(
        "Un compte de particulier existe déjà avec cette adresse : il ne peut pas devenir un "
        "compte d'agent.",
        "A person account already exists with this address: it cannot become an agent account.",
    ),
}

register_codes(MESSAGES, area="organisation")
