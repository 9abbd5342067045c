"""The built-in pages over HTTP: each one leads somewhere. Confirming or resetting ends on a
link to sign in; the sign-in page has "Mot de passe oublié ?" and help for everyone; a
successful sign-in goes to the tenant's frontend or to a page saying what to do next; an
expired or used link says so on GET, before anything is typed, without being used; an
unknown portal is an HTML 404; every page has the favicon and the pages' CSP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urljoin

import httpx
import pytest

from server.app import create_app
from server.runtime import Runtime
from tests.conftest import unique_email
from tests.helpers.clock import TestClock
from tests.helpers.flows import (
    PASSWORD,
    confirmed_account,
    deliver,
    link_in,
    register,
    sign_in,
    token_of,
)
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer

REQUEST_RESET = "mutation($e: String!) { requestPasswordReset(input: {email: $e}) { ok } }"
FRONTEND = "https://portail.example/app"


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")


def links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


async def reset_link(client: GraphQLClient, runtime: Runtime, smtp: SmtpServer, email: str) -> str:
    await client(REQUEST_RESET, {"e": email})
    [*_, message] = await deliver(runtime, smtp, email)
    assert message["X-Guichet-Template"] == "reset_password"
    return path_of(link_in(message))


async def test_confirming_ends_on_sign_in_and_a_used_link_says_so_on_get(
    cnaps: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email("pages")
    await register(cnaps, email)
    [message] = await deliver(runtime, smtp, email)
    link = path_of(link_in(message))
    for _ in range(2):  # GET never acts: the link still works after being opened twice
        page = await http.get(link)
        assert page.status_code == 200 and 'name="token"' in page.text
    done = await http.post("/t/cnaps/confirm-email", data={"token": token_of(link)})
    assert 'data-code="EMAIL_CONFIRMED"' in done.text
    assert 'href="sign-in"' in done.text
    again = await http.get(link)
    assert again.status_code == 400
    assert 'data-code="TOKEN_ALREADY_USED"' in again.text
    assert "<form" not in again.text  # nothing to press: it says so at once
    assert {"sign-in", "resend-confirmation"} <= set(links(again.text))


async def test_an_expired_confirmation_link_offers_a_new_one(
    cnaps: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    smtp: SmtpServer,
    clock: TestClock,
) -> None:
    email = unique_email("pages")
    await register(cnaps, email)
    [message] = await deliver(runtime, smtp, email)
    clock.advance(timedelta(hours=12))  # cnaps: a 12-hour link, expired at its very hour
    page = await http.get(path_of(link_in(message)))
    assert page.status_code == 400 and 'data-code="TOKEN_EXPIRED"' in page.text
    assert "resend-confirmation" in links(page.text)
    form = await http.get("/t/cnaps/resend-confirmation")
    assert form.status_code == 200 and 'name="email"' in form.text
    sent = await http.post("/t/cnaps/resend-confirmation", data={"email": email})
    assert sent.status_code == 200 and 'data-code="CONFIRMATION_REQUESTED"' in sent.text
    assert "valable 12 heures" in sent.text and "sign-in" in links(sent.text)
    [*_, fresh] = await deliver(runtime, smtp, email)
    assert fresh["X-Guichet-Template"] == "confirm_email" and fresh is not message
    confirm = await http.get(path_of(link_in(fresh)))
    assert confirm.status_code == 200 and 'name="token"' in confirm.text


async def test_a_reset_link_is_checked_on_get_at_its_edges(
    cnaps: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    smtp: SmtpServer,
    clock: TestClock,
) -> None:
    email = unique_email("pages")
    await confirmed_account(cnaps, runtime, smtp, email)
    link = await reset_link(cnaps, runtime, smtp, email)
    clock.advance(timedelta(minutes=59, seconds=59))  # the last second of its hour
    usable = await http.get(link)
    assert usable.status_code == 200 and 'name="new_password"' in usable.text
    clock.advance(timedelta(seconds=1))
    expired = await http.get(link)
    assert expired.status_code == 400 and 'data-code="TOKEN_EXPIRED"' in expired.text
    assert 'name="new_password"' not in expired.text  # said before anything is typed
    assert "forgot-password" in links(expired.text)
    clock.reset()

    link = await reset_link(cnaps, runtime, smtp, email)
    assert 'name="new_password"' in (await http.get(link)).text  # opened: not used
    done = await http.post(
        "/t/cnaps/reset-password",
        data={"token": token_of(link), "new_password": "Une-Nouvelle-Phrase-Longue"},
    )
    assert 'data-code="PASSWORD_RESET"' in done.text and "sign-in" in links(done.text)
    used = await http.get(link)
    assert used.status_code == 400 and 'data-code="TOKEN_ALREADY_USED"' in used.text
    assert 'name="new_password"' not in used.text and "forgot-password" in links(used.text)
    garbage = await http.get("/t/cnaps/reset-password?token=pas-un-jeton")
    assert 'data-code="TOKEN_INVALID"' in garbage.text and "forgot-password" in links(garbage.text)
    missing = await http.get("/t/cnaps/reset-password")
    assert 'data-code="TOKEN_INVALID"' in missing.text
    # A link that expires while the form is open: the post says so, and offers a new one.
    link = await reset_link(cnaps, runtime, smtp, email)
    clock.advance(timedelta(hours=1))
    late = await http.post(
        "/t/cnaps/reset-password", data={"token": token_of(link), "new_password": PASSWORD}
    )
    assert 'data-code="TOKEN_EXPIRED"' in late.text and 'name="new_password"' not in late.text


async def test_forgotten_password_from_the_sign_in_page(
    cnaps: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email("pages")
    await confirmed_account(cnaps, runtime, smtp, email)
    page = await http.get("/t/cnaps/sign-in")
    assert "Mot de passe oublié ?" in page.text and "forgot-password" in links(page.text)
    assert "mot de passe provisoire" in page.text  # help for accounts opened for someone…
    assert "resend-confirmation" in links(page.text)  # …and for an unconfirmed address
    form = await http.get("/t/cnaps/forgot-password")
    assert form.status_code == 200 and 'name="email"' in form.text and "1 heure" in form.text
    sent = await http.post("/t/cnaps/forgot-password", data={"email": email})
    assert sent.status_code == 200 and 'data-code="RESET_REQUESTED"' in sent.text
    [*_, message] = await deliver(runtime, smtp, email)
    assert message["X-Guichet-Template"] == "reset_password"
    # An address without an account gets the same answer, and no mail.
    nobody = unique_email("nobody")
    same = await http.post("/t/cnaps/forgot-password", data={"email": nobody})
    assert 'data-code="RESET_REQUESTED"' in same.text
    assert await deliver(runtime, smtp, nobody) == []
    wrong = await http.post("/t/cnaps/forgot-password", data={"email": "pas une adresse"})
    assert wrong.status_code == 400 and 'data-code="INVALID_EMAIL"' in wrong.text
    assert 'name="email"' in wrong.text
    english = await http.get("/t/cnaps/sign-in", headers={"Accept-Language": "en"})
    assert "Forgot your password?" in english.text and 'lang="en"' in english.text


async def test_signing_in_without_a_frontend_says_what_to_do_next(
    cnaps: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email("pages")
    await confirmed_account(cnaps, runtime, smtp, email)
    page = await http.post("/t/cnaps/sign-in", data={"email": email, "password": PASSWORD})
    assert page.status_code == 200 and 'data-code="SIGNED_IN"' in page.text
    assert email in page.text and "adresse confirmée" in page.text
    assert "<code>http://testserver/t/cnaps/graphql</code>" in page.text
    assert "graphql" in links(page.text)  # GraphiQL, in development
    assert "sign-in" in links(page.text)
    # The page kept no session: signing in again shows only the new one.
    sessions = "{ viewer { account { sessions(first: 10) { totalCount } } } }"
    token = (await sign_in(cnaps, email))["accessToken"]
    assert (await cnaps(sessions, token=token))["viewer"]["account"]["sessions"] == {
        "totalCount": 1
    }


@pytest.fixture
async def with_frontend(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    settings = replace(runtime.settings, frontend_urls={"cnaps": FRONTEND})
    app = create_app(replace(runtime, settings=settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_signing_in_with_a_frontend_goes_to_it(
    cnaps: GraphQLClient,
    with_frontend: httpx.AsyncClient,
    runtime: Runtime,
    smtp: SmtpServer,
) -> None:
    email = unique_email("pages")
    await confirmed_account(cnaps, runtime, smtp, email)
    page = await with_frontend.get("/t/cnaps/sign-in")
    # the form's answer may lead to the frontend: its origin, and only it, is allowed
    assert "form-action 'self' https://portail.example;" in page.headers["content-security-policy"]
    assert FRONTEND in links(page.text)  # "no account yet?": open one there
    wrong = await with_frontend.post("/t/cnaps/sign-in", data={"email": email, "password": "x"})
    assert wrong.status_code == 400 and 'data-code="INVALID_CREDENTIALS"' in wrong.text
    done = await with_frontend.post("/t/cnaps/sign-in", data={"email": email, "password": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == FRONTEND
    other = await with_frontend.get("/t/cnsa/sign-in")  # cnsa has no frontend here
    assert "form-action 'self';" in other.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path", ["/t/inconnu/sign-in", "/t/inconnu/reset-password?token=x", "/t/inconnu/graphql"]
)
async def test_an_unknown_portal_is_an_html_404_for_a_browser(
    http: httpx.AsyncClient, path: str
) -> None:
    page = await http.get(path, headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text and "« inconnu »" in page.text
    assert "../../" in links(page.text)  # home, from /t/inconnu/…
    assert "../../t/cnaps/sign-in" in links(page.text)
    english = await http.get(path, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert english.status_code == 404 and "Page not found" in english.text


async def test_api_clients_still_get_json_or_plain_404s(http: httpx.AsyncClient) -> None:
    api = await http.get("/t/inconnu/graphql", headers={"Accept": "application/json"})
    assert api.status_code == 404
    assert api.json()["errors"][0]["extensions"]["code"] == "TENANT_NOT_FOUND"
    post = await http.post("/t/inconnu/graphql", json={"query": "{ tenant { slug } }"})
    assert post.json()["errors"][0]["extensions"]["code"] == "TENANT_NOT_FOUND"
    assert (await http.get("/nulle-part")).text == "Not Found"
    page = await http.get("/nulle/part", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Page introuvable" in page.text
    assert "../" in links(page.text)


PAGES = [
    "/",
    "/t/cnaps/sign-in",
    "/t/cnsa/forgot-password",
    "/t/cnaps/resend-confirmation",
    "/t/cnaps/confirm-email?token=x",
    "/t/cnsa/reset-password?token=x",
    "/t/cnaps/accept-invitation?token=x",
    "/t/inconnu/sign-in",
]


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_has_the_favicon_the_policy_and_ways_out(
    http: httpx.AsyncClient, path: str
) -> None:
    page = await http.get(path, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy  # no script at all
    assert "<script" not in page.text and "https://" not in page.text.split("</style>")[0]
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page.text)
    assert icon, path
    favicon = await http.get(urljoin(f"http://testserver{path}", icon.group(1)))
    assert favicon.status_code == 200 and favicon.headers["content-type"] == "image/svg+xml"
    found = [link for link in links(page.text) if not link.startswith("mailto:")]
    assert len(found) >= 2, path  # home and at least one other way on
    for link in found:
        target = await http.get(
            urljoin(f"http://testserver{path}", link), headers={"Accept": "text/html"}
        )
        assert target.status_code == 200, (path, link)


async def test_production_pages_do_not_point_to_graphiql(
    runtime: Runtime, cnaps: GraphQLClient, smtp: SmtpServer
) -> None:
    email = unique_email("pages")
    await confirmed_account(cnaps, runtime, smtp, email)
    production = replace(runtime, settings=replace(runtime.settings, env="production"))
    transport = httpx.ASGITransport(app=create_app(production))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        home = await client.get("/")
        assert "t/cnaps/sign-in" in links(home.text)
        assert not [link for link in links(home.text) if link.endswith("graphql")]
        page = await client.post("/t/cnaps/sign-in", data={"email": email, "password": PASSWORD})
        assert 'data-code="SIGNED_IN"' in page.text and "graphql" not in links(page.text)
        assert "<code>http://testserver/t/cnaps/graphql</code>" in page.text
