"""The authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636, OpenID Connect Core):
the authorization request checked, a code issued to a habilitated account, the code
exchanged once for the tokens. Refusals are Authlib's OAuth 2.0 errors; one that carries a
`redirect_uri` goes back to the application, one without is shown to the person."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from authlib.oauth2.rfc6749.errors import (
    AccessDeniedError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
)
from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge
from sqlalchemy import select, update

from auth.account.models import Account
from auth.account.opaque_tokens import digest, new_token
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import Actor, ServiceContext
from auth.oidc.clients import Client, authenticate_client, find_client
from auth.oidc.models import OidcGrant
from auth.policy import Action, Resource, decide

CODE_TTL = timedelta(minutes=1)
ACCESS_TOKEN_TTL = timedelta(minutes=10)
SUPPORTED_SCOPES = ("openid", "profile", "email", "address", "habilitations")
_PKCE = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_MAX_PARAM = 500


class RevokedReason:
    CODE_REUSED = "CODE_REUSED"
    REVOKED = "REVOKED"  # RFC 7009, by the application
    LOGOUT = "LOGOUT"  # RP-initiated logout


def _printable(value: str) -> bool:
    return len(value) <= _MAX_PARAM and all(0x20 <= ord(c) < 0x7F for c in value)


@dataclass(frozen=True)
class AuthorizationRequest:
    client: Client
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str


def check_authorization_request(
    ctx: ServiceContext, params: Mapping[str, str]
) -> AuthorizationRequest:
    """An unknown client or an unregistered redirect URI is told to the person (never
    redirected: the URI may be an attacker's); every other refusal goes back to the
    application with the request's `state`."""
    client = find_client(ctx.pack, params.get("client_id"))
    if client is None:
        raise InvalidClientError(description="unknown client_id")
    redirect_uri = params.get("redirect_uri") or ""
    if redirect_uri not in client.oidc.redirect_uris:
        raise InvalidRequestError(description="redirect_uri is not registered for this client")
    state = params.get("state") or None
    if state is not None and not _printable(state):
        raise InvalidRequestError(description="invalid state", redirect_uri=redirect_uri)

    def refuse(error: type[OAuth2Error], description: str) -> OAuth2Error:
        return error(description=description, state=state, redirect_uri=redirect_uri)

    if params.get("response_type") != "code":
        raise OAuth2Error(
            description="only response_type=code is supported",
            state=state,
            redirect_uri=redirect_uri,
            error="unsupported_response_type",
        )
    scopes = (params.get("scope") or "").split()
    if "openid" not in scopes:
        raise refuse(InvalidScopeError, "the openid scope is required")
    challenge = params.get("code_challenge") or ""
    if not challenge:
        raise refuse(InvalidRequestError, "code_challenge is required (PKCE)")
    if params.get("code_challenge_method") != "S256":
        raise refuse(InvalidRequestError, "code_challenge_method must be S256")
    if not _PKCE.fullmatch(challenge):
        raise refuse(InvalidRequestError, "invalid code_challenge")
    nonce = params.get("nonce") or None
    if nonce is not None and not _printable(nonce):
        raise refuse(InvalidRequestError, "invalid nonce")
    if "none" in (params.get("prompt") or "").split():
        raise OAuth2Error(
            description="the person must sign in",
            state=state,
            redirect_uri=redirect_uri,
            error="login_required",
        )
    kept = " ".join(scope for scope in SUPPORTED_SCOPES if scope in scopes)
    return AuthorizationRequest(client, redirect_uri, kept, state, nonce, challenge)


async def issue_code(ctx: ServiceContext, request: AuthorizationRequest, actor: Actor) -> str:
    """The code for a signed-in account holding a profile of the application (consent is
    skipped: the applications are the tenant's own); none is `access_denied`."""
    resource = Resource(
        "Application", None, tenant=ctx.pack.slug, application=request.client.application.code
    )
    decision = decide(actor, Action.SIGN_IN_TO_APPLICATION, resource)
    if not decision.allowed:
        raise AccessDeniedError(
            description="no habilitation for this application",
            state=request.state,
            redirect_uri=request.redirect_uri,
        )
    now = ctx.clock.now()
    code = new_token()
    grant = OidcGrant(
        id=uuid.uuid4(),
        client_id=request.client.client_id,
        account_id=actor.account_id,
        redirect_uri=request.redirect_uri,
        scope=request.scope,
        nonce=request.nonce,
        code_challenge=request.code_challenge,
        code_hash=digest(code),
        code_expires_at=now + CODE_TTL,
        auth_time=now,
        created_at=now,
    )
    ctx.session.add(grant)
    await ctx.session.flush()
    trail.record(
        ctx,
        AuditAction.OIDC_AUTHORIZE,
        subject_type="OidcGrant",
        subject_id=grant.id,
        decision=decision,
        actor_account_id=actor.account_id,
        details={"client": request.client.client_id},
    )
    return code


@dataclass(frozen=True)
class Exchanged:
    grant: OidcGrant
    account: Account
    client: Client
    access_token: str


class CodeReused(Exception):
    """A code presented twice: what it gave is revoked, and that must be committed before
    the `invalid_grant` answer."""

    def __init__(self, error: OAuth2Error) -> None:
        super().__init__(error.error)
        self.error = error


async def exchange_code(
    ctx: ServiceContext, form: Mapping[str, str], client_id: str | None, secret: str | None
) -> Exchanged:
    """`grant_type=authorization_code`: the client (authenticated), its code (once, before
    it expires, with the same redirect URI) and the PKCE verifier matching the challenge.
    A code presented again revokes the access token it gave (RFC 6749 §4.1.2)."""
    client = authenticate_client(ctx.pack, ctx.config.oidc_client_secrets, client_id, secret)
    if form.get("grant_type") != "authorization_code":
        raise OAuth2Error(
            description="only authorization_code is supported", error="unsupported_grant_type"
        )
    code = form.get("code") or ""
    grant = None
    if code and _printable(code):
        grant = await ctx.session.scalar(
            select(OidcGrant).where(OidcGrant.code_hash == digest(code)).with_for_update()
        )
    if grant is None or grant.client_id != client.client_id:
        raise InvalidGrantError(description="invalid authorization code")
    now = ctx.clock.now()
    if grant.code_used_at is not None:
        await ctx.session.execute(
            update(OidcGrant)
            .where(OidcGrant.id == grant.id, OidcGrant.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=RevokedReason.CODE_REUSED)
        )
        trail.record(
            ctx,
            AuditAction.OIDC_CODE_REUSED,
            subject_type="OidcGrant",
            subject_id=grant.id,
            actor_account_id=None,
            details={"client": client.client_id},
        )
        raise CodeReused(InvalidGrantError(description="authorization code already used"))
    if grant.revoked_at is not None or grant.code_expires_at <= now:
        raise InvalidGrantError(description="authorization code expired")
    if form.get("redirect_uri") != grant.redirect_uri:
        raise InvalidGrantError(description="redirect_uri does not match the authorization")
    verifier = form.get("code_verifier") or ""
    if not _PKCE.fullmatch(verifier) or not compare_s256_code_challenge(
        verifier, grant.code_challenge
    ):
        raise InvalidGrantError(description="code_verifier does not match the code_challenge")
    account = await ctx.session.get(Account, grant.account_id)
    if account is None:  # pragma: no cover - a foreign key
        raise InvalidGrantError(description="invalid authorization code")
    access_token = new_token()
    grant.code_used_at = now
    grant.access_token_hash = digest(access_token)
    grant.access_expires_at = now + ACCESS_TOKEN_TTL
    return Exchanged(grant, account, client, access_token)
