"""What every built-in HTML page shares: the templates, the Content-Security-Policy, links
relative to the site's root (right behind a proxy that serves Guichet under a path), and the
HTML 404 a browser gets for an unknown portal or address."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Scope

from server.tenancy import preferred_locale
from tenants.packs import PACKS

# The pages run no script, load nothing but the favicon and post only to themselves; their
# one stylesheet is inline. A page cannot be framed (clickjacking on a password form).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def page(html: str, status: int = 200, form_action: str | None = None) -> HTMLResponse:
    """An HTML page with the pages' policy; `form_action` adds the one origin a form of the
    page may lead to besides this one (the tenant's frontend, after signing in)."""
    policy = CONTENT_SECURITY_POLICY
    if form_action:
        policy = policy.replace("form-action 'self'", f"form-action 'self' {form_action}")
    return HTMLResponse(
        html,
        status_code=status,
        headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"},
    )


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("server", "pages"), autoescape=select_autoescape(default=True)
    )


def render(template: str, values: dict[str, Any], status: int = 200, **kwargs: Any) -> Response:
    return page(environment().get_template(template).render(values), status, **kwargs)


def site_root(scope: Scope) -> str:
    """The relative path from the requested page back to the site's root (`../../` from
    `/t/cnaps/sign-in`), so links and the favicon work under any public path."""
    depth = str(scope.get("path", "/")).count("/") - 1
    return "../" * depth if depth > 0 else "./"


def wants_html(scope: Scope) -> bool:
    """A browser's navigation (it accepts text/html), not an API client."""
    return "text/html" in Headers(scope=scope).get("accept", "")


# What every page's footer says.
COMMON = {
    "fr": {
        "nav": "Liens utiles",
        "sign_in": "Se connecter",
        "forgot": "Mot de passe oublié ?",
        "home": "Accueil",
        "support": "Assistance :",
    },
    "en": {
        "nav": "Useful links",
        "sign_in": "Sign in",
        "forgot": "Forgot your password?",
        "home": "Home",
        "support": "Support:",
    },
}

NOT_FOUND = {
    "fr": {
        "title": "Page introuvable",
        "tenant": "Le portail « {asked} » n'existe pas sur ce serveur.",
        "page": "Cette adresse ne mène à aucune page.",
        "no_tenant": "Cette adresse ne dit pas de quel portail il s'agit.",
        "choose": "Portails disponibles :",
        "sign_in": "se connecter",
        "home": "Retour à l'accueil",
    },
    "en": {
        "title": "Page not found",
        "tenant": "There is no portal “{asked}” on this server.",
        "page": "This address leads to no page.",
        "no_tenant": "This address does not say which portal it is for.",
        "choose": "Portals:",
        "sign_in": "sign in",
        "home": "Back to the home page",
    },
}


def not_found_page(scope: Scope, asked: str | None = None, *, tenant: bool = False) -> Response:
    """The HTML 404 (French first): what was not found (with `tenant`, the portal `asked`,
    or none named), the portals, a link home."""
    locale = preferred_locale(scope)
    t = NOT_FOUND[locale]
    if not tenant:
        message = t["page"]
    else:
        message = t["tenant"].format(asked=asked) if asked else t["no_tenant"]
    values = {
        "locale": locale,
        "pack": None,
        "root": site_root(scope),
        "title": t["title"],
        "t": t,
        "common": COMMON[locale],
        "message": message,
        "packs": list(PACKS.values()),
        "nav": False,
    }
    return render("not_found.html", values, 404)


async def not_found(request: Request, exc: Exception) -> Response:
    """Starlette's 404 handler: the HTML page for a browser, plain text for anything else."""
    if wants_html(request.scope):
        return not_found_page(request.scope)
    return Response("Not Found", status_code=404, media_type="text/plain")
