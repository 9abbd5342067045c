"""The printable record of a public check: its result signed into a link (like the file links
of `auth.account.tokens`) that opens a page giving it with the date and time of the
consultation. Nothing is stored: the link carries what was checked and when, and the page
shows nothing the person did not type or read in the answer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from auth.account.tokens import ALGORITHM, AccessTokens, InvalidAccessToken
from dossiers.dossier.models import DossierStatus
from dossiers.public.tracking import Tracking
from dossiers.public.verification import Subject, Verification, VerificationResult

RECEIPT_TYPE = "verification+jwt"
RECEIPT_TTL = timedelta(days=1)
DOSSIER = "DOSSIER"


def _audience(tokens: AccessTokens, tenant: str) -> str:
    return f"{tokens.issuer(tenant)}/verify"


def _url(tokens: AccessTokens, tenant: str, checked_at: datetime, claims: dict[str, Any]) -> str:
    claims = {
        "iss": tokens.issuer(tenant),
        "aud": _audience(tokens, tenant),
        "tid": tenant,
        "iat": int(checked_at.timestamp()),
        "exp": int((checked_at + RECEIPT_TTL).timestamp()),
        **claims,
    }
    key = tokens.keys.current
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": RECEIPT_TYPE}
    token = jwt.encode(header, claims, key, algorithms=[ALGORITHM])
    return f"{tokens.issuer(tenant)}/verify/receipt/{token}"


def receipt_url(tokens: AccessTokens, tenant: str, found: Verification) -> str:
    return _url(
        tokens,
        tenant,
        found.checked_at,
        {
            "sub": found.subject.value,
            "res": found.result.value,
            "q": found.query,
            "dig": found.digits,
            "knd": found.title_kind,
            "exd": found.expires_on.isoformat() if found.expires_on else None,
        },
    )


def tracking_receipt_url(tokens: AccessTokens, tenant: str, number: str, found: Tracking) -> str:
    def instant(value: datetime | None) -> int | None:
        return int(value.timestamp()) if value else None

    return _url(
        tokens,
        tenant,
        found.checked_at,
        {
            "sub": DOSSIER,
            "q": number,
            "knd": found.kind,
            "res": found.status.value if found.status else None,
            "sbm": instant(found.submitted_at),
            "upd": instant(found.updated_at),
            "dcd": instant(found.decided_at),
        },
    )


def open_receipt(
    tokens: AccessTokens, tenant: str, token: str, now: datetime
) -> Verification | tuple[str, Tracking]:
    """A title's or authorisation's verification, or a dossier's number and tracking."""
    try:
        decoded = jwt.decode(token, tokens.keys.key_set, algorithms=[ALGORITHM])
        if decoded.header.get("typ") != RECEIPT_TYPE:
            raise InvalidAccessToken("typ")
        jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            iss={"essential": True, "value": tokens.issuer(tenant)},
            aud={"essential": True, "value": _audience(tokens, tenant)},
            tid={"essential": True, "value": tenant},
            exp={"essential": True},
        ).validate(decoded.claims)
        claims = decoded.claims
        checked_at = datetime.fromtimestamp(int(claims["iat"]), tz=now.tzinfo)

        def instant(key: str) -> datetime | None:
            value = claims.get(key)
            return datetime.fromtimestamp(int(value), tz=now.tzinfo) if value else None

        if claims["sub"] == DOSSIER:
            status = claims.get("res")
            return str(claims["q"]), Tracking(
                checked_at=checked_at,
                kind=str(claims["knd"]) if claims.get("knd") else None,
                status=DossierStatus(status) if status else None,
                submitted_at=instant("sbm"),
                updated_at=instant("upd"),
                decided_at=instant("dcd"),
            )
        expires = claims.get("exd")
        return Verification(
            subject=Subject(claims["sub"]),
            result=VerificationResult(claims["res"]),
            checked_at=checked_at,
            query=str(claims["q"]),
            digits=str(claims["dig"]),
            title_kind=str(claims["knd"]) if claims.get("knd") else None,
            expires_on=date.fromisoformat(str(expires)) if expires else None,
        )
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise InvalidAccessToken(type(exc).__name__) from None
