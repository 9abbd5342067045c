"""The one field guard: the policy (`auth.policy.decide`) decides whether the viewer may read a
field, and a refusal is an error on THAT field only.

- A field the viewer may be refused is nullable and calls `require(...)`: refused, it raises
  the policy's error (its code, e.g. PERMISSION_MISSING, with the missing permission in
  `extensions.permission`); GraphQL answers `null` for that field alone, with the error on its
  path, and the parent (an `Organisation`, the `viewer`, `data`) stays whole.
- A reference to an object the viewer may not see answers null like a missing object:
  `if not allowed(...): return None` (no error: the two are indistinguishable on purpose).

An expected refusal is an info line, never a traceback.
"""

from __future__ import annotations

import logging
import uuid

from auth.policy import Action, Resource, decide
from schema.context import Info

logger = logging.getLogger(__name__)


def allowed(info: Info, action: Action, resource: Resource) -> bool:
    """For a nullable reference: whether to answer it (False: answer null, silently)."""
    decision = decide(info.context.actor, action, resource)
    if not decision.allowed:
        logger.info("field %s refused: %s", info.field_name, decision.code)
    return decision.allowed


def require(info: Info, action: Action, resource: Resource) -> None:
    """For a field the viewer may be refused (nullable): raise the policy's error, which
    GraphQL reports on this field's path."""
    decide(info.context.actor, action, resource).require()


def person_resource(person_id: uuid.UUID) -> Resource:
    """A person as a resource: theirs, and their trusted third parties' under a mandate."""
    return Resource("Person", person_id, owner_person_id=person_id)
