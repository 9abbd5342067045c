"""Error codes of the dossiers area (titles, company space, CSV import, alerts), with their
French and English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class DossierCode(StrEnum):
    # Titles
    INVALID_TITLE_NUMBER = "INVALID_TITLE_NUMBER"
    INVALID_DEPARTEMENT = "INVALID_DEPARTEMENT"
    UNKNOWN_ACTIVITY = "UNKNOWN_ACTIVITY"
    ACTIVITY_REQUIRED = "ACTIVITY_REQUIRED"
    ACTIVITIES_EXCLUSIVE = "ACTIVITIES_EXCLUSIVE"
    ISSUE_DATE_IN_FUTURE = "ISSUE_DATE_IN_FUTURE"
    EXPIRY_NOT_APPLICABLE = "EXPIRY_NOT_APPLICABLE"
    EXPIRY_BEFORE_ISSUE = "EXPIRY_BEFORE_ISSUE"
    HOLDER_AMBIGUOUS = "HOLDER_AMBIGUOUS"
    TITLE_STATUS_NOT_SETTABLE = "TITLE_STATUS_NOT_SETTABLE"
    TITLE_STATUS_UNCHANGED = "TITLE_STATUS_UNCHANGED"
    TITLE_WITHDRAWN_FINAL = "TITLE_WITHDRAWN_FINAL"
    # Company space
    EMPLOYEE_ALREADY_LISTED = "EMPLOYEE_ALREADY_LISTED"
    LABEL_NAME_TAKEN = "LABEL_NAME_TAKEN"
    LABEL_LIMIT_REACHED = "LABEL_LIMIT_REACHED"
    # CSV import
    CSV_EMPTY = "CSV_EMPTY"
    CSV_NOT_UTF8 = "CSV_NOT_UTF8"
    CSV_TOO_LARGE = "CSV_TOO_LARGE"
    CSV_INVALID_HEADER = "CSV_INVALID_HEADER"
    CSV_LINE_WRONG_COLUMN_COUNT = "CSV_LINE_WRONG_COLUMN_COUNT"
    CSV_LINE_MISSING_VALUE = "CSV_LINE_MISSING_VALUE"
    CSV_LINE_INVALID_VALUE = "CSV_LINE_INVALID_VALUE"
    CSV_LINE_UNKNOWN_ESTABLISHMENT = "CSV_LINE_UNKNOWN_ESTABLISHMENT"
    CSV_LINE_DUPLICATE = "CSV_LINE_DUPLICATE"
    CSV_LINE_ALREADY_LISTED = "CSV_LINE_ALREADY_LISTED"
    CSV_TOO_MANY_ERRORS = "CSV_TOO_MANY_ERRORS"


M = Message

MESSAGES = {
    DossierCode.INVALID_TITLE_NUMBER: M(
        "Numéro de titre invalide : attendu PFX-DDD-AAAA-MM-JJ-NNNNNNNNNNN "
        "(ex. CAR-044-2031-03-01-20260000001).",
        "Invalid title number: expected PFX-DDD-YYYY-MM-DD-NNNNNNNNNNN "
        "(e.g. CAR-044-2031-03-01-20260000001).",
    ),
    DossierCode.INVALID_DEPARTEMENT: M(
        "Département inconnu de ce portail (ex. 44, 2A, 974).",
        "Département unknown to this portal (e.g. 44, 2A, 974).",
    ),
    DossierCode.UNKNOWN_ACTIVITY: M(
        "Activité inconnue : {activity}.", "Unknown activity: {activity}."
    ),
    DossierCode.ACTIVITY_REQUIRED: M(
        "Ce titre doit mentionner au moins une activité.",
        "This title must mention at least one activity.",
    ),
    DossierCode.ACTIVITIES_EXCLUSIVE: M(
        "L'activité « {activity} » ne se cumule avec aucune autre.",
        "The activity “{activity}” cannot be combined with any other.",
    ),
    DossierCode.ISSUE_DATE_IN_FUTURE: M(
        "La date de délivrance ne peut pas être dans le futur.",
        "The issue date cannot be in the future.",
    ),
    DossierCode.EXPIRY_NOT_APPLICABLE: M(
        "La date d'échéance de ce titre découle de sa durée de validité : ne la donnez pas.",
        "This title's expiry follows from its validity period: do not give it.",
    ),
    DossierCode.EXPIRY_BEFORE_ISSUE: M(
        "La date d'échéance doit suivre la date de délivrance.",
        "The expiry date must come after the issue date.",
    ),
    DossierCode.HOLDER_AMBIGUOUS: M(
        "Indiquez soit la personne titulaire, soit son nom, pas les deux.",
        "Give either the holder person or their name, not both.",
    ),
    DossierCode.TITLE_STATUS_NOT_SETTABLE: M(
        "Ce statut ne se décide pas : un titre est expiré à sa date d'échéance.",
        "This status is not decided: a title expires on its expiry date.",
    ),
    DossierCode.TITLE_STATUS_UNCHANGED: M(
        "Le titre a déjà ce statut.", "The title already has this status."
    ),
    DossierCode.TITLE_WITHDRAWN_FINAL: M(
        "Un titre retiré ne peut plus changer de statut.",
        "A withdrawn title's status can no longer change.",
    ),
    DossierCode.EMPLOYEE_ALREADY_LISTED: M(
        "Ce numéro de titre figure déjà dans la liste des salariés.",
        "This title number is already in the list of employees.",
    ),
    DossierCode.LABEL_NAME_TAKEN: M(
        "Un libellé porte déjà ce nom.", "A label already has this name."
    ),
    DossierCode.LABEL_LIMIT_REACHED: M(
        "Au plus {max} libellés par organisation.", "At most {max} labels per organisation."
    ),
    DossierCode.CSV_EMPTY: M(
        "Le fichier ne contient aucune ligne de salarié.",
        "The file contains no employee line.",
    ),
    DossierCode.CSV_NOT_UTF8: M(
        "Le fichier doit être encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »).",
        "The file must be UTF-8 encoded (save it as “CSV UTF-8”).",
    ),
    DossierCode.CSV_TOO_LARGE: M(
        "Le fichier dépasse la limite : {max_rows} lignes et {max_bytes} octets au plus.",
        "The file exceeds the limit: at most {max_rows} lines and {max_bytes} bytes.",
    ),
    DossierCode.CSV_INVALID_HEADER: M(
        "Ligne 1 (en-tête) : la colonne « {column} » est inconnue, en double ou manquante. "
        "Colonnes reconnues : {columns}.",
        "Line 1 (header): column “{column}” is unknown, repeated or missing. "
        "Known columns: {columns}.",
    ),
    DossierCode.CSV_LINE_WRONG_COLUMN_COUNT: M(
        "Ligne {line} : {found} colonnes au lieu de {expected}.",
        "Line {line}: {found} columns instead of {expected}.",
    ),
    DossierCode.CSV_LINE_MISSING_VALUE: M(
        "Ligne {line}, colonne « {column} » : valeur obligatoire.",
        "Line {line}, column “{column}”: a value is required.",
    ),
    DossierCode.CSV_LINE_INVALID_VALUE: M(
        "Ligne {line}, colonne « {column} » : valeur invalide (format ou longueur).",
        "Line {line}, column “{column}”: invalid value (format or length).",
    ),
    DossierCode.CSV_LINE_UNKNOWN_ESTABLISHMENT: M(
        "Ligne {line}, colonne « {column} » : aucun établissement de l'organisation n'a ce SIRET.",
        "Line {line}, column “{column}”: no establishment of the organisation has this SIRET.",
    ),
    DossierCode.CSV_LINE_DUPLICATE: M(
        "Ligne {line} : même numéro de titre qu'à la ligne {first_line}.",
        "Line {line}: same title number as line {first_line}.",
    ),
    DossierCode.CSV_LINE_ALREADY_LISTED: M(
        "Ligne {line} : ce numéro de titre figure déjà dans la liste des salariés.",
        "Line {line}: this title number is already in the list of employees.",
    ),
    DossierCode.CSV_TOO_MANY_ERRORS: M(
        "Trop d'erreurs : seules les {shown} premières sont listées ; rien n'a été importé.",
        "Too many errors: only the first {shown} are listed; nothing was imported.",
    ),
}

register_codes(MESSAGES, area="dossiers")
