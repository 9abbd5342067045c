"""Render a mail template (French or English; text and HTML parts) into an RFC 5322 message."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tenants.packs.base import TenantPack

LOCALES = ("fr", "en")


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(
    pack: TenantPack,
    template: str,
    locale: str,
    recipient: str,
    context: Mapping[str, Any],
    now: datetime,
) -> EmailMessage:
    locale = locale if locale in LOCALES else "fr"
    env = _environment()
    values = {
        "pack": pack,
        "tenant_name": pack.short_name,
        "support_email": pack.support_email,
        "lang": locale,
        **context,
    }
    subject = env.get_template(f"{locale}/{template}.subject.txt").render(values).strip()
    text = env.get_template(f"{locale}/{template}.txt").render(values)
    html = env.get_template(f"{locale}/{template}.html").render(values)

    message = EmailMessage()
    sender_domain = pack.sender_email.rsplit("@", 1)[-1]
    message["From"] = Address(pack.sender_name, addr_spec=pack.sender_email)
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{sender_domain}>"
    message["Content-Language"] = locale
    message["Auto-Submitted"] = "auto-generated"
    message["X-Guichet-Tenant"] = pack.slug
    message["X-Guichet-Template"] = template
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
