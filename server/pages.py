"""Built-in pages: the landing pages of e-mailed links, signing in, a forgotten password, a new
confirmation link, and the home page. A GET only shows (a link's token is checked, never
used: mail scanners follow links); the token acts only when the person posts the form. The
pages are GraphQL clients of the same API a frontend uses, and each leads somewhere: to
signing in, to a new link, to the tenant's frontend or to what to do next."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from strawberry import Schema

from auth.account import sessions
from auth.account.models import Account
from auth.account.onboarding import check_confirmation_link
from auth.account.recovery import check_reset_link
from auth.account.tokens import InvalidAccessToken
from auth.context import Actor, ServiceContext
from auth.delegation.invitations import permission_labels
from schema.context import AppServices, GuichetContext
from server.graphql_app import client_info
from server.html import COMMON, not_found_page, render, site_root
from server.tenancy import TenantNotFound, preferred_locale, resolve_tenant
from tenants.errors import DomainError, render_message
from tenants.packs import PACKS
from tenants.packs.base import TenantPack
from tenants.session import open_session

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "confirm": {
        "fr": {
            "title": "Confirmer votre adresse électronique",
            "explain": "Cliquez sur le bouton pour confirmer votre adresse et activer votre "
            "compte.",
            "button": "Confirmer mon adresse",
            "confirmed": "Votre adresse est confirmée : vous pouvez vous connecter.",
            "missing": "Ce lien est incomplet : copiez le lien du courriel en entier.",
            "used": "Si vous l'avez déjà suivi, votre adresse est confirmée : connectez-vous.",
            "new_link_explain": "Demandez un nouveau lien : il vous sera envoyé par courriel.",
            "new_link": "Recevoir un nouveau lien",
        },
        "en": {
            "title": "Confirm your e-mail address",
            "explain": "Press the button to confirm your address and activate your account.",
            "button": "Confirm my address",
            "confirmed": "Your address is confirmed: you can sign in.",
            "missing": "This link is incomplete: copy the whole link from the e-mail.",
            "used": "If you followed it already, your address is confirmed: sign in.",
            "new_link_explain": "Ask for a new link: it will be sent to you by e-mail.",
            "new_link": "Get a new link",
        },
    },
    "reset": {
        "fr": {
            "title": "Choisir un nouveau mot de passe",
            "label": "Nouveau mot de passe",
            "button": "Enregistrer",
            "done": "Votre mot de passe est changé : vous pouvez vous connecter.",
            "missing": "Ce lien est incomplet : copiez le lien du courriel en entier.",
            "used": "Votre mot de passe a déjà été changé avec ce lien : connectez-vous, ou "
            "demandez un nouveau lien si vous l'avez oublié.",
            "new_link_explain": "Demandez un nouveau lien : il vous sera envoyé par courriel.",
            "new_link": "Recevoir un nouveau lien",
        },
        "en": {
            "title": "Choose a new password",
            "label": "New password",
            "button": "Save",
            "done": "Your password was changed: you can sign in.",
            "missing": "This link is incomplete: copy the whole link from the e-mail.",
            "used": "Your password was already changed with this link: sign in, or ask for "
            "a new link if you forgot it.",
            "new_link_explain": "Ask for a new link: it will be sent to you by e-mail.",
            "new_link": "Get a new link",
        },
    },
    "forgot": {
        "fr": {
            "title": "Mot de passe oublié",
            "explain": "Indiquez l'adresse électronique de votre compte : nous vous enverrons "
            "un lien pour choisir un nouveau mot de passe, valable {ttl}.",
            "email": "Adresse électronique",
            "button": "Recevoir un lien",
            "code": "RESET_REQUESTED",
            "done": "Si un compte existe à cette adresse, un courriel vient de lui être envoyé "
            "avec un lien pour choisir un nouveau mot de passe, valable {ttl}.",
            "spam": "Rien reçu ? Regardez dans les courriels indésirables, ou vérifiez "
            "l'adresse et recommencez.",
            "back": "Retour à la connexion",
        },
        "en": {
            "title": "Forgotten password",
            "explain": "Enter your account's e-mail address: we will send you a link to "
            "choose a new password, valid for {ttl}.",
            "email": "E-mail address",
            "button": "Send me a link",
            "code": "RESET_REQUESTED",
            "done": "If an account has this address, an e-mail with a link to choose a new "
            "password was just sent to it, valid for {ttl}.",
            "spam": "Nothing arrived? Look in your spam folder, or check the address and "
            "try again.",
            "back": "Back to signing in",
        },
    },
    "resend": {
        "fr": {
            "title": "Recevoir un nouveau lien de confirmation",
            "explain": "Indiquez l'adresse électronique de votre compte : si elle n'est pas "
            "encore confirmée, nous vous enverrons un nouveau lien, valable {ttl}.",
            "email": "Adresse électronique",
            "button": "Recevoir un lien",
            "code": "CONFIRMATION_REQUESTED",
            "done": "Si un compte à confirmer existe à cette adresse, un nouveau lien vient de "
            "lui être envoyé, valable {ttl}.",
            "spam": "Rien reçu ? Regardez dans les courriels indésirables. Si votre adresse "
            "est déjà confirmée, connectez-vous.",
            "back": "Retour à la connexion",
        },
        "en": {
            "title": "Get a new confirmation link",
            "explain": "Enter your account's e-mail address: if it is not confirmed yet, we "
            "will send you a new link, valid for {ttl}.",
            "email": "E-mail address",
            "button": "Send me a link",
            "code": "CONFIRMATION_REQUESTED",
            "done": "If an account to confirm has this address, a new link was just sent to "
            "it, valid for {ttl}.",
            "spam": "Nothing arrived? Look in your spam folder. If your address is already "
            "confirmed, sign in.",
            "back": "Back to signing in",
        },
    },
    "invitation": {
        "fr": {
            "title": "Accepter une invitation à devenir gestionnaire",
            "explain": "Une organisation vous invite à agir pour elle comme gestionnaire, avec "
            "les droits indiqués dans le courriel. Connectez-vous avec votre compte pour "
            "accepter : vous pourrez alors agir pour l'organisation dans ces droits.",
            "no_account": "Pas encore de compte ? Ouvrez votre compte sur le portail et "
            "confirmez votre adresse, puis revenez à ce lien tant qu'il est valable. Le compte "
            "n'a pas besoin d'avoir l'adresse à laquelle l'invitation a été envoyée.",
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
            "explain": "An organisation invites you to act for it as a manager, with the "
            "rights listed in the e-mail. Sign in with your account to accept: you will then "
            "act for the organisation within those rights.",
            "no_account": "No account yet? Open your account on the portal and confirm your "
            "address, then come back to this link while it is valid. The account need not "
            "have the address the invitation was sent to.",
            "temporary": "Account opened for you with a temporary password? Choose your "
            "password first:",
            "sign_in_link": "sign-in page",
            "email": "E-mail address",
            "password": "Password",
            "button": "Sign in and accept the invitation",
            "done": "Invitation accepted: you are now a manager of the organisation.",
            "rights": "Delegated rights:",
            "missing": "This link is incomplete: copy the whole link from the e-mail.",
        },
    },
    "sign_in": {
        "fr": {
            "title": "Se connecter",
            "change_title": "Choisir votre mot de passe",
            "explain": "Connectez-vous avec votre adresse électronique et votre mot de passe.",
            "change_explain": "Votre mot de passe est provisoire : saisissez-le à nouveau et "
            "choisissez le vôtre.",
            "email": "Adresse électronique",
            "password": "Mot de passe",
            "current": "Mot de passe provisoire",
            "new_password": "Nouveau mot de passe",
            "button": "Me connecter",
            "change_button": "Enregistrer mon mot de passe",
            "changed": "Votre mot de passe est enregistré. Confirmez maintenant votre adresse "
            "avec le lien qui vient de vous être envoyé par courriel, puis connectez-vous.",
            "help": "Besoin d'aide ?",
            "opened_for_you": "Compte ouvert pour vous (par votre employeur, par l'autorité) : "
            "connectez-vous avec le mot de passe provisoire reçu par courriel, puis choisissez "
            "le vôtre.",
            "unconfirmed": "Adresse pas encore confirmée, lien expiré ou perdu ?",
            "resend": "Recevoir un nouveau lien de confirmation",
            "no_account": "Pas encore de compte ?",
            "portal": "Ouvrez-le sur le portail.",
            "no_portal": "Les comptes s'ouvrent depuis le portail de l'autorité (une "
            "application qui utilise l'API de ce serveur) ; en développement, avec la "
            "mutation register dans",
        },
        "en": {
            "title": "Sign in",
            "change_title": "Choose your password",
            "explain": "Sign in with your e-mail address and your password.",
            "change_explain": "Your password is temporary: enter it again and choose your own.",
            "email": "E-mail address",
            "password": "Password",
            "current": "Temporary password",
            "new_password": "New password",
            "button": "Sign in",
            "change_button": "Save my password",
            "changed": "Your password is saved. Now confirm your address with the link just "
            "sent to you by e-mail, then sign in.",
            "help": "Need help?",
            "opened_for_you": "Account opened for you (by your employer, by the authority): "
            "sign in with the temporary password you received by e-mail, then choose yours.",
            "unconfirmed": "Address not confirmed yet, link expired or lost?",
            "resend": "Get a new confirmation link",
            "no_account": "No account yet?",
            "portal": "Open one on the portal.",
            "no_portal": "Accounts are opened from the authority's portal (an application "
            "using this server's API); while developing, with the register mutation in",
        },
    },
    "signed_in": {
        "fr": {
            "title": "Vous êtes connecté·e",
            "signed_in": "Vos identifiants sont corrects et votre mot de passe est à jour.",
            "changed_ok": "Votre nouveau mot de passe est enregistré.",
            "account": "Votre compte",
            "confirmed": "adresse confirmée",
            "unconfirmed": "adresse à confirmer",
            "agent": "Agent de l'autorité, délégations :",
            "organisations": "Vous agissez pour :",
            "next": "Et maintenant ?",
            "api_explain": "Ce serveur est l'API du portail : c'est l'application web de "
            "l'autorité qui s'y connecte pour vous. Aucune n'est configurée ici.",
            "ide_before": "En développement, explorez l'API dans",
            "ide_after": " : connectez-vous avec la mutation signIn, puis envoyez le jeton "
            "reçu dans l'en-tête « Authorization: Bearer … ».",
            "api_url": "Adresse de l'API (requêtes GraphQL en POST) :",
            "no_session": "Cette page ne garde aucune session : vous êtes déjà déconnecté·e.",
            "open_ide": "Ouvrir GraphiQL",
            "again": "Se connecter avec un autre compte",
        },
        "en": {
            "title": "You are signed in",
            "signed_in": "Your credentials are correct and your password is up to date.",
            "changed_ok": "Your new password is saved.",
            "account": "Your account",
            "confirmed": "address confirmed",
            "unconfirmed": "address to confirm",
            "agent": "Authority agent, delegations:",
            "organisations": "You act for:",
            "next": "What now?",
            "api_explain": "This server is the portal's API: the authority's web application "
            "connects to it for you. None is configured here.",
            "ide_before": "While developing, explore the API in",
            "ide_after": ": sign in with the signIn mutation, then send the token you get in "
            "the “Authorization: Bearer …” header.",
            "api_url": "The API's address (GraphQL requests by POST):",
            "no_session": "This page keeps no session: you are already signed out.",
            "open_ide": "Open GraphiQL",
            "again": "Sign in with another account",
        },
    },
    "index": {
        "fr": {
            "title": "Guichet",
            "explain": "Ce serveur héberge l'API des portails ci-dessous.",
            "sign_in": "Se connecter",
            "forgot": "mot de passe oublié",
            "ide": "explorer l'API (développement)",
            "api": "API :",
        },
        "en": {
            "title": "Guichet",
            "explain": "This server hosts the API of the portals below.",
            "sign_in": "Sign in",
            "forgot": "forgotten password",
            "ide": "explore the API (development)",
            "api": "API:",
        },
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
CHANGE_CREDENTIALS = """mutation ($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    account { id } errors { code message }
  }
}"""
SIGN_OUT = "mutation { signOut { ok errors { code } } }"
ACCOUNT_STATE = "query { viewer { account { email emailConfirmed } } }"
VIEWER = """query {
  viewer {
    account { email emailConfirmed }
    person { givenNames familyName }
    memberships(first: 10) { nodes { organisation { name } } }
  }
}"""

CONFIRM = """mutation ($token: String!) {
  confirmEmail(input: {token: $token}) { email errors { code message } }
}"""
RESET = """mutation ($token: String!, $password: String!) {
  resetPassword(input: {token: $token, newPassword: $password}) { ok errors { code message } }
}"""
REQUEST_RESET = """mutation ($email: String!) {
  requestPasswordReset(input: {email: $email}) { errors { code message } }
}"""
RESEND_CONFIRMATION = """mutation ($email: String!) {
  resendConfirmation(input: {email: $email}) { errors { code message } }
}"""

LinkCheck = Callable[[ServiceContext, str], Awaitable[None]]


def duration(ttl: timedelta, locale: str) -> str:
    """`1 heure`, `24 heures`, `30 minutes` (or English)."""
    minutes = int(ttl.total_seconds() // 60)
    if minutes % 60 == 0:
        value, unit = minutes // 60, ("heure", "hour")
    else:
        value, unit = minutes, ("minute", "minute")
    word = unit[1] if locale == "en" else unit[0]
    return f"{value} {word}{'s' if value > 1 else ''}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class _Page:
    """A page's tenant, language and texts, and the values its template reads."""

    request: Request
    pack: TenantPack
    locale: str
    t: dict[str, str]
    values: dict[str, Any]


def _render(template: str, values: dict[str, Any], **kwargs: Any) -> Response:
    return render(template, values, 400 if values["errors"] else 200, **kwargs)


class LinkPages:
    def __init__(
        self,
        schema: Schema,
        services: AppServices,
        *,
        frontend_urls: Mapping[str, str] | None = None,
        public_url: str = "",
        ide: bool = False,
    ) -> None:
        self.schema = schema
        self.services = services
        self.frontend_urls = dict(frontend_urls or {})
        self.public_url = public_url.rstrip("/")
        self.ide = ide

    def _open(self, request: Request, texts: str, **values: Any) -> _Page | Response:
        """The page for the request's tenant, or the HTML 404 of an unknown one."""
        locale = preferred_locale(request.scope)
        try:
            pack = resolve_tenant(request.scope)
        except TenantNotFound as exc:
            return not_found_page(request.scope, exc.asked, tenant=True)
        t = TEXTS[texts][locale]
        common = {
            "pack": pack,
            "locale": locale,
            "t": t,
            "common": COMMON[locale],
            "root": site_root(request.scope),
            "title": t["title"],
            "rules": [rule.get(locale) for rule in pack.password.rules],
            "errors": [],
            "frontend": self.frontend_urls.get(pack.slug),
            "ide": self.ide,
        }
        return _Page(request, pack, locale, t, {**common, **values})

    async def index(self, request: Request) -> Response:
        locale = preferred_locale(request.scope)
        t = TEXTS["index"][locale]
        values = {
            "pack": None,
            "locale": locale,
            "t": t,
            "common": COMMON[locale],
            "root": site_root(request.scope),
            "title": t["title"],
            "packs": list(PACKS.values()),
            "ide": self.ide,
            "public_url": self.public_url,
        }
        return render("index.html", values)

    async def confirm_email(self, request: Request) -> Response:
        page = self._open(request, "confirm", done=False, token="")
        if isinstance(page, Response):
            return page
        values = page.values
        if request.method == "POST":
            token = str((await request.form()).get("token") or "")
            data = await self._run(request, page.pack, page.locale, CONFIRM, {"token": token})
            values.update(done=True, token=token, errors=data["confirmEmail"]["errors"])
        else:
            values["token"] = request.query_params.get("token", "")
            values["errors"] = await self._check(page, check_confirmation_link)
        return _render("confirm_email.html", values)

    async def reset_password(self, request: Request) -> Response:
        """An unusable link says so on GET, before the person types a password, and offers
        a new one; so does a link that expired while the form was open."""
        page = self._open(request, "reset", done=False, token="", link_errors=[])
        if isinstance(page, Response):
            return page
        values = page.values
        if request.method == "POST":
            form = await request.form()
            token = str(form.get("token") or "")
            variables = {"token": token, "password": str(form.get("new_password") or "")}
            data = await self._run(request, page.pack, page.locale, RESET, variables)
            errors = data["resetPassword"]["errors"]
            values.update(done=True, token=token, errors=errors)
        else:
            values["token"] = request.query_params.get("token", "")
            values["errors"] = await self._check(page, check_reset_link)
        values["link_errors"] = [e for e in values["errors"] if e["code"].startswith("TOKEN_")]
        return _render("reset_password.html", values)

    async def _check(self, page: _Page, check: LinkCheck) -> list[dict[str, str]]:
        """Why the link of a GET cannot be used (nothing if it can); uses nothing."""
        token = page.values["token"]
        if not token:
            return [{"code": "TOKEN_INVALID", "message": page.t["missing"]}]
        async with open_session(self.services.sessions, page.pack.slug) as session:
            ctx = ServiceContext(
                session=session,
                pack=page.pack,
                clock=self.services.clock,
                config=self.services.auth,
                locale=page.locale,
            )
            try:
                await check(ctx, token)
            except DomainError as refused:
                return [
                    {"code": e.code, "message": render_message(e.code, page.locale, e.params)}
                    for e in refused.errors
                ]
        return []

    async def forgot_password(self, request: Request) -> Response:
        return await self._ask_email(
            request, "forgot", REQUEST_RESET, "requestPasswordReset", "password_reset_ttl"
        )

    async def resend_confirmation(self, request: Request) -> Response:
        return await self._ask_email(
            request, "resend", RESEND_CONFIRMATION, "resendConfirmation", "confirmation_ttl"
        )

    async def _ask_email(
        self, request: Request, texts: str, mutation: str, field: str, ttl: str
    ) -> Response:
        """A page that asks for an address and posts it to a service that answers the same
        whatever the address (nothing to learn about who has an account)."""
        page = self._open(request, texts, done=False, email="")
        if isinstance(page, Response):
            return page
        values = page.values
        valid_for = duration(getattr(page.pack, ttl), page.locale)
        values["t"] = {key: text.replace("{ttl}", valid_for) for key, text in page.t.items()}
        if request.method == "POST":
            email = str((await request.form()).get("email") or "")
            data = await self._run(request, page.pack, page.locale, mutation, {"email": email})
            errors = data[field]["errors"]
            values.update(email=email, errors=errors, done=not errors)
        return _render("ask_email.html", values)

    async def accept_invitation(self, request: Request) -> Response:
        """Explains, signs the person in (email and password posted to this page), accepts
        the invitation with the token as that person, and closes the page's session."""
        page = self._open(
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
        """Sign in; an account whose password is temporary chooses its own at once. Then
        on to the tenant's frontend when one is configured, else a page saying what to do
        next. The page keeps no session: it closes the one it opened."""
        page = self._open(request, "sign_in", done=None, change=False, email="")
        if isinstance(page, Response):
            return page
        pack, locale, t, values = page.pack, page.locale, page.t, page.values
        frontend = values["frontend"]
        # After signing in, the form's answer may redirect to the frontend: allowed by CSP.
        form_action = _origin(frontend) if frontend else None
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
                changed = False
                if signed["mustChangePassword"] and not new_password:
                    values["change"] = True
                elif signed["mustChangePassword"]:
                    variables = {"current": password, "new": new_password}
                    data = await self._run(
                        request, pack, locale, CHANGE_CREDENTIALS, variables, actor
                    )
                    values["errors"] = data["changePassword"]["errors"]
                    values["change"] = bool(values["errors"])
                    changed = not values["errors"]
                    if changed:  # the session the page holds, as the new password left it
                        actor = await self._authenticate(request, pack, signed["accessToken"])
                if actor is None:  # cannot happen but by a clock jump
                    raise RuntimeError("the page's session ended")
                done = None if values["change"] else await self._signed_in(page, actor, changed)
                await self._run(request, pack, locale, SIGN_OUT, {}, actor)
                if done is not None:
                    return done
            if values["change"]:
                values["title"] = t["change_title"]
        return _render("sign_in.html", values, form_action=form_action)

    async def _signed_in(
        self, page: _Page, actor: tuple[Actor, Account], changed: bool
    ) -> Response:
        """Where a successful sign-in leads: confirming the address first (a password just
        chosen: the link is mailed), else the tenant's frontend, else what to do next with
        the API, and the account's state."""
        values, request = page.values, page.request
        state = await self._run(request, page.pack, page.locale, ACCOUNT_STATE, {}, actor)
        if not state["viewer"]["account"]["emailConfirmed"]:
            values["done"] = page.t["changed"]
            return _render("sign_in.html", values)
        if values["frontend"]:
            return RedirectResponse(values["frontend"], status_code=303)
        viewer = (await self._run(request, page.pack, page.locale, VIEWER, {}, actor))["viewer"]
        t = TEXTS["signed_in"][page.locale]
        memberships = (viewer.get("memberships") or {}).get("nodes") or []
        values.update(
            t=t,
            title=t["title"],
            changed=changed,
            account=viewer["account"],
            person=viewer.get("person"),
            delegations=sorted(actor[0].agent_delegations or ()),
            memberships=[m["organisation"]["name"] for m in memberships if m.get("organisation")],
            api_url=f"{self.public_url}/t/{page.pack.slug}/graphql",
        )
        return _render("signed_in.html", values)

    async def _sign_in(
        self, request: Request, pack: TenantPack, locale: str, email: str, password: str
    ) -> tuple[dict[str, Any], tuple[Actor, Account] | None]:
        data = await self._run(
            request, pack, locale, SIGN_IN, {"email": email, "password": password}
        )
        signed: dict[str, Any] = data["signIn"]
        if signed["errors"] or not signed["accessToken"]:
            return signed, None
        return signed, await self._authenticate(request, pack, signed["accessToken"])

    async def _authenticate(
        self, request: Request, pack: TenantPack, token: str
    ) -> tuple[Actor, Account] | None:
        """The caller the page's access token stands for, as the account is now."""
        async with open_session(self.services.sessions, pack.slug) as session:
            ctx = ServiceContext(
                session=session,
                pack=pack,
                clock=self.services.clock,
                config=self.services.auth,
                client=client_info(request.scope),
            )
            try:
                return await sessions.authenticate(ctx, token)
            except InvalidAccessToken:  # just issued: cannot happen but by a clock jump
                return None

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
