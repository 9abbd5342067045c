"""Organisation fields of the validation request: establishments and documents."""

from __future__ import annotations

import strawberry


@strawberry.type
class OrganisationRequestFields:
    pass
