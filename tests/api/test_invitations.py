"""Inviting a manager: the e-mailed link, accepted with an existing account or a fresh one
(through the API and the built-in page), expiry, replay, supersession, other tenants."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from auth.account.provisioning import NewPerson, open_account_for
from auth.context import ServiceContext
from server.runtime import Runtime
from tenants.packs import PACKS
from tenants.session import open_session
from tests.conftest import unique_email
from tests.helpers.clock import TestClock
from tests.helpers.flows import (
    CONFIRM,
    PASSWORD,
    deliver,
    link_in,
    register,
    sign_in,
    token_of,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import Org, SignedIn, person, validated_organisation
from tests.helpers.smtp import SmtpServer

INVITE = """
mutation($input: InviteManagerInput!) {
  inviteManager(input: $input) {
    invitation { id email permissions status expiresAt organisation { id name } }
    errors { code field message }
  }
}
"""
ACCEPT = """
mutation($token: String!) {
  acceptInvitation(input: {token: $token}) {
    membership { id role permissions organisation { id } }
    errors { code field message }
  }
}
"""
MY_MEMBERSHIPS = """
query { viewer { memberships(first: 10) {
  totalCount nodes { id role permissions organisation { id name } } } } }
"""
PENDING = """
query($id: ID!) { node(id: $id) { ... on Organisation {
  invitations(first: 10) { totalCount nodes { id email status permissions } } } } }
"""


async def invite(
    client: GraphQLClient, org: Org, email: str, permissions: list[str], token: str | None = None
) -> dict[str, Any]:
    data = await client(
        INVITE,
        {"input": {"organisationId": org.id, "email": email, "permissions": permissions}},
        token=token or org.admin.token,
    )
    payload: dict[str, Any] = data["inviteManager"]
    return payload


async def invitation_mail(runtime: Runtime, smtp: SmtpServer, email: str) -> EmailMessage:
    messages = await deliver(runtime, smtp, email)
    invitations = [m for m in messages if m["X-Guichet-Template"] == "manager_invitation"]
    assert invitations, [m["Subject"] for m in messages]
    return invitations[-1]


async def accept(client: GraphQLClient, token: str, access: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client(ACCEPT, {"token": token}, token=access))[
        "acceptInvitation"
    ]
    return payload


async def make_manager(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    org: Org,
    permissions: list[str],
    prefix: str = "manager",
) -> tuple[SignedIn, str]:
    """A signed-in person who accepted an invitation; with their membership's global ID."""
    someone = await person(client, runtime, smtp, prefix)
    invited = await invite(client, org, someone.email, permissions)
    assert invited["errors"] == [], invited
    link = link_in(await invitation_mail(runtime, smtp, someone.email))
    accepted = await accept(client, token_of(link), someone.token)
    assert accepted["errors"] == [], accepted
    return someone, accepted["membership"]["id"]


async def test_invitation_mail_link_page_and_acceptance_with_an_existing_account(
    cnaps: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp, name="Sécurité Océane")
    invitee = await person(cnaps, runtime, smtp, "invitee")
    invited = await invite(cnaps, org, invitee.email.upper(), ["MANAGE_EMPLOYEES"])
    assert invited["errors"] == []
    invitation = invited["invitation"]
    assert invitation["email"] == invitee.email  # normalised
    assert invitation["status"] == "PENDING"
    assert invitation["permissions"] == ["MANAGE_EMPLOYEES"]
    assert invitation["organisation"]["id"] == org.id

    message = await invitation_mail(runtime, smtp, invitee.email)
    assert "Sécurité Océane" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None and "gérer les salariés" in body.get_content()
    link = link_in(message)
    assert link.startswith("http://testserver/t/cnaps/accept-invitation?token=")

    # Opening the link shows a page and changes nothing (mail scanners follow links).
    page = await http.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert 'name="password"' in page.text and "accepter" in page.text.lower()
    assert (await cnaps(MY_MEMBERSHIPS, token=invitee.token))["viewer"]["memberships"][
        "totalCount"
    ] == 0

    accepted = await accept(cnaps, token_of(link), invitee.token)
    assert accepted["errors"] == []
    assert accepted["membership"]["role"] == "MANAGER"
    assert accepted["membership"]["permissions"] == ["MANAGE_EMPLOYEES"]
    assert accepted["membership"]["organisation"] == {"id": org.id}  # with the new rights
    mine = (await cnaps(MY_MEMBERSHIPS, token=invitee.token))["viewer"]["memberships"]
    assert mine["totalCount"] == 1
    assert mine["nodes"][0]["organisation"] == {"id": org.id, "name": "Sécurité Océane"}

    # The inviter is told who accepted; the invitation is no longer pending.
    told = await deliver(runtime, smtp, org.admin.email)
    assert any(m["X-Guichet-Template"] == "invitation_accepted" for m in told)
    pending = await cnaps(PENDING, {"id": org.id}, token=org.admin.token)
    assert pending["node"]["invitations"]["totalCount"] == 0

    # The link is single-use: replayed, it is refused and nothing more is created.
    replay = await accept(cnaps, token_of(link), invitee.token)
    assert codes(replay) == ["INVITATION_ALREADY_USED"]
    assert replay["errors"][0]["field"] == ["input", "token"]
    other = await person(cnaps, runtime, smtp, "other")
    assert codes(await accept(cnaps, token_of(link), other.token)) == ["INVITATION_ALREADY_USED"]
    assert (await cnaps(MY_MEMBERSHIPS, token=other.token))["viewer"]["memberships"][
        "totalCount"
    ] == 0


async def test_a_freshly_registered_account_accepts_through_the_page(
    cnaps: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    address = unique_email("newcomer")
    assert (await invite(cnaps, org, address, ["FILE_DOSSIERS", "MANAGE_EMPLOYEES"]))[
        "errors"
    ] == []
    link = link_in(await invitation_mail(runtime, smtp, address))
    path = link.removeprefix("http://testserver")

    # No account yet: the page refuses the sign-in and keeps the form.
    refused = await http.post(
        path, data={"token": token_of(link), "email": address, "password": PASSWORD}
    )
    assert refused.status_code == 400 and 'data-code="INVALID_CREDENTIALS"' in refused.text

    # The person opens an account and confirms it, then comes back to the link.
    await register(cnaps, address)
    [confirmation] = [
        m
        for m in await deliver(runtime, smtp, address)
        if m["X-Guichet-Template"] == "confirm_email"
    ]
    confirmed = await cnaps(CONFIRM, {"token": token_of(link_in(confirmation))})
    assert confirmed["confirmEmail"]["errors"] == []
    page = await http.post(
        path, data={"token": token_of(link), "email": address, "password": PASSWORD}
    )
    assert page.status_code == 200, page.text
    assert 'data-code="INVITATION_ACCEPTED"' in page.text
    assert "déposer des demandes" in page.text

    signed = await sign_in(cnaps, address)
    mine = (await cnaps(MY_MEMBERSHIPS, token=signed["accessToken"]))["viewer"]["memberships"]
    assert mine["totalCount"] == 1
    assert mine["nodes"][0]["permissions"] == ["FILE_DOSSIERS", "MANAGE_EMPLOYEES"]
    # Posting again: the link was used.
    again = await http.post(
        path, data={"token": token_of(link), "email": address, "password": PASSWORD}
    )
    assert again.status_code == 400 and 'data-code="INVITATION_ALREADY_USED"' in again.text


async def test_an_account_opened_for_someone_changes_its_password_on_the_sign_in_page(
    cnaps: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    address = unique_email("opened")
    services = runtime.services
    async with open_session(services.sessions, "cnaps") as session:
        ctx = ServiceContext(
            session=session, pack=PACKS["cnaps"], clock=services.clock, config=services.auth
        )
        await open_account_for(
            ctx,
            NewPerson(email=address, family_name="Martin", given_names="Léa"),
            opened_by="Gardiennage Atlantique",
        )
        await session.commit()
    [opened] = await deliver(runtime, smtp, address)
    body = opened.get_body(("plain",))
    assert body is not None
    temporary = re.search(r"Mot de passe provisoire : (\S+)", body.get_content())
    assert temporary is not None
    link = link_in(opened)
    assert link == "http://testserver/t/cnaps/sign-in"

    page = await http.get("/t/cnaps/sign-in")
    assert page.status_code == 200 and 'name="password"' in page.text
    wrong = await http.post("/t/cnaps/sign-in", data={"email": address, "password": "nope"})
    assert wrong.status_code == 400 and 'data-code="INVALID_CREDENTIALS"' in wrong.text
    step = await http.post(
        "/t/cnaps/sign-in", data={"email": address, "password": temporary.group(1)}
    )
    assert step.status_code == 200 and 'name="new_password"' in step.text
    weak = await http.post(
        "/t/cnaps/sign-in",
        data={"email": address, "password": temporary.group(1), "new_password": "court"},
    )
    assert weak.status_code == 400 and 'data-code="PASSWORD_TOO_SHORT"' in weak.text
    done = await http.post(
        "/t/cnaps/sign-in",
        data={"email": address, "password": temporary.group(1), "new_password": PASSWORD},
    )
    assert done.status_code == 200 and 'data-code="PASSWORD_CHANGED"' in done.text
    # The address is then confirmed by the link sent, and the account signs in normally.
    [confirmation] = [
        m
        for m in await deliver(runtime, smtp, address)
        if m["X-Guichet-Template"] == "confirm_email"
    ]
    await cnaps(CONFIRM, {"token": token_of(link_in(confirmation))})
    signed = await sign_in(cnaps, address)
    assert signed["mustChangePassword"] is False
    plain = await http.post("/t/cnaps/sign-in", data={"email": address, "password": PASSWORD})
    assert plain.status_code == 200 and 'data-code="SIGNED_IN"' in plain.text


async def test_a_new_invitation_replaces_the_unused_one(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    invitee = await person(cnaps, runtime, smtp, "twice")
    await invite(cnaps, org, invitee.email, ["MANAGE_EMPLOYEES"])
    first = token_of(link_in(await invitation_mail(runtime, smtp, invitee.email)))
    await invite(cnaps, org, invitee.email, ["MESSAGE_AUTHORITY"])
    second = token_of(link_in(await invitation_mail(runtime, smtp, invitee.email)))
    assert first != second
    pending = (await cnaps(PENDING, {"id": org.id}, token=org.admin.token))["node"]["invitations"]
    assert pending["totalCount"] == 1
    assert pending["nodes"][0]["permissions"] == ["MESSAGE_AUTHORITY"]

    assert codes(await accept(cnaps, first, invitee.token)) == ["INVITATION_REVOKED"]
    accepted = await accept(cnaps, second, invitee.token)
    assert accepted["membership"]["permissions"] == ["MESSAGE_AUTHORITY"]
    # Now a member: inviting them again is refused, as is inviting the administrator.
    assert codes(await invite(cnaps, org, invitee.email, [])) == ["ALREADY_MEMBER"]
    assert codes(await invite(cnaps, org, org.admin.email, [])) == ["ALREADY_MEMBER"]


async def test_links_that_are_not_valid_and_callers_that_may_not_accept(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    invitee = await person(cnaps, runtime, smtp, "careful")
    await invite(cnaps, org, invitee.email, ["MANAGE_EMPLOYEES"])
    token = token_of(link_in(await invitation_mail(runtime, smtp, invitee.email)))
    anonymous = (await cnaps(ACCEPT, {"token": token}))["acceptInvitation"]
    assert codes(anonymous) == ["AUTHENTICATION_REQUIRED"]
    assert codes(await accept(cnaps, token[:-2], invitee.token)) == ["INVITATION_INVALID"]
    assert codes(await accept(cnaps, "", invitee.token)) == ["INVITATION_INVALID"]
    # Withdrawn by the administrator: the link stops working.
    pending = (await cnaps(PENDING, {"id": org.id}, token=org.admin.token))["node"]["invitations"]
    withdrawn = await cnaps(
        "mutation($id: ID!) { revokeInvitation(input: {invitationId: $id}) "
        "{ invitation { status } errors { code } } }",
        {"id": pending["nodes"][0]["id"]},
        token=org.admin.token,
    )
    assert withdrawn["revokeInvitation"]["invitation"]["status"] == "REVOKED"
    assert codes(await accept(cnaps, token, invitee.token)) == ["INVITATION_REVOKED"]
    assert (await cnaps(MY_MEMBERSHIPS, token=invitee.token))["viewer"]["memberships"][
        "totalCount"
    ] == 0


async def test_an_organisation_id_of_another_tenant_or_a_stranger_is_not_found(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    elsewhere = await validated_organisation(cnsa, runtime, smtp)
    target = unique_email("target")
    foreign = await invite(cnsa, org, target, [], token=elsewhere.admin.token)
    assert codes(foreign) == ["NOT_FOUND"]
    assert foreign["errors"][0]["field"] == ["input", "organisationId"]
    stranger = await person(cnaps, runtime, smtp, "stranger")
    assert codes(await invite(cnaps, org, target, [], token=stranger.token)) == ["NOT_FOUND"]
    garbage = await cnaps(
        INVITE,
        {"input": {"organisationId": "not-an-id", "email": target, "permissions": []}},
        token=org.admin.token,
    )
    assert codes(garbage["inviteManager"]) == ["NOT_FOUND"]
    membership_id = (await cnaps(MY_MEMBERSHIPS, token=org.admin.token))["viewer"]["memberships"][
        "nodes"
    ][0]["id"]
    wrong_type = await cnaps(
        INVITE,
        {"input": {"organisationId": membership_id, "email": target, "permissions": []}},
        token=org.admin.token,
    )
    assert codes(wrong_type["inviteManager"]) == ["NOT_FOUND"]
    # Nothing was sent to the target.
    assert await deliver(runtime, smtp, target) == []
    bad_email = await invite(cnaps, org, "not-an-address", [])
    assert codes(bad_email) == ["INVALID_EMAIL"]


async def test_the_link_expires_after_seven_days(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer, clock: TestClock
) -> None:
    """Moves the shared clock forward by seven days."""
    org = await validated_organisation(cnaps, runtime, smtp)
    early = await person(cnaps, runtime, smtp, "early")
    late = await person(cnaps, runtime, smtp, "late")
    await invite(cnaps, org, early.email, ["MANAGE_EMPLOYEES"])
    early_token = token_of(link_in(await invitation_mail(runtime, smtp, early.email)))
    await invite(cnaps, org, late.email, ["MANAGE_EMPLOYEES"])
    late_token = token_of(link_in(await invitation_mail(runtime, smtp, late.email)))

    clock.advance(timedelta(days=7) - timedelta(minutes=1))
    early_access = (await sign_in(cnaps, early.email))["accessToken"]
    assert (await accept(cnaps, early_token, early_access))["errors"] == []

    clock.advance(timedelta(minutes=2))
    late_access = (await sign_in(cnaps, late.email))["accessToken"]
    expired = await accept(cnaps, late_token, late_access)
    assert codes(expired) == ["INVITATION_EXPIRED"]
    assert "expiré" in expired["errors"][0]["message"]
    assert (await cnaps(MY_MEMBERSHIPS, token=late_access))["viewer"]["memberships"][
        "totalCount"
    ] == 0
    admin = (await sign_in(cnaps, org.admin.email))["accessToken"]
    pending = (await cnaps(PENDING, {"id": org.id}, token=admin))["node"]["invitations"]
    assert pending["totalCount"] == 0
