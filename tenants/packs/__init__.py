"""The tenant packs shipped in the box, by slug."""

from __future__ import annotations

from collections.abc import Mapping

from tenants.packs import cnaps, cnsa
from tenants.packs.base import TenantPack

PACKS: Mapping[str, TenantPack] = {pack.slug: pack for pack in (cnaps.PACK, cnsa.PACK)}


def find_pack(slug: str | None) -> TenantPack | None:
    """The pack of that slug, or None."""
    return PACKS.get(slug) if slug else None
