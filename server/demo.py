"""A small demo data set in both tenants, loaded through the same services as the API.

cnaps also gets an authority agent (OUEST) and a validated security company administered by
Camille Martin, with a dozen employees whose titles show every colour, under two labels.
What is printed is read back from the database (`describe_demo`), never assumed: run again
after someone changed a password or confirmed an address, it says so.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.account.models import Account, AccountKind
from auth.account.onboarding import AddressData, RegistrationData, register
from auth.account.password_policy import normalise
from auth.account.provisioning import NewPerson, open_account_for
from auth.context import Actor, ServiceContext
from dossiers.company.employees import NewEmployee, add_employee
from dossiers.company.labels import assign_label, create_label
from dossiers.company.models import Employee, Label
from dossiers.title.issuing import NewTitle, change_title_status, issue_title
from dossiers.title.models import TitleKind, TitleStatus
from dossiers.title.numbers import add_months, today_of
from server.runtime import Runtime
from tenants.organisations import Establishment, Membership, MembershipRole, Organisation
from tenants.packs import PACKS
from tenants.session import open_session

DEMO_PASSWORD = "Demo-Guichet-2026!"  # noqa: S105 - published demo credentials

PEOPLE = {
    "cnaps": [
        RegistrationData(
            email="camille.martin@demo.guichet.example.org",
            password=DEMO_PASSWORD,
            family_name="Martin",
            given_names="Camille",
            birth_date=date(1990, 4, 12),
            birth_city="Lyon",
            birth_country="FR",
            address=AddressData(
                line1="12 rue de la République", postal_code="69002", city="Lyon", country="FR"
            ),
            phone="+33 6 12 34 56 78",
            accept_terms=True,
        ),
        RegistrationData(
            email="karim.benali@demo.guichet.example.org",
            password=DEMO_PASSWORD,
            family_name="Benali",
            given_names="Karim",
            birth_date=date(1985, 11, 3),
            birth_city="Marseille",
            birth_country="FR",
            address=AddressData(  # in the OUEST delegation, whose agent issues his card
                line1="4 rue Crébillon", postal_code="44000", city="Nantes", country="FR"
            ),
            accept_terms=True,
        ),
    ],
    "cnsa": [
        RegistrationData(
            email="yamile.zemirli@demo.guichet.example.org",
            password=DEMO_PASSWORD,
            family_name="Zemirli",
            given_names="Yamile",
            structure="CAMSP Janine Levy",
            phone="+33 1 23 45 67 89",
        ),
    ],
}

UNCONFIRMED = {"karim.benali@demo.guichet.example.org"}
MUST_CHANGE = {"yamile.zemirli@demo.guichet.example.org"}


async def load_demo(runtime: Runtime) -> list[str]:
    """Load what is missing, then describe the accounts and the company as the database now
    holds them (a password changed since, a confirmation made since, the rows counted), so a
    second run tells the truth too."""
    services = runtime.services
    for slug, people in PEOPLE.items():
        pack = PACKS[slug]
        for data in people:
            async with open_session(services.sessions, slug) as session:
                ctx = ServiceContext(
                    session=session, pack=pack, clock=services.clock, config=services.auth
                )
                existing = await session.scalar(select(Account).where(Account.email == data.email))
                if existing is None:
                    # The demo's own addresses: those it confirms get no confirmation mail.
                    registered = await register(
                        ctx, data, address_confirmed_already=data.email not in UNCONFIRMED
                    )
                    registered.account.must_change_password = data.email in MUST_CHANGE
                    await session.commit()
    await load_company_demo(runtime, DEMO_PASSWORD)
    return await describe_demo(runtime)


async def describe_demo(runtime: Runtime) -> list[str]:
    """One line per demo account and one for the company, read back from the database."""
    services = runtime.services
    lines: list[str] = []
    for slug, emails in (
        ("cnaps", [p.email for p in PEOPLE["cnaps"]] + [AGENT_EMAIL]),
        ("cnsa", [p.email for p in PEOPLE["cnsa"]]),
    ):
        async with open_session(services.sessions, slug) as session:
            for email in emails:
                account = await session.scalar(select(Account).where(Account.email == email))
                if account is not None:
                    lines.append(f"{slug}: {await _account_line(runtime, account)}")
            if slug == "cnaps":
                lines.extend(await _company_lines(session))
        lines.append(
            f"{slug}: sign in at {services.auth.links.sign_in(PACKS[slug])}"
            + (
                ""
                if runtime.settings.production
                else f", GraphiQL at {runtime.settings.resolved_public_url}/t/{slug}/graphql"
            )
        )
    return lines


async def _account_line(runtime: Runtime, account: Account) -> str:
    hasher = runtime.services.auth.hasher
    if await hasher.verify(account.password_hash, normalise(DEMO_PASSWORD)):
        credentials = f"{account.email} / {DEMO_PASSWORD}"
    else:
        credentials = f"{account.email} (password changed since: no longer the demo one)"
    notes: list[str] = []
    if account.kind == AccountKind.AGENT:
        notes.append(f"authority agent, delegation {', '.join(account.delegations or ())}")
    if account.must_change_password:
        mailed = ", the one mailed to it" if account.kind == AccountKind.AGENT else ""
        notes.append(f"temporary password{mailed}: choose yours at first sign-in")
    if account.email_confirmed_at is None and not account.must_change_password:
        notes.append("address not confirmed: follow the link mailed to it")
    elif account.email_confirmed_at is not None:
        notes.append("address confirmed")
    return f"{credentials} ({'; '.join(notes)})"


async def _company_lines(session: AsyncSession) -> list[str]:
    organisation = await session.scalar(
        select(Organisation).where(Organisation.siren == COMPANY["siren"])
    )
    if organisation is None:
        return []
    administrators = await session.scalars(
        select(Account.email)
        .join(Membership, Membership.person_id == Account.person_id)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.role == MembershipRole.ADMINISTRATOR,
            Membership.revoked_at.is_(None),
            Account.kind == AccountKind.PERSON,
        )
    )
    employees = await session.scalar(
        select(func.count())
        .select_from(Employee)
        .where(Employee.organisation_id == organisation.id)
    )
    labels = await session.scalar(
        select(func.count()).select_from(Label).where(Label.organisation_id == organisation.id)
    )
    return [
        f"cnaps: {organisation.name} (SIREN {organisation.siren}), {organisation.status.lower()}, "
        f"administered by {', '.join(administrators.all()) or 'nobody'}: {employees} employees, "
        f"{labels} labels"
    ]


AGENT_EMAIL = "agent.ouest@demo.guichet.example.org"
COMPANY = {
    "name": "Sécurité Atlantique (démo)",
    "siren": "904512340",  # Luhn-valid, not a real company
    "siret": "90451234000004",
}
ADMINISTRATOR = "camille.martin@demo.guichet.example.org"
HOLDER = "karim.benali@demo.guichet.example.org"  # holds a card: his row is linked
LABELS = ("Site Airbus Bouguenais", "Centre commercial Atlantis")
# (family name, given names, months of validity left (None: no title), decision, label index)
EMPLOYEES: list[tuple[str, str, int | None, TitleStatus | None, int | None]] = [
    ("Benali", "Karim", 48, None, 0),
    ("Moreau", "Sophie", 36, None, 0),
    ("Diallo", "Mamadou", 30, None, 1),
    ("Lefèvre", "Claire", 20, None, 1),
    ("Nguyen", "Thi Lan", 12, None, None),
    ("Garnier", "Luc", 5, None, 0),
    ("Roux", "Inès", 2, None, 1),
    ("Perrin", "Hugo", 1, None, None),
    ("Fontaine", "Léa", -1, None, 0),
    ("Chevalier", "Marc", 24, TitleStatus.SUSPENDED, 1),
    ("Marchand", "Julie", 40, TitleStatus.WITHDRAWN, None),
    ("Inconnu", "Paul", None, None, 0),
]


async def load_company_demo(runtime: Runtime, password: str) -> None:
    """cnaps: the OUEST agent, then the company, its labels, employees and their titles;
    each step only if missing, so loading twice changes nothing."""
    services = runtime.services
    pack = PACKS["cnaps"]
    async with open_session(services.sessions, "cnaps") as session:
        ctx = ServiceContext(session=session, pack=pack, clock=services.clock, config=services.auth)
        agent = await _agent(ctx, password)
        organisation = await session.scalar(
            select(Organisation).where(Organisation.siren == COMPANY["siren"])
        )
        if organisation is None:
            camille = await session.scalar(select(Account).where(Account.email == ADMINISTRATOR))
            if camille is None:
                raise RuntimeError("the demo people must be loaded first")
            organisation = await _organisation(session, camille, ctx)
            admin = _actor(camille, ctx.pack.slug)
            titles_ctx = ServiceContext(
                session=session,
                pack=pack,
                clock=services.clock,
                config=services.auth,
                actor=_actor(agent, "cnaps", agent=True),
            )
            admin_ctx = ServiceContext(
                session=session,
                pack=pack,
                clock=services.clock,
                config=services.auth,
                actor=admin,
            )
            await _employees(titles_ctx, admin_ctx, organisation)
        await session.commit()


async def _agent(ctx: ServiceContext, password: str) -> Account:
    existing = await ctx.session.scalar(select(Account).where(Account.email == AGENT_EMAIL))
    if existing is not None:
        return existing
    # Opened as `guichet authority add-agent` does, with the demo password as the temporary
    # one: the mail carries it, and the agent chooses theirs at first sign-in.
    made = await open_account_for(
        ctx,
        NewPerson(email=AGENT_EMAIL, family_name="Kervella", given_names="Anne"),
        kind=AccountKind.AGENT,
        delegations=["OUEST"],
        opened_by=ctx.pack.short_name,
        temporary=password,
    )
    return made.account


def _actor(account: Account, tenant: str, *, agent: bool = False) -> Actor:
    return Actor(
        tenant=tenant,
        account_id=account.id,
        person_id=account.person_id,
        session_id=uuid.uuid4(),
        agent_delegations=frozenset(account.delegations or ()) if agent else None,
    )


async def _organisation(
    session: AsyncSession, administrator: Account, ctx: ServiceContext
) -> Organisation:
    now = ctx.clock.now()
    organisation = Organisation(
        kind="SECURITY_COMPANY",
        name=COMPANY["name"],
        siren=COMPANY["siren"],
        head_office_siret=COMPANY["siret"],
        address_line1="10 quai de la Fosse",
        postal_code="44000",
        city="Nantes",
        country="FR",
        delegation="OUEST",
        representative_family_name="Martin",
        representative_given_names="Camille",
        representative_role="Gérante",
        applicant_is_representative=True,
        status="VALIDATED",
        submitted_at=now,
        decided_at=now,
        created_by_account_id=administrator.id,
        created_at=now,
    )
    session.add(organisation)
    await session.flush()
    session.add(
        Establishment(
            organisation_id=organisation.id,
            siret=COMPANY["siret"],
            name=COMPANY["name"],
            address_line1="10 quai de la Fosse",
            postal_code="44000",
            city="Nantes",
            head_office=True,
            created_at=now,
        )
    )
    session.add(
        Membership(
            organisation_id=organisation.id,
            person_id=administrator.person_id,
            role=MembershipRole.ADMINISTRATOR,
            permissions=[],
            created_at=now,
            updated_at=now,
        )
    )
    await session.flush()
    return organisation


async def _employees(
    authority: ServiceContext, company: ServiceContext, organisation: Organisation
) -> None:
    """Titles issued by the agent, rows added and labelled by the administrator (whose
    membership the actor must carry: read it as authentication would)."""
    from auth.standing import memberships_of

    assert company.actor is not None  # noqa: S101
    facts = await memberships_of(company.session, company.actor.person_id)
    company.actor = dataclasses.replace(company.actor, memberships=facts)
    today = today_of(company.clock)
    holder = await company.session.scalar(select(Account).where(Account.email == HOLDER))
    labels = [await create_label(company, organisation.id, name) for name in LABELS]
    chosen: dict[int, list[uuid.UUID | None]] = {0: [], 1: []}
    for index, (name, given, months, decision, label) in enumerate(EMPLOYEES):
        number = f"CAR-044-2031-01-15-1999{index:07d}"  # well formed, issued by nobody
        family = name
        if months is not None:
            person_id = holder.person_id if holder is not None and index == 0 else None
            title = await issue_title(
                authority,
                NewTitle(
                    kind=TitleKind.CAR,
                    departement=None if person_id else "44",  # his own: his domicile's
                    activities=["SURVEILLANCE"] if index % 3 else ["SURVEILLANCE", "DOG_HANDLER"],
                    holder_person_id=person_id,
                    holder_family_name=None if person_id else name,
                    holder_given_names=None if person_id else given,
                    issued_on=add_months(today, months - 60),
                ),
            )
            if decision is not None:
                await change_title_status(authority, title.id, decision, "Décision de démo")
            number, family = title.number, title.holder_family_name
        employee = await add_employee(
            company,
            organisation.id,
            NewEmployee(family_name=family, given_names=given, title_number=number),
        )
        if label is not None:
            chosen[label].append(employee.id)
    for label_index, ids in chosen.items():
        await assign_label(company, labels[label_index].id, ids)
