"""Connections nested under a list of organisations are read for every organisation at once:
the same number of SQL statements for 1 and for 20 organisations, each organisation's own
page (same order, cursors and page info as a connection read alone)."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from typing import Any

from strawberry.relay import GlobalID

from dossiers.company.models import Alert, Label
from server.database import StatementCounter
from server.runtime import Runtime
from tenants.mandates import Mandate
from tenants.organisations import (
    Establishment,
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
)
from tenants.session import open_session
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import SignedIn, fresh_siren, person, siret_of
from tests.helpers.smtp import SmtpServer

EVERYTHING = """
query {
  viewer {
    memberships(first: 20) {
      totalCount
      nodes {
        organisation {
          name
          labels(first: 2) { totalCount nodes { name } }
          alerts(first: 2) { totalCount nodes { titleNumber } }
          invitations(first: 2) { totalCount nodes { email } }
          mandates(first: 2) { totalCount nodes { status } }
          memberships(first: 2) { totalCount nodes { role } }
          establishments(first: 2) { totalCount nodes { name } }
          auditEvents(first: 2) { totalCount }
        }
      }
    }
  }
}
"""

LABELS = """
query($ids: [ID!]!, $first: Int!, $after: String) {
  nodes(ids: $ids) {
    ... on Organisation {
      name
      labels(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { name } }
      }
    }
  }
}
"""


def person_uuid(someone: SignedIn) -> uuid.UUID:
    return uuid.UUID(GlobalID.from_id(someone.person_id).node_id)


async def administered(
    runtime: Runtime,
    tenant: str,
    admin: SignedIn,
    count: int,
    labels: int = 1,
    role: MembershipRole = MembershipRole.ADMINISTRATOR,
    permissions: tuple[str, ...] = (),
) -> list[str]:
    """`count` validated organisations `admin` acts for (as administrator unless `role`
    says otherwise), each with its head office, `labels` labels, an alert, a pending
    invitation and a requested mandate; their names."""
    person_id = person_uuid(admin)
    account_id = uuid.UUID(GlobalID.from_id(admin.account_id).node_id)
    now = runtime.services.clock.now()
    names = []
    async with open_session(runtime.services.sessions, tenant) as session:
        for index in range(count):
            siren = fresh_siren()
            name = f"Organisation {siren}"
            org = Organisation(
                kind="SECURITY_COMPANY",
                name=name,
                siren=siren,
                head_office_siret=siret_of(siren),
                address_line1="10 quai de la Fosse",
                postal_code="44000",
                city="Nantes",
                country="FR",
                delegation="OUEST",
                representative_family_name="Dupont",
                representative_given_names="Marie",
                applicant_is_representative=True,
                status=OrganisationStatus.VALIDATED,
                submitted_at=now,
                decided_at=now,
                created_by_account_id=account_id,
                created_at=now,
            )
            session.add(org)
            await session.flush()
            at = now - timedelta(minutes=index)
            session.add_all(
                [
                    Establishment(
                        organisation_id=org.id,
                        siret=org.head_office_siret,
                        name=name,
                        address_line1="10 quai de la Fosse",
                        postal_code="44000",
                        city="Nantes",
                        head_office=True,
                        created_at=at,
                    ),
                    Membership(
                        organisation_id=org.id,
                        person_id=person_id,
                        role=role,
                        permissions=list(permissions),
                        created_at=at,
                        updated_at=at,
                    ),
                    *[
                        Label(
                            organisation_id=org.id,
                            name=f"{name} libellé {n}",
                            created_at=at - timedelta(seconds=n),
                        )
                        for n in range(labels)
                    ],
                    Alert(
                        organisation_id=org.id,
                        kind="EXPIRED",
                        colour="RED",
                        dedup_key=f"test-{index}",
                        details={"title_number": name},
                        created_at=at,
                    ),
                    Invitation(
                        organisation_id=org.id,
                        email=f"invite-{siren}@example.fr",
                        permissions=["MANAGE_EMPLOYEES"],
                        token_hash=os.urandom(32),
                        invited_by_account_id=account_id,
                        created_at=at,
                        expires_at=now + timedelta(days=7),
                    ),
                    Mandate(
                        organisation_id=org.id,
                        person_id=person_id,
                        scopes=["FOLLOW_DOSSIERS"],
                        status="REQUESTED",
                        requested_by_account_id=account_id,
                        created_at=at,
                    ),
                ]
            )
            names.append(name)
        await session.commit()
    return names


async def test_nested_connections_cost_the_same_for_1_and_20_organisations(
    cnaps: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    statements: StatementCounter,
    backend: str,
) -> None:
    counts: dict[int, int] = {}
    for count in (1, 20):
        admin = await person(cnaps, runtime, smtp, "admin")
        names = await administered(runtime, cnaps.tenant, admin, count)
        with statements.count() as seen:
            data = await cnaps(EVERYTHING, token=admin.token)
        counts[count] = len(seen)
        memberships = data["viewer"]["memberships"]
        assert memberships["totalCount"] == count
        organisations = [m["organisation"] for m in memberships["nodes"]]
        assert sorted(o["name"] for o in organisations) == sorted(names)
        for organisation in organisations:
            name = organisation["name"]  # each organisation has its own rows, and only those
            assert organisation["labels"] == {
                "totalCount": 1,
                "nodes": [{"name": f"{name} libellé 0"}],
            }
            assert organisation["alerts"] == {"totalCount": 1, "nodes": [{"titleNumber": name}]}
            [invitation] = organisation["invitations"]["nodes"]
            assert invitation["email"].startswith("invite-" + name.split()[-1])
            assert organisation["mandates"] == {"totalCount": 1, "nodes": [{"status": "REQUESTED"}]}
            assert organisation["memberships"] == {
                "totalCount": 1,
                "nodes": [{"role": "ADMINISTRATOR"}],
            }
            assert organisation["establishments"] == {"totalCount": 1, "nodes": [{"name": name}]}
            assert organisation["auditEvents"] == {"totalCount": 0}
    print(f"\nnested connections ({backend}): 1 organisation → {counts[1]}, 20 → {counts[20]}")
    assert counts[1] == counts[20], "\n\n".join(s[:150] for s in seen)
    # one transaction (BEGIN … ROLLBACK): authenticate (1), the viewer's memberships (page,
    # total), the organisations (1), then a page and a total for each of the 7 connections;
    # on PostgreSQL, plus the tenant's set_config once
    assert counts[20] == (21 if backend == "postgresql" else 20)
    assert statements.transactions() == 1


async def test_nested_pages_keep_the_order_cursors_and_page_info(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    admin = await person(cnaps, runtime, smtp, "admin")
    [big] = await administered(runtime, cnaps.tenant, admin, 1, labels=3)
    [small] = await administered(runtime, cnaps.tenant, admin, 1, labels=1)
    memberships = await cnaps(
        "{ viewer { memberships { nodes { organisation { id name } } } } }", token=admin.token
    )
    ids = {
        m["organisation"]["name"]: m["organisation"]["id"]
        for m in memberships["viewer"]["memberships"]["nodes"]
    }

    async def pages(first: int, after: str | None = None) -> dict[str, Any]:
        data = await cnaps(
            LABELS,
            {"ids": [ids[big], ids[small]], "first": first, "after": after},
            token=admin.token,
        )
        return {node["name"]: node["labels"] for node in data["nodes"]}

    first = await pages(2)
    newest_first = [f"{big} libellé 0", f"{big} libellé 1"]
    assert [e["node"]["name"] for e in first[big]["edges"]] == newest_first
    assert first[big]["totalCount"] == 3
    info = first[big]["pageInfo"]
    assert info["hasNextPage"] is True and info["hasPreviousPage"] is False
    assert info["startCursor"] == first[big]["edges"][0]["cursor"]
    assert info["endCursor"] == first[big]["edges"][1]["cursor"]
    assert first[small]["totalCount"] == 1
    assert first[small]["pageInfo"]["hasNextPage"] is False
    assert [e["node"]["name"] for e in first[small]["edges"]] == [f"{small} libellé 0"]

    rest = await pages(2, info["endCursor"])
    assert [e["node"]["name"] for e in rest[big]["edges"]] == [f"{big} libellé 2"]
    assert rest[big]["pageInfo"]["hasNextPage"] is False
    assert rest[big]["pageInfo"]["hasPreviousPage"] is True
    assert rest[big]["totalCount"] == 3
    empty = await pages(0)
    assert empty[big]["edges"] == [] and empty[big]["pageInfo"]["hasNextPage"] is True


REFUSED = """
query {
  viewer {
    memberships {
      nodes {
        organisation {
          name
          labels { totalCount }
          alerts { totalCount }
          dashboard { totalCount }
          employeesCsv
          documents { totalCount }
          establishments { totalCount }
        }
      }
    }
  }
}
"""


async def test_a_refused_field_is_null_with_its_error_on_its_own_path(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    clerk = await person(cnaps, runtime, smtp, "clerk")
    [name] = await administered(
        runtime, cnaps.tenant, clerk, 1, role=MembershipRole.MANAGER, permissions=("FILE_DOSSIERS",)
    )
    body = (await cnaps.post(REFUSED, token=clerk.token)).json()
    # the viewer and the organisation still answer; each refused field alone is null
    [membership] = body["data"]["viewer"]["memberships"]["nodes"]
    assert membership["organisation"] == {
        "name": name,
        "labels": None,
        "alerts": None,
        "dashboard": None,
        "employeesCsv": None,
        "documents": None,
        "establishments": {"totalCount": 1},
    }
    at = ["viewer", "memberships", "nodes", 0, "organisation"]
    refusals = {tuple(e["path"]): e["extensions"] for e in body["errors"]}
    missing = {"code": "PERMISSION_MISSING", "permission": "MANAGE_EMPLOYEES"}
    assert refusals == {
        (*at, "labels"): missing,
        (*at, "alerts"): missing,
        (*at, "dashboard"): missing,
        (*at, "employeesCsv"): missing,
        (*at, "documents"): {"code": "FORBIDDEN"},  # the administrator's and agents' only
    }
    # the organisation's managers: the same, and the organisation is not nulled
    members = """{ viewer { memberships { nodes { organisation {
        name memberships { totalCount } invitations { totalCount } auditEvents { totalCount }
    } } } } }"""
    refused = (await cnaps.post(members, token=clerk.token)).json()
    assert refused["data"]["viewer"]["memberships"]["nodes"] == [
        {
            "organisation": {
                "name": name,
                "memberships": None,
                "invitations": None,
                "auditEvents": None,
            }
        }
    ]
    codes_at = {e["path"][-1]: e["extensions"]["code"] for e in refused["errors"]}
    assert codes_at == {
        "memberships": "PERMISSION_MISSING",
        "invitations": "PERMISSION_MISSING",
        "auditEvents": "FORBIDDEN",
    }
