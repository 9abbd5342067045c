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
    MESSAGING = "MESSAGING"  # secure messaging with the authority (threads, inbox)
    DOSSIERS = "DOSSIERS"  # requests for titles filed online and instructed by the authority


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


class Applicant(StrEnum):
    """Who a dossier kind is filed for: a person, or an organisation for itself."""

    PERSON = "PERSON"
    ORGANISATION = "ORGANISATION"


class FieldType(StrEnum):
    """How a dossier field's value is written and checked (always sent as a string)."""

    TEXT = "TEXT"
    DATE = "DATE"  # ISO 8601, not in the future
    BOOLEAN = "BOOLEAN"  # "true" or "false"
    COUNTRY = "COUNTRY"  # ISO 3166-1 alpha-2
    SIRET = "SIRET"  # 14 digits, Luhn
    COUNT = "COUNT"  # a whole number from 0 to 20


class Situation(StrEnum):
    """When a document or a field is asked for, read off the dossier itself (its fields and
    activities), never off code: a pack's rule names one."""

    ALWAYS = "ALWAYS"
    FREE_MOVEMENT_NATIONAL = "FREE_MOVEMENT_NATIONAL"  # French, EU or EEA nationality
    FOREIGN_NATIONAL = "FOREIGN_NATIONAL"  # nationality outside France, the EU and the EEA
    DOG_HANDLER = "DOG_HANDLER"  # the dog-handling activity is asked for
    EMPLOYED = "EMPLOYED"  # the applicant says they are employed


@dataclass(frozen=True)
class DossierField:
    """A field of a dossier kind's form."""

    name: str
    label: Label
    type: FieldType = FieldType.TEXT
    situation: Situation | None = Situation.ALWAYS  # required then; None: always optional
    max_length: int = 200


@dataclass(frozen=True)
class DocumentRule:
    """A document a dossier kind requires in a situation. `max_age_months`: its date (given
    by the applicant) must be less than that many months old; `per_field`: one document per
    unit of that COUNT field (each dog's identification card)."""

    code: str
    label: Label
    situation: Situation = Situation.ALWAYS
    max_age_months: int | None = None
    per_field: str | None = None


@dataclass(frozen=True)
class TitleType:
    """A title the authority issues: its number prefix, name and validity in months from
    its issue (`None`: given at issue, like a renewal receipt's)."""

    code: str
    label: Label
    validity_months: int | None
    needs_activities: bool = False  # a person's card or authorisation lists at least one


@dataclass(frozen=True)
class DossierKind:
    """A request one files: for whom, its form, the documents it requires by situation, its
    eligibility and the title it yields.

    - `renews`: the title code it renews (the applicant's title of that kind, still valid);
      renewal opens `renewal_opens_months` before its expiry and yields a receipt title
      (`receipt_title`) when filed at least `receipt_months` before it.
    - `single_activity`: one activity per dossier (a prior authorisation for MAC names its
      activity: one request per activity to renew).
    - `organisation_kinds`: for an organisation's own request, the kinds that may file it.
    """

    code: str
    label: Label
    description: Label
    applicant: Applicant
    title: str
    fields: tuple[DossierField, ...] = ()
    documents: tuple[DocumentRule, ...] = ()
    activities: bool = True  # the applicant chooses activities among the pack's
    single_activity: bool = False
    renews: str | None = None
    renewal_opens_months: int = 6
    receipt_months: int = 3
    receipt_title: str | None = None
    organisation_kinds: tuple[str, ...] = ()


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

    title_types: tuple[TitleType, ...] = ()
    dossier_kinds: tuple[DossierKind, ...] = ()
    # Nationalities that need no residence permit (France, the EU, the EEA, Switzerland).
    free_movement_countries: frozenset[str] = frozenset()
    # Where a person living abroad files: a delegation code and its département [choice].
    abroad_delegation: tuple[str, str] | None = None

    def offers(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def title_type(self, code: str) -> TitleType | None:
        return next((t for t in self.title_types if t.code == code), None)

    def dossier_kind(self, code: str | None) -> DossierKind | None:
        return next((k for k in self.dossier_kinds if k.code == code), None)

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
