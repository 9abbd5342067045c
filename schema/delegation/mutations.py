"""Mutations of delegation: managers, invitations, administration, mandates, and the first
act a trusted third party can do for a person (`updatePersonContact`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import TypeVar

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
from schema.ids import given_uuid, uuid_of
from schema.transactions import MutationInput, MutationPayload, run_mutation
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
    organisation_id: strawberry.ID = strawberry.field(description="L'organisation.")
    email: str = strawberry.field(description="L'adresse où envoyer l'invitation.")
    permissions: list[Permission] = strawberry.field(
        default_factory=list, description="Les droits délégués (au plus ceux qu'on détient)."
    )


@strawberry.type(description="Réponse de `inviteManager`.")
class InviteManagerPayload(MutationPayload):
    invitation: InvitationNode | None = strawberry.field(
        default=None, description="L'invitation envoyée."
    )


@strawberry.input(description="Accepter une invitation avec le jeton du lien reçu (connecté).")
class AcceptInvitationInput:
    token: str = strawberry.field(description="Le jeton du lien reçu par courriel.")


@strawberry.type(description="Réponse de `acceptInvitation`.")
class AcceptInvitationPayload(MutationPayload):
    membership: MembershipNode | None = strawberry.field(
        default=None, description="L'adhésion de la personne connectée, désormais gestionnaire."
    )


@strawberry.input(description="Entrée de `revokeInvitation`.")
class RevokeInvitationInput:
    invitation_id: strawberry.ID = strawberry.field(description="L'invitation en attente.")


@strawberry.type(description="Réponse de `revokeInvitation`.")
class RevokeInvitationPayload(MutationPayload):
    invitation: InvitationNode | None = strawberry.field(
        default=None, description="L'invitation, désormais retirée."
    )


@strawberry.type(description="Ce que répondent les mutations qui changent une adhésion.")
class MembershipResult(MutationPayload):
    membership: MembershipNode | None = strawberry.field(
        default=None, description="L'adhésion, dans son nouvel état."
    )


@strawberry.input(description="Remplacer les droits d'un gestionnaire.")
class SetManagerPermissionsInput:
    membership_id: strawberry.ID = strawberry.field(description="L'adhésion du gestionnaire.")
    permissions: list[Permission] = strawberry.field(
        description="Tous ses droits désormais (au plus ceux qu'on détient)."
    )


@strawberry.type(description="Réponse de `setManagerPermissions`.")
class SetManagerPermissionsPayload(MembershipResult):
    pass


@strawberry.input(description="Entrée de `revokeManager`.")
class RevokeManagerInput:
    membership_id: strawberry.ID = strawberry.field(description="L'adhésion du gestionnaire.")


@strawberry.type(description="Réponse de `revokeManager`.")
class RevokeManagerPayload(MembershipResult):
    pass


@strawberry.input(description="Transmettre l'administration à un gestionnaire actif.")
class TransferAdministrationInput:
    membership_id: strawberry.ID = strawberry.field(
        description="L'adhésion du gestionnaire qui devient administrateur."
    )


@strawberry.type(description="Réponse de `transferAdministration`.")
class TransferAdministrationPayload(MutationPayload):
    administrator: MembershipNode | None = strawberry.field(
        default=None, description="Le nouvel administrateur."
    )
    previous_administrator: MembershipNode | None = strawberry.field(
        default=None, description="L'ancien administrateur, désormais gestionnaire."
    )


@strawberry.input(description="Demander à une personne un mandat de tiers de confiance.")
class RequestMandateInput:
    organisation_id: strawberry.ID = strawberry.field(
        description="L'organisation qui demande le mandat."
    )
    email: str = strawberry.field(
        description="L'adresse de la personne. Sans compte à cette adresse, elle reçoit une "
        "invitation à en ouvrir un et la demande l'attend ; la réponse est la même dans les deux "
        "cas.",
    )
    scopes: list[MandateScope] = strawberry.field(
        default_factory=list, description="Ce que le mandat couvre."
    )
    ends_on: date | None = strawberry.field(
        default=None,
        description="Dernier jour du mandat (heure de Paris) ; sans date, jusqu'à révocation.",
    )


@strawberry.type(description="Ce que répondent les mutations qui changent un mandat.")
class MandateResult(MutationPayload):
    mandate: MandateNode | None = strawberry.field(
        default=None, description="Le mandat, dans son nouvel état."
    )


@strawberry.type(description="Réponse de `requestMandate`.")
class RequestMandatePayload(MandateResult):
    pass


@strawberry.input(description="Entrée de `acceptMandate`.")
class AcceptMandateInput:
    mandate_id: strawberry.ID = strawberry.field(description="Le mandat demandé.")


@strawberry.type(description="Réponse de `acceptMandate`.")
class AcceptMandatePayload(MandateResult):
    pass


@strawberry.input(description="Entrée de `refuseMandate`.")
class RefuseMandateInput:
    mandate_id: strawberry.ID = strawberry.field(description="Le mandat demandé.")


@strawberry.type(description="Réponse de `refuseMandate`.")
class RefuseMandatePayload(MandateResult):
    pass


@strawberry.input(description="Entrée de `revokeMandate`.")
class RevokeMandateInput:
    mandate_id: strawberry.ID = strawberry.field(description="Le mandat à révoquer.")


@strawberry.type(description="Réponse de `revokeMandate`.")
class RevokeMandatePayload(MandateResult):
    pass


@strawberry.input(
    description="Changer le téléphone et/ou l'adresse d'une personne : elle-même, ou un tiers "
    "de confiance sous un mandat en vigueur couvrant le dépôt de demandes."
)
class UpdatePersonContactInput:
    person_id: strawberry.ID = strawberry.field(description="La personne.")
    phone: str | None = strawberry.field(
        default=None, description="Absent : inchangé ; vide : supprimé. Avec l'indicatif du pays."
    )
    address: AddressInput | None = strawberry.field(
        default=None, description="Absente : inchangée ; sinon remplacée entière."
    )
    mandate_id: strawberry.ID | None = strawberry.field(
        default=None, description="Le mandat invoqué (facultatif : sinon, le premier en vigueur)."
    )


@strawberry.type(description="Réponse de `updatePersonContact`.")
class UpdatePersonContactPayload(MutationPayload):
    person: PersonNode | None = strawberry.field(
        default=None,
        description="La personne, si l'on peut la voir (elle-même, ou un mandat couvrant le "
        "suivi des demandes).",
    )
    mandate: MandateNode | None = strawberry.field(
        default=None, description="Le mandat sur lequel l'acte repose (tiers de confiance)."
    )


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


M = TypeVar("M", bound=MembershipResult)
R = TypeVar("R", bound=MandateResult)
P = TypeVar("P", InviteManagerPayload, RevokeInvitationPayload)


def _membership_payload(payload: Callable[..., M]) -> Callable[[MembershipRow], M]:
    return lambda row: payload(membership=_membership(row))


def _mandate_payload(info: Info, payload: Callable[..., R]) -> Callable[[MandateRow], R]:
    return lambda row: payload(mandate=MandateNode.from_row_in(info, row))


def _invitation_payload(info: Info, payload: Callable[..., P]) -> Callable[[InvitationRow], P]:
    return lambda row: payload(invitation=InvitationNode.from_row_in(info, row))


@strawberry.type
class DelegationMutations:
    @strawberry.mutation(
        description="Inviter un gestionnaire : un lien valable 7 jours est envoyé par courriel "
        "(il remplace une invitation non utilisée à la même adresse)."
    )
    async def invite_manager(
        self, info: Info, input: MutationInput[InviteManagerInput]
    ) -> InviteManagerPayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: invitations.invite_manager(
                ctx, organisation_id, input.email, _values(input.permissions)
            ),
            InviteManagerPayload,
            _invitation_payload(info, InviteManagerPayload),
        )

    @strawberry.mutation(
        description="Accepter une invitation : la personne connectée devient gestionnaire."
    )
    async def accept_invitation(
        self, info: Info, input: MutationInput[AcceptInvitationInput]
    ) -> AcceptInvitationPayload:
        async def accepted(row: MembershipRow) -> AcceptInvitationPayload:
            await _refresh_actor(info)
            return AcceptInvitationPayload(membership=_membership(row))

        return await run_mutation(
            info,
            lambda ctx: invitations.accept_invitation(ctx, input.token),
            AcceptInvitationPayload,
            accepted,
        )

    @strawberry.mutation(description="Retirer une invitation en attente.")
    async def revoke_invitation(
        self, info: Info, input: MutationInput[RevokeInvitationInput]
    ) -> RevokeInvitationPayload:
        invitation_id = uuid_of(input.invitation_id, "Invitation")
        return await run_mutation(
            info,
            lambda ctx: invitations.revoke_invitation(ctx, invitation_id),
            RevokeInvitationPayload,
            _invitation_payload(info, RevokeInvitationPayload),
        )

    @strawberry.mutation(description="Remplacer les droits délégués à un gestionnaire.")
    async def set_manager_permissions(
        self, info: Info, input: MutationInput[SetManagerPermissionsInput]
    ) -> SetManagerPermissionsPayload:
        membership_id = uuid_of(input.membership_id, "Membership")
        return await run_mutation(
            info,
            lambda ctx: managers.set_manager_permissions(
                ctx, membership_id, _values(input.permissions)
            ),
            SetManagerPermissionsPayload,
            _membership_payload(SetManagerPermissionsPayload),
        )

    @strawberry.mutation(description="Révoquer un gestionnaire (jamais l'administrateur).")
    async def revoke_manager(
        self, info: Info, input: MutationInput[RevokeManagerInput]
    ) -> RevokeManagerPayload:
        membership_id = uuid_of(input.membership_id, "Membership")
        return await run_mutation(
            info,
            lambda ctx: managers.revoke_manager(ctx, membership_id),
            RevokeManagerPayload,
            _membership_payload(RevokeManagerPayload),
        )

    @strawberry.mutation(
        description="Transmettre l'administration à un gestionnaire ; l'administrateur reste "
        "gestionnaire avec tous les droits."
    )
    async def transfer_administration(
        self, info: Info, input: MutationInput[TransferAdministrationInput]
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
    async def request_mandate(
        self, info: Info, input: MutationInput[RequestMandateInput]
    ) -> RequestMandatePayload:
        organisation_id = uuid_of(input.organisation_id, "Organisation")
        return await run_mutation(
            info,
            lambda ctx: mandates.request_mandate(
                ctx, organisation_id, input.email, _values(input.scopes), input.ends_on
            ),
            RequestMandatePayload,
            _mandate_payload(info, RequestMandatePayload),
        )

    @strawberry.mutation(description="Accepter un mandat qui m'est demandé.")
    async def accept_mandate(
        self, info: Info, input: MutationInput[AcceptMandateInput]
    ) -> AcceptMandatePayload:
        mandate_id = uuid_of(input.mandate_id, "Mandate")
        return await run_mutation(
            info,
            lambda ctx: mandates.accept_mandate(ctx, mandate_id),
            AcceptMandatePayload,
            _mandate_payload(info, AcceptMandatePayload),
        )

    @strawberry.mutation(description="Refuser un mandat qui m'est demandé.")
    async def refuse_mandate(
        self, info: Info, input: MutationInput[RefuseMandateInput]
    ) -> RefuseMandatePayload:
        mandate_id = uuid_of(input.mandate_id, "Mandate")
        return await run_mutation(
            info,
            lambda ctx: mandates.refuse_mandate(ctx, mandate_id),
            RefuseMandatePayload,
            _mandate_payload(info, RefuseMandatePayload),
        )

    @strawberry.mutation(
        description="Révoquer un mandat (la personne, ou l'organisation) ; l'autre partie est "
        "prévenue par courriel. Il ne donne plus aucun droit."
    )
    async def revoke_mandate(
        self, info: Info, input: MutationInput[RevokeMandateInput]
    ) -> RevokeMandatePayload:
        mandate_id = uuid_of(input.mandate_id, "Mandate")
        return await run_mutation(
            info,
            lambda ctx: mandates.revoke_mandate(ctx, mandate_id),
            RevokeMandatePayload,
            _mandate_payload(info, RevokeMandatePayload),
        )

    @strawberry.mutation(
        description="Changer le téléphone ou l'adresse d'une personne (elle-même, ou un tiers "
        "de confiance sous mandat) ; l'acte est enregistré avec le mandat invoqué."
    )
    async def update_person_contact(
        self, info: Info, input: MutationInput[UpdatePersonContactInput]
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
