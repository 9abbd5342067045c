"""The portal as an OpenID Connect provider (cnsa): discovery, authorization with its sign-in
page, token, userinfo, revocation (RFC 7009) and RP-initiated logout, per tenant under
`/t/{tenant}/`. A thin Starlette integration of Authlib's OAuth 2.0 errors and helpers: the
rules are in `auth/oidc/`. A tenant whose pack has no OIDC client answers 404 to all of it."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus, urlparse

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import InvalidClientError, OAuth2Error
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from auth.context import ServiceContext
from auth.oidc import codes, grants
from auth.oidc.claims import CLAIMS_SUPPORTED, id_token, person_claims
from auth.oidc.clients import offers_oidc
from auth.oidc.codes import SUPPORTED_SCOPES
from schema.context import AppServices
from server.graphql_app import client_info
from server.html import CONTENT_SECURITY_POLICY
from server.html import environment as _env
from server.pages import SIGN_OUT, TEXTS, LinkPages, _open_page
from server.tenancy import TenantNotFound, resolve_tenant
from tenants.packs.base import TenantPack
from tenants.session import open_session

log = logging.getLogger("guichet.oidc")

TEXTS["oidc"] = {
    "fr": {
        "title": "Se connecter",
        "explain": "Connectez-vous au portail pour ouvrir l'application « {application} ».",
        "login": "Identifiant ou adresse électronique",
        "password": "Mot de passe",
        "button": "Me connecter",
        "temporary": "Votre mot de passe est provisoire : choisissez d'abord le vôtre sur la "
        "page de connexion du portail, puis revenez à l'application.",
        "bad_request": "Cette demande de connexion n'est pas valable : revenez à l'application "
        "et recommencez.",
    },
    "en": {
        "title": "Sign in",
        "explain": "Sign in to the portal to open the application “{application}”.",
        "login": "Identifier or e-mail address",
        "password": "Password",
        "button": "Sign in",
        "temporary": "Your password is temporary: choose your own on the portal's sign-in page "
        "first, then come back to the application.",
        "bad_request": "This sign-in request is not valid: go back to the application and "
        "start again.",
    },
}
AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def _oauth_error(error: OAuth2Error, headers: Mapping[str, str] | None = None) -> Response:
    log.info("oidc refusal", extra={"error": error.error})
    status = error.status_code or 400
    body = dict(error.get_body())
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def _redirect(error: OAuth2Error) -> Response:
    log.info("oidc refusal", extra={"error": error.error})
    _status, _body, headers = error()
    return RedirectResponse(dict(headers)["Location"], status_code=302)


def _client_credentials(
    request: Request, form: Mapping[str, str]
) -> tuple[str | None, str | None, bool]:
    """client_secret_basic, else client_secret_post / none: (client id, secret, basic?)."""
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidClientError(description="malformed basic credentials") from None
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret), True
    return form.get("client_id") or None, form.get("client_secret") or None, False


class OidcProvider:
    def __init__(self, pages: LinkPages, services: AppServices) -> None:
        self.pages = pages
        self.services = services

    def _pack(self, request: Request) -> TenantPack | None:
        try:
            pack = resolve_tenant(request.scope)
        except TenantNotFound:
            return None
        return pack if offers_oidc(pack) else None

    def _ctx(self, request: Request, pack: TenantPack, session: AsyncSession) -> ServiceContext:
        return ServiceContext(
            session=session,
            pack=pack,
            clock=self.services.clock,
            config=self.services.auth,
            client=client_info(request.scope),
        )

    def _base(self, pack: TenantPack) -> str:
        return f"{self.services.auth.tokens.public_url}/t/{pack.slug}/oidc"

    async def discovery(self, request: Request) -> Response:
        pack = self._pack(request)
        if pack is None:
            return _not_found()
        base = self._base(pack)
        auth_methods = ["client_secret_basic", "client_secret_post", "none"]
        document = {
            "issuer": self.services.auth.tokens.issuer(pack.slug),
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{self.services.auth.tokens.public_url}/.well-known/jwks.json",
            "revocation_endpoint": f"{base}/revoke",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "scopes_supported": list(SUPPORTED_SCOPES),
            "claims_supported": list(CLAIMS_SUPPORTED),
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": auth_methods,
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "authorization_response_iss_parameter_supported": True,
            "ui_locales_supported": ["fr", "en"],
        }
        return JSONResponse(document, headers={"Cache-Control": "public, max-age=300"})

    async def authorize(self, request: Request) -> Response:
        """GET shows the sign-in page for a valid request; POST signs the person in (the
        page keeps no session: it closes the one it opened) and sends the code back."""
        pack = self._pack(request)
        if pack is None:
            return _not_found()
        opened = _open_page(request, "oidc", application=None, params=[], email="")
        if isinstance(opened, Response):
            return opened
        locale, t, values = opened.locale, opened.t, opened.values
        form: Mapping[str, Any] = request.query_params
        if request.method == "POST":
            form = await request.form()
        params = {name: str(form.get(name) or "") for name in AUTHORIZE_PARAMS}
        async with open_session(self.services.sessions, pack.slug) as session:
            ctx = self._ctx(request, pack, session)
            try:
                checked = codes.check_authorization_request(ctx, params)
            except OAuth2Error as error:
                if error.redirect_uri:
                    return _redirect(error)
                log.info("oidc refusal", extra={"error": error.error})
                values["errors"] = [{"code": error.error.upper(), "message": t["bad_request"]}]
                return self._render(values, None)
        values["application"] = checked.client.application.name
        values["params"] = [(name, value) for name, value in params.items() if value]
        if request.method != "POST":
            return self._render(values, checked.redirect_uri)
        email = str(form.get("email") or "")
        values["email"] = email
        signed, actor = await self.pages._sign_in(
            request, pack, locale, email, str(form.get("password") or "")
        )
        if actor is None:
            values["errors"] = signed["errors"]
            return self._render(values, checked.redirect_uri)
        if signed["mustChangePassword"]:
            await self.pages._run(request, pack, locale, SIGN_OUT, {}, actor)
            values["errors"] = [{"code": "PASSWORD_CHANGE_REQUIRED", "message": t["temporary"]}]
            return self._render(values, checked.redirect_uri)
        try:
            async with (
                open_session(self.services.sessions, pack.slug) as session,
                session.begin(),
            ):
                ctx = self._ctx(request, pack, session)
                code = await codes.issue_code(ctx, checked, actor[0])
        except OAuth2Error as error:
            return _redirect(error)
        finally:
            await self.pages._run(request, pack, locale, SIGN_OUT, {}, actor)
        query = {"code": code, "iss": self.services.auth.tokens.issuer(pack.slug)}
        if checked.state:
            query["state"] = checked.state
        return RedirectResponse(add_params_to_uri(checked.redirect_uri, query), status_code=302)

    def _render(self, values: dict[str, Any], redirect_uri: str | None) -> Response:
        """The sign-in page; its form posts to itself and is answered by a redirect to the
        application, so `form-action` also allows the registered redirect URI's origin."""
        html = _env().get_template("oidc_sign_in.html").render(values)
        policy = CONTENT_SECURITY_POLICY
        if redirect_uri:
            origin = urlparse(redirect_uri)
            policy = policy.replace(
                "form-action 'self'", f"form-action 'self' {origin.scheme}://{origin.netloc}"
            )
        status = 400 if values["errors"] else 200
        return Response(
            html,
            status_code=status,
            media_type="text/html",
            headers={"Content-Security-Policy": policy, **NO_STORE},
        )

    async def token(self, request: Request) -> Response:
        pack = self._pack(request)
        if pack is None:
            return _not_found()
        form = {key: str(value) for key, value in (await request.form()).items()}
        basic = False
        reused: OAuth2Error | None = None
        async with open_session(self.services.sessions, pack.slug) as session:
            ctx = self._ctx(request, pack, session)
            try:
                client_id, secret, basic = _client_credentials(request, form)
                async with session.begin():
                    try:
                        exchanged = await codes.exchange_code(ctx, form, client_id, secret)
                    except codes.CodeReused as refusal:
                        reused = refusal.error  # leaves the block: the revocation is committed
                    else:
                        claims = await person_claims(
                            ctx, exchanged.account, exchanged.client, exchanged.grant.scope
                        )
                        signed = id_token(
                            ctx,
                            exchanged.grant,
                            exchanged.client,
                            claims,
                            exchanged.access_token,
                            ctx.clock.now(),
                        )
            except OAuth2Error as error:
                if isinstance(error, InvalidClientError) and basic:
                    error.status_code = 401
                    return _oauth_error(error, {"WWW-Authenticate": 'Basic realm="oidc"'})
                return _oauth_error(error)
        if reused is not None:
            return _oauth_error(reused)
        body = {
            "access_token": exchanged.access_token,
            "token_type": "Bearer",
            "expires_in": int(codes.ACCESS_TOKEN_TTL.total_seconds()),
            "id_token": signed,
            "scope": exchanged.grant.scope,
        }
        return JSONResponse(body, headers=NO_STORE)

    async def userinfo(self, request: Request) -> Response:
        pack = self._pack(request)
        if pack is None:
            return _not_found()
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else None
        if token is None and request.method == "POST":
            token = str((await request.form()).get("access_token") or "") or None
        async with open_session(self.services.sessions, pack.slug) as session:
            ctx = self._ctx(request, pack, session)
            async with session.begin():
                found = await grants.bearer(ctx, token)
                claims = await grants.userinfo(ctx, found) if found else None
        if claims is None:
            log.info("oidc refusal", extra={"error": "invalid_token"})
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"', **NO_STORE},
            )
        return JSONResponse(claims, headers=NO_STORE)

    async def revoke(self, request: Request) -> Response:
        pack = self._pack(request)
        if pack is None:
            return _not_found()
        form = {key: str(value) for key, value in (await request.form()).items()}
        async with open_session(self.services.sessions, pack.slug) as session:
            ctx = self._ctx(request, pack, session)
            try:
                client_id, secret, _basic = _client_credentials(request, form)
                async with session.begin():
                    await grants.revoke_token(ctx, form.get("token"), client_id, secret)
            except OAuth2Error as error:
                return _oauth_error(error)
        return Response(status_code=200, headers=NO_STORE)

    async def logout(self, request: Request) -> Response:
        pack = self._pack(request)
        if pack is None:
            return _not_found()
        form: Mapping[str, Any] = request.query_params
        if request.method == "POST":
            form = await request.form()
        hint = str(form.get("id_token_hint") or "") or None
        target = str(form.get("post_logout_redirect_uri") or "") or None
        state = str(form.get("state") or "") or None
        opened = _open_page(request, "oidc", application=None, params=[], email="")
        if isinstance(opened, Response):
            return opened
        async with open_session(self.services.sessions, pack.slug) as session:
            ctx = self._ctx(request, pack, session)
            try:
                async with session.begin():
                    done = await grants.end_session(
                        ctx, hint, target, str(form.get("client_id") or "") or None
                    )
            except grants.LogoutRefused:
                log.info("oidc refusal", extra={"error": "invalid_logout_request"})
                opened.values["errors"] = [
                    {"code": "INVALID_REQUEST", "message": opened.t["bad_request"]}
                ]
                return self._render(opened.values, None)
        if done.redirect_to:
            query = {"state": state} if state else {}
            return RedirectResponse(add_params_to_uri(done.redirect_to, query), status_code=302)
        opened.values["title"] = "Vous êtes déconnecté" if opened.locale == "fr" else "Signed out"
        return self._render(opened.values, None)
