"""Viewer fields of the audit log: who acted for me, and by which right."""

from __future__ import annotations

import strawberry


@strawberry.type
class ViewerAuditFields:
    pass
