"""Error codes of the auth area, with their French and English messages."""

from __future__ import annotations

from enum import StrEnum

from tenants.errors import Message, register_codes


class AuthCode(StrEnum):
    INVALID_EMAIL = "INVALID_EMAIL"
    EMAIL_ALREADY_REGISTERED = "EMAIL_ALREADY_REGISTERED"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    BIRTH_DATE_IN_FUTURE = "BIRTH_DATE_IN_FUTURE"
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"  # noqa: S105
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"  # noqa: S105
    PASSWORD_TOO_FEW_CHARACTER_CLASSES = "PASSWORD_TOO_FEW_CHARACTER_CLASSES"  # noqa: S105
    PASSWORD_TOO_COMMON = "PASSWORD_TOO_COMMON"  # noqa: S105
    PASSWORD_UNCHANGED = "PASSWORD_UNCHANGED"  # noqa: S105
    CURRENT_PASSWORD_INCORRECT = "CURRENT_PASSWORD_INCORRECT"  # noqa: S105
    TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105
    TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105
    TOKEN_ALREADY_USED = "TOKEN_ALREADY_USED"  # noqa: S105
    EMAIL_ALREADY_CONFIRMED = "EMAIL_ALREADY_CONFIRMED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    EMAIL_NOT_CONFIRMED = "EMAIL_NOT_CONFIRMED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    REFRESH_TOKEN_INVALID = "REFRESH_TOKEN_INVALID"  # noqa: S105
    REFRESH_TOKEN_EXPIRED = "REFRESH_TOKEN_EXPIRED"  # noqa: S105
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"  # noqa: S105
    SESSION_REVOKED = "SESSION_REVOKED"
    AUTHENTICATION_REQUIRED = "AUTHENTICATION_REQUIRED"
    PASSWORD_CHANGE_REQUIRED = "PASSWORD_CHANGE_REQUIRED"  # noqa: S105
    FORBIDDEN = "FORBIDDEN"
    OUTSIDE_DELEGATION = "OUTSIDE_DELEGATION"
    ORGANISATION_NOT_VALIDATED = "ORGANISATION_NOT_VALIDATED"
    PERMISSION_MISSING = "PERMISSION_MISSING"
    MANDATE_NOT_ACCEPTED = "MANDATE_NOT_ACCEPTED"
    MANDATE_REFUSED = "MANDATE_REFUSED"
    MANDATE_REVOKED = "MANDATE_REVOKED"
    MANDATE_EXPIRED = "MANDATE_EXPIRED"
    MANDATE_SCOPE_MISSING = "MANDATE_SCOPE_MISSING"


M = Message

MESSAGES = {
    AuthCode.INVALID_EMAIL: M(
        "Cette adresse électronique n'est pas valide.", "This e-mail address is not valid."
    ),
    AuthCode.EMAIL_ALREADY_REGISTERED: M(
        "Un compte existe déjà avec cette adresse électronique.",
        "An account already exists with this e-mail address.",
    ),
    AuthCode.INVALID_PHONE: M(
        "Le numéro de téléphone doit comporter l'indicatif du pays (ex. +33 6 12 34 56 78).",
        "The phone number must include the country code (e.g. +33 6 12 34 56 78).",
    ),
    AuthCode.INVALID_COUNTRY: M(
        "Pays inconnu : utilisez le code ISO 3166 à deux lettres (ex. FR).",
        "Unknown country: use the two-letter ISO 3166 code (e.g. FR).",
    ),
    AuthCode.INVALID_POSTAL_CODE: M(
        "Ce code postal n'est pas valide : 5 chiffres (ex. 44000).",
        "This postal code is not valid: 5 digits (e.g. 44000).",
    ),
    AuthCode.BIRTH_DATE_IN_FUTURE: M(
        "La date de naissance ne peut pas être dans le futur.",
        "The birth date cannot be in the future.",
    ),
    AuthCode.TERMS_NOT_ACCEPTED: M(
        "Vous devez certifier avoir lu et accepter les conditions d'utilisation du téléservice.",
        "You must certify that you have read and accept the online service's terms of use.",
    ),
    AuthCode.PASSWORD_TOO_SHORT: M(
        "Le mot de passe doit contenir au moins {min} caractères.",
        "The password must be at least {min} characters long.",
    ),
    AuthCode.PASSWORD_TOO_LONG: M(
        "Le mot de passe doit contenir au plus {max} caractères.",
        "The password must be at most {max} characters long.",
    ),
    AuthCode.PASSWORD_TOO_FEW_CHARACTER_CLASSES: M(
        "Le mot de passe doit contenir au moins {required} des caractères suivants : "
        "majuscule, minuscule, chiffre, caractère spécial.",
        "The password must contain at least {required} of: uppercase letter, lowercase "
        "letter, digit, special character.",
    ),
    AuthCode.PASSWORD_TOO_COMMON: M(
        "Ce mot de passe est trop courant : choisissez-en un autre.",
        "This password is too common: choose another one.",
    ),
    AuthCode.PASSWORD_UNCHANGED: M(
        "Le nouveau mot de passe doit être différent de l'actuel.",
        "The new password must differ from the current one.",
    ),
    AuthCode.CURRENT_PASSWORD_INCORRECT: M(
        "Le mot de passe actuel est incorrect.", "The current password is incorrect."
    ),
    AuthCode.TOKEN_INVALID: M(
        "Ce lien n'est pas valide. Vérifiez que vous avez copié le lien en entier.",
        "This link is not valid. Check that you copied the whole link.",
    ),
    AuthCode.TOKEN_EXPIRED: M(
        "Ce lien a expiré. Demandez-en un nouveau.", "This link has expired. Ask for a new one."
    ),
    AuthCode.TOKEN_ALREADY_USED: M(
        "Ce lien a déjà été utilisé.", "This link has already been used."
    ),
    AuthCode.EMAIL_ALREADY_CONFIRMED: M(
        "Cette adresse électronique est déjà confirmée.",
        "This e-mail address is already confirmed.",
    ),
    AuthCode.INVALID_CREDENTIALS: M(
        "Adresse électronique ou mot de passe incorrect.", "Incorrect e-mail or password."
    ),
    AuthCode.EMAIL_NOT_CONFIRMED: M(
        "Votre adresse électronique n'est pas encore confirmée : cliquez sur le lien du "
        "courriel que nous vous avons envoyé, ou demandez-en un nouveau.",
        "Your e-mail address is not confirmed yet: follow the link in the e-mail we sent "
        "you, or ask for a new one.",
    ),
    AuthCode.ACCOUNT_LOCKED: M(
        "Trop de tentatives de connexion échouées : réessayez dans {retry_after} secondes "
        "ou réinitialisez votre mot de passe.",
        "Too many failed sign-in attempts: try again in {retry_after} seconds or reset "
        "your password.",
    ),
    AuthCode.REFRESH_TOKEN_INVALID: M(
        "Session inconnue : reconnectez-vous.", "Unknown session: sign in again."
    ),
    AuthCode.REFRESH_TOKEN_EXPIRED: M(
        "Votre session a expiré : reconnectez-vous.", "Your session has expired: sign in again."
    ),
    AuthCode.REFRESH_TOKEN_REUSED: M(
        "Ce jeton a déjà servi : par sécurité, la session a été fermée. Reconnectez-vous.",
        "This token was already used: for safety the session was closed. Sign in again.",
    ),
    AuthCode.SESSION_REVOKED: M(
        "Cette session a été fermée : reconnectez-vous.",
        "This session was closed: sign in again.",
    ),
    AuthCode.AUTHENTICATION_REQUIRED: M("Vous devez être connecté.", "You must be signed in."),
    AuthCode.PASSWORD_CHANGE_REQUIRED: M(
        "Vous devez d'abord changer votre mot de passe.", "You must change your password first."
    ),
    AuthCode.FORBIDDEN: M(
        "Vous n'avez pas le droit de faire cela.", "You are not allowed to do this."
    ),
    AuthCode.OUTSIDE_DELEGATION: M(
        "Cet objet relève d'une autre délégation territoriale que la vôtre.",
        "This object belongs to another regional delegation than yours.",
    ),
    AuthCode.ORGANISATION_NOT_VALIDATED: M(
        "Le compte de l'organisation n'est pas encore validé par l'autorité : seul son "
        "administrateur peut consulter et compléter la demande.",
        "The organisation's account is not validated by the authority yet: only its "
        "administrator may view and complete the request.",
    ),
    AuthCode.PERMISSION_MISSING: M(
        "L'administrateur de l'organisation ne vous a pas délégué ce droit ({permission}).",
        "The organisation's administrator has not delegated this right to you ({permission}).",
    ),
    AuthCode.MANDATE_NOT_ACCEPTED: M(
        "La personne n'a pas encore accepté ce mandat.",
        "The person has not accepted this mandate yet.",
    ),
    AuthCode.MANDATE_REFUSED: M(
        "La personne a refusé ce mandat.", "The person refused this mandate."
    ),
    AuthCode.MANDATE_REVOKED: M(
        "Ce mandat a été révoqué : il ne donne plus aucun droit.",
        "This mandate was revoked: it no longer gives any right.",
    ),
    AuthCode.MANDATE_EXPIRED: M(
        "Ce mandat est arrivé à sa date de fin : il ne donne plus aucun droit.",
        "This mandate has reached its end date: it no longer gives any right.",
    ),
    AuthCode.MANDATE_SCOPE_MISSING: M(
        "Le mandat ne couvre pas cet acte ({scope}).",
        "The mandate does not cover this act ({scope}).",
    ),
}

register_codes(MESSAGES, area="account")
