"""Error codes of the company space (employees, labels, CSV import), with their French and
English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class CompanyCode(StrEnum):
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
    CompanyCode.EMPLOYEE_ALREADY_LISTED: M(
        "Ce numéro de titre figure déjà dans la liste des salariés.",
        "This title number is already in the list of employees.",
    ),
    CompanyCode.LABEL_NAME_TAKEN: M(
        "Un libellé porte déjà ce nom.", "A label already has this name."
    ),
    CompanyCode.LABEL_LIMIT_REACHED: M(
        "Au plus {max} libellés par organisation.", "At most {max} labels per organisation."
    ),
    CompanyCode.CSV_EMPTY: M(
        "Le fichier ne contient aucune ligne de salarié.",
        "The file contains no employee line.",
    ),
    CompanyCode.CSV_NOT_UTF8: M(
        "Le fichier doit être encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »).",
        "The file must be UTF-8 encoded (save it as “CSV UTF-8”).",
    ),
    CompanyCode.CSV_TOO_LARGE: M(
        "Le fichier dépasse la limite : {max_rows} lignes et {max_bytes} octets au plus.",
        "The file exceeds the limit: at most {max_rows} lines and {max_bytes} bytes.",
    ),
    CompanyCode.CSV_INVALID_HEADER: M(
        "Ligne 1 (en-tête) : la colonne « {column} » est inconnue, en double ou manquante. "
        "Colonnes reconnues : {columns}.",
        "Line 1 (header): column “{column}” is unknown, repeated or missing. "
        "Known columns: {columns}.",
    ),
    CompanyCode.CSV_LINE_WRONG_COLUMN_COUNT: M(
        "Ligne {line} : {found} colonnes au lieu de {expected}.",
        "Line {line}: {found} columns instead of {expected}.",
    ),
    CompanyCode.CSV_LINE_MISSING_VALUE: M(
        "Ligne {line}, colonne « {column} » : valeur obligatoire.",
        "Line {line}, column “{column}”: a value is required.",
    ),
    CompanyCode.CSV_LINE_INVALID_VALUE: M(
        "Ligne {line}, colonne « {column} » : valeur invalide (format ou longueur).",
        "Line {line}, column “{column}”: invalid value (format or length).",
    ),
    CompanyCode.CSV_LINE_UNKNOWN_ESTABLISHMENT: M(
        "Ligne {line}, colonne « {column} » : aucun établissement de l'organisation n'a ce SIRET.",
        "Line {line}, column “{column}”: no establishment of the organisation has this SIRET.",
    ),
    CompanyCode.CSV_LINE_DUPLICATE: M(
        "Ligne {line} : même numéro de titre qu'à la ligne {first_line}.",
        "Line {line}: same title number as line {first_line}.",
    ),
    CompanyCode.CSV_LINE_ALREADY_LISTED: M(
        "Ligne {line} : ce numéro de titre figure déjà dans la liste des salariés.",
        "Line {line}: this title number is already in the list of employees.",
    ),
    CompanyCode.CSV_TOO_MANY_ERRORS: M(
        "Trop d'erreurs : seules les {shown} premières sont listées ; rien n'a été importé.",
        "Too many errors: only the first {shown} are listed; nothing was imported.",
    ),
}

register_codes(MESSAGES, area="company")
