"""The title's PDF: what the holder downloads the moment the title is issued (fpdf2), with a QR
code (segno) carrying the title's seal (`dossiers.title.seal`) as the URL of its public
verification. Stored content-addressed with the other files (`tenants.files`); the row keeps
the key and the SHA-256, checked again at each download.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, time

import segno
from fpdf import FPDF

from auth.account.tokens import AccessTokens
from dossiers.title.models import Title, TitleKind
from dossiers.title.seal import holder_names, seal, verification_url
from tenants.files import Files, content_key
from tenants.packs.base import TenantPack

TITLE_PDF = "title-pdf"  # the kind of file a signed download link names

KIND_NAMES: dict[TitleKind, str] = {
    TitleKind.CAR: "Carte professionnelle",
    TitleKind.PRE: "Autorisation préalable d'entrée en formation",
    TitleKind.PRV: "Autorisation provisoire",
    TitleKind.REC: "Récépissé de demande de renouvellement",
    TitleKind.AGD: "Agrément de dirigeant ou d'associé",
    TitleKind.AUT: "Autorisation d'exercer",
    TitleKind.FOR: "Autorisation d'exercer d'un organisme de formation",
}
# The PDF's built-in fonts are Latin-1: typographic signs outside it are spelled plainly.
_PLAIN = str.maketrans({"’": "'", "«": '"', "»": '"', "œ": "oe", "Œ": "OE", "–": "-", "—": "-"})


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _date(value: object) -> str:
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)


def render_pdf(pack: TenantPack, tokens: AccessTokens, title: Title) -> bytes:
    sealed = seal(tokens, pack.slug, title)
    url = verification_url(tokens, pack.slug, sealed)
    labels = {a.code: a.label.fr for a in pack.activities}
    pdf = FPDF(format="A4")
    # The document's date is the title's issue date, not the time of rendering.
    pdf.set_creation_date(datetime.combine(title.issued_on, time(), tzinfo=UTC))
    pdf.set_title(_latin1(f"{KIND_NAMES[TitleKind(title.kind)]} {title.number}"))
    pdf.set_author(_latin1(pack.name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _latin1(pack.name), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, _latin1(KIND_NAMES[TitleKind(title.kind)]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 12)
    rows = [
        ("Numéro", title.number),
        ("Titulaire", holder_names(title)),
        ("Délivré le", _date(title.issued_on)),
        ("Valable jusqu'au", _date(title.expires_on)),
    ]
    if title.holder_birth_date is not None:
        rows.insert(2, ("Né(e) le", _date(title.holder_birth_date)))
    activities = [labels.get(code, code) for code in title.activities or []]
    if activities:
        rows.append(("Activités", ", ".join(activities)))
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(50, 8, _latin1(label))
        pdf.set_font("Helvetica", "", 12)
        pdf.multi_cell(0, 8, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    qr = segno.make(url, error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=2)
    image.seek(0)
    pdf.image(image, w=60)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            "Le code QR porte ce titre signé par l'autorité (JWS, clés publiées à "
            f"{tokens.public_url}/.well-known/jwks.json) et ouvre sa vérification "
            "publique : son statut du jour."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


async def store_pdf(files: Files, pack: TenantPack, tokens: AccessTokens, title: Title) -> bytes:
    """Render, store, and note the key and digest on the row (for the caller to flush)."""
    data = render_pdf(pack, tokens, title)
    digest = hashlib.sha256(data)
    key = content_key(f"{pack.slug}/title-documents", digest.hexdigest())
    await files.storage.put(key, data)
    title.pdf_storage_key = key
    title.pdf_sha256 = digest.digest()
    return data
