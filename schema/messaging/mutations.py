"""Mutations of messaging: thin wrappers over `dossiers.messaging`. Attachments travel as
`Upload`s (GraphQL multipart request spec)."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from dossiers.messaging import inbox, messages, notifications
from dossiers.messaging.access import ThreadPermit
from dossiers.messaging.models import Message, Thread
from dossiers.messaging.models import NotificationMode as NotificationModeValue
from schema.context import Info
from schema.errors import UserError
from schema.ids import given_uuid, uuid_of
from schema.messaging.types import (
    MessageNode,
    NotificationMode,
    NotificationPreferences,
    ThreadNode,
)
from schema.transactions import MutationInput, run_mutation

_KEY = (
    "Clé d'envoi choisie par le client (64 caractères au plus) : un envoi répété avec la "
    "même clé ne publie pas deux fois le message, il renvoie le premier."
)
_ERRORS = "Les refus (code, chemin du champ, message) ; vide en cas de succès."
_OK = "Vrai si et seulement si la mutation a réussi (aucune erreur)."


@strawberry.input(description="Ouvrir une conversation avec l'autorité, avec un premier message.")
class OpenThreadInput:
    subject: str = strawberry.field(description="Objet (200 caractères au plus).")
    body: str = strawberry.field(description="Premier message, texte brut (5 000 au plus).")
    attachments: list[Upload] = strawberry.field(
        default_factory=list,
        description="Pièces jointes (PDF, PNG, JPEG ; 10 au plus), parties multipart.",
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Pour un tiers de confiance : la personne pour qui il écrit (son mandat "
        "doit permettre de recevoir les communications). Par défaut, soi-même.",
    )
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Une conversation de l'organisation (administrateur, "
        "gestionnaires autorisés à écrire à l'autorité).",
    )
    title_id: strawberry.ID | None = strawberry.field(
        default=None, description="Le titre dont il s'agit (un titre de la personne)."
    )
    client_mutation_id: str | None = strawberry.field(default=None, description=_KEY)


@strawberry.type(description="Résultat de l'ouverture d'une conversation.")
class OpenThreadPayload:
    thread: ThreadNode | None = strawberry.field(default=None, description="La conversation.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)

    @strawberry.field(description=_OK)
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="Écrire dans une conversation.")
class SendMessageInput:
    thread_id: strawberry.ID = strawberry.field(description="La conversation.")
    body: str = strawberry.field(description="Texte brut (5 000 caractères au plus).")
    attachments: list[Upload] = strawberry.field(
        default_factory=list,
        description="Pièces jointes (PDF, PNG, JPEG ; 10 au plus), parties multipart.",
    )
    client_mutation_id: str | None = strawberry.field(default=None, description=_KEY)


@strawberry.type(description="Résultat de l'envoi d'un message.")
class SendMessagePayload:
    message: MessageNode | None = strawberry.field(default=None, description="Le message.")
    thread: ThreadNode | None = strawberry.field(default=None, description="Sa conversation.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)

    @strawberry.field(description=_OK)
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="Marquer lus les messages de l'autre côté.")
class MarkThreadReadInput:
    thread_id: strawberry.ID = strawberry.field(description="La conversation.")
    up_to_message_id: strawberry.ID | None = strawberry.field(
        default=None, description="Jusqu'à ce message inclus (par défaut : tous)."
    )


@strawberry.type(description="Résultat du marquage comme lu.")
class MarkThreadReadPayload:
    thread: ThreadNode | None = strawberry.field(default=None, description="La conversation.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)

    @strawberry.field(description=_OK)
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="Confier une conversation à un agent (agents seulement).")
class AssignThreadInput:
    thread_id: strawberry.ID = strawberry.field(description="La conversation.")
    agent_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Le compte (Account) de l'agent, de la délégation de la conversation ; "
        "null pour ne la confier à personne.",
    )


@strawberry.type(description="Résultat de l'attribution d'une conversation.")
class AssignThreadPayload:
    thread: ThreadNode | None = strawberry.field(default=None, description="La conversation.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)

    @strawberry.field(description=_OK)
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="Clore une conversation (agents seulement).")
class CloseThreadInput:
    thread_id: strawberry.ID = strawberry.field(description="La conversation.")


@strawberry.type(description="Résultat de la clôture d'une conversation.")
class CloseThreadPayload:
    thread: ThreadNode | None = strawberry.field(default=None, description="La conversation.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)

    @strawberry.field(description=_OK)
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="Changer ses préférences de notification.")
class UpdateNotificationPreferencesInput:
    messages: NotificationMode = strawberry.field(
        description="Nouveaux messages : courriel immédiat, récapitulatif quotidien ou jamais."
    )


@strawberry.type(description="Résultat du changement des préférences de notification.")
class UpdateNotificationPreferencesPayload:
    preferences: NotificationPreferences | None = strawberry.field(
        default=None, description="Les préférences enregistrées."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)

    @strawberry.field(description=_OK)
    def ok(self) -> bool:
        return not self.errors


def _draft(body: str, attachments: list[Upload], key: str | None) -> messages.Draft:
    return messages.Draft(body=body, attachments=tuple(attachments), idempotency_key=key)


@strawberry.type
class MessagingMutations:
    @strawberry.mutation(description="Ouvrir une conversation avec l'autorité.")
    async def open_thread(
        self, info: Info, input: MutationInput[OpenThreadInput]
    ) -> OpenThreadPayload:
        files = info.context.services.files
        data = messages.NewThread(
            subject=input.subject,
            draft=_draft(input.body, input.attachments, input.client_mutation_id),
            person_id=given_uuid(input.person_id, "Person"),
            organisation_id=given_uuid(input.organisation_id, "Organisation"),
            title_id=given_uuid(input.title_id, "Title"),
        )

        def fill(thread: Thread) -> OpenThreadPayload:
            return OpenThreadPayload(thread=ThreadNode.from_row(thread))

        return await run_mutation(
            info, lambda ctx: messages.open_thread(ctx, files, data), OpenThreadPayload, fill
        )

    @strawberry.mutation(description="Envoyer un message (texte et pièces jointes).")
    async def send_message(
        self, info: Info, input: MutationInput[SendMessageInput]
    ) -> SendMessagePayload:
        files = info.context.services.files
        thread_id = uuid_of(input.thread_id, "Thread")
        draft = _draft(input.body, input.attachments, input.client_mutation_id)

        async def fill(message: Message) -> SendMessagePayload:
            [thread] = await ThreadNode.visible_nodes(info, [str(message.thread_id)])
            return SendMessagePayload(message=MessageNode.from_row(message), thread=thread)

        return await run_mutation(
            info,
            lambda ctx: messages.send_message(ctx, files, thread_id, draft),
            SendMessagePayload,
            fill,
        )

    @strawberry.mutation(description="Marquer lus les messages de l'autre côté.")
    async def mark_thread_read(
        self, info: Info, input: MutationInput[MarkThreadReadInput]
    ) -> MarkThreadReadPayload:
        thread_id = uuid_of(input.thread_id, "Thread")
        up_to = given_uuid(input.up_to_message_id, "Message")

        def fill(permit: ThreadPermit) -> MarkThreadReadPayload:
            return MarkThreadReadPayload(thread=ThreadNode.from_row(permit.thread))

        return await run_mutation(
            info,
            lambda ctx: messages.mark_thread_read(ctx, thread_id, up_to),
            MarkThreadReadPayload,
            fill,
        )

    @strawberry.mutation(description="Confier une conversation à un agent.")
    async def assign_thread(
        self, info: Info, input: MutationInput[AssignThreadInput]
    ) -> AssignThreadPayload:
        thread_id = uuid_of(input.thread_id, "Thread")
        agent_id = given_uuid(input.agent_id, "Account")

        def fill(permit: ThreadPermit) -> AssignThreadPayload:
            return AssignThreadPayload(thread=ThreadNode.from_row(permit.thread))

        return await run_mutation(
            info,
            lambda ctx: inbox.assign_thread(ctx, thread_id, agent_id),
            AssignThreadPayload,
            fill,
        )

    @strawberry.mutation(description="Clore une conversation ; un nouveau message la rouvre.")
    async def close_thread(
        self, info: Info, input: MutationInput[CloseThreadInput]
    ) -> CloseThreadPayload:
        thread_id = uuid_of(input.thread_id, "Thread")

        def fill(permit: ThreadPermit) -> CloseThreadPayload:
            return CloseThreadPayload(thread=ThreadNode.from_row(permit.thread))

        return await run_mutation(
            info, lambda ctx: inbox.close_thread(ctx, thread_id), CloseThreadPayload, fill
        )

    @strawberry.mutation(description="Changer ses préférences de notification.")
    async def update_notification_preferences(
        self, info: Info, input: MutationInput[UpdateNotificationPreferencesInput]
    ) -> UpdateNotificationPreferencesPayload:
        wanted = NotificationModeValue(input.messages.value)

        def fill(mode: NotificationModeValue) -> UpdateNotificationPreferencesPayload:
            preferences = NotificationPreferences(messages=NotificationMode(mode.value))
            return UpdateNotificationPreferencesPayload(preferences=preferences)

        return await run_mutation(
            info,
            lambda ctx: notifications.update_preferences(ctx, wanted),
            UpdateNotificationPreferencesPayload,
            fill,
        )
