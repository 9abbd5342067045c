"""The public services' types (no account): the security code and the verification answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry

from dossiers.public import verification as v
from dossiers.public.challenges import IssuedChallenge
from dossiers.public.receipts import receipt_url, tracking_receipt_url
from dossiers.public.tracking import Tracking
from dossiers.title.models import TitleKind as TitleKindValue
from schema.context import Info
from schema.dossier.enums import DossierStatus
from schema.enums import graphql_enum
from schema.errors import UserError
from schema.title.types import TitleKind

if TYPE_CHECKING:
    from dossiers.public.verification import VerificationResult
else:
    VerificationResult = graphql_enum(
        v.VerificationResult,
        "VerificationResult",
        "Réponse d'une vérification publique.",
        {
            v.VerificationResult.VALID: "Valide",
            v.VerificationResult.NOT_VALID: "Non valide : expiré, suspendu ou retiré",
            v.VerificationResult.UNKNOWN: "Inconnu : vérifiez votre saisie, puis interrogez la "
            "délégation territoriale (une erreur de saisie et un titre inconnu donnent la même "
            "réponse)",
        },
    )


@strawberry.type(
    description="Un code de sécurité à calculer (preuve de travail ALTCHA, sans tiers) : le "
    "widget ALTCHA du navigateur le résout et renvoie sa charge utile en base64, à donner en "
    "securityCode. Chaque code ne sert qu'une fois."
)
class SecurityChallenge:
    algorithm: str = strawberry.field(description="Algorithme de hachage (SHA-256).")
    challenge: str = strawberry.field(description="Empreinte à retrouver.")
    max_number: int = strawberry.field(description="Plus grand nombre à essayer.")
    salt: str = strawberry.field(description="Sel (porte la date d'expiration).")
    signature: str = strawberry.field(description="Signature HMAC du serveur.")
    expires_at: datetime = strawberry.field(description="Le code doit servir avant cet instant.")

    @classmethod
    def of(cls, made: IssuedChallenge) -> SecurityChallenge:
        return cls(
            algorithm=made.algorithm,
            challenge=made.challenge,
            max_number=made.max_number,
            salt=made.salt,
            signature=made.signature,
            expires_at=made.expires_at,
        )


@strawberry.type(description="Le résultat d'une vérification publique, à sa date et heure.")
class Verification:
    result: VerificationResult = strawberry.field(description="Valide, non valide ou inconnu.")
    checked_at: datetime = strawberry.field(description="Date et heure de la consultation.")
    title_kind: TitleKind | None = strawberry.field(
        description="Sorte du titre trouvé (null quand inconnu)."
    )
    expires_on: date | None = strawberry.field(
        description="Date d'échéance du titre trouvé (null quand inconnu)."
    )
    print_url: str = strawberry.field(
        description="Page imprimable du résultat, avec la date et l'heure de la consultation "
        "(lien signé valable 24 heures)."
    )

    @classmethod
    def of(cls, info: Info, found: v.Verification) -> Verification:
        tokens = info.context.services.auth.tokens
        return cls(
            result=VerificationResult(found.result.value),
            checked_at=found.checked_at,
            title_kind=TitleKind(TitleKindValue(found.title_kind)) if found.title_kind else None,
            expires_on=found.expires_on,
            print_url=receipt_url(tokens, info.context.pack.slug, found),
        )


@strawberry.input(description="Vérifier un titre : nom de famille, 7 derniers chiffres, code.")
class VerifyTitleInput:
    family_name: str = strawberry.field(description="Nom de famille du titulaire.")
    digits: str = strawberry.field(description="Les 7 derniers chiffres du numéro du titre.")
    security_code: str = strawberry.field(
        description="Solution du code de sécurité (securityChallenge), en base64."
    )


@strawberry.type(description="Réponse de verifyTitle.")
class VerifyTitlePayload:
    verification: Verification | None = strawberry.field(
        default=None, description="Le résultat (null en cas d'erreur)."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Erreurs de saisie, code refusé, trop de demandes."
    )

    @strawberry.field(description="Vrai si et seulement si aucune erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(
    description="Vérifier l'autorisation d'exercer d'une entreprise : SIRET de "
    "l'établissement, 7 derniers chiffres, code."
)
class VerifyAuthorisationInput:
    siret: str = strawberry.field(description="SIRET de l'établissement (14 chiffres).")
    digits: str = strawberry.field(
        description="Les 7 derniers chiffres du numéro de l'autorisation."
    )
    security_code: str = strawberry.field(
        description="Solution du code de sécurité (securityChallenge), en base64."
    )


@strawberry.type(description="Réponse de verifyAuthorisation.")
class VerifyAuthorisationPayload:
    verification: Verification | None = strawberry.field(
        default=None, description="Le résultat (null en cas d'erreur)."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Erreurs de saisie, code refusé, trop de demandes."
    )

    @strawberry.field(description="Vrai si et seulement si aucune erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.type(
    description="Le suivi public d'un dossier : son état et ses dates, rien de personnel."
)
class DossierTracking:
    found: bool = strawberry.field(
        description="Faux pour un numéro inconnu, un nom ou un SIRET qui ne correspond pas, ou "
        "un dossier pas encore déposé : la même réponse."
    )
    checked_at: datetime = strawberry.field(description="Date et heure de la consultation.")
    kind_code: str | None = strawberry.field(description="Code de la sorte de demande.")
    kind_label: str | None = strawberry.field(description="Libellé de la sorte de demande.")
    status: DossierStatus | None = strawberry.field(
        description="État du dossier (jamais brouillon ni en attente de confirmation)."
    )
    submitted_at: datetime | None = strawberry.field(description="Date du dépôt.")
    updated_at: datetime | None = strawberry.field(description="Date de la dernière étape.")
    decided_at: datetime | None = strawberry.field(description="Date de la décision.")
    print_url: str = strawberry.field(
        description="Page imprimable du suivi, avec la date et l'heure de la consultation "
        "(lien signé valable 24 heures)."
    )

    @classmethod
    def of(cls, info: Info, number: str, found: Tracking) -> DossierTracking:
        pack = info.context.pack
        kind = pack.dossier_kind(found.kind) if found.kind else None
        return cls(
            found=found.found,
            checked_at=found.checked_at,
            kind_code=found.kind,
            kind_label=kind.label.get(info.context.locale) if kind else None,
            status=DossierStatus(found.status.value) if found.status else None,
            submitted_at=found.submitted_at,
            updated_at=found.updated_at,
            decided_at=found.decided_at,
            print_url=tracking_receipt_url(
                info.context.services.auth.tokens, pack.slug, number, found
            ),
        )


@strawberry.input(
    description="Suivre un dossier : nom de famille du demandeur OU SIRET de l'établissement, "
    "numéro du dossier, code de sécurité."
)
class TrackDossierInput:
    number: str = strawberry.field(description="Numéro du dossier (AAAA-DDD-NNNNNNN).")
    security_code: str = strawberry.field(
        description="Solution du code de sécurité (securityChallenge), en base64."
    )
    family_name: str | None = strawberry.field(
        default=None, description="Nom de famille du demandeur (personne)."
    )
    siret: str | None = strawberry.field(
        default=None, description="SIRET de l'établissement (demande d'une organisation)."
    )


@strawberry.type(description="Réponse de trackDossier.")
class TrackDossierPayload:
    tracking: DossierTracking | None = strawberry.field(
        default=None, description="Le suivi (null en cas d'erreur)."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Erreurs de saisie, code refusé, trop de demandes."
    )

    @strawberry.field(description="Vrai si et seulement si aucune erreur.")
    def ok(self) -> bool:
        return not self.errors
