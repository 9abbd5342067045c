"""Set-up shared by the delegation and company-space tests: a validated organisation with its
administrator signed in, people signed in, authority agents.

`validated_organisation` goes through the API as a frontend would (registerOrganisation with
real documents, then an agent's validateOrganisation); only the other states are written
straight to the database (`organisation_in_state`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from strawberry.relay import GlobalID

from auth.account.models import Account, AccountKind
from auth.account.password_policy import normalise
from auth.account.provisioning import NewPerson, open_account_for
from auth.context import ServiceContext
from server.runtime import Runtime
from tenants.identifiers import luhn_valid
from tenants.organisations import (
    Establishment,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
)
from tenants.packs import PACKS
from tenants.session import open_session
from tests.conftest import unique_email
from tests.helpers.flows import PASSWORD, sign_in, signed_in
from tests.helpers.graphql import GraphQLClient
from tests.helpers.smtp import SmtpServer


def fresh_siren() -> str:
    """A random SIREN that passes Luhn (the tests need many distinct ones)."""
    while True:
        base = f"{uuid.uuid4().int % 10**8:08d}"
        for check in range(10):
            candidate = base + str(check)
            if candidate[0] != "0" and luhn_valid(candidate):
                return candidate


def siret_of(siren: str, nic_start: int = 1) -> str:
    """A Luhn-valid SIRET of that SIREN (NIC chosen from `nic_start` up)."""
    nic = nic_start
    while True:
        candidate = f"{siren}{nic:05d}"
        if luhn_valid(candidate):
            return candidate
        nic += 1


def gid(type_name: str, id_: uuid.UUID | str) -> str:
    return str(GlobalID(type_name, str(id_)))


@dataclass
class SignedIn:
    email: str
    token: str
    refresh_token: str
    account_id: str  # global ID
    person_id: str  # global ID


async def person(
    client: GraphQLClient, runtime: Runtime, smtp: SmtpServer, prefix: str = "person"
) -> SignedIn:
    email = unique_email(prefix)
    tokens = await signed_in(client, runtime, smtp, email)
    data = await client(
        "query { viewer { account { id } person { id } } }", token=tokens["accessToken"]
    )
    return SignedIn(
        email=email,
        token=tokens["accessToken"],
        refresh_token=tokens["refreshToken"],
        account_id=data["viewer"]["account"]["id"],
        person_id=data["viewer"]["person"]["id"],
    )


@dataclass
class Org:
    id: str  # global ID
    uuid: uuid.UUID
    siren: str
    head_office_id: str  # global ID of the head-office establishment
    admin: SignedIn


async def validated_organisation(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    *,
    kind: str = "SECURITY_COMPANY",
    name: str = "Gardiennage Atlantique",
    status: OrganisationStatus = OrganisationStatus.VALIDATED,
) -> Org:
    if status == OrganisationStatus.VALIDATED:
        from tests.helpers.organisation_flows import registered_and_validated_organisation

        if client.tenant == "cnsa" and kind == "SECURITY_COMPANY":
            kind = "STRUCTURE"
        return await registered_and_validated_organisation(
            client, runtime, smtp, kind=kind, name=name
        )
    return await organisation_in_state(client, runtime, smtp, kind=kind, name=name, status=status)


async def organisation_in_state(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    *,
    kind: str,
    name: str,
    status: OrganisationStatus,
) -> Org:
    admin = await person(client, runtime, smtp, "admin")
    siren = fresh_siren()
    person_id = uuid.UUID(GlobalID.from_id(admin.person_id).node_id)
    account_id = uuid.UUID(GlobalID.from_id(admin.account_id).node_id)
    now = runtime.services.clock.now()
    async with open_session(runtime.services.sessions, client.tenant) as session:
        org = Organisation(
            kind=kind,
            name=name,
            siren=siren,
            head_office_siret=siret_of(siren),
            address_line1="10 quai de la Fosse",
            postal_code="44000",
            city="Nantes",
            country="FR",
            delegation="OUEST",
            representative_family_name="Dupont",
            representative_given_names="Marie Claire",
            applicant_is_representative=True,
            status=status,
            submitted_at=now,
            decided_at=now if status != OrganisationStatus.PENDING_VALIDATION else None,
            created_by_account_id=account_id,
            created_at=now,
        )
        session.add(org)
        await session.flush()
        head = Establishment(
            organisation_id=org.id,
            siret=org.head_office_siret,
            name=name,
            address_line1=org.address_line1,
            postal_code=org.postal_code,
            city=org.city,
            head_office=True,
            created_at=now,
        )
        session.add(head)
        session.add(
            Membership(
                organisation_id=org.id,
                person_id=person_id,
                role=MembershipRole.ADMINISTRATOR,
                permissions=[],
                created_at=now,
                updated_at=now,
            )
        )
        await session.commit()
        return Org(
            id=gid("Organisation", org.id),
            uuid=org.id,
            siren=siren,
            head_office_id=gid("Establishment", head.id),
            admin=admin,
        )


async def agent(
    client: GraphQLClient,
    runtime: Runtime,
    *,
    delegations: tuple[str, ...] = ("OUEST",),
) -> SignedIn:
    """An authority agent (as `guichet authority add-agent` makes one), password already
    changed, signed in."""
    email = unique_email("agent")
    services = runtime.services
    async with open_session(services.sessions, client.tenant) as session:
        ctx = ServiceContext(
            session=session, pack=PACKS[client.tenant], clock=services.clock, config=services.auth
        )
        made = await open_account_for(
            ctx,
            NewPerson(email=email, family_name="Agent", given_names="Alex"),
            kind=AccountKind.AGENT,
            delegations=list(delegations),
            opened_by="L'autorité",
        )
        made.account.password_hash = await services.auth.hasher.hash(normalise(PASSWORD))
        await session.execute(
            update(Account)
            .where(Account.id == made.account.id)
            .values(must_change_password=False, email_confirmed_at=services.clock.now())
        )
        await session.commit()
        account_id, person_id = made.account.id, made.person.id
    tokens = await sign_in(client, email)
    return SignedIn(
        email=email,
        token=tokens["accessToken"],
        refresh_token=tokens["refreshToken"],
        account_id=gid("Account", account_id),
        person_id=gid("Person", person_id),
    )


def errors_of(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]
