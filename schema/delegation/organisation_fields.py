"""Organisation fields of delegation: memberships, invitations, mandates."""

from __future__ import annotations

import strawberry


@strawberry.type
class OrganisationDelegationFields:
    pass
