"""Mutations of organisation accounts: register, complete, validate, reject, establishments."""

from __future__ import annotations

import strawberry


@strawberry.type
class OrganisationMutations:
    pass
