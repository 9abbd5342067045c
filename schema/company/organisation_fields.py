"""Organisation fields of the company space: employees, labels, dashboard, alerts."""

from __future__ import annotations

import strawberry


@strawberry.type
class OrganisationCompanyFields:
    pass
