"""Managers: permissions delegated and enforced, changed, revoked; transfer of administration;
an organisation never without its administrator."""

from __future__ import annotations

from typing import Any

from server.runtime import Runtime
from tests.api.test_invitations import (
    MY_MEMBERSHIPS,
    PENDING,
    invitation_mail,
    invite,
    make_manager,
)
from tests.conftest import unique_email
from tests.helpers.flows import deliver
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import Org, validated_organisation
from tests.helpers.smtp import SmtpServer

SET = """
mutation($id: ID!, $permissions: [Permission!]!) {
  setManagerPermissions(input: {membershipId: $id, permissions: $permissions}) {
    membership { id role permissions revokedAt } errors { code field message }
  }
}
"""
REVOKE = """
mutation($id: ID!) {
  revokeManager(input: {membershipId: $id}) {
    membership { id role revokedAt } errors { code field message }
  }
}
"""
TRANSFER = """
mutation($id: ID!) {
  transferAdministration(input: {membershipId: $id}) {
    administrator { id role permissions }
    previousAdministrator { id role permissions }
    errors { code field message }
  }
}
"""
MEMBERS = """
query($id: ID!) { node(id: $id) { ... on Organisation {
  viewerRole viewerPermissions
  memberships(first: 10) { totalCount nodes { id role permissions person { familyName } } }
} } }
"""
ALL = [
    "MANAGE_EMPLOYEES",
    "FILE_DOSSIERS",
    "ACT_AS_TRUSTED_THIRD_PARTY",
    "DECLARE_TRAINING_SESSIONS",
    "MESSAGE_AUTHORITY",
    "MANAGE_MANAGERS",
]


async def call(
    client: GraphQLClient, query: str, field: str, token: str, **variables: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = (await client(query, variables, token=token))[field]
    return payload


async def admin_membership(client: GraphQLClient, org: Org) -> str:
    members = (await client(MEMBERS, {"id": org.id}, token=org.admin.token))["node"]
    [admin] = [m for m in members["memberships"]["nodes"] if m["role"] == "ADMINISTRATOR"]
    return str(admin["id"])


async def test_a_manager_with_only_manage_employees_cannot_manage_managers(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    manager, membership = await make_manager(cnaps, runtime, smtp, org, ["MANAGE_EMPLOYEES"])
    seen = (await cnaps(MY_MEMBERSHIPS, token=manager.token))["viewer"]["memberships"]
    assert seen["nodes"][0]["permissions"] == ["MANAGE_EMPLOYEES"]

    target = unique_email("target")
    denied = await invite(cnaps, org, target, ["MANAGE_EMPLOYEES"], token=manager.token)
    assert codes(denied) == ["PERMISSION_MISSING"]
    assert denied["invitation"] is None
    assert "MANAGE_MANAGERS" in denied["errors"][0]["message"]
    # Nothing changed: no invitation pending, no mail sent.
    pending = (await cnaps(PENDING, {"id": org.id}, token=org.admin.token))["node"]["invitations"]
    assert pending["totalCount"] == 0
    assert await deliver(runtime, smtp, target) == []

    # Nor may they change their own permissions, revoke or transfer.
    own = await call(
        cnaps, SET, "setManagerPermissions", manager.token, id=membership, permissions=ALL
    )
    assert codes(own) == ["PERMISSION_MISSING"]
    admin = await admin_membership(cnaps, org)
    assert codes(await call(cnaps, REVOKE, "revokeManager", manager.token, id=admin)) == [
        "PERMISSION_MISSING"
    ]
    assert codes(
        await call(cnaps, TRANSFER, "transferAdministration", manager.token, id=membership)
    ) == ["FORBIDDEN"]
    # The member list is for who manages managers.
    response = await cnaps.post(MEMBERS, {"id": org.id}, token=manager.token)
    assert response.json()["errors"][0]["extensions"]["code"] == "PERMISSION_MISSING"
    # Their permissions are unchanged.
    seen = (await cnaps(MY_MEMBERSHIPS, token=manager.token))["viewer"]["memberships"]
    assert seen["nodes"][0]["permissions"] == ["MANAGE_EMPLOYEES"]


async def test_a_manager_of_managers_delegates_only_what_they_hold(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    chief, chief_membership = await make_manager(
        cnaps, runtime, smtp, org, ["MANAGE_MANAGERS", "MANAGE_EMPLOYEES"], "chief"
    )
    # Invite within their own rights: allowed; beyond: refused, nothing sent.
    target = unique_email("junior")
    beyond = await invite(
        cnaps, org, target, ["MANAGE_EMPLOYEES", "FILE_DOSSIERS"], token=chief.token
    )
    assert codes(beyond) == ["PERMISSION_NOT_HELD"]
    assert beyond["errors"][0]["field"] == ["input", "permissions"]
    assert await deliver(runtime, smtp, target) == []
    within = await invite(cnaps, org, target, ["MANAGE_EMPLOYEES"], token=chief.token)
    assert within["errors"] == []
    assert await invitation_mail(runtime, smtp, target)

    junior, junior_membership = await make_manager(
        cnaps, runtime, smtp, org, ["MANAGE_EMPLOYEES"], "junior"
    )
    _senior, senior_membership = await make_manager(
        cnaps, runtime, smtp, org, ["FILE_DOSSIERS"], "senior"
    )
    grant = await call(
        cnaps,
        SET,
        "setManagerPermissions",
        chief.token,
        id=junior_membership,
        permissions=["MANAGE_EMPLOYEES", "ACT_AS_TRUSTED_THIRD_PARTY"],
    )
    assert codes(grant) == ["PERMISSION_NOT_HELD"]
    withdraw = await call(
        cnaps, SET, "setManagerPermissions", chief.token, id=senior_membership, permissions=[]
    )
    assert codes(withdraw) == ["PERMISSION_NOT_HELD"]
    assert codes(await call(cnaps, REVOKE, "revokeManager", chief.token, id=senior_membership)) == [
        "PERMISSION_NOT_HELD"
    ]
    # The administrator is out of their reach.
    admin = await admin_membership(cnaps, org)
    assert codes(await call(cnaps, REVOKE, "revokeManager", chief.token, id=admin)) == [
        "ADMINISTRATOR_REQUIRED"
    ]
    fixed = await call(cnaps, SET, "setManagerPermissions", chief.token, id=admin, permissions=[])
    assert codes(fixed) == ["ADMINISTRATOR_PERMISSIONS_FIXED"]
    # Within their rights they change and revoke.
    changed = await call(
        cnaps,
        SET,
        "setManagerPermissions",
        chief.token,
        id=junior_membership,
        permissions=["MANAGE_MANAGERS"],
    )
    assert changed["errors"] == [] and changed["membership"]["permissions"] == ["MANAGE_MANAGERS"]
    revoked = await call(cnaps, REVOKE, "revokeManager", chief.token, id=junior_membership)
    assert revoked["errors"] == [] and revoked["membership"]["revokedAt"]
    assert (await cnaps(MY_MEMBERSHIPS, token=junior.token))["viewer"]["memberships"][
        "totalCount"
    ] == 0
    members = (await cnaps(MEMBERS, {"id": org.id}, token=chief.token))["node"]["memberships"]
    assert members["totalCount"] == 3  # administrator, chief, senior
    assert {senior_membership, chief_membership} <= {m["id"] for m in members["nodes"]}


async def test_the_administrator_changes_and_revokes_but_is_never_revoked(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp)
    manager, membership = await make_manager(cnaps, runtime, smtp, org, ["MANAGE_EMPLOYEES"])
    target = unique_email("next")
    assert codes(await invite(cnaps, org, target, [], token=manager.token)) == [
        "PERMISSION_MISSING"
    ]
    changed = await call(
        cnaps,
        SET,
        "setManagerPermissions",
        org.admin.token,
        id=membership,
        permissions=["MANAGE_MANAGERS", "MANAGE_MANAGERS"],
    )
    assert changed["membership"]["permissions"] == ["MANAGE_MANAGERS"]
    # The change takes effect at the manager's next request.
    assert (await invite(cnaps, org, target, [], token=manager.token))["errors"] == []

    admin = await admin_membership(cnaps, org)
    itself = await call(cnaps, REVOKE, "revokeManager", org.admin.token, id=admin)
    assert codes(itself) == ["ADMINISTRATOR_REQUIRED"]
    assert itself["errors"][0]["field"] == ["input", "membershipId"]
    view = (await cnaps(MEMBERS, {"id": org.id}, token=org.admin.token))["node"]
    assert view["viewerRole"] == "ADMINISTRATOR"

    revoked = await call(cnaps, REVOKE, "revokeManager", org.admin.token, id=membership)
    assert revoked["errors"] == []
    again = await call(cnaps, REVOKE, "revokeManager", org.admin.token, id=membership)
    assert codes(again) == ["MEMBERSHIP_REVOKED"]
    # The revoked manager no longer sees the organisation nor acts for it.
    query = "query($id: ID!) { node(id: $id) { id } }"
    assert (await cnaps(query, {"id": org.id}, token=manager.token))["node"] is None
    assert codes(await invite(cnaps, org, unique_email("x"), [], token=manager.token)) == [
        "NOT_FOUND"
    ]


async def test_administration_is_transferred_to_an_active_manager(
    cnaps: GraphQLClient, cnsa: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp, name="Transmission SARL")
    successor, membership = await make_manager(cnaps, runtime, smtp, org, ["MANAGE_EMPLOYEES"])
    _gone, gone_membership = await make_manager(cnaps, runtime, smtp, org, [], "gone")
    await call(cnaps, REVOKE, "revokeManager", org.admin.token, id=gone_membership)
    admin = await admin_membership(cnaps, org)

    assert codes(
        await call(cnaps, TRANSFER, "transferAdministration", org.admin.token, id=gone_membership)
    ) == ["MEMBERSHIP_REVOKED"]
    assert codes(
        await call(cnaps, TRANSFER, "transferAdministration", org.admin.token, id=admin)
    ) == ["ALREADY_ADMINISTRATOR"]
    other = await validated_organisation(cnaps, runtime, smtp)
    _, foreign = await make_manager(cnaps, runtime, smtp, other, [], "foreign")
    assert codes(
        await call(cnaps, TRANSFER, "transferAdministration", org.admin.token, id=foreign)
    ) == ["NOT_FOUND"]
    elsewhere = await validated_organisation(cnsa, runtime, smtp)
    refused = await call(
        cnsa, TRANSFER, "transferAdministration", elsewhere.admin.token, id=membership
    )
    assert codes(refused) == ["NOT_FOUND"]

    done = await call(cnaps, TRANSFER, "transferAdministration", org.admin.token, id=membership)
    assert done["errors"] == []
    assert done["administrator"]["id"] == membership
    assert done["administrator"]["role"] == "ADMINISTRATOR"
    assert done["previousAdministrator"] == {
        "id": admin,
        "role": "MANAGER",
        "permissions": sorted(ALL),
    }
    told = [m for m in await deliver(runtime, smtp, successor.email)]
    assert any(m["X-Guichet-Template"] == "administration_transferred" for m in told)

    # The new administrator manages everything; the old one is a manager with every right.
    view = (await cnaps(MEMBERS, {"id": org.id}, token=successor.token))["node"]
    assert view["viewerRole"] == "ADMINISTRATOR"
    assert [m["role"] for m in view["memberships"]["nodes"]].count("ADMINISTRATOR") == 1
    assert (await invite(cnaps, org, unique_email("n"), ["FILE_DOSSIERS"], token=successor.token))[
        "errors"
    ] == []
    back = await call(cnaps, TRANSFER, "transferAdministration", org.admin.token, id=admin)
    assert codes(back) == ["FORBIDDEN"]
    old = (await cnaps(MEMBERS, {"id": org.id}, token=org.admin.token))["node"]
    assert old["viewerRole"] == "MANAGER"
    assert codes(await call(cnaps, REVOKE, "revokeManager", org.admin.token, id=membership)) == [
        "ADMINISTRATOR_REQUIRED"
    ]
    # The new administrator can revoke the old one, now a manager.
    revoked = await call(cnaps, REVOKE, "revokeManager", successor.token, id=admin)
    assert revoked["errors"] == []
