"""Public verification, no account [seed 000, docs/DOMAIN.md "Public verification"]: a title
(family name + last 7 digits of its number + security code), a company's authorisation
(establishment SIRET + last 7 digits + security code), or a title's seal read off its QR code.
The answer is VALID, NOT_VALID or UNKNOWN with the time of the check.

A wrong name and an unknown number are indistinguishable, in answer and in time: the look-up
is by the digits alone (one statement, whatever the name), the names of every row found are
compared, and UNKNOWN is the answer to both. Before the look-up, one statement counts the
security code (single use) and the rate limits per client address and per target (the digits,
or the SIRET): a TOO_MANY_REQUESTS therefore says nothing about whether the target exists.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from limits import RateLimitItem, parse
from sqlalchemy import select

from auth.account.identity_fields import Collector, clean_text
from auth.context import ServiceContext
from auth.organisation.errors import OrganisationCode
from dossiers.public.challenges import ChallengeSettings, check_solution
from dossiers.public.counters import Counters, DatabaseCounters, Hit, limit_hit
from dossiers.public.errors import PublicCode
from dossiers.title.holders import ESTABLISHMENT_KINDS
from dossiers.title.models import Title, TitleStatus
from dossiers.title.numbers import SEQUENCE_DIGITS, effective_status, fold_name, today_of
from dossiers.title.seal import InvalidSeal, open_seal
from tenants.errors import CommonCode, DomainError, KeptRefusal
from tenants.identifiers import normalise_siret
from tenants.organisations import Establishment

MAX_NAME = 100


@dataclass(frozen=True)
class PublicServices:
    """What the public services need, built once by `server/`."""

    challenges: ChallengeSettings
    counters: Counters = field(default_factory=DatabaseCounters)
    per_client: RateLimitItem = field(default_factory=lambda: parse("30/minute"))
    per_target: RateLimitItem = field(default_factory=lambda: parse("20/hour"))


class VerificationResult(StrEnum):
    VALID = "VALID"
    NOT_VALID = "NOT_VALID"  # expired, suspended or withdrawn
    UNKNOWN = "UNKNOWN"  # no such title for that name (or SIRET): the same answer


class Subject(StrEnum):
    TITLE = "TITLE"
    AUTHORISATION = "AUTHORISATION"


@dataclass(frozen=True)
class Verification:
    subject: Subject
    result: VerificationResult
    checked_at: datetime
    query: str  # the family name or the SIRET, as checked
    digits: str
    title_kind: str | None = None
    expires_on: date | None = None


async def verify_title(
    ctx: ServiceContext,
    public: PublicServices,
    family_name: str | None,
    digits: str | None,
    security_code: str | None,
) -> Verification:
    check = Collector([])
    name = check.text(family_name, ("familyName",), True, MAX_NAME)
    wanted = _digits(digits, check)
    code = _code(security_code, check)
    if check.errors:
        raise DomainError(check.errors)
    assert name is not None and wanted is not None and code is not None  # noqa: S101
    await gate(ctx, public, code, limit_hit(public.per_target, "title", wanted))
    rows = await ctx.session.scalars(
        select(Title).where(Title.sequence == wanted, Title.kind.not_in(ESTABLISHMENT_KINDS))
    )
    folded = fold_name(name).encode()
    # Every row's name is compared (no early exit): the time does not tell which matched.
    matching = [row for row in rows if _same(row.holder_family_name, folded)]
    return _answer(ctx, Subject.TITLE, name, wanted, matching)


async def verify_authorisation(
    ctx: ServiceContext,
    public: PublicServices,
    siret: str | None,
    digits: str | None,
    security_code: str | None,
) -> Verification:
    check = Collector([])
    cleaned = check.text(siret, ("siret",), True, 32)
    number = normalise_siret(cleaned) if cleaned else None
    if cleaned and number is None:
        check.add(OrganisationCode.INVALID_SIRET, ("siret",))
    wanted = _digits(digits, check)
    code = _code(security_code, check)
    if check.errors:
        raise DomainError(check.errors)
    assert number is not None and wanted is not None and code is not None  # noqa: S101
    await gate(ctx, public, code, limit_hit(public.per_target, "authorisation", number))
    rows = await ctx.session.scalars(
        select(Title)
        .join(Establishment, Establishment.id == Title.establishment_id)
        .where(
            Establishment.siret == number,
            Title.sequence == wanted,
            Title.kind.in_(ESTABLISHMENT_KINDS),
        )
    )
    return _answer(ctx, Subject.AUTHORISATION, number, wanted, list(rows))


async def verify_seal(ctx: ServiceContext, public: PublicServices, sealed: str) -> Verification:
    """The title a QR code's seal names, and its status today. The seal is the authority's
    signature: no security code is asked, the rate limit per client address still applies."""
    try:
        title = open_seal(ctx.config.tokens, ctx.pack.slug, sealed)
    except InvalidSeal:
        raise DomainError.one(CommonCode.NOT_FOUND, ("seal",)) from None
    await _limit(ctx, public, [])
    rows = await ctx.session.scalars(select(Title).where(Title.number == title.number))
    digits = title.number[-SEQUENCE_DIGITS:]
    return _answer(ctx, Subject.TITLE, title.holder, digits, list(rows))


def _same(name: str, folded: bytes) -> bool:
    return hmac.compare_digest(fold_name(name).encode(), folded)


def _digits(value: str | None, check: Collector) -> str | None:
    cleaned = "".join((value or "").split())
    if not cleaned:
        check.add(CommonCode.REQUIRED, ("digits",))
        return None
    if len(cleaned) != SEQUENCE_DIGITS or not cleaned.isascii() or not cleaned.isdigit():
        check.add(PublicCode.INVALID_VERIFICATION_DIGITS, ("digits",))
        return None
    return cleaned


def _code(value: str | None, check: Collector) -> str | None:
    cleaned = clean_text(value)
    if cleaned is None:
        check.add(CommonCode.REQUIRED, ("securityCode",))
    return cleaned


async def gate(ctx: ServiceContext, public: PublicServices, code: str, target: Hit) -> None:
    """The security code (valid, unexpired, first use) and the rate limits, counted in one go."""
    used = check_solution(public.challenges, code, ctx.clock.now())
    if used is None:
        raise DomainError.one(PublicCode.INVALID_SECURITY_CODE, ("securityCode",))
    counts = await _limit(ctx, public, [target, used])
    if counts[-1] > 1:
        raise KeptRefusal.one(PublicCode.INVALID_SECURITY_CODE, ("securityCode",))
    if counts[1] > public.per_target.amount:
        raise _too_many(public.per_target)


async def _limit(ctx: ServiceContext, public: PublicServices, more: Sequence[Hit]) -> list[int]:
    client = ctx.client.ip_address or "unknown"
    counts = await public.counters.hit(ctx, [limit_hit(public.per_client, "client", client), *more])
    if counts[0] > public.per_client.amount:
        raise _too_many(public.per_client)
    return counts


def _too_many(item: RateLimitItem) -> DomainError:
    return KeptRefusal.one(CommonCode.TOO_MANY_REQUESTS, None, retry_after=item.get_expiry())


def _answer(
    ctx: ServiceContext, subject: Subject, query: str, digits: str, rows: Sequence[Title]
) -> Verification:
    now = ctx.clock.now()
    if not rows:
        return Verification(subject, VerificationResult.UNKNOWN, now, query, digits)
    title = max(rows, key=lambda row: (row.issued_on, row.number))
    status = effective_status(title, today_of(ctx.clock))
    result = (
        VerificationResult.VALID if status == TitleStatus.VALID else VerificationResult.NOT_VALID
    )
    return Verification(subject, result, now, query, digits, title.kind, title.expires_on)
