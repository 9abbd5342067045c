"""CNAPS — private security (Dracar Ultimate, seeds 000–003)."""

from __future__ import annotations

from datetime import timedelta

from tenants.packs.base import (
    Activity,
    Capability,
    Delegation,
    Label,
    OrganisationKind,
    PasswordRules,
    RegistrationField,
    TenantPack,
)

F = RegistrationField


def _activity(code: str, fr: str, en: str, *, exclusive: bool = False) -> Activity:
    return Activity(code=code, label=Label(fr, en), excludes_others=exclusive)


# seed 003 arts. 3 and 9, then the activities added since [law]; exclusivity [law, CNAPS FAQ].
ACTIVITIES = (
    _activity(
        "SURVEILLANCE",
        "Surveillance humaine ou par systèmes électroniques de sécurité, gardiennage",
        "Human or electronic surveillance, guarding",
    ),
    _activity("CASH_TRANSPORT", "Transport de fonds", "Cash-in-transit"),
    _activity(
        "CLOSE_PROTECTION", "Protection physique des personnes", "Close protection", exclusive=True
    ),
    _activity("DOG_HANDLER", "Agent cynophile", "Dog handler"),
    _activity("AIRPORT_SECURITY", "Sûreté aéroportuaire", "Airport security", exclusive=True),
    _activity(
        "PRIVATE_INVESTIGATION", "Recherches privées", "Private investigation", exclusive=True
    ),
    _activity("VIDEO_PROTECTION", "Vidéoprotection", "Video protection"),
    _activity("SHIP_PROTECTION", "Protection des navires", "Ship protection", exclusive=True),
    _activity("ARMED_SURVEILLANCE", "Surveillance armée", "Armed surveillance", exclusive=True),
    _activity(
        "ATM_MAINTENANCE",
        "Maintenance et gestion de distributeurs automatiques de billets",
        "ATM maintenance and management",
    ),
)

# seed 000 (addresses), départements [practice].
DELEGATIONS = (
    Delegation(
        "IDF",
        "Île-de-France",
        "cnaps-dt-idf@interieur.gouv.fr",
        ("75", "77", "78", "91", "92", "93", "94", "95"),
    ),
    Delegation("NORD", "Nord", "cnaps-dt-nord@interieur.gouv.fr", ("02", "59", "60", "62", "80")),
    Delegation(
        "OUEST",
        "Ouest",
        "cnaps-dt-ouest@interieur.gouv.fr",
        tuple(
            [
                "14",
                "18",
                "22",
                "27",
                "28",
                "29",
                "35",
                "36",
                "37",
                "41",
                "44",
                "45",
                "49",
                "50",
                "53",
                "56",
                "61",
                "72",
                "76",
                "85",
            ]
        ),
    ),
    Delegation(
        "EST",
        "Est",
        "cnaps-dt-est@interieur.gouv.fr",
        tuple(
            [
                "08",
                "10",
                "21",
                "25",
                "39",
                "51",
                "52",
                "54",
                "55",
                "57",
                "58",
                "67",
                "68",
                "70",
                "71",
                "88",
                "89",
                "90",
            ]
        ),
    ),
    Delegation(
        "SUD_EST",
        "Sud-Est",
        "cnaps-dt-sud-est@interieur.gouv.fr",
        tuple(["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]),
    ),
    Delegation(
        "SUD",
        "Sud",
        "cnaps-dt-sud@interieur.gouv.fr",
        tuple(["2A", "2B", "04", "05", "06", "13", "83", "84"]),
    ),
    Delegation(
        "SUD_OUEST",
        "Sud-Ouest",
        "cnaps-dt-sud-ouest@interieur.gouv.fr",
        tuple(
            [
                "09",
                "11",
                "12",
                "16",
                "17",
                "19",
                "23",
                "24",
                "30",
                "31",
                "32",
                "33",
                "34",
                "40",
                "46",
                "47",
                "48",
                "64",
                "65",
                "66",
                "79",
                "81",
                "82",
                "86",
                "87",
            ]
        ),
    ),
    Delegation(
        "ANTILLES_GUYANE",
        "Antilles-Guyane",
        "cnaps-dt-ag@martinique.pref.gouv.fr",
        ("971", "972", "973"),
    ),
    Delegation("OCEAN_INDIEN", "Océan Indien", "cnaps974@reunion.pref.gouv.fr", ("974", "976")),
    Delegation(
        "POLYNESIE", "Polynésie française", "cnaps-dt-polynesie@interieur.gouv.fr", ("987",)
    ),
    Delegation(
        "NOUVELLE_CALEDONIE",
        "Nouvelle-Calédonie",
        "cnaps-dt-sud-nouvelle-caledonie@interieur.gouv.fr",
        ("988",),
    ),
)

PACK = TenantPack(
    slug="cnaps",
    name="Conseil national des activités privées de sécurité",
    short_name="CNAPS",
    description=Label(
        "Téléservices du CNAPS : cartes professionnelles, autorisations, agréments et "
        "espace entreprise de la sécurité privée.",
        "CNAPS online services: professional cards, authorisations, approvals and the "
        "company space of private security.",
    ),
    support_email="cnaps-support-dracar@interieur.gouv.fr",
    support_phone="+33 1 48 01 31 90",
    support_address="2/4/6 boulevard Poissonnière - CS 80023 - 75009 Paris",
    sender_email="ne-pas-repondre@cnaps.interieur.gouv.fr",
    sender_name="Téléservices du CNAPS",
    # [choice] OWASP ASVS 4.0.3 2.1.1–2.1.2 and 5.0 6.2: length, no class rule, no common ones.
    password=PasswordRules(
        min_length=12,
        max_length=128,
        required_classes=0,
        rules=(
            Label("Au moins 12 caractères (jusqu'à 128)", "At least 12 characters (up to 128)"),
            Label(
                "Tous les caractères sont permis, espaces compris ; une phrase de passe "
                "est recommandée",
                "Every character is allowed, spaces included; a passphrase is recommended",
            ),
            Label(
                "Pas un mot de passe courant ou déjà divulgué",
                "Not a common or breached password",
            ),
        ),
    ),
    required_fields=frozenset(
        {
            F.FAMILY_NAME,
            F.GIVEN_NAMES,
            F.BIRTH_DATE,
            F.BIRTH_CITY,
            F.BIRTH_COUNTRY,
            F.ADDRESS,
            F.ACCEPT_TERMS,
        }
    ),
    optional_fields=frozenset({F.PHONE}),
    terms_text=Label(
        "Je certifie avoir lu et accepter les conditions d'utilisation du téléservice",
        "I certify that I have read and accept the online service's terms of use",
    ),
    confirmation_ttl=timedelta(hours=12),  # [practice]
    hosts=("cnaps",),
    # seeds 000–003: everything but cnsa's habilitations and document deposits (seed 004).
    capabilities=frozenset(Capability) - {Capability.HABILITATIONS, Capability.DOCUMENT_DEPOSIT},
    activities=ACTIVITIES,
    delegations=DELEGATIONS,
    organisation_kinds=(
        OrganisationKind(
            "SECURITY_COMPANY", Label("Entreprise de sécurité privée", "Private security company")
        ),
        OrganisationKind(
            "INTERNAL_SECURITY_SERVICE",
            Label("Service interne de sécurité", "Internal security service"),
        ),
        OrganisationKind(
            "TRAINING_ORGANISATION", Label("Organisme de formation", "Training organisation")
        ),
    ),
)
