"""`GET /t/{tenant}/files/{link}`: a stored file, through a short-lived signed link that the API
hands to whoever may see it (`auth.account.tokens.FileLinks`). The link is the right: it is checked
for signature, tenant and expiry, then the file's bytes are checked against the SHA-256 kept
at upload."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from auth.account.tokens import FileLinks, InvalidAccessToken
from dossiers.deposit.models import Deposit
from schema.context import AppServices
from schema.deposit.types import DEPOSIT_FILE
from schema.organisation.request_fields import DOCUMENT_FILE
from server.tenancy import TenantNotFound, resolve_tenant
from tenants.organisations import OrganisationDocument
from tenants.session import open_session

log = logging.getLogger("guichet.files")

# The rows a link's kind names: each has filename, content_type, sha256 and storage_key.
STORED: dict[str, type[OrganisationDocument] | type[Deposit]] = {
    DOCUMENT_FILE: OrganisationDocument,
    DEPOSIT_FILE: Deposit,
}


def _refusal(code: str, status: int) -> JSONResponse:
    messages = {
        "LINK_INVALID": "Ce lien de téléchargement n'est pas valide ou a expiré : "
        "demandez-en un nouveau.",
        "NOT_FOUND": "Ce fichier n'existe pas.",
        "TENANT_NOT_FOUND": "Portail inconnu.",
    }
    return JSONResponse(
        {"errors": [{"message": messages[code], "extensions": {"code": code}}]},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


class Downloads:
    def __init__(self, services: AppServices) -> None:
        self.services = services

    async def file(self, request: Request) -> Response:
        try:
            pack = resolve_tenant(request.scope)
        except TenantNotFound:
            return _refusal("TENANT_NOT_FOUND", 404)
        links = FileLinks(self.services.auth.tokens)
        try:
            kind, file_id = links.verify(
                request.path_params["link"], pack.slug, self.services.clock.now()
            )
        except InvalidAccessToken:
            return _refusal("LINK_INVALID", 403)
        model = STORED.get(kind)
        if model is None:
            return _refusal("LINK_INVALID", 403)
        async with open_session(self.services.sessions, pack.slug) as session:
            document: OrganisationDocument | Deposit | None = await session.get(model, file_id)
        if document is None:
            return _refusal("NOT_FOUND", 404)
        data = await self.services.files.storage.get(document.storage_key)
        if data is None or hashlib.sha256(data).digest() != document.sha256:
            log.error("stored file missing or altered", extra={"document": str(document.id)})
            return _refusal("NOT_FOUND", 404)
        return Response(
            data,
            media_type=document.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(document.filename)}",
                "Cache-Control": "private, no-store",
            },
        )
