"""A title's département is its holder's: the person's domicile, or the establishment's
address for an operating authorisation (DOMAIN.md "Titles": `PFX-DDD-…`, DDD "of the
holder's domicile or establishment"). The agent no longer chooses it, so no longer chooses
the delegation that decides either."""

from __future__ import annotations

from typing import Any

from dossiers.company.models import Employee
from dossiers.title.models import Title
from server.runtime import Runtime
from tenants.session import open_session
from tests.conftest import unique_email
from tests.helpers.company import uuid_of
from tests.helpers.flows import (
    CONFIRM,
    REGISTER,
    cnaps_input,
    deliver,
    link_in,
    sign_in,
    token_of,
)
from tests.helpers.graphql import GraphQLClient, codes
from tests.helpers.organisations import SignedIn, agent, gid, validated_organisation
from tests.helpers.smtp import SmtpServer

ISSUE = """
mutation Issue($input: IssueTitleInput!) {
  issueTitle(input: $input) {
    title { id number departement holderFamilyName }
    errors { code field message }
  }
}
"""

CREATE_ACCOUNT = """
mutation($input: CreateEmployeeAccountInput!) {
  createEmployeeAccount(input: $input) { employee { id } errors { code } }
}
"""

UPDATE_CONTACT = """
mutation($input: UpdatePersonContactInput!) {
  updatePersonContact(input: $input) { errors { code field } }
}
"""


async def resident(
    client: GraphQLClient,
    runtime: Runtime,
    smtp: SmtpServer,
    postal_code: str,
    city: str,
    country: str = "FR",
) -> SignedIn:
    """A person registered with that home address, confirmed and signed in."""
    email = unique_email("resident")
    address = {"line1": "1 place de la Mairie", "postalCode": postal_code, "city": city}
    data = cnaps_input(email, address=address | {"country": country})
    registered = await client(REGISTER, {"input": data})
    assert registered["register"]["errors"] == [], registered
    [message] = await deliver(runtime, smtp, email)
    confirmed = await client(CONFIRM, {"token": token_of(link_in(message))})
    assert confirmed["confirmEmail"]["errors"] == []
    tokens = await sign_in(client, email)
    viewer = await client(
        "query { viewer { account { id } person { id } } }", token=tokens["accessToken"]
    )
    return SignedIn(
        email=email,
        token=tokens["accessToken"],
        refresh_token=tokens["refreshToken"],
        account_id=viewer["viewer"]["account"]["id"],
        person_id=viewer["viewer"]["person"]["id"],
    )


async def issue(client: GraphQLClient, token: str, **given: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"kind": "CAR", "activities": ["SURVEILLANCE"]}
    data = await client(ISSUE, {"input": values | given}, token=token)
    payload: dict[str, Any] = data["issueTitle"]
    return payload


async def test_the_departement_is_the_holder_s_domicile_not_the_agent_s_choice(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    nantes = await resident(cnaps, runtime, smtp, "44000", "Nantes")
    paris = await agent(cnaps, runtime, delegations=("IDF",))
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    # an agent of Île-de-France types 75 for a person domiciled in 44000: refused
    typed = await issue(cnaps, paris.token, holderPersonId=nantes.person_id, departement="75")
    assert typed["title"] is None
    assert [(e["code"], e["field"]) for e in typed["errors"]] == [
        ("DEPARTEMENT_MISMATCH", ["input", "departement"])
    ]
    assert "044" in typed["errors"][0]["message"]
    english = await cnaps(
        ISSUE,
        {
            "input": {
                "kind": "CAR",
                "activities": ["SURVEILLANCE"],
                "holderPersonId": nantes.person_id,
                "departement": "75",
            }
        },
        token=paris.token,
        lang="en",
    )
    assert english["issueTitle"]["errors"][0]["message"].startswith("A title's département")
    # without it, the derived département is outside their delegation
    derived = await issue(cnaps, paris.token, holderPersonId=nantes.person_id)
    assert [(e["code"], e["field"]) for e in derived["errors"]] == [
        ("OUTSIDE_DELEGATION", ["input", "holderPersonId"])
    ]
    # the OUEST delegation's agent issues it: 044, given or not (044, 44 agree)
    for given in ({}, {"departement": "044"}, {"departement": " 44 "}):
        done = await issue(cnaps, ouest.token, holderPersonId=nantes.person_id, **given)
        assert done["errors"] == [], given
        assert done["title"]["number"].startswith("CAR-044-")
        assert done["title"]["departement"] == "44"
    # the person moves to Paris: the Île-de-France delegation now decides, 075
    moved = await cnaps(
        UPDATE_CONTACT,
        {
            "input": {
                "personId": nantes.person_id,
                "address": {
                    "line1": "5 rue du Louvre",
                    "postalCode": "75001",
                    "city": "Paris",
                    "country": "FR",
                },
            }
        },
        token=nantes.token,
    )
    assert moved["updatePersonContact"]["errors"] == []
    assert codes(await issue(cnaps, ouest.token, holderPersonId=nantes.person_id)) == [
        "OUTSIDE_DELEGATION"
    ]
    now_paris = await issue(cnaps, paris.token, holderPersonId=nantes.person_id)
    assert now_paris["title"]["number"].startswith("CAR-075-")


async def test_delegations_of_guadeloupe_971_and_guyane_973_postal_codes(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    antilles = await agent(cnaps, runtime, delegations=("ANTILLES_GUYANE",))
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    indien = await agent(cnaps, runtime, delegations=("OCEAN_INDIEN",))
    for postal_code, city, ddd in (
        ("97110", "Pointe-à-Pitre", "971"),
        ("97133", "Saint-Barthélemy", "971"),
        ("97190", "Le Gosier", "971"),
        ("97300", "Cayenne", "973"),
        ("97390", "Saint-Georges", "973"),
    ):
        holder = await resident(cnaps, runtime, smtp, postal_code, city)
        for outsider in (ouest, indien):
            refused = await issue(cnaps, outsider.token, holderPersonId=holder.person_id)
            assert codes(refused) == ["OUTSIDE_DELEGATION"], postal_code
        done = await issue(cnaps, antilles.token, holderPersonId=holder.person_id)
        assert done["errors"] == [], postal_code
        assert done["title"]["number"].startswith(f"CAR-{ddd}-")
        assert done["title"]["departement"] == ddd


async def test_a_holder_without_a_domicile_in_france(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    # opened by an employer: no domicile recorded yet, no title until there is one
    org = await validated_organisation(cnaps, runtime, smtp)
    made = await cnaps(
        CREATE_ACCOUNT,
        {
            "input": {
                "organisationId": org.id,
                "email": unique_email("stagiaire"),
                "familyName": "Petit",
                "givenNames": "Léo",
            }
        },
        token=org.admin.token,
    )
    assert made["createEmployeeAccount"]["errors"] == []
    async with open_session(runtime.services.sessions, "cnaps") as session:
        row = await session.get_one(
            Employee, uuid_of(made["createEmployeeAccount"]["employee"]["id"])
        )
        person_id = str(row.person_id)
    unknown = await issue(
        cnaps, ouest.token, holderPersonId=gid("Person", person_id), departement="44"
    )
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [
        ("HOLDER_DOMICILE_UNKNOWN", ["input", "holderPersonId"])
    ]
    # domiciled abroad: nothing to derive, the agent names the département (required)
    brussels = await resident(cnaps, runtime, smtp, "1000", "Bruxelles", country="BE")
    missing = await issue(cnaps, ouest.token, holderPersonId=brussels.person_id)
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [
        ("REQUIRED", ["input", "departement"])
    ]
    named = await issue(cnaps, ouest.token, holderPersonId=brussels.person_id, departement="44")
    assert named["title"]["number"].startswith("CAR-044-")
    paris = await agent(cnaps, runtime, delegations=("IDF",))
    elsewhere = await issue(cnaps, paris.token, holderPersonId=brussels.person_id, departement="44")
    assert codes(elsewhere) == ["OUTSIDE_DELEGATION"]


async def test_an_operating_authorisation_belongs_to_its_establishment(
    cnaps: GraphQLClient, runtime: Runtime, smtp: SmtpServer
) -> None:
    org = await validated_organisation(cnaps, runtime, smtp, name="Vigiles de Loire")
    ouest = await agent(cnaps, runtime, delegations=("OUEST",))
    paris = await agent(cnaps, runtime, delegations=("IDF",))
    site = org.head_office_id  # head office in 44000 Nantes
    done = await issue(cnaps, ouest.token, kind="AUT", activities=[], holderEstablishmentId=site)
    assert done["errors"] == []
    title = done["title"]
    assert title["number"].startswith("AUT-044-") and title["departement"] == "44"
    assert title["holderFamilyName"] == "Vigiles de Loire"
    async with open_session(runtime.services.sessions, "cnaps") as session:
        row = await session.get_one(Title, uuid_of(title["id"]))
        assert (row.organisation_id, row.establishment_id) == (org.uuid, uuid_of(site))
        assert row.holder_person_id is None
    # the departement typed must agree; another delegation cannot issue it
    wrong = await issue(
        cnaps,
        ouest.token,
        kind="AUT",
        activities=[],
        holderEstablishmentId=site,
        departement="75",
    )
    assert codes(wrong) == ["DEPARTEMENT_MISMATCH"]
    outside = await issue(cnaps, paris.token, kind="AUT", activities=[], holderEstablishmentId=site)
    assert [(e["code"], e["field"]) for e in outside["errors"]] == [
        ("OUTSIDE_DELEGATION", ["input", "holderEstablishmentId"])
    ]
    # a card goes to a person, an operating authorisation to an establishment
    card = await issue(cnaps, ouest.token, holderEstablishmentId=site)
    assert [(e["code"], e["field"]) for e in card["errors"]] == [
        ("HOLDER_NOT_FOR_THIS_KIND", ["input", "holderEstablishmentId"])
    ]
    person_aut = await issue(
        cnaps, ouest.token, kind="AUT", activities=[], holderPersonId=org.admin.person_id
    )
    assert codes(person_aut) == ["HOLDER_NOT_FOR_THIS_KIND"]
    both = await issue(
        cnaps,
        ouest.token,
        kind="AUT",
        activities=[],
        holderEstablishmentId=site,
        holderPersonId=org.admin.person_id,
    )
    assert codes(both) == ["HOLDER_AMBIGUOUS"]
    unknown = await issue(
        cnaps, ouest.token, kind="FOR", activities=[], holderEstablishmentId=org.admin.person_id
    )
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [
        ("NOT_FOUND", ["input", "holderEstablishmentId"])
    ]
