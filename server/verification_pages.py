"""The printable pages of the public verification: the record of a check made through the API
(`verifyTitle`, `verifyAuthorisation` answer its signed link) and the page a title's QR code
opens (its seal checked, its status read today). Same pages as the e-mailed links': no
script, the same Content-Security-Policy; the date and time of the consultation in Paris."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from auth.account.tokens import InvalidAccessToken
from auth.context import ServiceContext
from dossiers.public.receipts import open_receipt
from dossiers.public.tracking import Tracking
from dossiers.public.verification import Verification, VerificationResult, verify_seal
from dossiers.title.document import KIND_NAMES
from dossiers.title.models import TitleKind
from schema.context import AppServices
from server.graphql_app import client_info
from server.pages import TEXTS, _open_page, _Page, _render
from tenants.errors import DomainError, render_message
from tenants.session import open_session

PARIS = ZoneInfo("Europe/Paris")

TEXTS["verification"] = {
    "fr": {
        "title": "Vérification d'un titre",
        "query_title": "Nom de famille",
        "query_siret": "SIRET de l'établissement",
        "digits": "7 derniers chiffres du numéro",
        "kind": "Titre",
        "expires_on": "Date d'échéance",
        "checked": "Consultation du {date} à {time} (heure de Paris).",
        "VALID": "Titre valide",
        "NOT_VALID": "Titre non valide (expiré, suspendu ou retiré)",
        "UNKNOWN": "Titre inconnu",
        "unknown_help": "Vérifiez votre saisie ; si le résultat ne change pas, interrogez la "
        "délégation territoriale compétente pour confirmation.",
        "print": "Imprimez cette page pour garder trace de la consultation.",
        "invalid": "Ce lien n'est pas valide ou a expiré : refaites la vérification.",
    },
    "en": {
        "title": "Verification of a title",
        "query_title": "Family name",
        "query_siret": "Establishment's SIRET",
        "digits": "Last 7 digits of the number",
        "kind": "Title",
        "expires_on": "Expiry date",
        "checked": "Consulted on {date} at {time} (Paris time).",
        "VALID": "Valid title",
        "NOT_VALID": "Title not valid (expired, suspended or withdrawn)",
        "UNKNOWN": "Unknown title",
        "unknown_help": "Check what you typed; if the answer stays the same, ask the "
        "competent territorial delegation to confirm.",
        "print": "Print this page to keep a record of the consultation.",
        "invalid": "This link is not valid or has expired: check again.",
    },
}


TEXTS["tracking"] = {
    "fr": {
        "title": "Suivi d'un dossier",
        "number": "Numéro de dossier",
        "kind": "Demande",
        "submitted_at": "Déposé le",
        "updated_at": "Dernière étape le",
        "decided_at": "Décidé le",
        "checked": TEXTS["verification"]["fr"]["checked"],
        "unknown": "Dossier inconnu",
        "unknown_help": "Vérifiez le numéro et le nom (ou le SIRET) saisis.",
        "print": TEXTS["verification"]["fr"]["print"],
        "SUBMITTED": "Déposé, en attente d'instruction",
        "UNDER_REVIEW": "En cours d'instruction",
        "CORRECTIONS_REQUESTED": "Compléments demandés au demandeur",
        "GRANTED": "Accordé",
        "REFUSED": "Refusé",
        "CLOSED_WITHOUT_ACTION": "Classé sans suite",
        "WITHDRAWN": "Retiré par le demandeur",
    },
    "en": {
        "title": "Tracking a dossier",
        "number": "Dossier number",
        "kind": "Request",
        "submitted_at": "Filed on",
        "updated_at": "Last step on",
        "decided_at": "Decided on",
        "checked": TEXTS["verification"]["en"]["checked"],
        "unknown": "Unknown dossier",
        "unknown_help": "Check the number and the name (or SIRET) you typed.",
        "print": TEXTS["verification"]["en"]["print"],
        "SUBMITTED": "Filed, awaiting instruction",
        "UNDER_REVIEW": "Under review",
        "CORRECTIONS_REQUESTED": "Corrections requested from the applicant",
        "GRANTED": "Granted",
        "REFUSED": "Refused",
        "CLOSED_WITHOUT_ACTION": "Closed without action",
        "WITHDRAWN": "Withdrawn by the applicant",
    },
}


class VerificationPages:
    def __init__(self, services: AppServices) -> None:
        self.services = services

    async def receipt(self, request: Request) -> Response:
        page = _open_page(request, "verification")
        if isinstance(page, Response):
            return page
        try:
            found = open_receipt(
                self.services.auth.tokens,
                page.pack.slug,
                request.path_params["token"],
                self.services.clock.now(),
            )
        except InvalidAccessToken:
            return _invalid(page)
        if isinstance(found, tuple):
            tracking = _open_page(request, "tracking")
            if isinstance(tracking, Response):
                return tracking
            return _render("tracking.html", _tracking_values(tracking, *found))
        return _render("verification.html", _values(page, found))

    async def seal(self, request: Request) -> Response:
        page = _open_page(request, "verification")
        if isinstance(page, Response):
            return page
        async with open_session(self.services.sessions, page.pack.slug) as session:
            ctx = _context(self.services, page, request, session)
            try:
                found = await verify_seal(ctx, self.services.public, request.path_params["seal"])
            except DomainError as exc:
                if exc.keep_changes:
                    await session.commit()
                page.values["errors"] = [
                    {"code": e.code, "message": render_message(e.code, page.locale, e.params)}
                    for e in exc.errors
                ]
                return _render("verification.html", page.values)
            await session.commit()
        return _render("verification.html", _values(page, found))


def _context(
    services: AppServices, page: _Page, request: Request, session: AsyncSession
) -> ServiceContext:
    return ServiceContext(
        session=session,
        pack=page.pack,
        clock=services.clock,
        config=services.auth,
        locale=page.locale,
        client=client_info(request.scope),
    )


def _invalid(page: _Page) -> Response:
    page.values["errors"] = [{"code": "LINK_INVALID", "message": page.t["invalid"]}]
    return _render("verification.html", page.values)


def _values(page: _Page, found: Verification) -> dict[str, Any]:
    t = page.t
    local = found.checked_at.astimezone(PARIS)
    kind = KIND_NAMES.get(TitleKind(found.title_kind)) if found.title_kind else None
    return {
        **page.values,
        "found": found,
        "result": t[VerificationResult(found.result).value],
        "kind": kind,
        "expires_on": found.expires_on.strftime("%d/%m/%Y") if found.expires_on else None,
        "checked": t["checked"].format(
            date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M:%S")
        ),
    }


def _tracking_values(page: _Page, number: str, found: Tracking) -> dict[str, Any]:
    t = page.t
    local = found.checked_at.astimezone(PARIS)
    kinds = {k.code: k.label.get(page.locale) for k in page.pack.dossier_kinds}
    dates = [
        (t[key], value.astimezone(PARIS).strftime("%d/%m/%Y"))
        for key, value in (
            ("submitted_at", found.submitted_at),
            ("updated_at", found.updated_at),
            ("decided_at", found.decided_at),
        )
        if value is not None
    ]
    return {
        **page.values,
        "found": found,
        "number": number,
        "status": t[found.status.value] if found.status else None,
        "kind": kinds.get(found.kind or "", found.kind),
        "dates": dates,
        "checked": t["checked"].format(
            date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M:%S")
        ),
    }
