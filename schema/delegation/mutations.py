"""Mutations of delegation: managers, invitations, administration, mandates, and the first
act a trusted third party can do for a person (`updatePersonContact`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import strawberry

from auth.account import person_contact
from auth.account.onboarding import AddressData
from auth.delegation import invitations, managers, mandates
from auth.standing import memberships_of
from schema.account.mutations import AddressInput
from schema.account.types import PersonNode
from schema.context import Info
from schema.delegation.enums import Permission
from schema.delegation.members import MembershipNode
from schema.delegation.types import InvitationNode, MandateNode, MandateScope
from schema.errors import UserError
from schema.ids import given_uuid, uuid_of
from schema.transactions import run_mutation
from tenants.mandates import Mandate as MandateRow
from tenants.organisations import Invitation as InvitationRow
from tenants.organisations import Membership as MembershipRow


def _membership(row: MembershipRow) -> MembershipNode:
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
    membership: MembershipNode | None = None
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
    administrator: MembershipNode | None = strawberry.field(
        default=None, description="Le nouvel administrateur."
    )
    previous_administrator: MembershipNode | None = strawberry.field(
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


def _membership_payload(row: MembershipRow) -> MembershipPayload:
    return MembershipPayload(membership=_membership(row))


def _mandate_payload(info: Info) -> Callable[[MandateRow], MandatePayload]:
    return lambda row: MandatePayload(mandate=MandateNode.from_row_in(info, row))


def _invitation_payload(info: Info) -> Callable[[InvitationRow], InvitationPayload]:
    return lambda row: InvitationPayload(invitation=InvitationNode.from_row_in(info, row))


@strawberry.type
class DelegationMutations:
    @strawberry.mutation(
        description="Inviter un gestionnaire : un lien valable 7 jours est envoyé par courriel "
        "(il remplace une invitation non utilisée à la même adresse)."
    )
    async def invite_manager(self, info: Info, input: InviteManagerInput) -> InvitationPayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: invitations.invite_manager(
                ctx, organisation_id, input.email, _values(input.permissions)
            ),
            InvitationPayload,
            _invitation_payload(info),
        )

    @strawberry.mutation(
        description="Accepter une invitation : la personne connectée devient gestionnaire."
    )
    async def accept_invitation(
        self, info: Info, input: AcceptInvitationInput
    ) -> MembershipPayload:
        async def accepted(row: MembershipRow) -> MembershipPayload:
            await _refresh_actor(info)
            return _membership_payload(row)

        return await run_mutation(
            info,
            lambda ctx: invitations.accept_invitation(ctx, input.token),
            MembershipPayload,
            accepted,
        )

    @strawberry.mutation(description="Retirer une invitation en attente.")
    async def revoke_invitation(
        self, info: Info, input: RevokeInvitationInput
    ) -> InvitationPayload:
        invitation_id = uuid_of(input.invitation_id, "Invitation")
        return await run_mutation(
            info,
            lambda ctx: invitations.revoke_invitation(ctx, invitation_id),
            InvitationPayload,
            _invitation_payload(info),
        )

    @strawberry.mutation(description="Remplacer les droits délégués à un gestionnaire.")
    async def set_manager_permissions(
        self, info: Info, input: SetManagerPermissionsInput
    ) -> MembershipPayload:
        membership_id = uuid_of(input.membership_id, "Membership")
        return await run_mutation(
            info,
            lambda ctx: managers.set_manager_permissions(
                ctx, membership_id, _values(input.permissions)
            ),
            MembershipPayload,
            _membership_payload,
        )

    @strawberry.mutation(description="Révoquer un gestionnaire (jamais l'administrateur).")
    async def revoke_manager(self, info: Info, input: RevokeManagerInput) -> MembershipPayload:
        membership_id = uuid_of(input.membership_id, "Membership")
        return await run_mutation(
            info,
            lambda ctx: managers.revoke_manager(ctx, membership_id),
            MembershipPayload,
            _membership_payload,
        )

    @strawberry.mutation(
        description="Transmettre l'administration à un gestionnaire ; l'administrateur reste "
        "gestionnaire avec tous les droits."
    )
    async def transfer_administration(
        self, info: Info, input: TransferAdministrationInput
    ) -> TransferAdministrationPayload:
        membership_id = uuid_of(input.membership_id, "Membership")

        async def transferred(result: managers.Transferred) -> TransferAdministrationPayload:
            await _refresh_actor(info)
            return TransferAdministrationPayload(
                administrator=_membership(result.administrator),
                previous_administrator=_membership(result.previous),
            )

        return await run_mutation(
            info,
            lambda ctx: managers.transfer_administration(ctx, membership_id),
            TransferAdministrationPayload,
            transferred,
        )

    @strawberry.mutation(
        description="Demander un mandat de tiers de confiance à une personne (par l'adresse de "
        "son compte) ; elle est prévenue par courriel."
    )
    async def request_mandate(self, info: Info, input: RequestMandateInput) -> MandatePayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: mandates.request_mandate(
                ctx, organisation_id, input.email, _values(input.scopes), input.ends_on
            ),
            MandatePayload,
            _mandate_payload(info),
        )

    @strawberry.mutation(description="Accepter un mandat qui m'est demandé.")
    async def accept_mandate(self, info: Info, input: MandateInput) -> MandatePayload:
        mandate_id = uuid_of(input.mandate_id, "Mandate")
        return await run_mutation(
            info,
            lambda ctx: mandates.accept_mandate(ctx, mandate_id),
            MandatePayload,
            _mandate_payload(info),
        )

    @strawberry.mutation(description="Refuser un mandat qui m'est demandé.")
    async def refuse_mandate(self, info: Info, input: MandateInput) -> MandatePayload:
        mandate_id = uuid_of(input.mandate_id, "Mandate")
        return await run_mutation(
            info,
            lambda ctx: mandates.refuse_mandate(ctx, mandate_id),
            MandatePayload,
            _mandate_payload(info),
        )

    @strawberry.mutation(
        description="Révoquer un mandat (la personne, ou l'organisation) ; l'autre partie est "
        "prévenue par courriel. Il ne donne plus aucun droit."
    )
    async def revoke_mandate(self, info: Info, input: MandateInput) -> MandatePayload:
        mandate_id = uuid_of(input.mandate_id, "Mandate")
        return await run_mutation(
            info,
            lambda ctx: mandates.revoke_mandate(ctx, mandate_id),
            MandatePayload,
            _mandate_payload(info),
        )

    @strawberry.mutation(
        description="Changer le téléphone ou l'adresse d'une personne (elle-même, ou un tiers "
        "de confiance sous mandat) ; l'acte est enregistré avec le mandat invoqué."
    )
    async def update_person_contact(
        self, info: Info, input: UpdatePersonContactInput
    ) -> UpdatePersonContactPayload:
        change = person_contact.ContactChange(phone=input.phone, address=_address(input.address))
        person_id = uuid_of(input.person_id, "Person")
        mandate_id = given_uuid(input.mandate_id, "Mandate")

        async def updated(result: person_contact.ContactUpdated) -> UpdatePersonContactPayload:
            mandate = None
            if result.mandate is not None:
                [mandate] = await MandateNode.resolve_nodes(
                    info=info, node_ids=[str(result.mandate.mandate_id)]
                )
            return UpdatePersonContactPayload(
                person=PersonNode.from_row(result.person) if result.may_view_person else None,
                mandate=mandate,
            )

        return await run_mutation(
            info,
            lambda ctx: person_contact.update_person_contact(ctx, person_id, change, mandate_id),
            UpdatePersonContactPayload,
            updated,
        )
