"""What a tenant pack is: the data and few rules that make one authority's portal.

Adding an authority means adding a pack module and listing it in `tenants.packs.PACKS`;
services read everything authority-specific from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class RegistrationField(StrEnum):
    """Fields of the one registration input; a pack says which it requires."""

    FAMILY_NAME = "familyName"
    GIVEN_NAMES = "givenNames"
    BIRTH_DATE = "birthDate"
    BIRTH_CITY = "birthCity"
    BIRTH_COUNTRY = "birthCountry"
    ADDRESS = "address"
    PHONE = "phone"
    STRUCTURE = "structure"
    ACCEPT_TERMS = "acceptTerms"


class Capability(StrEnum):
    """What a portal offers beyond accounts (sign-up, sign-in, sessions, recovery, which
    every pack has). A pack lists its own; the policy refuses the actions of the others
    (`auth.policy`: NOT_AVAILABLE_ON_THIS_PORTAL) and `tenant { capabilities }` tells
    frontends."""

    ORGANISATIONS = "ORGANISATIONS"  # organisation accounts validated by the authority
    MANAGERS = "MANAGERS"  # managers invited by an organisation, administration transfer
    MANDATES = "MANDATES"  # trusted third parties acting for a person under a mandate
    COMPANY_SPACE = "COMPANY_SPACE"  # employees, labels, dashboard, CSV, title alerts
    TITLES = "TITLES"  # titles issued by the authority's agents, seen by their holders
    HABILITATIONS = "HABILITATIONS"  # FINESS structures, habilitation requests, tiles
    DOCUMENT_DEPOSIT = "DOCUMENT_DEPOSIT"  # activity reports deposited per structure and year


@dataclass(frozen=True)
class Label:
    fr: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.fr


@dataclass(frozen=True)
class PasswordRules:
    """Numbers only; `auth.account.password_policy` applies them (and the common-password list)."""

    min_length: int
    max_length: int
    required_classes: int = 0  # of uppercase, lowercase, digit, special; 0 = no class rule
    rules: tuple[Label, ...] = ()  # the rule in words, for the registration form


@dataclass(frozen=True)
class Activity:
    code: str
    label: Label
    excludes_others: bool = False  # armed surveillance, close protection, airport, investigation
    compatible_with: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Delegation:
    code: str
    name: str
    email: str
    departements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """A role in an application. `manages`: its holders approve the application's
    habilitation requests (and need no structure); otherwise the profile is held for
    structures (FINESS), at least one."""

    code: str
    label: Label
    description: Label
    manages: bool = False

    @property
    def needs_structures(self) -> bool:
        return not self.manages


@dataclass(frozen=True)
class OidcClient:
    """How an application signs its users in through the portal (OpenID Connect): its
    client id, the redirect URIs it may use, and whether it keeps a secret (confidential)
    or not (public, PKCE only). Secrets are never pack data: they come from the settings."""

    client_id: str
    redirect_uris: tuple[str, ...]
    confidential: bool = False
    post_logout_redirect_uris: tuple[str, ...] = ()


@dataclass(frozen=True)
class Application:
    """An application of the portal, shown as a tile. `portal`: one of the portal's own
    tiles (Administration), shown to whoever manages an application, never requested."""

    code: str
    name: str
    description: Label
    profiles: tuple[Profile, ...] = ()
    url: str | None = None
    portal: bool = False
    oidc: OidcClient | None = None

    def profile(self, code: str) -> Profile | None:
        return next((p for p in self.profiles if p.code == code), None)

    @property
    def managing_profiles(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.profiles if p.manages)


@dataclass(frozen=True)
class StructureType:
    code: str
    label: Label


@dataclass(frozen=True)
class OrganisationKind:
    code: str
    label: Label


@dataclass(frozen=True)
class TenantPack:
    slug: str
    name: str
    short_name: str
    description: Label
    support_email: str
    sender_email: str
    sender_name: str
    password: PasswordRules
    required_fields: frozenset[RegistrationField]
    optional_fields: frozenset[RegistrationField]
    terms_text: Label | None
    confirmation_ttl: timedelta
    password_reset_ttl: timedelta = timedelta(hours=1)
    support_phone: str | None = None
    support_address: str | None = None
    hosts: tuple[str, ...] = ()
    activities: tuple[Activity, ...] = ()
    delegations: tuple[Delegation, ...] = ()
    applications: tuple[Application, ...] = ()
    organisation_kinds: tuple[OrganisationKind, ...] = ()
    structure_types: tuple[StructureType, ...] = ()
    capabilities: frozenset[Capability] = frozenset()
    # Accounts get a login identifier at registration (cnsa: "yzemirli"), and sign in with
    # it or with their address; otherwise with the address only.
    login_identifiers: bool = False
    # The application whose holders deposit documents for their structures (cnsa: CAMSP /
    # CMPP), with the `DOCUMENT_DEPOSIT` capability.
    deposit_application: str | None = None

    def application(self, code: str) -> Application | None:
        return next((a for a in self.applications if a.code == code), None)

    def offers(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def requires(self, name: RegistrationField) -> bool:
        return name in self.required_fields

    def accepts(self, name: RegistrationField) -> bool:
        """Fields a pack neither requires nor lists as optional are ignored."""
        return name in self.required_fields or name in self.optional_fields

    def delegation_for_postal_code(self, postal_code: str) -> Delegation | None:
        """The delegation whose départements include that of a French postal code (Corsica
        2A/2B, overseas 3 digits); `None` when the pack has none for it."""
        from tenants.identifiers import departement_of

        departement = departement_of(postal_code)
        if departement is None:
            return None
        for delegation in self.delegations:
            if departement in delegation.departements:
                return delegation
        return None
