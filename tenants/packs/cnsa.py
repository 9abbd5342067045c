"""CNSA — Portail d'Accès Sécurisé (seed 004)."""

from __future__ import annotations

from datetime import timedelta

from tenants.packs.base import (
    Application,
    Capability,
    Label,
    OrganisationKind,
    PasswordRules,
    Profile,
    RegistrationField,
    TenantPack,
)

F = RegistrationField

PACK = TenantPack(
    slug="cnsa",
    name="Portail d'Accès Sécurisé aux services de la CNSA",
    short_name="CNSA",
    description=Label(
        "Ce portail permet aux professionnels de l'autonomie de se connecter aux "
        "applications mises à disposition par la CNSA.",
        "This portal lets autonomy-sector professionals sign in to the applications "
        "provided by the CNSA.",
    ),
    support_email="support@cnsa.fr",
    sender_email="ne_pas_repondre@cnsa.fr",
    sender_name="Portail d'Accès Sécurisé CNSA",
    # seed 004: "De 12 à 24 caractères, au moins 3 des caractères suivants".
    password=PasswordRules(
        min_length=12,
        max_length=24,
        required_classes=3,
        rules=(
            Label("De 12 à 24 caractères", "From 12 to 24 characters"),
            Label(
                "Au moins 3 des caractères suivants : majuscule, minuscule, chiffre, "
                "caractère spécial",
                "At least 3 of: uppercase letter, lowercase letter, digit, special character",
            ),
            Label(
                "Pas un mot de passe courant ou déjà divulgué",
                "Not a common or breached password",
            ),
        ),
    ),
    required_fields=frozenset({F.FAMILY_NAME, F.GIVEN_NAMES}),
    optional_fields=frozenset({F.STRUCTURE, F.PHONE}),
    terms_text=None,
    confirmation_ttl=timedelta(hours=24),  # docs/DOMAIN.md [choice]
    hosts=("cnsa",),
    # seed 004: structures and the managers who approve habilitations; no titles, no
    # company space, no trusted third parties.
    capabilities=frozenset({Capability.ORGANISATIONS, Capability.MANAGERS}),
    applications=(
        Application(
            code="EXTRANET",
            name="Extranet",
            description=Label(
                "Application de partage d'information et de collaboration support à "
                "l'animation des réseaux de la CNSA",
                "Information sharing and collaboration for the CNSA's networks",
            ),
        ),
        Application(
            code="ADMINISTRATION",
            name="Administration",
            description=Label(
                "Gestion des données de l'Annuaire (utilisateurs, rôles, profils et portefeuilles)",
                "Directory data management (users, roles, profiles and portfolios)",
            ),
        ),
        Application(
            code="CAMSP_CMPP",
            name="CAMSP / CMPP",
            description=Label(
                "Plateforme de dépôt des rapports d'activités CAMSP/CMPP",
                "Filing platform for CAMSP/CMPP activity reports",
            ),
            profiles=(
                Profile(
                    code="GESTIONNAIRE_CAMSP_CMPP",
                    label=Label("Gestionnaire CAMSP CMPP", "CAMSP CMPP manager"),
                    description=Label(
                        "Permet le dépôt de document CAMSP CMPP",
                        "Allows filing CAMSP CMPP documents",
                    ),
                ),
            ),
        ),
    ),
    organisation_kinds=(
        OrganisationKind(
            "STRUCTURE",
            Label("Établissement ou service médico-social", "Medico-social establishment"),
        ),
    ),
    structure_types=(
        Label(
            "Établissements et Services médico Sociaux",
            "Medico-social establishments and services",
        ),
    ),
)
