"""The security code of the public services: a self-hosted proof of work (ALTCHA, `altcha` on
PyPI): no third party, no image to read. `new_challenge` hands one out (HMAC-signed, expiring);
the browser's widget finds the number and sends back the base64 payload; `check_solution`
verifies it against the signature and the expiry (on the service's clock). Each code serves
once: the public services count its signature among their counters (`counters`) and refuse it
the second time.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import parse_qs

import altcha

from dossiers.public.counters import Hit

ALGORITHM: Final = "SHA-256"
MAX_PAYLOAD = 4096


@dataclass(frozen=True)
class ChallengeSettings:
    hmac_key: bytes
    max_number: int = 50_000  # a fraction of a second in a browser
    ttl: timedelta = timedelta(minutes=10)
    # Off only for benchmarks (`GUICHET_PUBLIC_PROOF_OF_WORK=false`): any code is then taken.
    proof_of_work: bool = True


@dataclass(frozen=True)
class IssuedChallenge:
    algorithm: str
    challenge: str
    max_number: int
    salt: str
    signature: str
    expires_at: datetime


def new_challenge(settings: ChallengeSettings, now: datetime) -> IssuedChallenge:
    expires = now + settings.ttl
    made = altcha.create_challenge_v1(
        altcha.ChallengeOptionsV1(
            algorithm=ALGORITHM,
            max_number=settings.max_number,
            hmac_key=settings.hmac_key,
            expires=expires,
        )
    )
    return IssuedChallenge(
        made.algorithm, made.challenge, made.max_number, made.salt, made.signature, expires
    )


def check_solution(settings: ChallengeSettings, payload: str, now: datetime) -> Hit | None:
    """The counter that makes this code single-use, or `None` when it is not a valid,
    unexpired solution of a challenge we signed."""
    if not settings.proof_of_work:
        return Hit("code/" + hashlib.sha256(payload.encode()).hexdigest(), settings.ttl)
    if not payload or len(payload) > MAX_PAYLOAD:
        return None
    try:
        data = json.loads(base64.b64decode(payload, validate=True).decode())
        salt = str(data["salt"])
        signature = str(data["signature"])
        expires = int(parse_qs(salt.split("?", 1)[1] if "?" in salt else "")["expires"][0])
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("algorithm") != ALGORITHM:
        return None
    if expires < now.timestamp():
        return None
    # The expiry was read on our clock above; the library checks the signature and the hash.
    valid, _ = altcha.verify_solution_v1(payload, settings.hmac_key, check_expires=False)
    if not valid:
        return None
    return Hit("code/" + signature, timedelta(seconds=max(1, expires - int(now.timestamp()))))


def solve(challenge: IssuedChallenge) -> str:
    """What a browser's widget sends back (for tests, the bench and the CLI)."""
    solution = altcha.solve_challenge_v1(
        challenge.challenge, challenge.salt, ALGORITHM, challenge.max_number
    )
    if solution is None:
        raise ValueError("no solution")
    payload = {
        "algorithm": challenge.algorithm,
        "challenge": challenge.challenge,
        "number": solution.number,
        "salt": challenge.salt,
        "signature": challenge.signature,
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()
