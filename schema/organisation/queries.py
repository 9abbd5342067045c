"""Queries of organisation accounts (the authority's list of pending requests)."""

from __future__ import annotations

import strawberry


@strawberry.type
class OrganisationQueries:
    pass
