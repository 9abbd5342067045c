"""Error codes of dossiers (filing, renewal, instruction), with their French and English
messages. Document problems reuse the organisation documents' codes (DOCUMENT_EMPTY,
DOCUMENT_TOO_LARGE, DOCUMENTS_MISSING, TOO_MANY_DOCUMENTS…): one code, one meaning."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class DossierCode(StrEnum):
    UNKNOWN_DOSSIER_KIND = "UNKNOWN_DOSSIER_KIND"
    KIND_NOT_FOR_PERSONS = "KIND_NOT_FOR_PERSONS"
    KIND_NOT_FOR_ORGANISATIONS = "KIND_NOT_FOR_ORGANISATIONS"
    KIND_NOT_FOR_THIS_ORGANISATION = "KIND_NOT_FOR_THIS_ORGANISATION"
    APPLICANT_AMBIGUOUS = "APPLICANT_AMBIGUOUS"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    INVALID_FIELD_VALUE = "INVALID_FIELD_VALUE"
    ONE_ACTIVITY_PER_DOSSIER = "ONE_ACTIVITY_PER_DOSSIER"
    NO_ACTIVITY_FOR_THIS_KIND = "NO_ACTIVITY_FOR_THIS_KIND"
    ACTIVITY_NOT_ON_RENEWED_TITLE = "ACTIVITY_NOT_ON_RENEWED_TITLE"
    UNKNOWN_DOCUMENT_KIND = "UNKNOWN_DOCUMENT_KIND"
    DOCUMENT_NOT_ASKED = "DOCUMENT_NOT_ASKED"
    DOCUMENT_DATE_REQUIRED = "DOCUMENT_DATE_REQUIRED"
    DOCUMENT_TOO_OLD = "DOCUMENT_TOO_OLD"
    DOCUMENT_DATE_IN_FUTURE = "DOCUMENT_DATE_IN_FUTURE"
    CERTIFICATION_REQUIRED = "CERTIFICATION_REQUIRED"
    WRONG_STATE = "WRONG_STATE"
    NOT_EDITABLE = "NOT_EDITABLE"
    CONFIRMATION_INVALID = "CONFIRMATION_INVALID"
    CONFIRMATION_EXPIRED = "CONFIRMATION_EXPIRED"
    CONFIRMATION_ALREADY_USED = "CONFIRMATION_ALREADY_USED"
    RENEWED_TITLE_REQUIRED = "RENEWED_TITLE_REQUIRED"
    NOT_RENEWABLE = "NOT_RENEWABLE"
    RENEWAL_NOT_OPEN = "RENEWAL_NOT_OPEN"
    TITLE_EXPIRED_FILE_PRIOR_AUTHORISATION = "TITLE_EXPIRED_FILE_PRIOR_AUTHORISATION"
    TITLE_NOT_VALID = "TITLE_NOT_VALID"
    RENEWAL_ALREADY_FILED = "RENEWAL_ALREADY_FILED"
    DOMICILE_REQUIRED = "DOMICILE_REQUIRED"
    REASON_REQUIRED = "REASON_REQUIRED"
    CORRECTION_ITEMS_REQUIRED = "CORRECTION_ITEMS_REQUIRED"
    UNKNOWN_CORRECTION_ITEM = "UNKNOWN_CORRECTION_ITEM"
    NOT_AN_AGENT_OF_THIS_DELEGATION = "NOT_AN_AGENT_OF_THIS_DELEGATION"
    NOTHING_CORRECTED = "NOTHING_CORRECTED"


M = Message

MESSAGES = {
    DossierCode.UNKNOWN_DOSSIER_KIND: M(
        "Type de demande inconnu (voir `tenant { dossierKinds }`).",
        "Unknown kind of request (see `tenant { dossierKinds }`).",
    ),
    DossierCode.KIND_NOT_FOR_PERSONS: M(
        "Cette demande se dépose au nom d'une organisation, pas d'une personne.",
        "This request is filed in an organisation's name, not a person's.",
    ),
    DossierCode.KIND_NOT_FOR_ORGANISATIONS: M(
        "Cette demande se dépose pour une personne, pas pour une organisation.",
        "This request is filed for a person, not an organisation.",
    ),
    DossierCode.KIND_NOT_FOR_THIS_ORGANISATION: M(
        "Ce type d'organisation ne peut pas déposer cette demande.",
        "This kind of organisation cannot file this request.",
    ),
    DossierCode.APPLICANT_AMBIGUOUS: M(
        "Indiquez une personne ou un établissement, pas les deux.",
        "Give a person or an establishment, not both.",
    ),
    DossierCode.UNKNOWN_FIELD: M(
        "Champ inconnu pour cette demande : {name}.", "Unknown field for this request: {name}."
    ),
    DossierCode.INVALID_FIELD_VALUE: M(
        "Valeur invalide pour « {label} ».", "Invalid value for “{label}”."
    ),
    DossierCode.ONE_ACTIVITY_PER_DOSSIER: M(
        "Une seule activité par demande : déposez une demande par activité à renouveler.",
        "One activity per request: file one request per activity to renew.",
    ),
    DossierCode.NO_ACTIVITY_FOR_THIS_KIND: M(
        "Cette demande ne porte sur aucune activité.",
        "This request does not concern any activity.",
    ),
    DossierCode.ACTIVITY_NOT_ON_RENEWED_TITLE: M(
        "L'activité « {activity} » ne figure pas sur le titre renouvelé.",
        "The activity “{activity}” is not on the title being renewed.",
    ),
    DossierCode.UNKNOWN_DOCUMENT_KIND: M(
        "Pièce inconnue pour cette demande : {kind}.", "Unknown document for this request: {kind}."
    ),
    DossierCode.DOCUMENT_NOT_ASKED: M(
        "Cette pièce n'est pas demandée dans votre situation : {label}.",
        "This document is not asked for in your situation: {label}.",
    ),
    DossierCode.DOCUMENT_DATE_REQUIRED: M(
        "Indiquez la date de délivrance de ce document.", "Give this document's issue date."
    ),
    DossierCode.DOCUMENT_TOO_OLD: M(
        "« {label} » doit dater de moins de {months} mois (délivré après le {after}).",
        "“{label}” must be less than {months} months old (issued after {after}).",
    ),
    DossierCode.DOCUMENT_DATE_IN_FUTURE: M(
        "La date de délivrance ne peut pas être dans le futur.",
        "The issue date cannot be in the future.",
    ),
    DossierCode.CERTIFICATION_REQUIRED: M(
        "Cochez cette case pour signer la demande.", "Tick this box to sign the request."
    ),
    DossierCode.WRONG_STATE: M(
        "Action impossible : la demande est « {state} ».",
        "Not possible: the request is “{state}”.",
    ),
    DossierCode.NOT_EDITABLE: M(
        "La demande ne se modifie qu'en brouillon ou quand l'autorité demande des corrections.",
        "The request can only be changed as a draft or when the authority asks for corrections.",
    ),
    DossierCode.CONFIRMATION_INVALID: M(
        "Lien de confirmation invalide.", "Invalid confirmation link."
    ),
    DossierCode.CONFIRMATION_EXPIRED: M(
        "Ce lien de confirmation a expiré : signez à nouveau la demande pour en recevoir un "
        "nouveau.",
        "This confirmation link has expired: sign the request again to receive a new one.",
    ),
    DossierCode.CONFIRMATION_ALREADY_USED: M(
        "Cette demande est déjà confirmée.", "This request is already confirmed."
    ),
    DossierCode.RENEWED_TITLE_REQUIRED: M(
        "Indiquez le titre à renouveler.", "Give the title to renew."
    ),
    DossierCode.NOT_RENEWABLE: M(
        "Ce titre ne se renouvelle pas par cette demande.",
        "This title is not renewed by this request.",
    ),
    DossierCode.RENEWAL_NOT_OPEN: M(
        "Le renouvellement ouvre le {opens_on}, {months} mois avant l'échéance du titre.",
        "Renewal opens on {opens_on}, {months} months before the title expires.",
    ),
    DossierCode.TITLE_EXPIRED_FILE_PRIOR_AUTHORISATION: M(
        "Votre titre a expiré le {expired_on} : il ne se renouvelle plus. Déposez une demande "
        "d'autorisation préalable d'entrée en formation MAC (une par activité à renouveler), "
        "puis, la formation suivie, une demande de carte professionnelle.",
        "Your title expired on {expired_on}: it can no longer be renewed. File a request for "
        "prior authorisation to enter refresher (MAC) training (one per activity to renew), "
        "then, once trained, a professional card request.",
    ),
    DossierCode.TITLE_NOT_VALID: M(
        "Ce titre n'est pas valide (suspendu ou retiré) : il ne se renouvelle pas.",
        "This title is not valid (suspended or withdrawn): it cannot be renewed.",
    ),
    DossierCode.RENEWAL_ALREADY_FILED: M(
        "Une demande de renouvellement de ce titre est déjà en cours.",
        "A renewal request for this title is already under way.",
    ),
    DossierCode.DOMICILE_REQUIRED: M(
        "Renseignez d'abord l'adresse du domicile : elle désigne la délégation qui instruit.",
        "Record the home address first: it decides the delegation that instructs.",
    ),
    DossierCode.REASON_REQUIRED: M("Indiquez un motif.", "Give a reason."),
    DossierCode.CORRECTION_ITEMS_REQUIRED: M(
        "Indiquez au moins un champ ou une pièce à corriger.",
        "Give at least one field or document to correct.",
    ),
    DossierCode.UNKNOWN_CORRECTION_ITEM: M(
        "Ni un champ ni une pièce de cette demande : {item}.",
        "Neither a field nor a document of this request: {item}.",
    ),
    DossierCode.NOT_AN_AGENT_OF_THIS_DELEGATION: M(
        "L'agent doit appartenir à la délégation qui instruit la demande.",
        "The agent must belong to the delegation instructing the request.",
    ),
    DossierCode.NOTHING_CORRECTED: M(
        "Rien n'a changé depuis la demande de corrections.",
        "Nothing has changed since the correction request.",
    ),
}

register_codes(MESSAGES, area="dossier")
