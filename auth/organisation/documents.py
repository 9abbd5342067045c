"""The documents of an organisation's request: which are required, reading and checking
the uploads (type sniffed from the content, size, name), storing them.

Required [docs/DOMAIN.md "Accounts and onboarding", choice]: the company registration extract
(Kbis), the legal representative's identity document and, when the applicant is not the
legal representative, a signed mandate. Accepted files: PDF, PNG, JPEG.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import select

from auth.account.identity_fields import Collector
from auth.context import ServiceContext
from auth.organisation.errors import OrganisationCode as C
from auth.organisation.request_fields import DocumentUpload, Field
from tenants.errors import CommonCode, FieldError
from tenants.files import (
    CheckedFile,
    FileProblem,
    Files,
    Refused,
    Upload,
    read_checked,
    store_checked,
)
from tenants.organisations import DocumentKind, OrganisationDocument

MAX_DOCUMENTS = 20
DOCUMENT_LABELS = {
    DocumentKind.COMPANY_REGISTRATION_EXTRACT: ("extrait Kbis", "company registration extract"),
    DocumentKind.REPRESENTATIVE_IDENTITY: (
        "pièce d'identité du représentant légal",
        "legal representative's identity document",
    ),
    DocumentKind.SIGNED_MANDATE: ("mandat signé", "signed mandate"),
}
_PROBLEMS = {
    FileProblem.EMPTY: C.DOCUMENT_EMPTY,
    FileProblem.TOO_LARGE: C.DOCUMENT_TOO_LARGE,
    FileProblem.TYPE_NOT_ACCEPTED: C.DOCUMENT_TYPE_NOT_ACCEPTED,
    FileProblem.TYPE_MISMATCH: C.DOCUMENT_TYPE_MISMATCH,
    FileProblem.MACRO_ENABLED: C.DOCUMENT_TYPE_NOT_ACCEPTED,
}


def required_documents(applicant_is_representative: bool) -> list[DocumentKind]:
    kinds = [DocumentKind.COMPANY_REGISTRATION_EXTRACT, DocumentKind.REPRESENTATIVE_IDENTITY]
    if not applicant_is_representative:
        kinds.append(DocumentKind.SIGNED_MANDATE)
    return kinds


def missing_documents(applicant_is_representative: bool, present: set[str]) -> list[DocumentKind]:
    return [k for k in required_documents(applicant_is_representative) if k not in present]


def missing_error(ctx: ServiceContext, missing: Sequence[DocumentKind], field: Field) -> FieldError:
    index = 1 if ctx.locale == "en" else 0
    names = ", ".join(DOCUMENT_LABELS[k][index] for k in missing)
    return FieldError(C.DOCUMENTS_MISSING, field, {"missing": names, "kinds": list(missing)})


async def document_kinds(ctx: ServiceContext, organisation_id: uuid.UUID) -> set[str]:
    rows = await ctx.session.scalars(
        select(OrganisationDocument.kind).where(
            OrganisationDocument.organisation_id == organisation_id
        )
    )
    return set(rows)


async def read_documents(
    check: Collector,
    files: Files,
    uploads: Sequence[DocumentUpload],
    field_of: Callable[[int], Field],
) -> list[tuple[str, CheckedFile]]:
    """Every upload read and checked (content sniffed, size, name); errors collected on
    `field_of(index)`."""
    checked: list[tuple[str, CheckedFile]] = []
    for index, upload in enumerate(uploads):
        where = field_of(index)
        if not isinstance(upload.file, Upload):
            check.add(CommonCode.REQUIRED, where)
            continue
        result = await read_checked(upload.file, files.max_bytes)
        if isinstance(result, Refused):
            check.add(_PROBLEMS[result.problem], where, **result.params)
            continue
        checked.append((upload.kind, result))
    return checked


async def store_documents(
    ctx: ServiceContext,
    uploaded_by: uuid.UUID,
    files: Files,
    organisation_id: uuid.UUID,
    checked: Sequence[tuple[str, CheckedFile]],
) -> list[OrganisationDocument]:
    """Write the bytes and make the rows, for the caller to add (the bytes first: a rollback
    leaves an orphan file, never a row without its file)."""
    rows = []
    now = ctx.clock.now()
    for kind, file in checked:
        key = await store_checked(files.storage, f"{ctx.pack.slug}/organisation-documents", file)
        row = OrganisationDocument(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            kind=kind,
            filename=file.filename,
            content_type=str(file.content_type),
            size=file.size,
            sha256=file.sha256,
            storage_key=key,
            uploaded_by_account_id=uploaded_by,
            created_at=now,
        )
        rows.append(row)
    return rows
