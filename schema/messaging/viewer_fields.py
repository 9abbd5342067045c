"""Viewer fields of messaging: the viewer's threads and their unread messages in total."""

from __future__ import annotations

import strawberry

from auth.policy import Action, offered
from dossiers.messaging import notifications, reads
from schema.context import Info
from schema.messaging.types import (
    NotificationMode,
    NotificationPreferences,
    ThreadNode,
    threads_connection,
)
from schema.pagination import After, Connection, First, empty_connection


@strawberry.type
class ViewerMessagingFields:
    @strawberry.field(
        description="Mes conversations avec l'autorité (les miennes, celles de mes "
        "organisations, celles des personnes dont je suis le tiers de confiance ; pour un "
        "agent, celles de ses délégations), la plus récemment active d'abord."
    )
    async def threads(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
    ) -> Connection[ThreadNode] | None:
        if not offered(info.context.pack.slug, Action.TAKE_PART_IN_THREAD):
            return empty_connection(first, after)
        async with info.context.read_session() as session:
            page = await reads.viewer_threads(info.context.service_context(session), first, after)
        return threads_connection(page)

    @strawberry.field(
        description="Messages non lus par mon côté, toutes conversations confondues (0 sur "
        "un portail sans messagerie)."
    )
    async def unread_message_count(self, info: Info) -> int:
        actor = info.context.actor
        if actor is None or not offered(info.context.pack.slug, Action.TAKE_PART_IN_THREAD):
            return 0
        async with info.context.read_session() as session:
            return await reads.unread_total(info.context.service_context(session), actor)

    @strawberry.field(
        description="Mes préférences de notification (null sur un portail sans messagerie)."
    )
    async def notification_preferences(self, info: Info) -> NotificationPreferences | None:
        if not offered(info.context.pack.slug, Action.UPDATE_NOTIFICATION_PREFERENCES):
            return None
        async with info.context.read_session() as session:
            mode = await notifications.preference_of(info.context.service_context(session))
        return NotificationPreferences(messages=NotificationMode(mode.value))
