"""`guichet demo` loads its accounts through the services, once, mails only what a person
needs (no confirmation link to the addresses it confirms itself; the agent's temporary
password, which works), and prints the state it leaves, read back from the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from server.demo import AGENT_EMAIL, DEMO_PASSWORD, PEOPLE, load_demo
from server.runtime import Runtime
from tests.helpers.flows import SIGN_IN, VIEWER, deliver
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.live_server import LiveServer, live_server, ok, text_of
from tests.helpers.smtp import SmtpServer

CAMILLE = "camille.martin@demo.guichet.example.org"
KARIM = "karim.benali@demo.guichet.example.org"
YAMILE = "yamile.zemirli@demo.guichet.example.org"

COMPANY = """
query {
  viewer {
    memberships(first: 5) {
      nodes {
        role
        organisation {
          name status
          dashboard(first: 20) {
            totalCount totals { green orange red }
            nodes { familyName hasAccount colour labels { name } title { status } }
          }
          labels(first: 5) { nodes { name employeeCount } }
        }
      }
    }
  }
}
"""
CHANGE = """
mutation ($c: String!, $n: String!) {
  changePassword(input: {currentPassword: $c, newPassword: $n}) { errors { code } }
}
"""


def temporary_password(message: EmailMessage) -> str:
    found = re.search(r"Mot de passe provisoire : (\S+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def line_of(lines: list[str], email: str) -> str:
    [line] = [line for line in lines if email in line and "administered" not in line]
    return line


async def test_demo_accounts_sign_in_and_loading_twice_changes_nothing(
    runtime: Runtime, cnaps: GraphQLClient, cnsa: GraphQLClient
) -> None:
    first = await load_demo(runtime)
    assert await load_demo(runtime) == first
    assert line_of(first, CAMILLE) == f"cnaps: {CAMILLE} / {DEMO_PASSWORD} (address confirmed)"
    assert "address not confirmed" in line_of(first, KARIM)
    assert "temporary password: choose yours" in line_of(first, YAMILE)
    assert "cnaps: sign in at http://testserver/t/cnaps/sign-in" in "\n".join(first)
    camille = await cnaps(SIGN_IN, {"email": CAMILLE, "password": DEMO_PASSWORD})
    token = camille["signIn"]["accessToken"]
    assert (await cnaps(VIEWER, token=token))["viewer"]["person"]["familyName"] == "Martin"
    karim = await cnaps(SIGN_IN, {"email": KARIM, "password": DEMO_PASSWORD})
    assert codes(karim["signIn"]) == ["EMAIL_NOT_CONFIRMED"]
    yamile = await cnsa(SIGN_IN, {"email": YAMILE, "password": DEMO_PASSWORD})
    assert yamile["signIn"]["mustChangePassword"] is True


async def test_demo_mails_no_confirmation_link_to_the_addresses_it_confirms(
    runtime: Runtime, smtp: SmtpServer
) -> None:
    await load_demo(runtime)
    for person in [*PEOPLE["cnaps"], *PEOPLE["cnsa"]]:
        assert person.email is not None
        templates = {m["X-Guichet-Template"] for m in await deliver(runtime, smtp, person.email)}
        if person.email == KARIM:  # left unconfirmed on purpose: his link is his way in
            assert templates == {"confirm_email"}
        else:
            assert "confirm_email" not in templates


async def test_demo_agent_signs_in_with_the_temporary_password_mailed_to_it(
    runtime: Runtime, cnaps: GraphQLClient, smtp: SmtpServer
) -> None:
    lines = await load_demo(runtime)
    *_, opened = [  # the SMTP server is the session's: the last one is this database's
        m
        for m in await deliver(runtime, smtp, AGENT_EMAIL)
        if m["X-Guichet-Template"] == "account_opened"
    ]
    password = temporary_password(opened)
    assert f"cnaps: {AGENT_EMAIL} / {password} (authority agent, delegation OUEST;" in "".join(
        lines
    )
    agent = (await cnaps(SIGN_IN, {"email": AGENT_EMAIL, "password": password}))["signIn"]
    assert agent["errors"] == [] and agent["mustChangePassword"] is True


async def test_demo_company_space(runtime: Runtime, cnaps: GraphQLClient) -> None:
    lines = await load_demo(runtime)
    assert (
        "cnaps: Sécurité Atlantique (démo) (SIREN 904512340), validated, administered by "
        f"{CAMILLE}: 12 employees, 2 labels"
    ) in lines
    camille = await cnaps(SIGN_IN, {"email": CAMILLE, "password": DEMO_PASSWORD})
    data = await cnaps(COMPANY, token=camille["signIn"]["accessToken"])
    [membership] = data["viewer"]["memberships"]["nodes"]
    assert membership["role"] == "ADMINISTRATOR"
    organisation = membership["organisation"]
    assert organisation["status"] == "VALIDATED"
    dashboard = organisation["dashboard"]
    assert dashboard["totalCount"] == 12
    assert dashboard["totals"] == {"green": 5, "orange": 3, "red": 4}
    statuses = {n["title"]["status"] for n in dashboard["nodes"] if n["title"]}
    assert statuses == {"VALID", "EXPIRED", "SUSPENDED", "WITHDRAWN"}
    benali = next(n for n in dashboard["nodes"] if n["familyName"] == "Benali")
    assert benali["hasAccount"] is True and benali["colour"] == "GREEN"
    labels = {n["name"]: n["employeeCount"] for n in organisation["labels"]["nodes"]}
    assert sum(labels.values()) == 9 and len(labels) == 2


async def test_demo_run_again_prints_what_changed_since(
    runtime: Runtime, cnsa: GraphQLClient
) -> None:
    """Last of the module: Yamile chooses her own password, as the demo asks her to."""
    before = line_of(await load_demo(runtime), YAMILE)
    assert DEMO_PASSWORD in before and "temporary password" in before
    signed = (await cnsa(SIGN_IN, {"email": YAMILE, "password": DEMO_PASSWORD}))["signIn"]
    own = "Mon-Propre-Secret-77"
    changed = await cnsa(CHANGE, {"c": DEMO_PASSWORD, "n": own}, token=signed["accessToken"])
    assert changed["changePassword"]["errors"] == []
    after = line_of(await load_demo(runtime), YAMILE)
    assert DEMO_PASSWORD not in after
    assert after == (
        f"cnsa: {YAMILE} (password changed since: no longer the demo one) (address confirmed)"
    )
    again = (await cnsa(SIGN_IN, {"email": YAMILE, "password": own}))["signIn"]
    assert again["errors"] == [] and again["mustChangePassword"] is False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("demo")) as running:
        yield running


def test_the_demo_command_twice_against_a_running_server(server: LiveServer) -> None:
    """What a newcomer does: `guichet demo`, the agent's mail, a sign-in, `guichet demo`."""
    first = server.guichet("demo")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert f"cnaps: sign in at {server.base}/t/cnaps/sign-in" in "\n".join(lines)
    assert lines[-1] == "mail (temporary passwords, links): sent to the server of GUICHET_SMTP_URL"
    [opened] = server.mails(AGENT_EMAIL)
    password = temporary_password(opened)
    assert password == DEMO_PASSWORD and f"{AGENT_EMAIL} / {password}" in first.stdout
    signed = ok(server.gql("cnaps", SIGN_IN, {"email": AGENT_EMAIL, "password": password}))
    token = signed["signIn"]["accessToken"]
    new = "Agent-Ouest-Choisi-2026"
    ok(server.gql("cnaps", CHANGE, {"c": password, "n": new}, token=token))

    second = server.guichet("demo")
    assert second.returncode == 0, second.stderr
    agent = line_of(second.stdout.splitlines(), AGENT_EMAIL)
    assert DEMO_PASSWORD not in agent and "no longer the demo one" in agent
    assert "address confirmed" in agent  # choosing their password completed the account
    mails = server.mails(AGENT_EMAIL, 2)  # the "password changed" notice, no new account
    assert [m["X-Guichet-Template"] for m in mails] == ["account_opened", "password_changed"]
    assert [line for line in second.stdout.splitlines() if AGENT_EMAIL not in line] == [
        line for line in lines if AGENT_EMAIL not in line
    ]
