"""A small demo data set in both tenants, loaded through the same services as the API."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from auth.context import ServiceContext
from auth.models import Account
from auth.onboarding import AddressData, RegistrationData, register
from server.runtime import Runtime
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
            address=AddressData(
                line1="4 boulevard Longchamp", postal_code="13001", city="Marseille", country="FR"
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
    lines: list[str] = []
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
                    registered = await register(ctx, data)
                    account = registered.account
                    if data.email not in UNCONFIRMED:
                        account.email_confirmed_at = services.clock.now()
                    account.must_change_password = data.email in MUST_CHANGE
                    await session.commit()
                state = (
                    "unconfirmed"
                    if data.email in UNCONFIRMED
                    else "must change password"
                    if data.email in MUST_CHANGE
                    else "confirmed"
                )
                lines.append(f"{slug}: {data.email} / {DEMO_PASSWORD} ({state})")
    return lines
