"""Mutations of delegation: managers, invitations, administration, mandates."""

from __future__ import annotations

import strawberry


@strawberry.type
class DelegationMutations:
    pass
