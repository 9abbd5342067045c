"""Relay global IDs given as input, turned into the UUIDs the services take.

An ID that is malformed, of another type or of another tenant must be answered exactly as
one that does not exist: these give `None` (a required ID: the service answers NOT_FOUND) or
`NOWHERE`, a UUID that matches no row, where `None` would mean "not given".
"""

from __future__ import annotations

import uuid

import strawberry
from strawberry import relay

NOWHERE = uuid.UUID(int=0)


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def node_uuid(value: relay.GlobalID | None, type_name: str) -> uuid.UUID | None:
    """The UUID of a global ID of that type; `None` (answered NOT_FOUND) for anything else."""
    if value is None or value.type_name != type_name:
        return None
    return parse_uuid(value.node_id)


def node_uuids(values: list[relay.GlobalID] | None, type_name: str) -> list[uuid.UUID | None]:
    return [node_uuid(v, type_name) for v in values or []]


def given_uuid(value: relay.GlobalID | None, type_name: str) -> uuid.UUID | None:
    """For an optional input: `None` when not given; an ID that is not of that type becomes
    `NOWHERE`, so the service answers NOT_FOUND rather than ignoring it."""
    if value is None:
        return None
    return node_uuid(value, type_name) or NOWHERE


def id_of(value: strawberry.ID | None, type_name: str) -> uuid.UUID | None:
    """The same for an ID given as a plain `ID` string (decoded here): `None` when not given,
    `NOWHERE` when undecodable or of another type."""
    if value is None:
        return None
    try:
        gid = relay.GlobalID.from_id(str(value))
    except Exception:  # any undecodable ID is simply unknown
        return NOWHERE
    return node_uuid(gid, type_name) or NOWHERE
