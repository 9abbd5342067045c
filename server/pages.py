"""Built-in landing pages for e-mailed links. A GET only shows a form: mail scanners follow
links, so the token acts only when the person posts it. The pages are GraphQL clients of
the same API a frontend uses."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry import Schema

from schema.context import AppServices, GuichetContext
from server.graphql_app import client_info, tenant_not_found
from server.tenancy import TenantNotFound, preferred_locale, resolve_tenant

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "confirm": {
        "fr": {
            "title": "Confirmer votre adresse électronique",
            "explain": "Cliquez sur le bouton pour confirmer votre adresse et activer votre "
            "compte.",
            "button": "Confirmer mon adresse",
            "confirmed": "Votre adresse est confirmée : vous pouvez vous connecter.",
            "missing": "Ce lien est incomplet : copiez le lien du courriel en entier.",
        },
        "en": {
            "title": "Confirm your e-mail address",
            "explain": "Press the button to confirm your address and activate your account.",
            "button": "Confirm my address",
            "confirmed": "Your address is confirmed: you can sign in.",
            "missing": "This link is incomplete: copy the whole link from the e-mail.",
        },
    },
    "reset": {
        "fr": {
            "title": "Choisir un nouveau mot de passe",
            "label": "Nouveau mot de passe",
            "button": "Enregistrer",
            "done": "Votre mot de passe est changé : vous pouvez vous connecter.",
            "missing": "Ce lien est incomplet : copiez le lien du courriel en entier.",
        },
        "en": {
            "title": "Choose a new password",
            "label": "New password",
            "button": "Save",
            "done": "Your password was changed: you can sign in.",
            "missing": "This link is incomplete: copy the whole link from the e-mail.",
        },
    },
}

CONFIRM = """mutation ($token: String!) {
  confirmEmail(input: {token: $token}) { email errors { code message } }
}"""
RESET = """mutation ($token: String!, $password: String) {
  resetPassword(input: {token: $token, newPassword: $password}) { ok errors { code message } }
}"""


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("server", "pages"), autoescape=select_autoescape(default=True)
    )


class LinkPages:
    def __init__(self, schema: Schema, services: AppServices) -> None:
        self.schema = schema
        self.services = services

    async def confirm_email(self, request: Request) -> Response:
        return await self._page(request, "confirm", "confirm_email.html", CONFIRM, "confirmEmail")

    async def reset_password(self, request: Request) -> Response:
        return await self._page(
            request, "reset", "reset_password.html", RESET, "resetPassword", with_password=True
        )

    async def _page(
        self,
        request: Request,
        texts: str,
        template: str,
        mutation: str,
        field: str,
        with_password: bool = False,
    ) -> Response:
        locale = preferred_locale(request.scope)
        try:
            pack = resolve_tenant(request.scope)
        except TenantNotFound as exc:
            return tenant_not_found(exc, locale)
        t = TEXTS[texts][locale]
        values: dict[str, Any] = {
            "pack": pack,
            "locale": locale,
            "t": t,
            "title": t["title"],
            "rules": [rule.get(locale) for rule in pack.password.rules],
            "errors": [],
            "done": False,
            "token": request.query_params.get("token", ""),
        }
        status = 200
        if request.method == "POST":
            form = await request.form()
            token = str(form.get("token") or "")
            variables: dict[str, Any] = {"token": token}
            if with_password:
                variables["password"] = str(form.get("new_password") or "")
            context = GuichetContext(
                services=self.services,
                pack=pack,
                locale=locale,
                actor=None,
                viewer_account=None,
                client=client_info(request.scope),
            )
            result = await self.schema.execute(
                mutation, variable_values=variables, context_value=context
            )
            if result.errors or result.data is None:
                raise RuntimeError(f"{field} failed: {result.errors}")
            values.update(done=True, token=token, errors=result.data[field]["errors"])
            status = 400 if values["errors"] else 200
        html = _env().get_template(template).render(values)
        return HTMLResponse(html, status_code=status)
