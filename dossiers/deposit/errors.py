"""Error codes of document deposits, with their French and English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class DepositCode(StrEnum):
    INVALID_YEAR = "INVALID_YEAR"
    REPORT_FILE_EMPTY = "REPORT_FILE_EMPTY"
    REPORT_FILE_TOO_LARGE = "REPORT_FILE_TOO_LARGE"
    REPORT_FORMAT_NOT_ACCEPTED = "REPORT_FORMAT_NOT_ACCEPTED"
    REPORT_FORMAT_MISMATCH = "REPORT_FORMAT_MISMATCH"
    MACRO_ENABLED_DOCUMENT = "MACRO_ENABLED_DOCUMENT"
    DOCUMENT_NOT_IN_TRASH = "DOCUMENT_NOT_IN_TRASH"
    DOCUMENT_IN_TRASH = "DOCUMENT_IN_TRASH"


M = Message
C = DepositCode

MESSAGES = {
    C.INVALID_YEAR: M(
        "L'année doit être comprise entre {min} et {max}.",
        "The year must be between {min} and {max}.",
    ),
    C.REPORT_FILE_EMPTY: M("Ce fichier est vide.", "This file is empty."),
    C.REPORT_FILE_TOO_LARGE: M(
        "Ce fichier dépasse la taille maximale ({max_mib} Mio).",
        "This file exceeds the maximum size ({max_mib} MiB).",
    ),
    C.REPORT_FORMAT_NOT_ACCEPTED: M(
        "Ce rapport se dépose au format {formats}.", "This report is filed as {formats_en}."
    ),
    C.REPORT_FORMAT_MISMATCH: M(
        "Le contenu de ce fichier ({actual}) ne correspond pas à son nom ({filename}).",
        "This file's content ({actual}) does not match its name ({filename}).",
    ),
    C.MACRO_ENABLED_DOCUMENT: M(
        "Les documents avec macros (.xlsm, .docm) ne sont pas acceptés.",
        "Macro-enabled documents (.xlsm, .docm) are not accepted.",
    ),
    C.DOCUMENT_NOT_IN_TRASH: M(
        "Ce document n'est pas dans la corbeille.", "This document is not in the trash."
    ),
    C.DOCUMENT_IN_TRASH: M(
        "Ce document est déjà dans la corbeille.", "This document is already in the trash."
    ),
}

register_codes(MESSAGES, area="deposit")
