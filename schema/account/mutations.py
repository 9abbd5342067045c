"""Onboarding and sign-in mutations: thin wrappers over `auth` services."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from auth.account import onboarding, recovery, sessions, signin
from auth.account.models import Account, AuthSession
from auth.account.onboarding import AddressData, RegistrationData
from schema.account.types import AccountNode, SessionNode
from schema.context import Info
from schema.errors import UserError
from schema.habilitation.mutations import RequestHabilitationInput
from schema.habilitation.types import HabilitationRequestNode
from schema.ids import uuid_of
from schema.transactions import run_mutation


@strawberry.input(description="Adresse postale (exigée par cnaps).")
class AddressInput:
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = strawberry.field(default=None, description="Code ISO 3166 (FR).")


@strawberry.input(
    description="Inscription, même forme pour tous les portails ; le portail dit quels champs "
    "il exige (`tenant { registrationFields }`) : un champ exigé manquant est une erreur "
    "REQUIRED sur ce champ, un champ qu'il n'utilise pas est ignoré."
)
class RegisterInput:
    email: str | None = None
    password: str | None = None
    family_name: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    birth_city: str | None = None
    birth_country: str | None = strawberry.field(default=None, description="Code ISO 3166.")
    address: AddressInput | None = None
    phone: str | None = strawberry.field(
        default=None, description="Avec l'indicatif du pays : +33 6 12 34 56 78."
    )
    structure: str | None = strawberry.field(default=None, description="Structure (cnsa).")
    accept_terms: bool | None = strawberry.field(
        default=None, description="« Je certifie avoir lu et accepter les conditions… » (cnaps)."
    )
    habilitation_request: RequestHabilitationInput | None = strawberry.field(
        default=None,
        description="cnsa : la demande d'habilitation faite avec le compte (« Demande de "
        "création de compte ») ; elle attend la confirmation de l'adresse, puis un "
        "gestionnaire.",
    )


@strawberry.type
class RegisterPayload:
    email: str | None = strawberry.field(
        default=None, description="L'adresse, normalisée, où le lien a été envoyé."
    )
    confirmation_expires_at: datetime | None = None
    identifier: str | None = strawberry.field(
        default=None,
        description="L'identifiant de connexion donné au compte (cnsa : « yzemirli »).",
    )
    habilitation_request: HabilitationRequestNode | None = strawberry.field(
        default=None, description="La demande d'habilitation faite avec le compte (cnsa)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ConfirmEmailInput:
    token: str


@strawberry.type
class ConfirmEmailPayload:
    email: str | None = None
    account: AccountNode | None = strawberry.field(
        default=None, description="Visible seulement si la personne est connectée."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class EmailInput:
    email: str | None = None


@strawberry.type(description="La même réponse qu'un compte existe ou non.")
class AcknowledgedPayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
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
class SessionTokensPayload:
    access_token: str | None = strawberry.field(
        default=None, description="JWT à présenter en `Authorization: Bearer …`."
    )
    access_token_expires_at: datetime | None = None
    refresh_token: str | None = strawberry.field(
        default=None, description="À usage unique : `refreshSession` en rend un nouveau."
    )
    refresh_token_expires_at: datetime | None = None
    token_type: str = "Bearer"  # noqa: S105
    must_change_password: bool | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RefreshSessionInput:
    refresh_token: str


@strawberry.input
class SignOutInput:
    refresh_token: str | None = strawberry.field(
        default=None, description="Sans jeton d'accès : la session de ce jeton."
    )
    everywhere: bool = strawberry.field(
        default=False, description="Fermer toutes les sessions du compte."
    )


@strawberry.type
class SignOutPayload:
    signed_out: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeSessionInput:
    session_id: strawberry.ID


@strawberry.type
class RevokeSessionPayload:
    session: SessionNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ResetPasswordInput:
    token: str
    new_password: str | None = None


@strawberry.input
class ChangePasswordInput:
    current_password: str | None = None
    new_password: str | None = None


@strawberry.type
class AccountPayload:
    account: AccountNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _tokens_payload(result: sessions.IssuedTokens) -> SessionTokensPayload:
    return SessionTokensPayload(
        access_token=result.access_token,
        access_token_expires_at=result.access_token_expires_at,
        refresh_token=result.refresh_token,
        refresh_token_expires_at=result.refresh_token_expires_at,
        must_change_password=result.account.must_change_password,
    )


def _acknowledged(_result: object) -> AcknowledgedPayload:
    return AcknowledgedPayload(ok=True)


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
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
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
    async def confirm_email(self, info: Info, input: ConfirmEmailInput) -> ConfirmEmailPayload:
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
    async def resend_confirmation(self, info: Info, input: EmailInput) -> AcknowledgedPayload:
        return await run_mutation(
            info,
            lambda ctx: onboarding.resend_confirmation(ctx, input.email),
            AcknowledgedPayload,
            _acknowledged,
        )

    @strawberry.mutation(description="Se connecter avec son adresse et son mot de passe.")
    async def sign_in(self, info: Info, input: SignInInput) -> SessionTokensPayload:
        return await run_mutation(
            info,
            lambda ctx: signin.sign_in(ctx, input.identifier or input.email or "", input.password),
            SessionTokensPayload,
            _tokens_payload,
        )

    @strawberry.mutation(
        description="Échanger le jeton de renouvellement contre de nouveaux jetons. Présenter "
        "un jeton déjà utilisé ferme toute la session."
    )
    async def refresh_session(self, info: Info, input: RefreshSessionInput) -> SessionTokensPayload:
        return await run_mutation(
            info,
            lambda ctx: sessions.refresh(ctx, input.refresh_token),
            SessionTokensPayload,
            _tokens_payload,
        )

    @strawberry.mutation(description="Se déconnecter (cette session, ou toutes).")
    async def sign_out(self, info: Info, input: SignOutInput | None = None) -> SignOutPayload:
        given = input or SignOutInput()
        return await run_mutation(
            info,
            lambda ctx: sessions.sign_out(ctx, given.refresh_token, given.everywhere),
            SignOutPayload,
            lambda _result: SignOutPayload(signed_out=True),
        )

    @strawberry.mutation(description="Fermer une de ses sessions (un appareil perdu).")
    async def revoke_session(self, info: Info, input: RevokeSessionInput) -> RevokeSessionPayload:
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
    async def request_password_reset(self, info: Info, input: EmailInput) -> AcknowledgedPayload:
        return await run_mutation(
            info,
            lambda ctx: recovery.request_password_reset(ctx, input.email),
            AcknowledgedPayload,
            _acknowledged,
        )

    @strawberry.mutation(description="Choisir un nouveau mot de passe avec le jeton du lien.")
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> AcknowledgedPayload:
        return await run_mutation(
            info,
            lambda ctx: recovery.reset_password(ctx, input.token, input.new_password),
            AcknowledgedPayload,
            _acknowledged,
        )

    @strawberry.mutation(description="Changer son mot de passe (connecté).")
    async def change_password(self, info: Info, input: ChangePasswordInput) -> AccountPayload:
        return await run_mutation(
            info,
            lambda ctx: recovery.change_password(ctx, input.current_password, input.new_password),
            AccountPayload,
            lambda account: AccountPayload(account=AccountNode.from_row(account)),
        )
