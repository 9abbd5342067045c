"""Opening a person account: register, confirm the address by e-mail, resend the link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from auth.account import email_tokens
from auth.account.errors import AuthCode
from auth.account.identity_fields import AddressData, Collector
from auth.account.login_identifiers import add_account
from auth.account.models import Account, AccountKind, EmailToken, EmailTokenPurpose
from auth.account.password_policy import check_password, normalise
from auth.audit import trail
from auth.audit.actions import AuditAction
from auth.context import ServiceContext
from auth.habilitation.models import HabilitationRequest
from auth.habilitation.requests import RequestData, check_request, create_request
from auth.policy import Capacity, Decision
from mail.outbox import enqueue
from tenants.errors import CommonCode, DomainError, FieldError
from tenants.mandates import claim_requests
from tenants.models import Person
from tenants.packs.base import RegistrationField as F
from tenants.packs.base import TenantPack

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class RegistrationData:
    """One shape for every tenant; the pack says which fields are required."""

    email: str | None = None
    password: str | None = None
    family_name: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    birth_city: str | None = None
    birth_country: str | None = None
    address: AddressData | None = None
    phone: str | None = None
    structure: str | None = None
    accept_terms: bool | None = None
    # cnsa, seed 004 scenario 1: the habilitation request made with the account.
    habilitation_request: RequestData | None = None


@dataclass(frozen=True)
class Registered:
    account: Account
    confirmation_expires_at: datetime | None  # None: the address counts as confirmed
    request: HabilitationRequest | None = None


def format_local(at: datetime, locale: str) -> str:
    """Dates in mails, in Paris time."""
    local = at.astimezone(PARIS)
    if locale == "en":
        return local.strftime("%d/%m/%Y at %H:%M (Paris time)")
    return local.strftime("%d/%m/%Y à %Hh%M (heure de Paris)")


async def register(
    ctx: ServiceContext, data: RegistrationData, *, address_confirmed_already: bool = False
) -> Registered:
    """Open the account and mail the confirmation link. `address_confirmed_already` (the
    demo data, whose addresses are its own) confirms the address at once and mails nothing."""
    pack = ctx.pack
    now = ctx.clock.now()
    check = Collector([])
    email = check.email(data.email, ("email",))
    if not data.password:
        check.add(CommonCode.REQUIRED, ("password",))
    else:
        check.errors.extend(check_password(data.password, pack.password, ("password",)))

    family_name = check.text(data.family_name, ("familyName",), pack.requires(F.FAMILY_NAME), 100)
    given_names = check.text(data.given_names, ("givenNames",), pack.requires(F.GIVEN_NAMES), 150)
    keep = pack.accepts
    birth_date = (
        check.birth_date(data.birth_date, ("birthDate",), pack.requires(F.BIRTH_DATE), now.date())
        if keep(F.BIRTH_DATE)
        else None
    )
    birth_city = (
        check.text(data.birth_city, ("birthCity",), pack.requires(F.BIRTH_CITY), 100)
        if keep(F.BIRTH_CITY)
        else None
    )
    birth_country = (
        check.country(data.birth_country, ("birthCountry",), pack.requires(F.BIRTH_COUNTRY))
        if keep(F.BIRTH_COUNTRY)
        else None
    )
    address = AddressData()
    if keep(F.ADDRESS):
        required = pack.requires(F.ADDRESS)
        given = data.address or AddressData()
        if data.address is None and required:
            check.add(CommonCode.REQUIRED, ("address",))
        elif data.address is not None:
            address = check.address(given, ("address",), required)
    phone = check.phone(data.phone, ("phone",), pack.requires(F.PHONE)) if keep(F.PHONE) else None
    structure = (
        check.text(data.structure, ("structure",), pack.requires(F.STRUCTURE), 200)
        if keep(F.STRUCTURE)
        else None
    )
    if pack.requires(F.ACCEPT_TERMS):
        if data.accept_terms is None:
            check.add(CommonCode.REQUIRED, ("acceptTerms",))
        elif not data.accept_terms:
            check.add(AuthCode.TERMS_NOT_ACCEPTED, ("acceptTerms",))

    if email is not None and await _email_taken(ctx, email):
        check.add(AuthCode.EMAIL_ALREADY_REGISTERED, ("email",))
    check.errors.extend(await _check_habilitation_request(ctx, data))
    if check.errors:
        raise DomainError(check.errors)
    if email is None or data.password is None:  # reported above; keeps the types exact
        raise DomainError.one(CommonCode.REQUIRED, ("email",))

    # Hash before writing anything: on SQLite the first write takes the database's lock.
    password_hash = await ctx.config.hasher.hash(normalise(data.password))
    person = Person(
        family_name=family_name or "",
        given_names=given_names or "",
        birth_date=birth_date,
        birth_city=birth_city,
        birth_country=birth_country,
        address_line1=address.line1,
        address_line2=address.line2,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country,
        phone=phone,
        structure=structure,
        created_at=now,
    )
    ctx.session.add(person)
    await ctx.session.flush()
    account = Account(
        person_id=person.id,
        email=email,
        password_hash=password_hash,
        locale=ctx.locale,
        terms_accepted_at=now if data.accept_terms else None,
        password_changed_at=now,
        created_at=now,
        must_change_password=False,
    )
    await add_account(ctx, account, person, ("email",))
    registered = await _opened(ctx, account, person, address_confirmed_already)
    request = await _habilitation_request(ctx, data, account)
    return Registered(
        account=account, confirmation_expires_at=registered.confirmation_expires_at, request=request
    )


async def _opened(
    ctx: ServiceContext, account: Account, person: Person, address_confirmed_already: bool
) -> Registered:
    """The new account's confirmation mail (or its address confirmed at once) and its trace."""
    expires_at = None
    if address_confirmed_already:
        await address_confirmed(ctx, account)
    else:
        expires_at = await send_confirmation(ctx, account, person)
    self_ = Decision(allowed=True, capacity=Capacity.SELF)
    trail.record(
        ctx,
        AuditAction.REGISTER,
        subject_type="Account",
        subject_id=account.id,
        decision=self_,
        actor_account_id=account.id,
    )
    return Registered(account=account, confirmation_expires_at=expires_at)


async def _check_habilitation_request(
    ctx: ServiceContext, data: RegistrationData
) -> list[FieldError]:
    if data.habilitation_request is None:
        return []
    return await check_request(ctx, data.habilitation_request, ("habilitationRequest",))


async def _habilitation_request(
    ctx: ServiceContext, data: RegistrationData, account: Account
) -> HabilitationRequest | None:
    """The request submitted with the account (seed 004, scenario 1): no manager sees it
    until the address is confirmed."""
    if data.habilitation_request is None:
        return None
    request = await create_request(
        ctx, account.id, data.habilitation_request, ("habilitationRequest",)
    )
    trail.record(
        ctx,
        AuditAction.REQUEST_HABILITATION,
        subject_type="HabilitationRequest",
        subject_id=request.id,
        decision=Decision(allowed=True, capacity=Capacity.SELF),
        actor_account_id=account.id,
        details={"application": request.application, "profile": request.profile},
    )
    return request


async def _email_taken(ctx: ServiceContext, email: str) -> bool:
    found = await ctx.session.scalar(select(Account.id).where(Account.email == email))
    return found is not None


async def mail_link(
    ctx: ServiceContext,
    account: Account,
    person: Person,
    purpose: EmailTokenPurpose,
    ttl: timedelta,
    template: str,
    link: Callable[[TenantPack, str], str],
) -> EmailToken:
    """A new single-use token for the account, and the mail carrying its link to the person
    (the confirmation and the reset links)."""
    raw, token = await email_tokens.issue(ctx, account, purpose, ttl)
    await enqueue(
        ctx.session,
        pack=ctx.pack,
        recipient=account.email,
        template=template,
        locale=account.locale,
        context={
            "given_names": person.given_names,
            "family_name": person.family_name,
            "link": link(ctx.pack, raw),
            "expires_at": format_local(token.expires_at, account.locale),
            "identifier": account.identifier,
        },
        now=ctx.clock.now(),
    )
    return token


async def send_confirmation(ctx: ServiceContext, account: Account, person: Person) -> datetime:
    token = await mail_link(
        ctx,
        account,
        person,
        EmailTokenPurpose.CONFIRM_EMAIL,
        ctx.pack.confirmation_ttl,
        "confirm_email",
        ctx.config.links.confirm_email,
    )
    return token.expires_at


async def check_confirmation_link(ctx: ServiceContext, token: str) -> None:
    """Raise why a confirmation link could not be used now; changes nothing."""
    await email_tokens.usable(ctx, token, EmailTokenPurpose.CONFIRM_EMAIL, ("token",))


async def confirm_email(ctx: ServiceContext, token: str) -> Account:
    account = await email_tokens.consume(ctx, token, EmailTokenPurpose.CONFIRM_EMAIL, ("token",))
    if account.email_confirmed_at is None:
        await address_confirmed(ctx, account)
    trail.record(
        ctx,
        AuditAction.CONFIRM_EMAIL,
        subject_type="Account",
        subject_id=account.id,
        decision=Decision(allowed=True, capacity=Capacity.SELF),
        actor_account_id=account.id,
    )
    return account


async def address_confirmed(ctx: ServiceContext, account: Account) -> None:
    """The account proved it receives mail at its address: mandate requests sent to that
    address before it had an account become its person's."""
    account.email_confirmed_at = ctx.clock.now()
    if account.kind == AccountKind.PERSON:
        await claim_requests(ctx.session, account.email, account.person_id)


async def resend_confirmation(ctx: ServiceContext, email_input: str | None) -> None:
    """Answers the same whatever the address: unknown, confirmed, unconfirmed, or throttled
    (nothing to learn from it; a throttle that answered differently would tell that an
    unconfirmed account has the address).

    Throttled per account, silently: one mail per `resend_interval`, `resend_daily_limit` a
    day; past that no mail is sent and the answer is still ok.
    """
    check = Collector([])
    email = check.email(email_input, ("email",))
    if check.errors:
        raise DomainError(check.errors)
    account = await ctx.session.scalar(select(Account).where(Account.email == email))
    if account is None or account.email_confirmed_at is not None:
        return
    now = ctx.clock.now()
    config = ctx.config
    day = timedelta(days=1)
    sent = await email_tokens.sent_since(ctx, account, EmailTokenPurpose.CONFIRM_EMAIL, day)
    if sent and sent[-1] + config.resend_interval > now:
        return
    if len(sent) >= config.resend_daily_limit:
        return
    person = await ctx.session.get_one(Person, account.person_id)
    await send_confirmation(ctx, account, person)
