"""Organisation fields of the audit log: what was done in the organisation's name."""

from __future__ import annotations

import strawberry


@strawberry.type
class OrganisationAuditFields:
    pass
