"""Access tokens: short-lived JWTs (RFC 9068 shape) signed with ES256 through Authlib's joserfc.

Keys are a JWK set whose first key signs; every key verifies, so a rotation keeps the old key
in the set (and in `/.well-known/jwks.json`) until the last token it signed has expired.
A token names its tenant three times (issuer, audience, `tid`): a token of one tenant is
refused by every other.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

ALGORITHM = "ES256"
TOKEN_TYPE = "at+jwt"  # noqa: S105


class InvalidAccessToken(Exception):
    """Bad signature, expired, wrong tenant, malformed: the request is not authenticated."""


def generate_key_set() -> dict[str, Any]:
    key = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": ALGORITHM}, auto_kid=True)
    return {"keys": [key.as_dict(private=True)]}


def rotate_key_set(current: dict[str, Any], keep: int = 2) -> dict[str, Any]:
    """A new signing key in front; the `keep` most recent old keys stay to verify."""
    new = generate_key_set()["keys"][0]
    return {"keys": [new, *current.get("keys", [])[:keep]]}


class SigningKeys:
    def __init__(self, jwks: dict[str, Any]) -> None:
        keys = jwks.get("keys") or []
        if not keys:
            raise ValueError("the signing key set is empty")
        self._set = KeySet.import_key_set({"keys": keys})
        private = [key for key in self._set.keys if isinstance(key, ECKey) and key.is_private]
        if len(private) != len(self._set.keys):
            raise ValueError("signing keys must be private EC (P-256) keys")
        self.current: ECKey = private[0]

    @classmethod
    def from_json(cls, text: str) -> SigningKeys:
        return cls(json.loads(text))

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in self._set.keys]}

    @property
    def key_set(self) -> KeySet:
        return self._set


@dataclass(frozen=True)
class AccessClaims:
    tenant: str
    account_id: uuid.UUID
    session_id: uuid.UUID
    expires_at: int


VERIFIED_CACHE_SIZE = 4096


class AccessTokens:
    """Issues and verifies access tokens. The ES256 signature of a token is checked once per
    process: its exact text maps to its header and claims in a bounded cache (a client sends
    the same token with every request until it expires). Only the signature's result is
    kept: the claims (time, issuer, audience, tenant) are checked on every call, and the
    caller checks that the session is still open."""

    def __init__(self, keys: SigningKeys, public_url: str, ttl: timedelta) -> None:
        self.keys = keys
        self.public_url = public_url.rstrip("/")
        self.ttl = ttl
        self._verified: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    def _decode(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(header, claims) of a token whose signature one of the keys verifies."""
        known = self._verified.get(token)
        if known is not None:
            return known
        decoded = jwt.decode(token, self.keys.key_set, algorithms=[ALGORITHM])
        found = (dict(decoded.header), dict(decoded.claims))
        if len(self._verified) >= VERIFIED_CACHE_SIZE:  # the oldest entry goes first
            del self._verified[next(iter(self._verified))]
        self._verified[token] = found
        return found

    def issuer(self, tenant: str) -> str:
        return f"{self.public_url}/t/{tenant}"

    def issue(
        self, tenant: str, account_id: uuid.UUID, session_id: uuid.UUID, now: datetime
    ) -> tuple[str, datetime]:
        expires = now + self.ttl
        issuer = self.issuer(tenant)
        claims = {
            "iss": issuer,
            "aud": issuer,
            "sub": str(account_id),
            "sid": str(session_id),
            "tid": tenant,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": secrets.token_urlsafe(16),
        }
        key = self.keys.current
        header = {"alg": ALGORITHM, "kid": key.kid, "typ": TOKEN_TYPE}
        return jwt.encode(header, claims, key, algorithms=[ALGORITHM]), expires

    def verify(self, token: str, tenant: str, now: datetime) -> AccessClaims:
        try:
            header, claims = self._decode(token)
        except (JoseError, ValueError) as exc:
            raise InvalidAccessToken(type(exc).__name__) from None
        if header.get("typ") != TOKEN_TYPE:
            raise InvalidAccessToken("typ")
        issuer = self.issuer(tenant)
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": issuer},
            tid={"essential": True, "value": tenant},
            sub={"essential": True},
            sid={"essential": True},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
            return AccessClaims(
                tenant=tenant,
                account_id=uuid.UUID(str(claims["sub"])),
                session_id=uuid.UUID(str(claims["sid"])),
                expires_at=int(claims["exp"]),
            )
        except (JoseError, ValueError, KeyError) as exc:
            raise InvalidAccessToken(type(exc).__name__) from None


FILE_LINK_TYPE = "file+jwt"
FILE_LINK_TTL = timedelta(minutes=5)


class FileLinks:
    """Short-lived signed links to one stored file: whoever may see the file gets a link
    (the decision is taken when the link is made), the download route checks only the
    signature, the tenant and the time. Signed with the access tokens' keys, but of another
    type and audience, so neither can pass for the other."""

    def __init__(self, tokens: AccessTokens, ttl: timedelta = FILE_LINK_TTL) -> None:
        self.tokens = tokens
        self.ttl = ttl

    def _audience(self, tenant: str) -> str:
        return f"{self.tokens.issuer(tenant)}/files"

    def url(self, tenant: str, kind: str, file_id: uuid.UUID, now: datetime) -> str:
        claims = {
            "iss": self.tokens.issuer(tenant),
            "aud": self._audience(tenant),
            "tid": tenant,
            "kind": kind,
            "sub": str(file_id),
            "exp": int((now + self.ttl).timestamp()),
        }
        key = self.tokens.keys.current
        header = {"alg": ALGORITHM, "kid": key.kid, "typ": FILE_LINK_TYPE}
        token = jwt.encode(header, claims, key, algorithms=[ALGORITHM])
        return f"{self.tokens.issuer(tenant)}/files/{token}"

    def verify(self, token: str, tenant: str, now: datetime) -> tuple[str, uuid.UUID]:
        """(kind, file id) of a valid link of this tenant; `InvalidAccessToken` otherwise."""
        try:
            decoded = jwt.decode(token, self.tokens.keys.key_set, algorithms=[ALGORITHM])
        except (JoseError, ValueError) as exc:
            raise InvalidAccessToken(type(exc).__name__) from None
        if decoded.header.get("typ") != FILE_LINK_TYPE:
            raise InvalidAccessToken("typ")
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            iss={"essential": True, "value": self.tokens.issuer(tenant)},
            aud={"essential": True, "value": self._audience(tenant)},
            tid={"essential": True, "value": tenant},
            kind={"essential": True},
            sub={"essential": True},
            exp={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
            return str(decoded.claims["kind"]), uuid.UUID(str(decoded.claims["sub"]))
        except (JoseError, ValueError, KeyError) as exc:
            raise InvalidAccessToken(type(exc).__name__) from None
