"""Messaging's events for organisations' webhooks: a message the authority (or the system)
wrote in one of the organisation's own threads."""

from __future__ import annotations

import uuid

from auth.context import ServiceContext
from dossiers.messaging.models import Thread
from dossiers.webhooks.models import WebhookEventType
from dossiers.webhooks.outbox import enqueue, global_id


async def message_received(ctx: ServiceContext, thread: Thread, message_id: uuid.UUID) -> None:
    if thread.organisation_id is None:
        return
    data = {
        "threadId": global_id("Thread", thread.id),
        "messageId": global_id("Message", message_id),
    }
    if thread.dossier_id is not None:
        data["dossierId"] = global_id("Dossier", thread.dossier_id)
    await enqueue(ctx, [thread.organisation_id], WebhookEventType.MESSAGE_RECEIVED, data)
