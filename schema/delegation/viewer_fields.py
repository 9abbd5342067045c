"""Viewer fields of delegation: mandates given and received, invitations."""

from __future__ import annotations

import strawberry


@strawberry.type
class ViewerDelegationFields:
    pass
