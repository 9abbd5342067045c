"""`guichet authority add-agent`: an agent's account opened by an operator, the temporary
password by e-mail only, a password change at first sign-in; delegations added
idempotently; unknown delegations and person accounts refused."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from strawberry.relay import GlobalID

from auth.account.models import Account
from server.cli import main
from server.cli_authority import add_agent_with
from server.runtime import Runtime
from tenants.errors import DomainError
from tenants.session import open_session
from tests.conftest import Database, unique_email
from tests.helpers.flows import PASSWORD, SIGN_IN, deliver, link_in
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisation_flows import VALIDATE, register_organisation
from tests.helpers.organisations import person
from tests.helpers.smtp import SmtpServer

VIEWER = "{ viewer { account { email mustChangePassword } } }"


def temporary_password(text: str) -> str:
    found = re.search(r"(?:Mot de passe provisoire :|Temporary password:) (\S+)", text)
    assert found, text
    return found.group(1)


async def accounts_with(runtime: Runtime, tenant: str, email: str) -> list[Account]:
    async with open_session(runtime.services.sessions, tenant) as session:
        return list((await session.scalars(select(Account).where(Account.email == email))).all())


async def test_new_agent_gets_a_temporary_password_by_mail_and_must_change_it(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email("agent")
    lines = await add_agent_with(runtime, "cnaps", email.upper(), ["ouest"], "Martin", "Léa")
    printed = "\n".join(lines)
    assert email in printed and "OUEST" in printed
    [message] = await deliver(runtime, smtp, email)
    assert message["X-Guichet-Template"] == "account_opened"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    password = temporary_password(text)
    assert password not in printed  # never printed: it goes by e-mail only
    assert link_in(message) == "http://testserver/t/cnaps/sign-in"
    signed = (await cnaps(SIGN_IN, {"email": email, "password": password}))["signIn"]
    assert signed["errors"] == [] and signed["mustChangePassword"] is True
    viewer = await cnaps(VIEWER, token=signed["accessToken"])
    assert viewer["viewer"]["account"] == {"email": email, "mustChangePassword": True}
    # until the password is changed, the agent may not review anything
    listing = await cnaps.post(
        "{ organisationRequests { totalCount } }", token=signed["accessToken"]
    )
    assert listing.json()["errors"][0]["extensions"]["code"] == "PASSWORD_CHANGE_REQUIRED"
    [account] = await accounts_with(runtime, "cnaps", email)
    assert account.kind == "AGENT" and account.delegations == ["OUEST"]


async def test_a_new_agent_must_be_named(runtime: Runtime, smtp: SmtpServer) -> None:
    email = unique_email("agent")
    with pytest.raises(DomainError) as refused:
        await add_agent_with(runtime, "cnaps", email, ["OUEST"], "Martin", None)
    assert [(e.code, e.field) for e in refused.value.errors] == [("REQUIRED", ("givenNames",))]
    with pytest.raises(DomainError) as blank:
        await add_agent_with(runtime, "cnaps", email, ["OUEST"], "  ", "Léa")
    assert [(e.code, e.field) for e in blank.value.errors] == [("REQUIRED", ("familyName",))]
    assert await accounts_with(runtime, "cnaps", email) == []
    assert await deliver(runtime, smtp, email) == []


async def test_adding_delegations_is_idempotent(runtime: Runtime, smtp: SmtpServer) -> None:
    email = unique_email("agent")
    await add_agent_with(runtime, "cnaps", email, ["OUEST"], "Martin", "Léa")
    assert len(await deliver(runtime, smtp, email)) == 1
    lines = await add_agent_with(runtime, "cnaps", email, ["IDF", "OUEST"])
    assert "Delegations added: IDF." in lines and "Delegations already held: OUEST." in lines
    again = await add_agent_with(runtime, "cnaps", email, ["IDF", "ouest"])
    assert not any(line.startswith("Delegations added") for line in again)
    [account] = await accounts_with(runtime, "cnaps", email)
    assert account.delegations == ["OUEST", "IDF"]
    assert len(await deliver(runtime, smtp, email)) == 1  # no second password mail


async def test_refusals_change_nothing(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    email = unique_email("agent")
    with pytest.raises(DomainError) as unknown:
        await add_agent_with(runtime, "cnaps", email, ["OUEST", "ATLANTIS"], "Martin", "Léa")
    assert unknown.value.errors[0].code == "UNKNOWN_DELEGATION"
    assert await accounts_with(runtime, "cnaps", email) == []
    with pytest.raises(DomainError) as no_delegations:
        await add_agent_with(runtime, "cnsa", email, ["OUEST"], "Martin", "Léa")
    assert no_delegations.value.errors[0].code == "UNKNOWN_DELEGATION"
    assert await accounts_with(runtime, "cnaps", email) == []
    assert await deliver(runtime, smtp, email) == []
    # a person's account does not become an agent's
    someone = await person(cnaps, runtime, smtp)
    with pytest.raises(DomainError) as taken:
        await add_agent_with(runtime, "cnaps", someone.email, ["OUEST"], "X", "Y")
    assert taken.value.errors[0].code == "ACCOUNT_NOT_AN_AGENT"
    [account] = await accounts_with(runtime, "cnaps", someone.email)
    assert account.kind == "PERSON" and account.delegations is None


def test_the_command_line(database: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    """The click command against the test database, mail through the real SMTP server."""
    env = {
        "GUICHET_DATABASE_URL": database.app_url,
        "GUICHET_SMTP_URL": smtp.url,
        "GUICHET_DATA_DIR": str(tmp_path),
        "GUICHET_PUBLIC_URL": "http://testserver",
        "GUICHET_PASSWORD_HASH_TIME_COST": "1",
        "GUICHET_PASSWORD_HASH_MEMORY_KIB": "8192",
        "GUICHET_PASSWORD_HASH_PARALLELISM": "1",
    }
    email = unique_email("agent")
    runner = CliRunner()
    base = ["authority", "add-agent", "--tenant", "cnaps", "--email", email]
    opened = runner.invoke(
        main,
        [*base, "--delegation", "SUD", "--family-name", "Rossi", "--given-names", "Anna"],
        env=env,
    )
    assert opened.exit_code == 0, opened.output
    assert "Agent account opened" in opened.output and "SUD" in opened.output
    [received] = [m for m in smtp.messages if email in m.rcpt_tos]
    text = received.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert temporary_password(text) not in opened.output
    more = runner.invoke(main, [*base, "--delegation", "SUD", "--delegation", "SUD_EST"], env=env)
    assert more.exit_code == 0, more.output
    assert "Delegations added: SUD_EST." in more.output
    wrong = runner.invoke(main, [*base, "--delegation", "ATLANTIS"], env=env)
    assert wrong.exit_code == 1
    assert "Délégation inconnue : ATLANTIS" in wrong.output and "OUEST" in wrong.output
    # No names on the command line: they are asked for, never guessed from the address
    nameless_email = f"jeanne.leroux@{uuid.uuid4().hex[:8]}.cnaps.example.org"
    nameless = runner.invoke(
        main,
        [
            "authority",
            "add-agent",
            "--tenant",
            "cnaps",
            "--email",
            nameless_email,
            "--delegation",
            "SUD",
        ],
        env=env,
        input="Le Roux-Martin\nJeanne Marie\n",
    )
    assert nameless.exit_code == 0, nameless.output
    assert "Nom de famille de l'agent" in nameless.output
    assert "Prénoms de l'agent" in nameless.output
    [welcome] = [m for m in smtp.messages if nameless_email in m.rcpt_tos]
    body = welcome.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bonjour Jeanne Marie Le Roux-Martin" in body
    # no answer to the prompt (a script without a terminal): nothing is opened
    silent_email = unique_email("agent")
    silent = runner.invoke(
        main,
        [
            "authority",
            "add-agent",
            "--tenant",
            "cnaps",
            "--email",
            silent_email,
            "--delegation",
            "SUD",
        ],
        env=env,
        input="",
    )
    assert silent.exit_code != 0
    assert not [m for m in smtp.messages if silent_email in m.rcpt_tos]
    assert len([m for m in smtp.messages if email in m.rcpt_tos]) == 1


def test_unknown_tenant_is_refused_before_anything() -> None:
    result = CliRunner().invoke(
        main,
        ["authority", "add-agent", "--tenant", "nope", "--email", "a@b.fr", "--delegation", "X"],
    )
    assert result.exit_code == 2 and "nope" in result.output


CHANGE_PASSWORD = """
mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) {
  errors { code } } }
"""
REVOKE_SESSION = """
mutation($id: ID!) { revokeSession(input: {sessionId: $id}) { errors { code field } } }
"""


async def test_an_agent_with_a_temporary_password_is_told_so_by_every_act(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    """Not NOT_FOUND: a request of the agent's delegation, one that does not exist, another
    act on an ID: every one answers PASSWORD_CHANGE_REQUIRED until the password is changed."""
    applicant = await person(cnaps, runtime, smtp, "applicant")
    pending = (await register_organisation(cnaps, applicant))["organisation"]["id"]
    email = unique_email("agent")
    await add_agent_with(runtime, "cnaps", email, ["OUEST"], "Martin", "Léa")
    [message] = await deliver(runtime, smtp, email)
    password = temporary_password(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    token = (await cnaps(SIGN_IN, {"email": email, "password": password}))["signIn"]["accessToken"]
    unknown = str(GlobalID("Organisation", str(uuid.uuid4())))
    for organisation_id in (pending, unknown):
        refused = await cnaps(VALIDATE, {"id": organisation_id}, token=token)
        assert codes(refused["validateOrganisation"]) == ["PASSWORD_CHANGE_REQUIRED"]
    session = str(GlobalID("SignInSession", str(uuid.uuid4())))
    revoked = await cnaps(REVOKE_SESSION, {"id": session}, token=token)
    assert codes(revoked["revokeSession"]) == ["PASSWORD_CHANGE_REQUIRED"]
    changed = await cnaps(CHANGE_PASSWORD, {"c": password, "n": PASSWORD}, token=token)
    assert changed["changePassword"]["errors"] == []
    validated = await cnaps(VALIDATE, {"id": pending}, token=token)
    assert validated["validateOrganisation"]["errors"] == []
    assert validated["validateOrganisation"]["organisation"]["status"] == "VALIDATED"
    assert codes((await cnaps(VALIDATE, {"id": unknown}, token=token))["validateOrganisation"]) == [
        "NOT_FOUND"
    ]
