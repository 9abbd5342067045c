"""Queries of the public services, open to anyone without an account: the security code and
the verifications. Each runs in one transaction (its counters are kept even when it refuses)."""

from __future__ import annotations

from typing import Annotated, TypeVar

import strawberry

from dossiers.dossier.numbers import clean_number
from dossiers.public import verification as v
from dossiers.public.challenges import new_challenge
from dossiers.public.tracking import track_dossier
from schema.context import Info
from schema.public.types import (
    DossierTracking,
    SecurityChallenge,
    TrackDossierInput,
    TrackDossierPayload,
    Verification,
    VerifyAuthorisationInput,
    VerifyAuthorisationPayload,
    VerifyTitleInput,
    VerifyTitlePayload,
)
from schema.transactions import run_mutation

T = TypeVar("T")

PublicInput = Annotated[
    T,
    strawberry.argument(description="Ce qui est vérifié, avec le code de sécurité."),
]


@strawberry.type
class PublicQueries:
    @strawberry.field(
        description="Un code de sécurité à résoudre avant une vérification publique (sans "
        "compte) ; chaque code sert une fois."
    )
    def security_challenge(self, info: Info) -> SecurityChallenge:
        services = info.context.services
        return SecurityChallenge.of(new_challenge(services.public.challenges, services.clock.now()))

    @strawberry.field(
        description="Vérifier un titre (carte, autorisation préalable ou provisoire, "
        "récépissé, agrément) : valide, non valide ou inconnu, avec l'heure de la consultation. "
        "Une erreur de nom et un numéro inconnu donnent la même réponse."
    )
    async def verify_title(
        self, info: Info, input: PublicInput[VerifyTitleInput]
    ) -> VerifyTitlePayload:
        public = info.context.services.public
        return await run_mutation(
            info,
            lambda ctx: v.verify_title(
                ctx, public, input.family_name, input.digits, input.security_code
            ),
            VerifyTitlePayload,
            lambda found: VerifyTitlePayload(verification=Verification.of(info, found)),
        )

    @strawberry.field(
        description="Vérifier l'autorisation d'exercer d'une entreprise ou d'un organisme de "
        "formation par le SIRET de l'établissement : valide, non valide ou inconnue."
    )
    async def verify_authorisation(
        self, info: Info, input: PublicInput[VerifyAuthorisationInput]
    ) -> VerifyAuthorisationPayload:
        public = info.context.services.public
        return await run_mutation(
            info,
            lambda ctx: v.verify_authorisation(
                ctx, public, input.siret, input.digits, input.security_code
            ),
            VerifyAuthorisationPayload,
            lambda found: VerifyAuthorisationPayload(verification=Verification.of(info, found)),
        )

    @strawberry.field(
        description="Suivre un dossier (nom de famille du demandeur ou SIRET, numéro, code de "
        "sécurité) : son état et ses dates, rien de personnel."
    )
    async def track_dossier(
        self, info: Info, input: PublicInput[TrackDossierInput]
    ) -> TrackDossierPayload:
        public = info.context.services.public
        number = clean_number(input.number) or ""
        return await run_mutation(
            info,
            lambda ctx: track_dossier(
                ctx, public, input.family_name, input.siret, input.number, input.security_code
            ),
            TrackDossierPayload,
            lambda found: TrackDossierPayload(tracking=DossierTracking.of(info, number, found)),
        )
