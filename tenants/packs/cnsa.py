"""CNSA — Portail d'Accès Sécurisé (seed 004)."""

from __future__ import annotations

from datetime import timedelta

from tenants.packs.base import (
    Application,
    Capability,
    Label,
    OidcClient,
    OrganisationKind,
    PasswordRules,
    Profile,
    RegistrationField,
    StructureType,
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
    capabilities=frozenset(
        {
            Capability.ORGANISATIONS,
            Capability.MANAGERS,
            Capability.HABILITATIONS,
            Capability.DOCUMENT_DEPOSIT,
        }
    ),
    # seed 004: "Identifiant yzemirli" — the portal signs in by identifier (or address).
    login_identifiers=True,
    deposit_application="CAMSP_CMPP",
    applications=(
        Application(
            code="EXTRANET",
            name="Extranet",
            description=Label(
                "Application de partage d'information et de collaboration support à "
                "l'animation des réseaux de la CNSA",
                "Information sharing and collaboration for the CNSA's networks",
            ),
            url="https://extranet.cnsa.fr/",
            profiles=(
                Profile(
                    code="MEMBRE_EXTRANET",
                    label=Label("Membre de l'Extranet", "Extranet member"),
                    description=Label(
                        "Accès aux espaces de partage des réseaux de sa structure",
                        "Access to the sharing spaces of one's structure's networks",
                    ),
                ),
                Profile(
                    code="ADMINISTRATEUR_EXTRANET",
                    label=Label("Administrateur Extranet", "Extranet administrator"),
                    description=Label(
                        "Approuve les demandes d'habilitation à l'Extranet",
                        "Approves the habilitation requests for the Extranet",
                    ),
                    manages=True,
                ),
            ),
            oidc=OidcClient(
                client_id="extranet",
                redirect_uris=("https://extranet.cnsa.fr/auth/callback",),
                confidential=False,
                post_logout_redirect_uris=("https://extranet.cnsa.fr/",),
            ),
        ),
        Application(
            code="ADMINISTRATION",
            name="Administration",
            description=Label(
                "Gestion des données de l'Annuaire (utilisateurs, rôles, profils et portefeuilles)",
                "Directory data management (users, roles, profiles and portfolios)",
            ),
            url="/t/cnsa/administration",
            portal=True,
        ),
        Application(
            code="CAMSP_CMPP",
            name="CAMSP / CMPP",
            description=Label(
                "Plateforme de dépôt des rapports d'activités CAMSP/CMPP",
                "Filing platform for CAMSP/CMPP activity reports",
            ),
            url="https://camsp-cmpp.cnsa.fr/",
            profiles=(
                Profile(
                    code="GESTIONNAIRE_CAMSP_CMPP",
                    label=Label("Gestionnaire CAMSP CMPP", "CAMSP CMPP manager"),
                    description=Label(
                        "Permet le dépôt de document CAMSP CMPP",
                        "Allows filing CAMSP CMPP documents",
                    ),
                ),
                Profile(
                    code="ADMINISTRATEUR_CAMSP_CMPP",
                    label=Label("Administrateur CAMSP CMPP", "CAMSP CMPP administrator"),
                    description=Label(
                        "Approuve les demandes d'habilitation à l'application CAMSP / CMPP",
                        "Approves the habilitation requests for the CAMSP / CMPP application",
                    ),
                    manages=True,
                ),
            ),
            oidc=OidcClient(
                client_id="camsp-cmpp",
                redirect_uris=("https://camsp-cmpp.cnsa.fr/oidc/callback",),
                confidential=True,
                post_logout_redirect_uris=("https://camsp-cmpp.cnsa.fr/",),
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
        StructureType(
            "ESMS",
            Label(
                "Établissements et Services médico Sociaux",
                "Medico-social establishments and services",
            ),
        ),
    ),
)
