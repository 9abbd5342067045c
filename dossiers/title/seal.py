"""The title's seal: a compact JWS (ES256) signed with the tenant's key, carried by the QR code
of its PDF, like the state's 2D-Doc. Anyone can check it offline against the published JWK set
(`/.well-known/jwks.json`): the holder, the number, the expiry and the activities are those the
authority issued. Its status today is another matter: the QR code's URL opens the public
verification of the title, which reads it.

Payload (JSON, short keys to keep the QR code small): `iss` the tenant's issuer, `num` the
number, `hol` the holder's names, `exp` the expiry date (ISO), `act` the activity codes, `iat`
the issue date (ISO).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from joserfc import jws
from joserfc.errors import JoseError

from auth.account.tokens import ALGORITHM, AccessTokens
from dossiers.title.models import Title, TitleView

SEAL_TYPE = "guichet-title+jws"


class InvalidSeal(Exception):
    """Not a seal of this tenant: bad signature, other type or issuer, malformed."""


@dataclass(frozen=True)
class SealedTitle:
    number: str
    holder: str
    expires_on: date
    activities: list[str]
    issued_on: date


def holder_names(title: Title | TitleView) -> str:
    return " ".join(n for n in (title.holder_given_names, title.holder_family_name) if n)


def seal(tokens: AccessTokens, tenant: str, title: Title | TitleView) -> str:
    payload = {
        "iss": tokens.issuer(tenant),
        "num": title.number,
        "hol": holder_names(title),
        "exp": title.expires_on.isoformat(),
        "act": list(title.activities or []),
        "iat": title.issued_on.isoformat(),
    }
    key = tokens.keys.current
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": SEAL_TYPE}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return jws.serialize_compact(header, body.encode(), key, algorithms=[ALGORITHM])


def verification_url(tokens: AccessTokens, tenant: str, sealed: str) -> str:
    """The public page that checks the seal and reads the title's status today."""
    return f"{tokens.issuer(tenant)}/verify/seal/{quote(sealed, safe='.-_')}"


def open_seal(tokens: AccessTokens, tenant: str, sealed: str) -> SealedTitle:
    try:
        signed = jws.deserialize_compact(sealed, tokens.keys.key_set, algorithms=[ALGORITHM])
        if signed.protected.get("typ") != SEAL_TYPE:
            raise InvalidSeal("typ")
        claims = json.loads(signed.payload)
        if claims.get("iss") != tokens.issuer(tenant):
            raise InvalidSeal("iss")
        return SealedTitle(
            number=str(claims["num"]),
            holder=str(claims["hol"]),
            expires_on=date.fromisoformat(str(claims["exp"])),
            activities=[str(a) for a in claims["act"]],
            issued_on=date.fromisoformat(str(claims["iat"])),
        )
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise InvalidSeal(type(exc).__name__) from None
