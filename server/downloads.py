"""`GET /t/{tenant}/files/{link}`: a stored file, through a short-lived signed link that the API
hands to whoever may see it (`auth.account.tokens.FileLinks`). The link is the right: it is checked
for signature, tenant and expiry, then the file's bytes are checked against the SHA-256 kept
at upload."""

from __future__ import annotations

import hashlib
import logging
import uuid
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from auth.account.tokens import FileLinks, InvalidAccessToken
from dossiers.deposit.models import Deposit
from dossiers.dossier.models import DossierDocument
from dossiers.messaging.models import MessageAttachment
from dossiers.title.document import TITLE_PDF, store_pdf
from dossiers.title.models import Title
from schema.context import AppServices
from schema.deposit.types import DEPOSIT_FILE
from schema.dossier.types import DOSSIER_DOCUMENT_FILE
from schema.messaging.types import ATTACHMENT_FILE
from schema.organisation.request_fields import DOCUMENT_FILE
from server.tenancy import TenantNotFound, resolve_tenant
from tenants.organisations import OrganisationDocument
from tenants.packs.base import TenantPack
from tenants.session import open_session

log = logging.getLogger("guichet.files")
PDF = "application/pdf"

# The rows a link's kind names: each has filename, content_type, sha256 and storage_key.
STORED: dict[
    str,
    type[OrganisationDocument] | type[Deposit] | type[DossierDocument] | type[MessageAttachment],
] = {
    DOCUMENT_FILE: OrganisationDocument,
    DEPOSIT_FILE: Deposit,
    DOSSIER_DOCUMENT_FILE: DossierDocument,
    ATTACHMENT_FILE: MessageAttachment,
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
        if kind == TITLE_PDF:
            return await self.title_pdf(pack, file_id)
        model = STORED.get(kind)
        if model is None:
            return _refusal("LINK_INVALID", 403)
        async with open_session(self.services.sessions, pack.slug) as session:
            document: (
                OrganisationDocument | Deposit | DossierDocument | MessageAttachment | None
            ) = await session.get(model, file_id)
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

    async def title_pdf(self, pack: TenantPack, title_id: uuid.UUID) -> Response:
        """The title's PDF made at issue; one issued before PDFs existed gets it now."""
        files = self.services.files
        async with open_session(self.services.sessions, pack.slug) as session:
            title = await session.get(Title, title_id)
            if title is None:
                return _refusal("NOT_FOUND", 404)
            if title.pdf_storage_key is None or title.pdf_sha256 is None:
                data = await store_pdf(files, pack, self.services.auth.tokens, title)
                await session.commit()
            else:
                stored = await files.storage.get(title.pdf_storage_key)
                if stored is None or hashlib.sha256(stored).digest() != title.pdf_sha256:
                    log.error("stored file missing or altered", extra={"title": str(title.id)})
                    return _refusal("NOT_FOUND", 404)
                data = stored
        return Response(
            data,
            media_type=PDF,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(title.number)}.pdf",
                "Cache-Control": "private, no-store",
            },
        )
