"""Error codes of delegation: manager invitations, managers and their permissions, transfer
of administration, mandates (trusted third parties), with their French and English messages.

The refusals the policy itself gives (PERMISSION_MISSING, MANDATE_REVOKED, MANDATE_EXPIRED…)
are in `auth.account.errors`; these are the rules of the delegation use-cases.
"""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class DelegationCode(StrEnum):
    INVITATION_INVALID = "INVITATION_INVALID"
    INVITATION_EXPIRED = "INVITATION_EXPIRED"
    INVITATION_ALREADY_USED = "INVITATION_ALREADY_USED"
    INVITATION_REVOKED = "INVITATION_REVOKED"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    PERMISSION_NOT_HELD = "PERMISSION_NOT_HELD"
    ADMINISTRATOR_REQUIRED = "ADMINISTRATOR_REQUIRED"
    ADMINISTRATOR_PERMISSIONS_FIXED = "ADMINISTRATOR_PERMISSIONS_FIXED"
    ALREADY_ADMINISTRATOR = "ALREADY_ADMINISTRATOR"
    MEMBERSHIP_REVOKED = "MEMBERSHIP_REVOKED"
    MANDATE_END_DATE_PAST = "MANDATE_END_DATE_PAST"
    MANDATE_ALREADY_EXISTS = "MANDATE_ALREADY_EXISTS"
    MANDATE_ALREADY_ACCEPTED = "MANDATE_ALREADY_ACCEPTED"
    NOTHING_TO_CHANGE = "NOTHING_TO_CHANGE"


M = Message

MESSAGES = {
    DelegationCode.INVITATION_INVALID: M(
        "Ce lien d'invitation n'est pas valide. Vérifiez que vous avez copié le lien en entier.",
        "This invitation link is not valid. Check that you copied the whole link.",
    ),
    DelegationCode.INVITATION_EXPIRED: M(
        "Cette invitation a expiré : demandez à l'organisation de vous inviter à nouveau.",
        "This invitation has expired: ask the organisation to invite you again.",
    ),
    DelegationCode.INVITATION_ALREADY_USED: M(
        "Cette invitation a déjà été acceptée.", "This invitation has already been accepted."
    ),
    DelegationCode.INVITATION_REVOKED: M(
        "Cette invitation a été retirée ou remplacée par une plus récente.",
        "This invitation was withdrawn or replaced by a newer one.",
    ),
    DelegationCode.ALREADY_MEMBER: M(
        "Cette personne agit déjà pour l'organisation.",
        "This person already acts for the organisation.",
    ),
    DelegationCode.PERMISSION_NOT_HELD: M(
        "Vous ne pouvez pas déléguer ni retirer un droit que vous n'avez pas vous-même "
        "({permission}).",
        "You cannot delegate or withdraw a right you do not hold yourself ({permission}).",
    ),
    DelegationCode.ADMINISTRATOR_REQUIRED: M(
        "Une organisation a toujours un administrateur : transmettez d'abord l'administration "
        "à un gestionnaire.",
        "An organisation always has an administrator: transfer the administration to a "
        "manager first.",
    ),
    DelegationCode.ADMINISTRATOR_PERMISSIONS_FIXED: M(
        "L'administrateur détient tous les droits : ils ne se modifient pas.",
        "The administrator holds every right: they cannot be changed.",
    ),
    DelegationCode.ALREADY_ADMINISTRATOR: M(
        "Cette personne est déjà l'administrateur de l'organisation.",
        "This person is already the organisation's administrator.",
    ),
    DelegationCode.MEMBERSHIP_REVOKED: M(
        "Cette personne n'agit plus pour l'organisation.",
        "This person no longer acts for the organisation.",
    ),
    DelegationCode.MANDATE_END_DATE_PAST: M(
        "La date de fin du mandat ne peut pas être passée.",
        "The mandate's end date cannot be in the past.",
    ),
    DelegationCode.MANDATE_ALREADY_EXISTS: M(
        "Un mandat est déjà demandé à cette adresse ou en cours entre cette organisation et "
        "cette personne.",
        "A mandate is already requested of this address or in force between this organisation "
        "and this person.",
    ),
    DelegationCode.MANDATE_ALREADY_ACCEPTED: M(
        "Ce mandat est déjà accepté.", "This mandate is already accepted."
    ),
    DelegationCode.NOTHING_TO_CHANGE: M(
        "Indiquez au moins une information à modifier.", "Give at least one thing to change."
    ),
}

register_codes(MESSAGES, area="delegation")
