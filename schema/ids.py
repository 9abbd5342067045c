"""Relay global IDs given as input, turned into the UUIDs the services take.

Every input field carrying an ID is declared `strawberry.ID` (`ID`/`ID!` in the SDL) and
decoded here, never by `relay.GlobalID`: a value Strawberry would refuse as a global ID would
answer a top-level GraphQL error, while a bad ID is a bad input like any other. An ID that is
malformed, of another type or of another tenant is answered exactly as one that does not
exist: it decodes to `NOWHERE`, a UUID that matches no row, and the service answers NOT_FOUND
on that field (`["input", "organisationId"]`, `["input", "labelIds", "2"]`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import strawberry
from strawberry import relay

NOWHERE = uuid.UUID(int=0)


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def uuid_of(value: strawberry.ID, type_name: str) -> uuid.UUID:
    """The UUID of a required ID of that type; `NOWHERE` (answered NOT_FOUND) for anything
    else."""
    try:
        gid = relay.GlobalID.from_id(str(value))
    except Exception:  # any undecodable ID is simply unknown
        return NOWHERE
    if gid.type_name != type_name:
        return NOWHERE
    return parse_uuid(gid.node_id) or NOWHERE


def given_uuid(value: strawberry.ID | None, type_name: str) -> uuid.UUID | None:
    """For an optional ID: `None` when not given, else as `uuid_of` (never ignored)."""
    return None if value is None else uuid_of(value, type_name)


def uuids_of(values: Sequence[strawberry.ID] | None, type_name: str) -> list[uuid.UUID]:
    """A list of IDs, position by position (the service answers NOT_FOUND at each index)."""
    return [uuid_of(value, type_name) for value in values or ()]
