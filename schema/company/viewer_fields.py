"""Viewer fields of the company space: alerts of the viewer's organisations."""

from __future__ import annotations

import strawberry


@strawberry.type
class ViewerCompanyFields:
    pass
