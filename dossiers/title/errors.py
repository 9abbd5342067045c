"""Error codes of titles (numbers, activities, dates, status), with their French and English
messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class TitleCode(StrEnum):
    INVALID_TITLE_NUMBER = "INVALID_TITLE_NUMBER"
    INVALID_DEPARTEMENT = "INVALID_DEPARTEMENT"
    UNKNOWN_ACTIVITY = "UNKNOWN_ACTIVITY"
    ACTIVITY_REQUIRED = "ACTIVITY_REQUIRED"
    ACTIVITIES_EXCLUSIVE = "ACTIVITIES_EXCLUSIVE"
    ISSUE_DATE_IN_FUTURE = "ISSUE_DATE_IN_FUTURE"
    EXPIRY_NOT_APPLICABLE = "EXPIRY_NOT_APPLICABLE"
    EXPIRY_BEFORE_ISSUE = "EXPIRY_BEFORE_ISSUE"
    HOLDER_AMBIGUOUS = "HOLDER_AMBIGUOUS"
    HOLDER_NOT_FOR_THIS_KIND = "HOLDER_NOT_FOR_THIS_KIND"
    HOLDER_DOMICILE_UNKNOWN = "HOLDER_DOMICILE_UNKNOWN"
    DEPARTEMENT_MISMATCH = "DEPARTEMENT_MISMATCH"
    TITLE_STATUS_NOT_SETTABLE = "TITLE_STATUS_NOT_SETTABLE"
    TITLE_STATUS_UNCHANGED = "TITLE_STATUS_UNCHANGED"
    TITLE_WITHDRAWN_FINAL = "TITLE_WITHDRAWN_FINAL"


M = Message

MESSAGES = {
    TitleCode.INVALID_TITLE_NUMBER: M(
        "Numéro de titre invalide : attendu PFX-DDD-AAAA-MM-JJ-NNNNNNNNNNN "
        "(ex. CAR-044-2031-03-01-20260000001).",
        "Invalid title number: expected PFX-DDD-YYYY-MM-DD-NNNNNNNNNNN "
        "(e.g. CAR-044-2031-03-01-20260000001).",
    ),
    TitleCode.INVALID_DEPARTEMENT: M(
        "Département inconnu de ce portail (ex. 44, 2A, 974).",
        "Département unknown to this portal (e.g. 44, 2A, 974).",
    ),
    TitleCode.UNKNOWN_ACTIVITY: M(
        "Activité inconnue : {activity}.", "Unknown activity: {activity}."
    ),
    TitleCode.ACTIVITY_REQUIRED: M(
        "Ce titre doit mentionner au moins une activité.",
        "This title must mention at least one activity.",
    ),
    TitleCode.ACTIVITIES_EXCLUSIVE: M(
        "L'activité « {activity} » ne se cumule avec aucune autre.",
        "The activity “{activity}” cannot be combined with any other.",
    ),
    TitleCode.ISSUE_DATE_IN_FUTURE: M(
        "La date de délivrance ne peut pas être dans le futur.",
        "The issue date cannot be in the future.",
    ),
    TitleCode.EXPIRY_NOT_APPLICABLE: M(
        "La date d'échéance de ce titre découle de sa durée de validité : ne la donnez pas.",
        "This title's expiry follows from its validity period: do not give it.",
    ),
    TitleCode.EXPIRY_BEFORE_ISSUE: M(
        "La date d'échéance doit suivre la date de délivrance.",
        "The expiry date must come after the issue date.",
    ),
    TitleCode.HOLDER_AMBIGUOUS: M(
        "Indiquez un seul titulaire : une personne, un établissement ou un nom.",
        "Give one holder only: a person, an establishment or a name.",
    ),
    TitleCode.HOLDER_NOT_FOR_THIS_KIND: M(
        "Une autorisation d'exercer (AUT, FOR) se délivre à un établissement, les autres "
        "titres à une personne.",
        "An operating authorisation (AUT, FOR) is issued to an establishment, the other "
        "titles to a person.",
    ),
    TitleCode.HOLDER_DOMICILE_UNKNOWN: M(
        "Le domicile du titulaire (ou l'adresse de l'établissement) n'est pas connu : il "
        "décide du département du titre et de la délégation compétente ; faites-le "
        "renseigner d'abord.",
        "The holder's home address (or the establishment's) is not known: it decides the "
        "title's département and the competent delegation; have it recorded first.",
    ),
    TitleCode.DEPARTEMENT_MISMATCH: M(
        "Le département d'un titre est celui du domicile du titulaire ou de l'adresse de "
        "l'établissement : {departement}.",
        "A title's département is that of the holder's home or of the establishment's "
        "address: {departement}.",
    ),
    TitleCode.TITLE_STATUS_NOT_SETTABLE: M(
        "Ce statut ne se décide pas : un titre est expiré à sa date d'échéance.",
        "This status is not decided: a title expires on its expiry date.",
    ),
    TitleCode.TITLE_STATUS_UNCHANGED: M(
        "Le titre a déjà ce statut.", "The title already has this status."
    ),
    TitleCode.TITLE_WITHDRAWN_FINAL: M(
        "Un titre retiré ne peut plus changer de statut.",
        "A withdrawn title's status can no longer change.",
    ),
}

register_codes(MESSAGES, area="title")
