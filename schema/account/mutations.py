"""Onboarding and sign-in mutations: thin wrappers over `auth` services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import strawberry

from auth.account import onboarding, recovery, sessions, signin
from auth.account.models import Account, AuthSession
from auth.account.onboarding import AddressData, RegistrationData
from schema.account.types import AccountNode, SessionNode
from schema.context import Info
from schema.habilitation.mutations import RequestHabilitationInput
from schema.habilitation.types import HabilitationRequestNode
from schema.ids import uuid_of
from schema.transactions import MutationInput, MutationPayload, run_mutation
from tenants.packs import PACKS
from tenants.packs.base import RegistrationField


@strawberry.input(description="Adresse postale (exigée par cnaps).")
class AddressInput:
    line1: str | None = strawberry.field(default=None, description="Numéro et voie.")
    line2: str | None = strawberry.field(default=None, description="Complément d'adresse.")
    postal_code: str | None = strawberry.field(default=None, description="Code postal.")
    city: str | None = strawberry.field(default=None, description="Commune.")
    country: str | None = strawberry.field(default=None, description="Code ISO 3166 (FR).")


def _by_tenant(field: RegistrationField, what: str) -> Any:
    """A registration field, its description saying which portals require, accept or ignore
    it (read from the packs, so it stays true)."""
    required = [slug for slug, pack in PACKS.items() if pack.requires(field)]
    optional = [
        slug for slug, pack in PACKS.items() if pack.accepts(field) and slug not in required
    ]
    ignored = [slug for slug, pack in PACKS.items() if not pack.accepts(field)]
    if not optional and not ignored:
        return strawberry.field(description=f"{what} Exigé par tous les portails.")
    said = [
        f"{label} : {', '.join(slugs)}"
        for label, slugs in (("exigé", required), ("facultatif", optional), ("ignoré", ignored))
        if slugs
    ]
    return strawberry.field(default=None, description=f"{what} Champ {' ; '.join(said)}.")


F = RegistrationField


@strawberry.input(
    description="Inscription, même forme pour tous les portails. Les champs que tous exigent "
    "sont non nuls ; les autres dépendent du portail (`tenant { registrationFields }`) : un "
    "champ exigé manquant est une erreur REQUIRED sur ce champ, un champ que le portail "
    "n'utilise pas est ignoré (sa description le dit)."
)
class RegisterInput:
    email: str = strawberry.field(
        description="L'adresse du compte : son identifiant de connexion, où le lien de "
        "confirmation est envoyé. Exigé par tous les portails."
    )
    password: str = strawberry.field(
        description="Le mot de passe (règles : `tenant { passwordPolicy }`). Exigé par tous "
        "les portails."
    )
    family_name: str = _by_tenant(F.FAMILY_NAME, "Nom de famille.")
    given_names: str = _by_tenant(F.GIVEN_NAMES, "Prénoms.")
    birth_date: date | None = _by_tenant(F.BIRTH_DATE, "Date de naissance.")
    birth_city: str | None = _by_tenant(F.BIRTH_CITY, "Commune de naissance.")
    birth_country: str | None = _by_tenant(F.BIRTH_COUNTRY, "Pays de naissance (ISO 3166).")
    address: AddressInput | None = _by_tenant(F.ADDRESS, "Adresse de domicile.")
    phone: str | None = _by_tenant(
        F.PHONE, "Téléphone, avec l'indicatif du pays : +33 6 12 34 56 78."
    )
    structure: str | None = _by_tenant(F.STRUCTURE, "Structure d'appartenance.")
    accept_terms: bool | None = _by_tenant(
        F.ACCEPT_TERMS,
        "Vrai pour « Je certifie avoir lu et accepter les conditions… » (`tenant { termsText }`).",
    )
    habilitation_request: RequestHabilitationInput | None = strawberry.field(
        default=None,
        description="Sur cnsa, la demande d'habilitation faite avec le compte (« Demande de "
        "création de compte ») ; elle attend la confirmation de l'adresse, puis un "
        "gestionnaire.",
    )


@strawberry.type(description="Réponse de `register`.")
class RegisterPayload(MutationPayload):
    email: str | None = strawberry.field(
        default=None, description="L'adresse, normalisée, où le lien a été envoyé."
    )
    confirmation_expires_at: datetime | None = strawberry.field(
        default=None, description="Fin de validité du lien de confirmation."
    )
    identifier: str | None = strawberry.field(
        default=None,
        description="L'identifiant de connexion donné au compte (cnsa : « yzemirli »).",
    )
    habilitation_request: HabilitationRequestNode | None = strawberry.field(
        default=None, description="La demande d'habilitation faite avec le compte (cnsa)."
    )


@strawberry.input(description="Entrée de `confirmEmail`.")
class ConfirmEmailInput:
    token: str = strawberry.field(description="Le jeton du lien reçu par courriel.")


@strawberry.type(description="Réponse de `confirmEmail`.")
class ConfirmEmailPayload(MutationPayload):
    email: str | None = strawberry.field(default=None, description="L'adresse confirmée.")
    account: AccountNode | None = strawberry.field(
        default=None, description="Visible seulement si la personne est connectée."
    )


@strawberry.input(description="Entrée de `resendConfirmation`.")
class ResendConfirmationInput:
    email: str = strawberry.field(description="L'adresse du compte à confirmer.")


@strawberry.type(
    description="Réponse de `resendConfirmation` : la même qu'un compte existe ou non."
)
class ResendConfirmationPayload(MutationPayload):
    pass


@strawberry.input(description="Entrée de `signIn`.")
class SignInInput:
    email: str | None = strawberry.field(
        default=None,
        description="L'adresse ; sur cnsa, l'identifiant de connexion y est aussi accepté.",
    )
    password: str = strawberry.field(description="Le mot de passe.")
    identifier: str | None = strawberry.field(
        default=None, description="L'identifiant de connexion (cnsa), à la place de l'adresse."
    )


@strawberry.type(description="Jetons d'une session : l'accès (court) et le renouvellement.")
class SessionTokens(MutationPayload):
    access_token: str | None = strawberry.field(
        default=None, description="JWT à présenter en `Authorization: Bearer …`."
    )
    access_token_expires_at: datetime | None = strawberry.field(
        default=None, description="Fin de validité du jeton d'accès."
    )
    refresh_token: str | None = strawberry.field(
        default=None, description="À usage unique : `refreshSession` en rend un nouveau."
    )
    refresh_token_expires_at: datetime | None = strawberry.field(
        default=None, description="Fin de validité du jeton de renouvellement."
    )
    token_type: str | None = strawberry.field(
        default=None,
        description="Toujours « Bearer » : le schéma d'autorisation HTTP du jeton d'accès.",
    )
    must_change_password: bool | None = strawberry.field(
        default=None,
        description="Vrai pour un mot de passe provisoire : `changePassword` avant toute autre "
        "opération.",
    )


@strawberry.type(description="Réponse de `signIn` : les jetons de la nouvelle session.")
class SignInPayload(SessionTokens):
    pass


@strawberry.input(description="Entrée de `refreshSession`.")
class RefreshSessionInput:
    refresh_token: str = strawberry.field(
        description="Le dernier jeton de renouvellement reçu (à usage unique)."
    )


@strawberry.type(description="Réponse de `refreshSession` : les nouveaux jetons.")
class RefreshSessionPayload(SessionTokens):
    pass


@strawberry.input(description="Entrée de `signOut` (facultative).")
class SignOutInput:
    refresh_token: str | None = strawberry.field(
        default=None, description="Sans jeton d'accès : la session de ce jeton."
    )
    everywhere: bool = strawberry.field(
        default=False, description="Fermer toutes les sessions du compte."
    )


@strawberry.type(description="Réponse de `signOut` : `ok` quand la session est fermée.")
class SignOutPayload(MutationPayload):
    pass


@strawberry.input(description="Entrée de `revokeSession`.")
class RevokeSessionInput:
    session_id: strawberry.ID = strawberry.field(
        description="L'identifiant de la session à fermer (`SignInSession`)."
    )


@strawberry.type(description="Réponse de `revokeSession`.")
class RevokeSessionPayload(MutationPayload):
    session: SessionNode | None = strawberry.field(
        default=None, description="La session, désormais fermée."
    )


@strawberry.input(description="Entrée de `requestPasswordReset`.")
class RequestPasswordResetInput:
    email: str = strawberry.field(
        description="L'adresse du compte dont le mot de passe est oublié."
    )


@strawberry.type(
    description="Réponse de `requestPasswordReset` : la même qu'un compte existe ou non."
)
class RequestPasswordResetPayload(MutationPayload):
    pass


@strawberry.input(description="Entrée de `resetPassword`.")
class ResetPasswordInput:
    token: str = strawberry.field(description="Le jeton du lien reçu par courriel.")
    new_password: str = strawberry.field(
        description="Le nouveau mot de passe (règles : `tenant { passwordPolicy }`)."
    )


@strawberry.type(description="Réponse de `resetPassword` : `ok` quand le mot de passe a changé.")
class ResetPasswordPayload(MutationPayload):
    pass


@strawberry.input(description="Entrée de `changePassword`.")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="Le mot de passe actuel.")
    new_password: str = strawberry.field(
        description="Le nouveau mot de passe (règles : `tenant { passwordPolicy }`)."
    )


@strawberry.type(description="Réponse de `changePassword`.")
class ChangePasswordPayload(MutationPayload):
    account: AccountNode | None = strawberry.field(default=None, description="Le compte.")


TokensPayload = TypeVar("TokensPayload", bound=SessionTokens)


def _tokens_payload(
    payload: Callable[..., TokensPayload],
) -> Callable[[sessions.IssuedTokens], TokensPayload]:
    return lambda result: payload(
        access_token=result.access_token,
        access_token_expires_at=result.access_token_expires_at,
        refresh_token=result.refresh_token,
        refresh_token_expires_at=result.refresh_token_expires_at,
        must_change_password=result.account.must_change_password,
        token_type="Bearer",  # noqa: S106 - the scheme's name
    )


def _registration(data: RegisterInput) -> RegistrationData:
    address = data.address
    return RegistrationData(
        email=data.email,
        password=data.password,
        family_name=data.family_name,
        given_names=data.given_names,
        birth_date=data.birth_date,
        birth_city=data.birth_city,
        birth_country=data.birth_country,
        address=AddressData(
            line1=address.line1,
            line2=address.line2,
            postal_code=address.postal_code,
            city=address.city,
            country=address.country,
        )
        if address is not None
        else None,
        phone=data.phone,
        structure=data.structure,
        accept_terms=data.accept_terms,
        habilitation_request=data.habilitation_request.data()
        if data.habilitation_request is not None
        else None,
    )


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Ouvrir un compte ; un lien de confirmation est envoyé.")
    async def register(self, info: Info, input: MutationInput[RegisterInput]) -> RegisterPayload:
        locale = info.context.locale
        return await run_mutation(
            info,
            lambda ctx: onboarding.register(ctx, _registration(input)),
            RegisterPayload,
            lambda result: RegisterPayload(
                email=result.account.email,
                confirmation_expires_at=result.confirmation_expires_at,
                identifier=result.account.identifier,
                habilitation_request=HabilitationRequestNode.from_row(result.request, locale)
                if result.request is not None
                else None,
            ),
        )

    @strawberry.mutation(description="Confirmer l'adresse avec le jeton du lien reçu.")
    async def confirm_email(
        self, info: Info, input: MutationInput[ConfirmEmailInput]
    ) -> ConfirmEmailPayload:
        def confirmed(account: Account) -> ConfirmEmailPayload:
            actor = info.context.actor
            mine = actor is not None and actor.account_id == account.id
            return ConfirmEmailPayload(
                email=account.email, account=AccountNode.from_row(account) if mine else None
            )

        return await run_mutation(
            info,
            lambda ctx: onboarding.confirm_email(ctx, input.token),
            ConfirmEmailPayload,
            confirmed,
        )

    @strawberry.mutation(description="Renvoyer le lien de confirmation (limité dans le temps).")
    async def resend_confirmation(
        self, info: Info, input: MutationInput[ResendConfirmationInput]
    ) -> ResendConfirmationPayload:
        return await run_mutation(
            info,
            lambda ctx: onboarding.resend_confirmation(ctx, input.email),
            ResendConfirmationPayload,
            lambda _result: ResendConfirmationPayload(),
        )

    @strawberry.mutation(description="Se connecter avec son adresse et son mot de passe.")
    async def sign_in(self, info: Info, input: MutationInput[SignInInput]) -> SignInPayload:
        return await run_mutation(
            info,
            lambda ctx: signin.sign_in(ctx, input.identifier or input.email or "", input.password),
            SignInPayload,
            _tokens_payload(SignInPayload),
        )

    @strawberry.mutation(
        description="Échanger le jeton de renouvellement contre de nouveaux jetons. Présenter "
        "un jeton déjà utilisé ferme toute la session."
    )
    async def refresh_session(
        self, info: Info, input: MutationInput[RefreshSessionInput]
    ) -> RefreshSessionPayload:
        return await run_mutation(
            info,
            lambda ctx: sessions.refresh(ctx, input.refresh_token),
            RefreshSessionPayload,
            _tokens_payload(RefreshSessionPayload),
        )

    @strawberry.mutation(description="Se déconnecter (cette session, ou toutes).")
    async def sign_out(
        self, info: Info, input: MutationInput[SignOutInput | None] = None
    ) -> SignOutPayload:
        given = input or SignOutInput()
        return await run_mutation(
            info,
            lambda ctx: sessions.sign_out(ctx, given.refresh_token, given.everywhere),
            SignOutPayload,
            lambda _result: SignOutPayload(),
        )

    @strawberry.mutation(description="Fermer une de ses sessions (un appareil perdu).")
    async def revoke_session(
        self, info: Info, input: MutationInput[RevokeSessionInput]
    ) -> RevokeSessionPayload:
        session_id = uuid_of(input.session_id, "SignInSession")

        def revoked(row: AuthSession) -> RevokeSessionPayload:
            actor = info.context.actor
            current = actor.session_id if actor else None
            return RevokeSessionPayload(session=SessionNode.from_row(row, current))

        return await run_mutation(
            info,
            lambda ctx: sessions.revoke_session(ctx, session_id),
            RevokeSessionPayload,
            revoked,
        )

    @strawberry.mutation(
        description="Demander un lien de réinitialisation. La réponse est la même qu'un compte "
        "existe ou non."
    )
    async def request_password_reset(
        self, info: Info, input: MutationInput[RequestPasswordResetInput]
    ) -> RequestPasswordResetPayload:
        return await run_mutation(
            info,
            lambda ctx: recovery.request_password_reset(ctx, input.email),
            RequestPasswordResetPayload,
            lambda _result: RequestPasswordResetPayload(),
        )

    @strawberry.mutation(description="Choisir un nouveau mot de passe avec le jeton du lien.")
    async def reset_password(
        self, info: Info, input: MutationInput[ResetPasswordInput]
    ) -> ResetPasswordPayload:
        return await run_mutation(
            info,
            lambda ctx: recovery.reset_password(ctx, input.token, input.new_password),
            ResetPasswordPayload,
            lambda _result: ResetPasswordPayload(),
        )

    @strawberry.mutation(description="Changer son mot de passe (connecté).")
    async def change_password(
        self, info: Info, input: MutationInput[ChangePasswordInput]
    ) -> ChangePasswordPayload:
        return await run_mutation(
            info,
            lambda ctx: recovery.change_password(ctx, input.current_password, input.new_password),
            ChangePasswordPayload,
            lambda account: ChangePasswordPayload(account=AccountNode.from_row(account)),
        )
