"""Error codes of messaging, with their French and English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class MessagingCode(StrEnum):
    MESSAGE_EMPTY = "MESSAGE_EMPTY"
    TOO_MANY_ATTACHMENTS = "TOO_MANY_ATTACHMENTS"
    ATTACHMENT_EMPTY = "ATTACHMENT_EMPTY"
    ATTACHMENT_TOO_LARGE = "ATTACHMENT_TOO_LARGE"
    ATTACHMENT_TYPE_NOT_ACCEPTED = "ATTACHMENT_TYPE_NOT_ACCEPTED"
    ATTACHMENT_TYPE_MISMATCH = "ATTACHMENT_TYPE_MISMATCH"
    THREAD_SUBJECT_OF_TWO = "THREAD_SUBJECT_OF_TWO"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    SEND_IN_PROGRESS = "SEND_IN_PROGRESS"
    THREAD_ALREADY_CLOSED = "THREAD_ALREADY_CLOSED"
    NOT_AN_AGENT_OF_THE_DELEGATION = "NOT_AN_AGENT_OF_THE_DELEGATION"
    AGENTS_ANSWER_IN_THREADS = "AGENTS_ANSWER_IN_THREADS"


M = Message

register_codes(
    {
        MessagingCode.MESSAGE_EMPTY: M(
            "Le message est vide : écrivez un texte.", "The message is empty: write some text."
        ),
        MessagingCode.TOO_MANY_ATTACHMENTS: M(
            "Au plus {max} pièces jointes par message.", "At most {max} attachments per message."
        ),
        MessagingCode.ATTACHMENT_EMPTY: M(
            "La pièce jointe « {filename} » est vide.", "The attachment “{filename}” is empty."
        ),
        MessagingCode.ATTACHMENT_TOO_LARGE: M(
            "La pièce jointe « {filename} » dépasse {max_mib} Mio.",
            "The attachment “{filename}” exceeds {max_mib} MiB.",
        ),
        MessagingCode.ATTACHMENT_TYPE_NOT_ACCEPTED: M(
            "La pièce jointe « {filename} » doit être un PDF, un PNG ou un JPEG.",
            "The attachment “{filename}” must be a PDF, a PNG or a JPEG.",
        ),
        MessagingCode.ATTACHMENT_TYPE_MISMATCH: M(
            "Le contenu de « {filename} » ne correspond pas à son extension.",
            "The content of “{filename}” does not match its extension.",
        ),
        MessagingCode.THREAD_SUBJECT_OF_TWO: M(
            "Une conversation porte sur un titre ou sur une organisation, pas les deux.",
            "A thread is about a title or an organisation, not both.",
        ),
        MessagingCode.IDEMPOTENCY_KEY_REUSED: M(
            "Cette clé d'envoi a déjà servi pour un autre message.",
            "This send key was already used for another message.",
        ),
        MessagingCode.SEND_IN_PROGRESS: M(
            "Ce message est déjà en cours d'envoi avec cette clé : relisez la conversation.",
            "This message is already being sent with this key: read the thread again.",
        ),
        MessagingCode.THREAD_ALREADY_CLOSED: M(
            "Cette conversation est déjà close.", "This thread is already closed."
        ),
        MessagingCode.NOT_AN_AGENT_OF_THE_DELEGATION: M(
            "Ce compte n'est pas un agent de la délégation de cette conversation.",
            "This account is not an agent of this thread's delegation.",
        ),
        MessagingCode.AGENTS_ANSWER_IN_THREADS: M(
            "Un agent répond dans les conversations ouvertes par les demandeurs.",
            "An agent answers in the threads opened by applicants.",
        ),
    },
    area="dossiers.messaging",
)
