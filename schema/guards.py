"""The one field guard: the policy (`auth.policy.decide`) decides whether the viewer may see a
field, and the field's nullability decides how a refusal answers.

- A nullable field answers null: `if not allowed(...): return None`. It never raises, since
  an error on a nested field can null a parent (e.g. `viewer`).
- A non-null field cannot answer null: `require(...)` raises the policy's error (its code,
  e.g. PERMISSION_MISSING), which nulls the nearest nullable parent.

An expected refusal is an info line, never a traceback.
"""

from __future__ import annotations

import logging
import uuid

from strawberry.types.base import StrawberryOptional

from auth.policy import Action, Resource, decide
from schema.context import Info

logger = logging.getLogger(__name__)


def allowed(info: Info, action: Action, resource: Resource) -> bool:
    """For a nullable field: whether to answer it (False: answer null). Used on a non-null
    field, a refusal raises as `require` does."""
    decision = decide(info.context.actor, action, resource)
    if decision.allowed:
        return True
    if not isinstance(info.return_type, StrawberryOptional):
        decision.require()
    logger.info("field %s refused: %s", info.field_name, decision.code)
    return False


def require(info: Info, action: Action, resource: Resource) -> None:
    """For a non-null field: raise the policy's error when refused."""
    decide(info.context.actor, action, resource).require()


def person_resource(person_id: uuid.UUID) -> Resource:
    """A person as a resource: theirs, and their trusted third parties' under a mandate."""
    return Resource("Person", person_id, owner_person_id=person_id)
