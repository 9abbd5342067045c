"""Built-in landing pages for e-mailed links. A GET only shows a form: mail scanners follow
links, so the token acts only when the person posts it. The pages are GraphQL clients of
the same API a frontend uses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry import Schema

from auth.account import sessions
from auth.account.models import Account
from auth.account.tokens import InvalidAccessToken
from auth.context import Actor, ServiceContext
from auth.delegation.invitations import permission_labels
from schema.context import AppServices, GuichetContext
from server.graphql_app import client_info, tenant_not_found
from server.tenancy import TenantNotFound, preferred_locale, resolve_tenant
from tenants.packs.base import TenantPack
from tenants.session import open_session

# The pages run no script, load nothing and post only to themselves; their one stylesheet is
# inline. A page cannot be framed (clickjacking on a password form).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        html, status_code=status, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    )


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

TEXTS["dossier"] = {
    "fr": {
        "title": "Confirmer le dépôt de votre demande",
        "explain": "Cliquez sur le bouton pour déposer votre demande signée auprès de l'autorité.",
        "button": "Confirmer ma demande",
        "confirmed": "Votre demande est déposée sous le numéro",
        "missing": "Ce lien est incomplet : copiez le lien du courriel en entier.",
    },
    "en": {
        "title": "Confirm the filing of your request",
        "explain": "Press the button to file your signed request with the authority.",
        "button": "Confirm my request",
        "confirmed": "Your request is filed under number",
        "missing": "This link is incomplete: copy the whole link from the e-mail.",
    },
}

TEXTS["invitation"] = {
    "fr": {
        "title": "Accepter une invitation à devenir gestionnaire",
        "explain": "Une organisation vous invite à agir pour elle comme gestionnaire, avec les "
        "droits indiqués dans le courriel. Connectez-vous avec votre compte pour accepter : "
        "vous pourrez alors agir pour l'organisation dans ces droits.",
        "no_account": "Pas encore de compte ? Ouvrez votre compte sur le portail et confirmez "
        "votre adresse, puis revenez à ce lien tant qu'il est valable. Le compte n'a pas "
        "besoin d'avoir l'adresse à laquelle l'invitation a été envoyée.",
        "temporary": "Compte ouvert pour vous avec un mot de passe provisoire ? Choisissez "
        "d'abord votre mot de passe :",
        "sign_in_link": "page de connexion",
        "email": "Adresse électronique",
        "password": "Mot de passe",
        "button": "Me connecter et accepter l'invitation",
        "done": "Invitation acceptée : vous êtes désormais gestionnaire de l'organisation.",
        "rights": "Droits délégués :",
        "missing": "Ce lien est incomplet : copiez le lien du courriel en entier.",
    },
    "en": {
        "title": "Accept an invitation to become a manager",
        "explain": "An organisation invites you to act for it as a manager, with the rights "
        "listed in the e-mail. Sign in with your account to accept: you will then act for the "
        "organisation within those rights.",
        "no_account": "No account yet? Open your account on the portal and confirm your "
        "address, then come back to this link while it is valid. The account need not have "
        "the address the invitation was sent to.",
        "temporary": "Account opened for you with a temporary password? Choose your password "
        "first:",
        "sign_in_link": "sign-in page",
        "email": "E-mail address",
        "password": "Password",
        "button": "Sign in and accept the invitation",
        "done": "Invitation accepted: you are now a manager of the organisation.",
        "rights": "Delegated rights:",
        "missing": "This link is incomplete: copy the whole link from the e-mail.",
    },
}
TEXTS["sign_in"] = {
    "fr": {
        "title": "Se connecter",
        "change_title": "Choisir votre mot de passe",
        "explain": "Connectez-vous avec l'identifiant et le mot de passe reçus par courriel.",
        "change_explain": "Votre mot de passe est provisoire : saisissez-le à nouveau et "
        "choisissez le vôtre.",
        "email": "Adresse électronique",
        "password": "Mot de passe",
        "current": "Mot de passe provisoire",
        "new_password": "Nouveau mot de passe",
        "button": "Me connecter",
        "change_button": "Enregistrer mon mot de passe",
        "signed_in": "Vos identifiants sont corrects et votre mot de passe est à jour.",
        "changed": "Votre mot de passe est enregistré. Si votre adresse n'était pas encore "
        "confirmée, un lien de confirmation vient de vous être envoyé.",
    },
    "en": {
        "title": "Sign in",
        "change_title": "Choose your password",
        "explain": "Sign in with the identifier and password you received by e-mail.",
        "change_explain": "Your password is temporary: enter it again and choose your own.",
        "email": "E-mail address",
        "password": "Password",
        "current": "Temporary password",
        "new_password": "New password",
        "button": "Sign in",
        "change_button": "Save my password",
        "signed_in": "Your credentials are correct and your password is up to date.",
        "changed": "Your password is saved. If your address was not confirmed yet, a "
        "confirmation link has just been sent to you.",
    },
}

SIGN_IN = """mutation ($email: String!, $password: String!) {
  signIn(input: {email: $email, password: $password}) {
    accessToken mustChangePassword errors { code message }
  }
}"""
ACCEPT_INVITATION = """mutation ($token: String!) {
  acceptInvitation(input: {token: $token}) { membership { id permissions } errors { code message } }
}"""
CHANGE_CREDENTIALS = """mutation ($current: String, $new: String) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    account { id } errors { code message }
  }
}"""
SIGN_OUT = "mutation { signOut { signedOut errors { code } } }"
CONFIRM_DOSSIER = """mutation ($token: String!) {
  confirmDossierSubmission(input: {token: $token}) {
    number receiptNumber notice errors { code message }
  }
}"""

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


@dataclass(frozen=True)
class _Page:
    """A page's tenant, language and texts, and the values its template reads."""

    pack: TenantPack
    locale: str
    t: dict[str, str]
    values: dict[str, Any]


def _open_page(request: Request, texts: str, **values: Any) -> _Page | Response:
    """The page for the request's tenant (or the unknown tenant's 404)."""
    locale = preferred_locale(request.scope)
    try:
        pack = resolve_tenant(request.scope)
    except TenantNotFound as exc:
        return tenant_not_found(exc, locale)
    t = TEXTS[texts][locale]
    common = {
        "pack": pack,
        "locale": locale,
        "t": t,
        "title": t["title"],
        "rules": [rule.get(locale) for rule in pack.password.rules],
        "errors": [],
    }
    return _Page(pack, locale, t, {**common, **values})


def _render(template: str, values: dict[str, Any]) -> HTMLResponse:
    html = _env().get_template(template).render(values)
    return page(html, 400 if values["errors"] else 200)


class LinkPages:
    def __init__(self, schema: Schema, services: AppServices) -> None:
        self.schema = schema
        self.services = services

    async def confirm_email(self, request: Request) -> Response:
        return await self._page(request, "confirm", "confirm_email.html", CONFIRM, "confirmEmail")

    async def confirm_dossier(self, request: Request) -> Response:
        return await self._page(
            request, "dossier", "confirm_dossier.html", CONFIRM_DOSSIER, "confirmDossierSubmission"
        )

    async def reset_password(self, request: Request) -> Response:
        return await self._page(
            request, "reset", "reset_password.html", RESET, "resetPassword", with_password=True
        )

    async def accept_invitation(self, request: Request) -> Response:
        """Explains, signs the person in (email and password posted to this page), accepts
        the invitation with the token as that person, and closes the page's session."""
        page = _open_page(
            request,
            "invitation",
            done=False,
            token=request.query_params.get("token", ""),
            email="",
            permissions=[],
        )
        if isinstance(page, Response):
            return page
        pack, locale, values = page.pack, page.locale, page.values
        if request.method == "POST":
            form = await request.form()
            token = str(form.get("token") or "")
            email = str(form.get("email") or "")
            values.update(token=token, email=email)
            signed, actor = await self._sign_in(
                request, pack, locale, email, str(form.get("password") or "")
            )
            if actor is None:
                values["errors"] = signed["errors"]
            else:
                data = await self._run(
                    request, pack, locale, ACCEPT_INVITATION, {"token": token}, actor
                )
                await self._run(request, pack, locale, SIGN_OUT, {}, actor)
                payload = data["acceptInvitation"]
                values["errors"] = payload["errors"]
                if not payload["errors"]:
                    granted = payload["membership"]["permissions"]
                    values.update(done=True, permissions=permission_labels(granted, locale))
        return _render("accept_invitation.html", values)

    async def sign_in(self, request: Request) -> Response:
        """Sign in; an account whose password is temporary chooses its own at once. The page
        keeps no session: it closes the one it opened."""
        page = _open_page(request, "sign_in", done=None, change=False, email="")
        if isinstance(page, Response):
            return page
        pack, locale, t, values = page.pack, page.locale, page.t, page.values
        if request.method == "POST":
            form = await request.form()
            email = str(form.get("email") or "")
            password = str(form.get("password") or "")
            new_password = str(form.get("new_password") or "")
            values["email"] = email
            signed, actor = await self._sign_in(request, pack, locale, email, password)
            if actor is None:
                values["errors"] = signed["errors"]
                values["change"] = bool(form.get("change"))
            else:
                if not signed["mustChangePassword"]:
                    values["done"] = t["signed_in"]
                elif not new_password:
                    values["change"] = True
                else:
                    variables = {"current": password, "new": new_password}
                    data = await self._run(
                        request, pack, locale, CHANGE_CREDENTIALS, variables, actor
                    )
                    values["errors"] = data["changePassword"]["errors"]
                    if values["errors"]:
                        values["change"] = True
                    else:
                        values["done"] = t["changed"]
                await self._run(request, pack, locale, SIGN_OUT, {}, actor)
            if values["change"]:
                values["title"] = t["change_title"]
        return _render("sign_in.html", values)

    async def _sign_in(
        self, request: Request, pack: TenantPack, locale: str, email: str, password: str
    ) -> tuple[dict[str, Any], tuple[Actor, Account] | None]:
        data = await self._run(
            request, pack, locale, SIGN_IN, {"email": email, "password": password}
        )
        signed: dict[str, Any] = data["signIn"]
        if signed["errors"] or not signed["accessToken"]:
            return signed, None
        async with open_session(self.services.sessions, pack.slug) as session:
            ctx = ServiceContext(
                session=session,
                pack=pack,
                clock=self.services.clock,
                config=self.services.auth,
                client=client_info(request.scope),
            )
            try:
                return signed, await sessions.authenticate(ctx, signed["accessToken"])
            except InvalidAccessToken:  # just issued: cannot happen but by a clock jump
                return signed, None

    async def _run(
        self,
        request: Request,
        pack: TenantPack,
        locale: str,
        query: str,
        variables: dict[str, Any],
        actor: tuple[Actor, Account] | None = None,
    ) -> dict[str, Any]:
        context = GuichetContext(
            services=self.services,
            pack=pack,
            locale=locale,
            actor=actor[0] if actor else None,
            viewer_account=actor[1] if actor else None,
            client=client_info(request.scope),
        )
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        if result.errors or result.data is None:
            raise RuntimeError(f"page operation failed: {result.errors}")
        return result.data

    async def _page(
        self,
        request: Request,
        texts: str,
        template: str,
        mutation: str,
        field: str,
        with_password: bool = False,
    ) -> Response:
        page = _open_page(request, texts, done=False, token=request.query_params.get("token", ""))
        if isinstance(page, Response):
            return page
        values = page.values
        if request.method == "POST":
            form = await request.form()
            token = str(form.get("token") or "")
            variables: dict[str, Any] = {"token": token}
            if with_password:
                variables["password"] = str(form.get("new_password") or "")
            data = await self._run(request, page.pack, page.locale, mutation, variables)
            values.update(done=True, token=token, errors=data[field]["errors"], result=data[field])
        return _render(template, values)
