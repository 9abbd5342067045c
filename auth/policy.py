"""The one policy: `decide(actor, action, resource)` answers allowed or denied, and in which
capacity the actor acts. Every permission in Guichet is asked here; mutations then record the
capacity in the audit log (`auth.audit.record`).

This first version knows one capacity, SELF: later areas add administrator, manager with a
permission, trusted third party under a mandate, and authority agent, here and nowhere else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from auth.context import Actor
from auth.errors import AuthCode
from tenants.errors import DomainError


class Capacity(StrEnum):
    ANONYMOUS = "ANONYMOUS"  # register, confirm, sign in, reset: the link or password is the right
    SELF = "SELF"


class Action(StrEnum):
    VIEW_ACCOUNT = "VIEW_ACCOUNT"
    VIEW_PERSON = "VIEW_PERSON"
    LIST_SESSIONS = "LIST_SESSIONS"
    CHANGE_PASSWORD = "CHANGE_PASSWORD"  # noqa: S105
    SIGN_OUT = "SIGN_OUT"
    REVOKE_SESSION = "REVOKE_SESSION"
    VIEW_AUDIT = "VIEW_AUDIT"


# What an account that must change its password may still do.
_RESTRICTED_ALLOWED = frozenset({Action.VIEW_ACCOUNT, Action.CHANGE_PASSWORD, Action.SIGN_OUT})


@dataclass(frozen=True)
class Resource:
    """What an action is on: its kind, id, and the account or person it belongs to."""

    kind: str
    id: uuid.UUID | None
    owner_account_id: uuid.UUID | None = None
    owner_person_id: uuid.UUID | None = None
    tenant: str | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    capacity: Capacity | None
    code: AuthCode | None = None
    via_type: str | None = None
    via_id: uuid.UUID | None = None

    def require(self) -> Decision:
        if not self.allowed:
            raise DomainError.one(self.code or AuthCode.FORBIDDEN)
        return self


def _deny(code: AuthCode) -> Decision:
    return Decision(allowed=False, capacity=None, code=code)


def decide(actor: Actor | None, action: Action, resource: Resource) -> Decision:
    if actor is None:
        return _deny(AuthCode.AUTHENTICATION_REQUIRED)
    if resource.tenant is not None and resource.tenant != actor.tenant:
        return _deny(AuthCode.FORBIDDEN)
    if actor.must_change_password and action not in _RESTRICTED_ALLOWED:
        return _deny(AuthCode.PASSWORD_CHANGE_REQUIRED)
    is_self = (
        resource.owner_account_id is not None and resource.owner_account_id == actor.account_id
    ) or (resource.owner_person_id is not None and resource.owner_person_id == actor.person_id)
    if is_self:
        return Decision(allowed=True, capacity=Capacity.SELF)
    return _deny(AuthCode.FORBIDDEN)


def own_account(actor: Actor | None) -> Resource:
    """The resource "the actor's own account" (sign-out, password change, sessions)."""
    account = actor.account_id if actor else None
    return Resource(
        kind="Account",
        id=account,
        owner_account_id=account,
        tenant=actor.tenant if actor else None,
    )
