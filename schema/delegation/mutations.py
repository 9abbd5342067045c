"""Mutations of delegation: managers, invitations, administration, mandates, and the first
act a trusted third party can do for a person (`updatePersonContact`)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from auth.account import person_contact
from auth.account.onboarding import AddressData
from auth.delegation import invitations, managers, mandates
from auth.standing import memberships_of
from schema.account.mutations import AddressInput
from schema.account.types import PersonNode
from schema.context import Info
from schema.delegation.types import InvitationNode, MandateNode, MandateScope
from schema.errors import UserError
from schema.ids import id_of
from schema.organisation.enums import Permission
from schema.transactions import run_mutation
from tenants.mandates import Mandate as MandateRow
from tenants.organisations import Membership as MembershipRow

if TYPE_CHECKING:
    from schema.organisation.types import MembershipNode

MembershipType = Annotated["MembershipNode", strawberry.lazy("schema.organisation.types")]


def _membership(row: MembershipRow) -> MembershipNode:
    from schema.organisation.types import MembershipNode

    return MembershipNode.from_row(row)


async def _refresh_actor(info: Info) -> None:
    """After a change of the viewer's own memberships (an invitation accepted, the
    administration transferred), the payload's fields are resolved with the new rights."""
    actor = info.context.actor
    if actor is None or actor.is_agent:
        return
    async with info.context.read_session() as session:
        facts = await memberships_of(session, actor.person_id)
    info.context.actor = dataclasses.replace(actor, memberships=facts)


# Inputs and payloads


@strawberry.input(description="Inviter une personne, par courriel, à devenir gestionnaire.")
class InviteManagerInput:
    organisation_id: strawberry.ID
    email: str | None = None
    permissions: list[Permission] = strawberry.field(
        default_factory=list, description="Les droits délégués (au plus ceux qu'on détient)."
    )


@strawberry.type
class InvitationPayload:
    invitation: InvitationNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Accepter une invitation avec le jeton du lien reçu (connecté).")
class AcceptInvitationInput:
    token: str


@strawberry.input
class RevokeInvitationInput:
    invitation_id: strawberry.ID


@strawberry.type
class MembershipPayload:
    membership: MembershipType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Remplacer les droits d'un gestionnaire.")
class SetManagerPermissionsInput:
    membership_id: strawberry.ID
    permissions: list[Permission]


@strawberry.input
class RevokeManagerInput:
    membership_id: strawberry.ID


@strawberry.input(description="Transmettre l'administration à un gestionnaire actif.")
class TransferAdministrationInput:
    membership_id: strawberry.ID = strawberry.field(
        description="L'adhésion du gestionnaire qui devient administrateur."
    )


@strawberry.type
class TransferAdministrationPayload:
    administrator: MembershipType | None = strawberry.field(
        default=None, description="Le nouvel administrateur."
    )
    previous_administrator: MembershipType | None = strawberry.field(
        default=None, description="L'ancien administrateur, désormais gestionnaire."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Demander à une personne un mandat de tiers de confiance.")
class RequestMandateInput:
    organisation_id: strawberry.ID
    email: str | None = strawberry.field(
        default=None,
        description="L'adresse de la personne. Sans compte à cette adresse, elle reçoit une "
        "invitation à en ouvrir un et la demande l'attend ; la réponse est la même dans les deux "
        "cas.",
    )
    scopes: list[MandateScope] = strawberry.field(default_factory=list)
    ends_on: date | None = strawberry.field(
        default=None,
        description="Dernier jour du mandat (heure de Paris) ; sans date, jusqu'à révocation.",
    )


@strawberry.input
class MandateInput:
    mandate_id: strawberry.ID


@strawberry.type
class MandatePayload:
    mandate: MandateNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Changer le téléphone et/ou l'adresse d'une personne : elle-même, ou un tiers "
    "de confiance sous un mandat en vigueur couvrant le dépôt de demandes."
)
class UpdatePersonContactInput:
    person_id: strawberry.ID
    phone: str | None = strawberry.field(
        default=None, description="Absent : inchangé ; vide : supprimé. Avec l'indicatif du pays."
    )
    address: AddressInput | None = strawberry.field(
        default=None, description="Absente : inchangée ; sinon remplacée entière."
    )
    mandate_id: strawberry.ID | None = strawberry.field(
        default=None, description="Le mandat invoqué (facultatif : sinon, le premier en vigueur)."
    )


@strawberry.type
class UpdatePersonContactPayload:
    person: PersonNode | None = strawberry.field(
        default=None,
        description="La personne, si l'on peut la voir (elle-même, ou un mandat couvrant le "
        "suivi des demandes).",
    )
    mandate: MandateNode | None = strawberry.field(
        default=None, description="Le mandat sur lequel l'acte repose (tiers de confiance)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _address(given: AddressInput | None) -> AddressData | None:
    if given is None:
        return None
    return AddressData(
        line1=given.line1,
        line2=given.line2,
        postal_code=given.postal_code,
        city=given.city,
        country=given.country,
    )


def _values(items: list[Permission] | list[MandateScope]) -> list[str]:
    return [str(item.value) for item in items]


@strawberry.type
class DelegationMutations:
    @strawberry.mutation(
        description="Inviter un gestionnaire : un lien valable 7 jours est envoyé par courriel "
        "(il remplace une invitation non utilisée à la même adresse)."
    )
    async def invite_manager(self, info: Info, input: InviteManagerInput) -> InvitationPayload:
        result = await run_mutation(
            info,
            lambda ctx: invitations.invite_manager(
                ctx,
                id_of(input.organisation_id, "Organisation"),
                input.email,
                _values(input.permissions),
            ),
        )
        if isinstance(result, list):
            return InvitationPayload(errors=result)
        return InvitationPayload(invitation=InvitationNode.from_row_in(info, result))

    @strawberry.mutation(
        description="Accepter une invitation : la personne connectée devient gestionnaire."
    )
    async def accept_invitation(
        self, info: Info, input: AcceptInvitationInput
    ) -> MembershipPayload:
        result = await run_mutation(
            info, lambda ctx: invitations.accept_invitation(ctx, input.token)
        )
        if isinstance(result, list):
            return MembershipPayload(errors=result)
        await _refresh_actor(info)
        return MembershipPayload(membership=_membership(result))

    @strawberry.mutation(description="Retirer une invitation en attente.")
    async def revoke_invitation(
        self, info: Info, input: RevokeInvitationInput
    ) -> InvitationPayload:
        result = await run_mutation(
            info,
            lambda ctx: invitations.revoke_invitation(
                ctx, id_of(input.invitation_id, "Invitation")
            ),
        )
        if isinstance(result, list):
            return InvitationPayload(errors=result)
        return InvitationPayload(invitation=InvitationNode.from_row_in(info, result))

    @strawberry.mutation(description="Remplacer les droits délégués à un gestionnaire.")
    async def set_manager_permissions(
        self, info: Info, input: SetManagerPermissionsInput
    ) -> MembershipPayload:
        result = await run_mutation(
            info,
            lambda ctx: managers.set_manager_permissions(
                ctx, id_of(input.membership_id, "Membership"), _values(input.permissions)
            ),
        )
        if isinstance(result, list):
            return MembershipPayload(errors=result)
        return MembershipPayload(membership=_membership(result))

    @strawberry.mutation(description="Révoquer un gestionnaire (jamais l'administrateur).")
    async def revoke_manager(self, info: Info, input: RevokeManagerInput) -> MembershipPayload:
        result = await run_mutation(
            info,
            lambda ctx: managers.revoke_manager(ctx, id_of(input.membership_id, "Membership")),
        )
        if isinstance(result, list):
            return MembershipPayload(errors=result)
        return MembershipPayload(membership=_membership(result))

    @strawberry.mutation(
        description="Transmettre l'administration à un gestionnaire ; l'administrateur reste "
        "gestionnaire avec tous les droits."
    )
    async def transfer_administration(
        self, info: Info, input: TransferAdministrationInput
    ) -> TransferAdministrationPayload:
        result = await run_mutation(
            info,
            lambda ctx: managers.transfer_administration(
                ctx, id_of(input.membership_id, "Membership")
            ),
        )
        if isinstance(result, list):
            return TransferAdministrationPayload(errors=result)
        await _refresh_actor(info)
        return TransferAdministrationPayload(
            administrator=_membership(result.administrator),
            previous_administrator=_membership(result.previous),
        )

    @strawberry.mutation(
        description="Demander un mandat de tiers de confiance à une personne (par l'adresse de "
        "son compte) ; elle est prévenue par courriel."
    )
    async def request_mandate(self, info: Info, input: RequestMandateInput) -> MandatePayload:
        result = await run_mutation(
            info,
            lambda ctx: mandates.request_mandate(
                ctx,
                id_of(input.organisation_id, "Organisation"),
                input.email,
                _values(input.scopes),
                input.ends_on,
            ),
        )
        return _mandate_payload(info, result)

    @strawberry.mutation(description="Accepter un mandat qui m'est demandé.")
    async def accept_mandate(self, info: Info, input: MandateInput) -> MandatePayload:
        result = await run_mutation(
            info,
            lambda ctx: mandates.accept_mandate(ctx, id_of(input.mandate_id, "Mandate")),
        )
        return _mandate_payload(info, result)

    @strawberry.mutation(description="Refuser un mandat qui m'est demandé.")
    async def refuse_mandate(self, info: Info, input: MandateInput) -> MandatePayload:
        result = await run_mutation(
            info,
            lambda ctx: mandates.refuse_mandate(ctx, id_of(input.mandate_id, "Mandate")),
        )
        return _mandate_payload(info, result)

    @strawberry.mutation(
        description="Révoquer un mandat (la personne, ou l'organisation) ; l'autre partie est "
        "prévenue par courriel. Il ne donne plus aucun droit."
    )
    async def revoke_mandate(self, info: Info, input: MandateInput) -> MandatePayload:
        result = await run_mutation(
            info,
            lambda ctx: mandates.revoke_mandate(ctx, id_of(input.mandate_id, "Mandate")),
        )
        return _mandate_payload(info, result)

    @strawberry.mutation(
        description="Changer le téléphone ou l'adresse d'une personne (elle-même, ou un tiers "
        "de confiance sous mandat) ; l'acte est enregistré avec le mandat invoqué."
    )
    async def update_person_contact(
        self, info: Info, input: UpdatePersonContactInput
    ) -> UpdatePersonContactPayload:
        change = person_contact.ContactChange(phone=input.phone, address=_address(input.address))
        mandate_id = id_of(input.mandate_id, "Mandate")
        result = await run_mutation(
            info,
            lambda ctx: person_contact.update_person_contact(
                ctx, id_of(input.person_id, "Person"), change, mandate_id
            ),
        )
        if isinstance(result, list):
            return UpdatePersonContactPayload(errors=result)
        mandate = None
        if result.mandate is not None:
            [mandate] = await MandateNode.resolve_nodes(
                info=info, node_ids=[str(result.mandate.mandate_id)]
            )
        return UpdatePersonContactPayload(
            person=PersonNode.from_row(result.person) if result.may_view_person else None,
            mandate=mandate,
        )


def _mandate_payload(info: Info, result: MandateRow | list[UserError]) -> MandatePayload:
    if isinstance(result, list):
        return MandatePayload(errors=result)
    return MandatePayload(mandate=MandateNode.from_row_in(info, result))
