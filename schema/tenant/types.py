"""Public information about the tenant: who runs the portal and its reference lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from schema.context import Info
from schema.enums import graphql_enum
from schema.tenant.dossier_kinds import DossierKindNode, dossier_kinds
from tenants.packs.base import Capability as CapabilityValue
from tenants.packs.base import Delegation as PackDelegation
from tenants.packs.base import Label, TenantPack

if TYPE_CHECKING:  # mypy reads the domain enum; GraphQL gets its described twin
    from tenants.packs.base import Capability
else:
    Capability = graphql_enum(
        CapabilityValue,
        "Capability",
        "Un service que le portail propose (au-delà des comptes) ; les autres répondent "
        "NOT_AVAILABLE_ON_THIS_PORTAL et leurs champs sont vides.",
        {
            CapabilityValue.ORGANISATIONS: "Comptes d'organisation validés par l'autorité.",
            CapabilityValue.MANAGERS: "Gestionnaires invités par une organisation.",
            CapabilityValue.MANDATES: "Tiers de confiance agissant pour une personne (mandats).",
            CapabilityValue.COMPANY_SPACE: "Espace entreprise : salariés, libellés, tableau de "
            "bord, export, alertes sur les titres.",
            CapabilityValue.TITLES: "Titres délivrés par l'autorité (cartes, autorisations).",
            CapabilityValue.HABILITATIONS: "Habilitations aux applications sur des structures "
            "FINESS, approuvées par les gestionnaires des applications ; tuiles.",
            CapabilityValue.DOCUMENT_DEPOSIT: "Dépôt des rapports d'activité par structure et "
            "par année, avec corbeille.",
            CapabilityValue.MESSAGING: "Messagerie sécurisée avec l'autorité (conversations, boîte "
            "de réception des agents).",
            CapabilityValue.DOSSIERS: "Demandes de titres déposées en ligne et instruites par "
            "l'autorité.",
        },
    )


def _label(info: Info, label: Label) -> str:
    return label.get(info.context.locale)


@strawberry.type(description="Une règle du mot de passe, en mots.")
class PasswordPolicy:
    min_length: int = strawberry.field(description="Longueur minimale, en caractères.")
    max_length: int = strawberry.field(description="Longueur maximale, en caractères.")
    required_character_classes: int = strawberry.field(
        description="Nombre de classes (majuscule, minuscule, chiffre, spécial) exigées ; 0 : "
        "aucune règle de composition."
    )
    rules: list[str] = strawberry.field(description="La règle en mots, pour le formulaire.")


@strawberry.type(description="Un champ du formulaire d'inscription et s'il est exigé.")
class RegistrationFieldRule:
    name: str = strawberry.field(description="Le nom du champ de `RegisterInput`.")
    required: bool = strawberry.field(
        description="Vrai si le portail l'exige (REQUIRED s'il manque)."
    )


@strawberry.type(description="Une activité de sécurité privée (mention sur les titres).")
class Activity:
    code: str = strawberry.field(description="Code stable de l'activité.")
    label: str = strawberry.field(description="Libellé, dans la langue demandée.")
    excludes_others: bool = strawberry.field(
        description="Exclusive : ne se cumule avec aucune autre activité."
    )


@strawberry.type(description="Une délégation territoriale de l'autorité.")
class Delegation:
    code: str = strawberry.field(description="Code stable de la délégation (ex. OUEST).")
    name: str = strawberry.field(description="Nom de la délégation (ex. « Ouest »).")
    email: str = strawberry.field(description="Adresse électronique de contact de la délégation.")
    departements: list[str] = strawberry.field(
        description="Les départements (codes INSEE) dont elle instruit les demandes."
    )

    @classmethod
    def from_pack(cls, delegation: PackDelegation) -> Delegation:
        return cls(
            code=delegation.code,
            name=delegation.name,
            email=delegation.email,
            departements=list(delegation.departements),
        )


@strawberry.type(description="Un profil d'habilitation d'une application.")
class ApplicationProfile:
    code: str = strawberry.field(description="Code stable du profil.")
    label: str = strawberry.field(description="Libellé du profil.")
    description: str = strawberry.field(description="Ce que ce profil y fait.")


@strawberry.type(description="Une application du portail (tuile).")
class Application:
    code: str = strawberry.field(description="Code stable du téléservice.")
    name: str = strawberry.field(description="Nom du téléservice.")
    description: str = strawberry.field(description="Ce qu'il permet.")
    profiles: list[ApplicationProfile] = strawberry.field(
        description="Les profils qui y ont accès."
    )


@strawberry.type(description="Un type d'organisation que l'on peut inscrire.")
class OrganisationKind:
    code: str = strawberry.field(
        description="Code à donner dans `registerOrganisation(input: {kind})`."
    )
    label: str = strawberry.field(description="Libellé, dans la langue demandée.")


@strawberry.type(description="Le portail : l'autorité qui l'opère et ses listes de référence.")
class Tenant:
    pack: strawberry.Private[TenantPack]

    @strawberry.field(description="Les services que ce portail propose, au-delà des comptes.")
    def capabilities(self) -> list[Capability]:
        return [Capability(c.value) for c in CapabilityValue if self.pack.offers(c)]

    @strawberry.field(description="Identifiant court du portail (cnaps, cnsa).")
    def slug(self) -> str:
        return self.pack.slug

    @strawberry.field(description="Nom de l'autorité.")
    def name(self) -> str:
        return self.pack.name

    @strawberry.field(description="Nom court (sigle).")
    def short_name(self) -> str:
        return self.pack.short_name

    @strawberry.field(description="Présentation du portail, dans la langue demandée.")
    def description(self, info: Info) -> str:
        return _label(info, self.pack.description)

    @strawberry.field(description="Adresse du support.")
    def support_email(self) -> str:
        return self.pack.support_email

    @strawberry.field(description="Téléphone du support.")
    def support_phone(self) -> str | None:
        return self.pack.support_phone

    @strawberry.field(description="Adresse postale du support.")
    def support_address(self) -> str | None:
        return self.pack.support_address

    @strawberry.field(description="Adresse d'expédition des courriels (ne pas répondre).")
    def sender_email(self) -> str:
        return self.pack.sender_email

    @strawberry.field(description="Les règles des mots de passe.")
    def password_policy(self, info: Info) -> PasswordPolicy:
        rules = self.pack.password
        return PasswordPolicy(
            min_length=rules.min_length,
            max_length=rules.max_length,
            required_character_classes=rules.required_classes,
            rules=[_label(info, rule) for rule in rules.rules],
        )

    @strawberry.field(description="Les champs d'inscription que ce portail accepte.")
    def registration_fields(self) -> list[RegistrationFieldRule]:
        fields = ["email", "password"]
        required = {"email", "password"} | {f.value for f in self.pack.required_fields}
        fields += sorted(f.value for f in self.pack.required_fields | self.pack.optional_fields)
        return [RegistrationFieldRule(name=name, required=name in required) for name in fields]

    @strawberry.field(description="Texte à cocher pour accepter les conditions d'utilisation.")
    def terms_text(self, info: Info) -> str | None:
        return _label(info, self.pack.terms_text) if self.pack.terms_text else None

    @strawberry.field(description="Durée de validité du lien de confirmation, en heures.")
    def confirmation_link_hours(self) -> int:
        return int(self.pack.confirmation_ttl.total_seconds() // 3600)

    @strawberry.field(description="Les activités mentionnées sur les titres (vide sans titres).")
    def activities(self, info: Info) -> list[Activity]:
        if not self.pack.offers(CapabilityValue.TITLES):
            return []
        return [
            Activity(code=a.code, label=_label(info, a.label), excludes_others=a.excludes_others)
            for a in self.pack.activities
        ]

    @strawberry.field(
        description="Les types de demande que ce portail reçoit, avec leurs champs, leurs "
        "pièces par situation et le titre qu'ils donnent (vide sans demandes en ligne)."
    )
    def dossier_kinds(self, info: Info) -> list[DossierKindNode]:
        return dossier_kinds(info, self.pack)

    @strawberry.field(description="Les délégations territoriales de l'autorité.")
    def delegations(self) -> list[Delegation]:
        return [Delegation.from_pack(d) for d in self.pack.delegations]

    @strawberry.field(description="Les téléservices de l'autorité.")
    def applications(self, info: Info) -> list[Application]:
        return [
            Application(
                code=a.code,
                name=a.name,
                description=_label(info, a.description),
                profiles=[
                    ApplicationProfile(
                        code=p.code,
                        label=_label(info, p.label),
                        description=_label(info, p.description),
                    )
                    for p in a.profiles
                ],
            )
            for a in self.pack.applications
        ]

    @strawberry.field(description="Les sortes d'organisation qu'on peut inscrire.")
    def organisation_kinds(self, info: Info) -> list[OrganisationKind]:
        return [
            OrganisationKind(code=k.code, label=_label(info, k.label))
            for k in self.pack.organisation_kinds
        ]

    @strawberry.field(description="Les types de structure proposés à l'inscription (cnsa).")
    def structure_types(self, info: Info) -> list[str]:
        return [_label(info, kind.label) for kind in self.pack.structure_types]
