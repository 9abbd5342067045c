"""CNAPS — private security (Dracar Ultimate, seeds 000–003)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tenants.packs.base import (
    Activity,
    Applicant,
    Capability,
    Delegation,
    DocumentRule,
    DossierField,
    DossierKind,
    FieldType,
    Label,
    OrganisationKind,
    PasswordRules,
    RegistrationField,
    Situation,
    TenantPack,
    TitleType,
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

# docs/DOMAIN.md "Titles": prefixes and validity ([law] R612-13, [seed 003 art. 8], [practice]
# for the open-ended operating authorisation: 100 years).
TITLE_TYPES = (
    TitleType("CAR", Label("Carte professionnelle", "Professional card"), 60, True),
    TitleType(
        "PRE",
        Label("Autorisation préalable d'entrée en formation", "Prior authorisation (training)"),
        6,
        True,
    ),
    TitleType("PRV", Label("Autorisation provisoire", "Provisional authorisation"), 6, True),
    TitleType(
        "REC", Label("Récépissé de demande de renouvellement", "Renewal receipt"), None, True
    ),
    TitleType("AGD", Label("Agrément dirigeant ou associé", "Director or partner approval"), 60),
    TitleType("AUT", Label("Autorisation d'exercer", "Operating authorisation"), 1200),
    TitleType(
        "FOR",
        Label(
            "Autorisation d'exercer d'un organisme de formation",
            "Training organisation's operating authorisation",
        ),
        60,
    ),
)

# Nationals who give an identity document rather than a residence permit [seed 003 art. 4]:
# France, the other EU member states, the other EEA states (and Switzerland [law]).
FREE_MOVEMENT = frozenset(
    [
        "FR",
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
        "CH",
    ]
)

S = Situation


def _doc(
    code: str,
    fr: str,
    en: str,
    situation: Situation = S.ALWAYS,
    max_age_months: int | None = None,
    per_field: str | None = None,
) -> DocumentRule:
    return DocumentRule(code, Label(fr, en), situation, max_age_months, per_field)


def _field(
    name: str,
    fr: str,
    en: str,
    kind: FieldType = FieldType.TEXT,
    situation: Situation | None = S.ALWAYS,
) -> DossierField:
    return DossierField(name, Label(fr, en), kind, situation)


# What a person's request gives and proves [seed 003 arts. 3-4, 9]: nationality decides the
# identity document or the residence permit and, outside the EU/EEA, the criminal-record
# equivalent (< 3 months) with its translation; a dog handler, each dog's card; an employee,
# the employer.
NATIONALITY = _field("nationality", "Nationalité", "Nationality", FieldType.COUNTRY)
EMPLOYED = _field("employed", "Je suis salarié", "I am employed", FieldType.BOOLEAN)
EMPLOYER = (
    _field(
        "employerName",
        "Nom ou raison sociale de l'employeur",
        "Employer's name",
        situation=S.EMPLOYED,
    ),
    _field("employerAddress", "Adresse de l'employeur", "Employer's address", situation=S.EMPLOYED),
)
DOGS = _field("dogCount", "Nombre de chiens", "Number of dogs", FieldType.COUNT, S.DOG_HANDLER)
IDENTITY = _doc(
    "IDENTITY_DOCUMENT",
    "Copie d'une pièce d'identité en cours de validité",
    "Copy of a valid identity document",
    S.FREE_MOVEMENT_NATIONAL,
)
RESIDENCE_PERMIT = _doc(
    "RESIDENCE_PERMIT",
    "Titre de séjour en cours de validité autorisant une activité salariée",
    "Valid residence permit allowing salaried work",
    S.FOREIGN_NATIONAL,
)
CRIMINAL_RECORD = _doc(
    "CRIMINAL_RECORD_EQUIVALENT",
    "Équivalent du bulletin n° 3 du casier judiciaire, délivré depuis moins de trois mois",
    "Criminal-record equivalent issued less than three months ago",
    S.FOREIGN_NATIONAL,
    max_age_months=3,
)
CRIMINAL_RECORD_TRANSLATION = _doc(
    "CRIMINAL_RECORD_TRANSLATION",
    "Traduction en français de l'équivalent du casier judiciaire",
    "French translation of the criminal-record equivalent",
    S.FOREIGN_NATIONAL,
)
DOG_CARDS = _doc(
    "DOG_IDENTIFICATION_CARD",
    "Carte d'identification de chaque chien",
    "Each dog's identification card",
    S.DOG_HANDLER,
    per_field="dogCount",
)
APTITUDE = _doc(
    "PROFESSIONAL_APTITUDE",
    "Justificatif de l'aptitude professionnelle",
    "Proof of professional aptitude",
)
MAC_CERTIFICATE = _doc(
    "MAC_CERTIFICATE",
    "Attestation de formation de maintien et d'actualisation des compétences (MAC)",
    "Refresher training (MAC) certificate",
)
PRE_REGISTRATION = _doc(
    "TRAINING_PRE_REGISTRATION",
    "Justificatif de préinscription du centre de formation",
    "Training centre's pre-registration certificate",
)
HIRING_PROMISE = _doc(
    "HIRING_PROMISE", "Promesse d'embauche de l'employeur", "Employer's promise of hiring"
)
KBIS = _doc(
    "COMPANY_REGISTRATION_EXTRACT",
    "Extrait Kbis de moins de trois mois",
    "Company registration extract less than three months old",
    max_age_months=3,
)
INSURANCE = _doc(
    "LIABILITY_INSURANCE",
    "Attestation d'assurance de responsabilité civile professionnelle",
    "Professional liability insurance certificate",
)
NATIONALITY_DOCS = (IDENTITY, RESIDENCE_PERMIT, CRIMINAL_RECORD, CRIMINAL_RECORD_TRANSLATION)
PERSON_FIELDS = (NATIONALITY, EMPLOYED, *EMPLOYER, DOGS)
TRAINING_CENTRE = (
    _field("trainingCentreName", "Centre de formation", "Training centre"),
    _field(
        "trainingCentreSiret",
        "SIRET du centre de formation",
        "Training centre's SIRET",
        FieldType.SIRET,
    ),
)
DIRECTOR_FIELDS = (
    NATIONALITY,
    _field("companyName", "Entreprise dirigée ou détenue", "Company run or owned"),
    _field("role", "Qualité (dirigeant, gérant, associé)", "Role (director, manager, partner)"),
)


def _kind(code: str, fr: str, en: str, about_fr: str, about_en: str, **kw: Any) -> DossierKind:
    return DossierKind(code, Label(fr, en), Label(about_fr, about_en), **kw)


# DOMAIN.md "Dossiers" [seed 003, seed 001, seed 000].
DOSSIER_KINDS = (
    _kind(
        "PROFESSIONAL_CARD",
        "Carte professionnelle (première demande)",
        "Professional card (first request)",
        "Exercer une activité privée de sécurité : une carte de 5 ans par activités.",
        "Work in private security: a 5-year card for the activities asked.",
        applicant=Applicant.PERSON,
        title="CAR",
        fields=PERSON_FIELDS,
        documents=(*NATIONALITY_DOCS, DOG_CARDS, APTITUDE),
    ),
    _kind(
        "PROFESSIONAL_CARD_RENEWAL",
        "Renouvellement de la carte professionnelle",
        "Professional card renewal",
        "À déposer pendant la validité de la carte, trois mois au moins avant son échéance "
        "pour recevoir un récépissé.",
        "To file while the card is valid, at least three months before it expires to get a "
        "receipt.",
        applicant=Applicant.PERSON,
        title="CAR",
        fields=PERSON_FIELDS,
        # seed 003 art. 6: no criminal-record equivalent for a renewal
        documents=(IDENTITY, RESIDENCE_PERMIT, DOG_CARDS, MAC_CERTIFICATE),
        renews="CAR",
        receipt_title="REC",
    ),
    _kind(
        "PRIOR_AUTHORISATION",
        "Autorisation préalable d'entrée en formation initiale",
        "Prior authorisation for initial training",
        "Entrer en formation pour acquérir l'aptitude professionnelle (6 mois).",
        "Enter training to acquire the professional aptitude (6 months).",
        applicant=Applicant.PERSON,
        title="PRE",
        fields=(NATIONALITY, *TRAINING_CENTRE),
        documents=(*NATIONALITY_DOCS, PRE_REGISTRATION),
    ),
    _kind(
        "PRIOR_AUTHORISATION_MAC",
        "Autorisation préalable d'entrée en formation MAC (carte expirée)",
        "Prior authorisation for refresher (MAC) training (expired card)",
        "Carte expirée : une demande par activité à renouveler, avec la préinscription du "
        "centre de formation.",
        "Expired card: one request per activity to renew, with the training centre's "
        "pre-registration.",
        applicant=Applicant.PERSON,
        title="PRE",
        fields=(NATIONALITY, *TRAINING_CENTRE),
        documents=(*NATIONALITY_DOCS, PRE_REGISTRATION),
        single_activity=True,
    ),
    _kind(
        "PROVISIONAL_AUTHORISATION",
        "Autorisation provisoire",
        "Provisional authorisation",
        "Être embauché et formé par un employeur (6 mois), sur sa promesse d'embauche.",
        "Be hired and trained by an employer (6 months), on their promise of hiring.",
        applicant=Applicant.PERSON,
        title="PRV",
        fields=(
            NATIONALITY,
            _field("employerName", "Nom ou raison sociale de l'employeur", "Employer's name"),
            _field("employerSiret", "SIRET de l'employeur", "Employer's SIRET", FieldType.SIRET),
        ),
        documents=(*NATIONALITY_DOCS, HIRING_PROMISE),
    ),
    _kind(
        "DIRECTOR_APPROVAL",
        "Agrément dirigeant ou associé (première demande)",
        "Director or partner approval (first request)",
        "Diriger, gérer ou être associé d'une entreprise de sécurité privée (5 ans).",
        "Run, manage or own a share of a private security company (5 years).",
        applicant=Applicant.PERSON,
        title="AGD",
        fields=DIRECTOR_FIELDS,
        documents=NATIONALITY_DOCS,
        activities=False,
    ),
    _kind(
        "DIRECTOR_APPROVAL_RENEWAL",
        "Renouvellement de l'agrément dirigeant ou associé",
        "Director or partner approval renewal",
        "À déposer pendant la validité de l'agrément.",
        "To file while the approval is valid.",
        applicant=Applicant.PERSON,
        title="AGD",
        fields=DIRECTOR_FIELDS,
        documents=(IDENTITY, RESIDENCE_PERMIT),
        activities=False,
        renews="AGD",
    ),
    _kind(
        "OPERATING_AUTHORISATION",
        "Autorisation d'exercer (entreprise ou établissement)",
        "Operating authorisation (company or establishment)",
        "Exercer une activité privée de sécurité : l'autorisation de l'établissement.",
        "Operate in private security: the establishment's authorisation.",
        applicant=Applicant.ORGANISATION,
        title="AUT",
        documents=(KBIS, INSURANCE),
        organisation_kinds=("SECURITY_COMPANY",),
    ),
    _kind(
        "INTERNAL_SERVICE_AUTHORISATION",
        "Autorisation d'exercer d'un service interne de sécurité",
        "Internal security service's operating authorisation",
        "Le service de sécurité d'une entreprise hors du secteur.",
        "The security department of a company outside the trade.",
        applicant=Applicant.ORGANISATION,
        title="AUT",
        documents=(KBIS,),
        organisation_kinds=("INTERNAL_SECURITY_SERVICE",),
    ),
    _kind(
        "TRAINING_ORGANISATION_AUTHORISATION",
        "Autorisation d'exercer d'un organisme de formation",
        "Training organisation's operating authorisation",
        "Former aux activités privées de sécurité (5 ans).",
        "Train for private security activities (5 years).",
        applicant=Applicant.ORGANISATION,
        title="FOR",
        documents=(KBIS, INSURANCE),
        activities=True,
        organisation_kinds=("TRAINING_ORGANISATION",),
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
    capabilities=frozenset(Capability),  # seeds 000–003: all of them
    activities=ACTIVITIES,
    delegations=DELEGATIONS,
    title_types=TITLE_TYPES,
    dossier_kinds=DOSSIER_KINDS,
    free_movement_countries=FREE_MOVEMENT,
    abroad_delegation=("IDF", "75"),  # [choice]: persons living abroad file in Paris
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
