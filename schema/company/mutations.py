"""Mutations of the company space: employees, labels, import, alerts, titles."""

from __future__ import annotations

import strawberry


@strawberry.type
class CompanyMutations:
    pass
