"""`tenant { dossierKinds }`: the requests a portal takes, read from its pack, so a frontend
builds its forms from the API (fields, documents by situation, eligibility, the title)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from schema.context import Info
from schema.enums import graphql_enum
from tenants.packs import base as b

if TYPE_CHECKING:
    from tenants.packs.base import Applicant, FieldType, Situation
else:
    Applicant = graphql_enum(
        b.Applicant,
        "DossierApplicant",
        "Pour qui une demande se dépose.",
        {
            b.Applicant.PERSON: "Une personne (elle-même, ou son tiers de confiance mandaté)",
            b.Applicant.ORGANISATION: "Une organisation pour elle-même (un de ses établissements)",
        },
    )
    FieldType = graphql_enum(
        b.FieldType,
        "DossierFieldType",
        "Comment s'écrit la valeur d'un champ (toujours envoyée comme texte).",
        {
            b.FieldType.TEXT: "Texte libre",
            b.FieldType.DATE: "Date AAAA-MM-JJ, pas dans le futur",
            b.FieldType.BOOLEAN: "« true » ou « false »",
            b.FieldType.COUNTRY: "Code pays ISO 3166-1 (FR)",
            b.FieldType.SIRET: "SIRET : 14 chiffres",
            b.FieldType.COUNT: "Nombre entier de 0 à 20",
        },
    )
    Situation = graphql_enum(
        b.Situation,
        "DossierSituation",
        "Quand un champ ou une pièce est exigé, lu sur la demande elle-même.",
        {
            b.Situation.ALWAYS: "Toujours",
            b.Situation.FREE_MOVEMENT_NATIONAL: "Nationalité française, de l'UE ou de l'EEE",
            b.Situation.FOREIGN_NATIONAL: "Nationalité hors UE et EEE",
            b.Situation.DOG_HANDLER: "L'activité d'agent cynophile est demandée",
            b.Situation.EMPLOYED: "Le demandeur est salarié (champ « employed »)",
        },
    )


@strawberry.type(description="Un champ du formulaire d'un type de demande.")
class DossierFormField:
    name: str = strawberry.field(description="Nom du champ (à renvoyer dans `fields`).")
    label: str = strawberry.field(description="Libellé du champ.")
    type: FieldType = strawberry.field(description="Forme de la valeur.")
    required_when: Situation | None = strawberry.field(
        description="Situation où le champ est exigé ; null : toujours facultatif."
    )
    max_length: int = strawberry.field(description="Longueur maximale d'un texte.")


@strawberry.type(description="Une pièce qu'un type de demande exige dans une situation.")
class DossierDocumentRule:
    code: str = strawberry.field(description="Code de la pièce (`kind` à l'envoi).")
    label: str = strawberry.field(description="Nom de la pièce.")
    required_when: Situation = strawberry.field(description="Situation où elle est exigée.")
    max_age_months: int | None = strawberry.field(
        description="Doit dater de moins de ce nombre de mois (date de délivrance à donner)."
    )
    one_per_unit_of: str | None = strawberry.field(
        description="Une pièce par unité de ce champ (ex. une carte par chien)."
    )


@strawberry.type(name="DossierKind", description="Un type de demande que le portail reçoit.")
class DossierKindNode:
    kind: strawberry.Private[b.DossierKind]
    locale: strawberry.Private[str]
    pack: strawberry.Private[b.TenantPack]

    @strawberry.field(description="Code du type de demande (`kind` de createDossier).")
    def code(self) -> str:
        return self.kind.code

    @strawberry.field(description="Nom du type de demande.")
    def label(self) -> str:
        return self.kind.label.get(self.locale)

    @strawberry.field(description="À quoi sert la demande et quand la déposer.")
    def description(self) -> str:
        return self.kind.description.get(self.locale)

    @strawberry.field(description="Pour qui elle se dépose.")
    def applicant(self) -> Applicant:
        return Applicant(self.kind.applicant.value)

    @strawberry.field(description="Types d'organisation qui la déposent pour elles-mêmes.")
    def organisation_kinds(self) -> list[str]:
        return list(self.kind.organisation_kinds)

    @strawberry.field(description="Préfixe du titre délivré (CAR, PRE, PRV, AGD, AUT, FOR).")
    def title_kind(self) -> str:
        return self.kind.title

    @strawberry.field(description="Nom du titre délivré.")
    def title_label(self) -> str:
        title = self.pack.title_type(self.kind.title)
        return title.label.get(self.locale) if title else self.kind.title

    @strawberry.field(description="Validité du titre en mois (null : fixée à la délivrance).")
    def title_validity_months(self) -> int | None:
        title = self.pack.title_type(self.kind.title)
        return title.validity_months if title else None

    @strawberry.field(description="La demande porte sur des activités (`tenant { activities }`).")
    def has_activities(self) -> bool:
        return self.kind.activities

    @strawberry.field(description="Une seule activité par demande (MAC : une par activité).")
    def single_activity(self) -> bool:
        return self.kind.single_activity

    @strawberry.field(description="Préfixe du titre qu'elle renouvelle (null : aucun).")
    def renews(self) -> str | None:
        return self.kind.renews

    @strawberry.field(description="Le renouvellement ouvre ce nombre de mois avant l'échéance.")
    def renewal_opens_months_before(self) -> int | None:
        return self.kind.renewal_opens_months if self.kind.renews else None

    @strawberry.field(
        description="Confirmée au moins ce nombre de mois avant l'échéance, la demande donne "
        "aussitôt un récépissé."
    )
    def receipt_months_before(self) -> int | None:
        return self.kind.receipt_months if self.kind.receipt_title else None

    @strawberry.field(description="Les champs du formulaire.")
    def fields(self) -> list[DossierFormField]:
        return [
            DossierFormField(
                name=f.name,
                label=f.label.get(self.locale),
                type=FieldType(f.type.value),
                required_when=Situation(f.situation.value) if f.situation else None,
                max_length=f.max_length,
            )
            for f in self.kind.fields
        ]

    @strawberry.field(description="Les pièces exigées, chacune dans sa situation.")
    def documents(self) -> list[DossierDocumentRule]:
        return [
            DossierDocumentRule(
                code=d.code,
                label=d.label.get(self.locale),
                required_when=Situation(d.situation.value),
                max_age_months=d.max_age_months,
                one_per_unit_of=d.per_field,
            )
            for d in self.kind.documents
        ]


def dossier_kinds(info: Info, pack: b.TenantPack) -> list[DossierKindNode]:
    if not pack.offers(b.Capability.DOSSIERS):
        return []
    return [
        DossierKindNode(kind=k, locale=info.context.locale, pack=pack) for k in pack.dossier_kinds
    ]
