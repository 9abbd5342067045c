"""Mutations of titles decided by the authority's agents: suspend, withdraw (final). Both take
a reason, are decided by the policy for the delegation covering the title's département,
audited, and feed the company space's alerts (`dossiers.title.issuing.change_title_status`)."""

from __future__ import annotations

import strawberry

from dossiers.title import issuing as titles
from dossiers.title.models import Title
from dossiers.title.models import TitleStatus as TitleStatusValue
from schema.context import Info
from schema.errors import UserError
from schema.ids import uuid_of
from schema.title.types import TitleNode, today
from schema.transactions import MutationInput, run_mutation


@strawberry.input(description="Suspendre un titre (agents de la délégation compétente).")
class SuspendTitleInput:
    title_id: strawberry.ID = strawberry.field(description="Le titre.")
    reason: str = strawberry.field(description="Motif de la suspension (obligatoire).")


@strawberry.type(description="Réponse de suspendTitle.")
class SuspendTitlePayload:
    title: TitleNode | None = strawberry.field(default=None, description="Le titre suspendu.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refus.")

    @strawberry.field(description="Vrai si et seulement si aucune erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.input(description="Retirer un titre, définitivement (agents de la délégation).")
class WithdrawTitleInput:
    title_id: strawberry.ID = strawberry.field(description="Le titre.")
    reason: str = strawberry.field(description="Motif du retrait (obligatoire).")


@strawberry.type(description="Réponse de withdrawTitle.")
class WithdrawTitlePayload:
    title: TitleNode | None = strawberry.field(default=None, description="Le titre retiré.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refus.")

    @strawberry.field(description="Vrai si et seulement si aucune erreur.")
    def ok(self) -> bool:
        return not self.errors


@strawberry.type
class TitleMutations:
    @strawberry.mutation(
        description="Suspendre un titre, avec un motif : le titulaire et les entreprises qui "
        "l'emploient en sont alertés."
    )
    async def suspend_title(
        self, info: Info, input: MutationInput[SuspendTitleInput]
    ) -> SuspendTitlePayload:
        title = uuid_of(input.title_id, "Title")

        def fill(row: Title) -> SuspendTitlePayload:
            return SuspendTitlePayload(title=TitleNode.from_row(row, today(info)))

        return await run_mutation(
            info,
            lambda ctx: titles.change_title_status(
                ctx, title, TitleStatusValue.SUSPENDED, input.reason
            ),
            SuspendTitlePayload,
            fill,
        )

    @strawberry.mutation(
        description="Retirer un titre (définitif), avec un motif : le titulaire et les "
        "entreprises qui l'emploient en sont alertés."
    )
    async def withdraw_title(
        self, info: Info, input: MutationInput[WithdrawTitleInput]
    ) -> WithdrawTitlePayload:
        title = uuid_of(input.title_id, "Title")

        def fill(row: Title) -> WithdrawTitlePayload:
            return WithdrawTitlePayload(title=TitleNode.from_row(row, today(info)))

        return await run_mutation(
            info,
            lambda ctx: titles.change_title_status(
                ctx, title, TitleStatusValue.WITHDRAWN, input.reason
            ),
            WithdrawTitlePayload,
            fill,
        )
