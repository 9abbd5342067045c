"""Set-up of the company-space tests: managers with chosen permissions, titles issued through
the service by a real agent (faster than one HTTP call each), the GraphQL documents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from strawberry.relay import GlobalID

from auth.context import Actor, ServiceContext
from dossiers.title.issuing import NewTitle, issue_title
from dossiers.title.models import Title, TitleKind
from dossiers.title.numbers import add_months, renewal_limit, today_of
from server.runtime import Runtime
from tenants.clock import SystemClock
from tenants.organisations import Membership, MembershipRole
from tenants.packs import PACKS
from tenants.session import open_session
from tests.helpers.graphql import GraphQLClient
from tests.helpers.organisations import Org, SignedIn, agent, person
from tests.helpers.smtp import SmtpServer


def uuid_of(global_id: str) -> uuid.UUID:
    return uuid.UUID(GlobalID.from_id(global_id).node_id)


def today(runtime: Runtime) -> date:
    return today_of(runtime.services.clock)


async def manager(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    org: Org,
    permissions: Sequence[str] = ("MANAGE_EMPLOYEES",),
) -> SignedIn:
    """A person made manager of `org` (memberships are read at each request)."""
    signed = await person(client, runtime, smtp, "manager")
    now = runtime.services.clock.now()
    async with open_session(runtime.services.sessions, client.tenant) as session:
        session.add(
            Membership(
                organisation_id=org.uuid,
                person_id=uuid_of(signed.person_id),
                role=MembershipRole.MANAGER,
                permissions=list(permissions),
                created_at=now,
                updated_at=now,
            )
        )
        await session.commit()
    return signed


class Issuer:
    """Issues titles through `dossiers.title.issuing.issue_title`, as a real OUEST agent."""

    def __init__(self, client: GraphQLClient, runtime: Runtime, officer: SignedIn) -> None:
        self.client = client
        self.runtime = runtime
        self.officer = officer
        self.actor = Actor(
            tenant=client.tenant,
            account_id=uuid_of(officer.account_id),
            person_id=uuid_of(officer.person_id),
            session_id=uuid.uuid4(),
            agent_delegations=frozenset({"OUEST"}),
        )

    async def issue_many(self, titles: Sequence[NewTitle]) -> list[Title]:
        services = self.runtime.services
        async with open_session(services.sessions, self.client.tenant) as session:
            ctx = ServiceContext(
                session=session,
                pack=PACKS[self.client.tenant],
                clock=services.clock,
                config=services.auth,
                actor=self.actor,
            )
            made = [await issue_title(ctx, data) for data in titles]
            await session.commit()
        return made

    async def issue(self, data: NewTitle) -> Title:
        [made] = await self.issue_many([data])
        return made


async def issuer(client: GraphQLClient, runtime: Runtime) -> Issuer:
    return Issuer(client, runtime, await agent(client, runtime))


def expiring(family_name: str, expires_on: date, **changes: Any) -> NewTitle:
    """A renewal receipt (its expiry is given) expiring on that day: any colour on demand."""
    values: dict[str, Any] = {
        "kind": TitleKind.REC,
        "departement": "44",
        "activities": ["SURVEILLANCE"],
        "holder_family_name": family_name,
        "holder_given_names": "Jean",
        # the authority's day (Europe/Paris), not the machine's: they differ around midnight
        "issued_on": min(expires_on, today_of(SystemClock())) - timedelta(days=400),
        "expires_on": expires_on,
    }
    values.update(changes)
    return NewTitle(**values)


def card_expiring(family_name: str, expires_on: date, **changes: Any) -> NewTitle:
    """A professional card (renewable, 5 years) issued so as to expire on that day (the day
    before when that day is a 29 February)."""
    values: dict[str, Any] = {
        "kind": TitleKind.CAR,
        "departement": "44",
        "activities": ["SURVEILLANCE"],
        "holder_family_name": family_name,
        "holder_given_names": "Jean",
        "issued_on": add_months(expires_on, -60),
    }
    values.update(changes)
    return NewTitle(**values)


def colour_dates(runtime: Runtime) -> dict[str, date]:
    """Expiry dates at the edges of each colour, relative to the clock's date."""
    day = today(runtime)
    limit = renewal_limit(day)
    return {
        "green": limit + timedelta(days=1),  # one day past six months: still green
        "orange_edge": limit,  # exactly six months: orange
        "orange_today": day,  # expires today: valid through the day, orange
        "red_expired": day - timedelta(days=1),  # expired yesterday
        "green_far": day + timedelta(days=3 * 365),
    }


ADD_EMPLOYEE = """
mutation Add($input: AddEmployeeInput!) {
  addEmployee(input: $input) {
    employee {
      id familyName givenNames titleNumber email hasAccount colour
      title { number status colour expiresOn kind }
      labels { id name }
      establishment { id siret }
    }
    errors { code field message }
  }
}
"""

DASHBOARD = """
query Dashboard($id: ID!, $first: Int, $after: String, $filter: DashboardFilterInput) {
  node(id: $id) {
    ... on Organisation {
      dashboard(first: $first, after: $after, filter: $filter) {
        totalCount
        totals { green orange red }
        pageInfo { hasNextPage endCursor }
        edges {
          cursor
          node {
            id familyName givenNames titleNumber hasAccount colour
            title { number kind status colour issuedOn expiresOn activities { code label } }
            labels { id name }
            establishment { id name siret }
          }
        }
      }
    }
  }
}
"""

CREATE_LABEL = """
mutation Create($input: CreateLabelInput!) {
  createLabel(input: $input) { label { id name employeeCount } errors { code field message } }
}
"""

ASSIGN_LABEL = """
mutation Assign($input: AssignLabelInput!) {
  assignLabel(input: $input) {
    label { id name employeeCount } ok errors { code field message }
  }
}
"""

IMPORT = """
mutation Import($input: ImportEmployeesInput!) {
  importEmployees(input: $input) {
    importedCount createdLabelCount errors { code field message line column permission }
  }
}
"""


async def add_employee(
    client: GraphQLClient, token: str, org: Org, family_name: str, number: str, **more: Any
) -> dict[str, Any]:
    data = await client(
        ADD_EMPLOYEE,
        {
            "input": {
                "organisationId": org.id,
                "familyName": family_name,
                "titleNumber": number,
                **more,
            }
        },
        token=token,
    )
    payload: dict[str, Any] = data["addEmployee"]
    return payload


async def dashboard(
    client: GraphQLClient, token: str, org: Org, **variables: Any
) -> dict[str, Any] | None:
    data = await client(DASHBOARD, {"id": org.id, **variables}, token=token)
    result: dict[str, Any] | None = data["node"]["dashboard"]
    return result
