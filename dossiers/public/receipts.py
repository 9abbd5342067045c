"""The printable record of a public verification: its result signed into a link (like the file
links of `auth.account.tokens`) that opens a page giving it with the date and time of the
consultation. Nothing is stored: the link carries what was checked and when, and the page
shows nothing the person did not type or read in the answer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from joserfc import jwt
from joserfc.errors import JoseError

from auth.account.tokens import ALGORITHM, AccessTokens, InvalidAccessToken
from dossiers.public.verification import Subject, Verification, VerificationResult

RECEIPT_TYPE = "verification+jwt"
RECEIPT_TTL = timedelta(days=1)


def _audience(tokens: AccessTokens, tenant: str) -> str:
    return f"{tokens.issuer(tenant)}/verify"


def receipt_url(tokens: AccessTokens, tenant: str, found: Verification) -> str:
    claims = {
        "iss": tokens.issuer(tenant),
        "aud": _audience(tokens, tenant),
        "tid": tenant,
        "sub": found.subject.value,
        "res": found.result.value,
        "q": found.query,
        "dig": found.digits,
        "knd": found.title_kind,
        "exd": found.expires_on.isoformat() if found.expires_on else None,
        "iat": int(found.checked_at.timestamp()),
        "exp": int((found.checked_at + RECEIPT_TTL).timestamp()),
    }
    key = tokens.keys.current
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": RECEIPT_TYPE}
    token = jwt.encode(header, claims, key, algorithms=[ALGORITHM])
    return f"{tokens.issuer(tenant)}/verify/receipt/{token}"


def open_receipt(tokens: AccessTokens, tenant: str, token: str, now: datetime) -> Verification:
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
        expires = claims.get("exd")
        return Verification(
            subject=Subject(claims["sub"]),
            result=VerificationResult(claims["res"]),
            checked_at=datetime.fromtimestamp(int(claims["iat"]), tz=now.tzinfo),
            query=str(claims["q"]),
            digits=str(claims["dig"]),
            title_kind=str(claims["knd"]) if claims.get("knd") else None,
            expires_on=date.fromisoformat(str(expires)) if expires else None,
        )
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise InvalidAccessToken(type(exc).__name__) from None
