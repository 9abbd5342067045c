"""Dossiers, their documents and events as Relay nodes.

A dossier is seen by its applicant's side (the person, the organisation filing for itself,
a trusted third party under the person's mandate) and, once submitted, by the agents of the
delegation instructing it (`dossiers.dossier.access.may_follow`); an ID the viewer may not
see answers null, like a missing one. Nested lists are read for every dossier of the response
at once (`nested_page`), so a page of 10 or 100 dossiers costs the same statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from auth.account.tokens import FileLinks
from auth.standing import MandateFact
from dossiers.dossier import kinds
from dossiers.dossier import models as m
from dossiers.dossier.access import mandates_by_person, may_follow
from dossiers.dossier.events import status_label
from dossiers.dossier.reads import document_pages, event_pages, held_documents
from dossiers.title.models import Title
from dossiers.title.numbers import today_of
from schema.account.types import PersonNode
from schema.context import Info
from schema.dossier.enums import DossierStatus
from schema.ids import parse_uuid
from schema.messaging.types import ThreadNode, dossier_thread
from schema.nodes import VisibleNode, register_node
from schema.pagination import After, Connection, First, nested_page, to_connection
from schema.tenant.types import Activity
from schema.title.types import TitleNode, today
from tenants.organisations import Establishment

DOSSIER_DOCUMENT_FILE = "dossier-document"  # the kind of file a download link names


@strawberry.type(description="La valeur d'un champ de la demande.")
class DossierFieldValue:
    name: str = strawberry.field(description="Nom du champ (`tenant { dossierKinds { fields } }`).")
    value: str = strawberry.field(description="Valeur, en texte.")


@strawberry.type(description="Une pièce que la demande exige dans sa situation, et où elle en est.")
class DossierRequirement:
    code: str = strawberry.field(description="Code de la pièce.")
    label: str = strawberry.field(description="Nom de la pièce.")
    needed: int = strawberry.field(description="Nombre exigé (une par chien, par exemple).")
    provided: int = strawberry.field(description="Nombre déposé.")
    max_age_months: int | None = strawberry.field(
        description="Doit dater de moins de ce nombre de mois."
    )


@strawberry.type(description="L'établissement qui dépose la demande pour son organisation.")
class DossierEstablishment:
    siret: str = strawberry.field(description="SIRET de l'établissement.")
    name: str = strawberry.field(description="Nom de l'établissement.")


@strawberry.type(name="DossierDocument", description="Une pièce déposée dans une demande.")
class DossierDocumentNode(VisibleNode):
    id: relay.NodeID[str]
    kind: str = strawberry.field(description="Code de la pièce exigée à laquelle elle répond.")
    filename: str = strawberry.field(description="Nom du fichier.")
    content_type: str = strawberry.field(description="Type reconnu au contenu (PDF, PNG, JPEG).")
    size: int = strawberry.field(description="Taille en octets.")
    issued_on: date | None = strawberry.field(description="Date de délivrance donnée.")
    created_at: datetime = strawberry.field(description="Date du dépôt.")
    sha256: str = strawberry.field(description="Empreinte SHA-256 du contenu (hexadécimal).")
    dossier_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="Lien de téléchargement signé, valable 5 minutes ; la pièce est vue de "
        "qui voit la demande."
    )
    def download_url(self, info: Info) -> str:
        services = info.context.services
        links = FileLinks(services.auth.tokens)
        return links.url(
            info.context.pack.slug,
            DOSSIER_DOCUMENT_FILE,
            uuid.UUID(str(self.id)),
            services.clock.now(),
        )

    @classmethod
    def from_row(cls, row: m.DossierDocument) -> DossierDocumentNode:
        return cls(
            id=str(row.id),
            sha256=row.sha256.hex(),
            kind=row.requirement,
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            issued_on=row.issued_on,
            created_at=row.created_at,
            dossier_id=row.dossier_id,
        )

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[DossierDocumentNode | None]:
        rows = await _rows(info, m.DossierDocument, node_ids)
        seen = await visible_dossiers(info, [r.dossier_id for r in rows if r is not None])
        return [cls.from_row(r) if r is not None and r.dossier_id in seen else None for r in rows]


@strawberry.type(
    name="DossierEvent",
    description="Un passage d'un état à un autre (ou la création, une attribution) : qui, en "
    "quelle qualité, quand, pourquoi.",
)
class DossierEventNode(VisibleNode):
    id: relay.NodeID[str]
    action: str = strawberry.field(
        description="CREATE, SIGN, CONFIRM, WITHDRAW, RESUBMIT, ASSIGN, START_REVIEW, "
        "REQUEST_CORRECTIONS, GRANT, REFUSE ou CLOSE."
    )
    from_status: DossierStatus = strawberry.field(description="État avant.")
    to_status: DossierStatus = strawberry.field(description="État après.")
    capacity: str = strawberry.field(
        description="Qualité de l'auteur : SELF, ADMINISTRATOR, MANAGER, TRUSTED_THIRD_PARTY, "
        "AUTHORITY_AGENT ou ANONYMOUS (le lien de confirmation)."
    )
    reason: str | None = strawberry.field(description="Motif donné.")
    created_at: datetime = strawberry.field(description="Quand.")
    dossier_id: strawberry.Private[uuid.UUID]
    actor_account_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Qui : prénoms et nom de l'auteur (null : inconnu).")
    async def actor_name(self, info: Info) -> str | None:
        if self.actor_account_id is None:
            return None
        account = await info.context.loaders.accounts.load(self.actor_account_id)
        person = await info.context.loaders.persons.load(account.person_id) if account else None
        return f"{person.given_names} {person.family_name}" if person else None

    @classmethod
    def from_row(cls, row: m.DossierEvent) -> DossierEventNode:
        return cls(
            id=str(row.id),
            action=row.action,
            from_status=DossierStatus(row.from_status),
            to_status=DossierStatus(row.to_status),
            capacity=row.capacity,
            reason=row.reason,
            created_at=row.created_at,
            dossier_id=row.dossier_id,
            actor_account_id=row.actor_account_id,
        )

    @classmethod
    async def visible_nodes(
        cls, info: Info, node_ids: Iterable[str]
    ) -> list[DossierEventNode | None]:
        rows = await _rows(info, m.DossierEvent, node_ids)
        seen = await visible_dossiers(info, [r.dossier_id for r in rows if r is not None])
        return [cls.from_row(r) if r is not None and r.dossier_id in seen else None for r in rows]


@strawberry.type(name="Dossier", description="Une demande de titre.")
class DossierNode(VisibleNode):
    id: relay.NodeID[str]
    row: strawberry.Private[m.Dossier]

    @classmethod
    def from_row(cls, row: m.Dossier) -> DossierNode:
        return cls(id=str(row.id), row=row)

    @classmethod
    async def visible_nodes(cls, info: Info, node_ids: Iterable[str]) -> list[DossierNode | None]:
        rows = await _rows(info, m.Dossier, node_ids)
        seen = await visible_dossiers(info, [r.id for r in rows if r is not None], rows)
        return [cls.from_row(r) if r is not None and r.id in seen else None for r in rows]

    @strawberry.field(description="Numéro AAAA-DDD-NNNNNNN, donné au dépôt (null avant).")
    def number(self) -> str | None:
        return self.row.number

    @strawberry.field(
        description="La conversation de la demande avec l'autorité (ses demandes de "
        "corrections et décisions y paraissent) ; null pour qui n'y prend pas part."
    )
    async def thread(self, info: Info) -> ThreadNode | None:
        return await dossier_thread(info, self.row.id)

    @strawberry.field(description="Code du type de demande (`tenant { dossierKinds }`).")
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field(description="Nom du type de demande.")
    def kind_label(self, info: Info) -> str:
        kind = info.context.pack.dossier_kind(self.row.kind)
        return kind.label.get(info.context.locale) if kind else self.row.kind

    @strawberry.field(description="État de la demande.")
    def status(self) -> DossierStatus:
        return DossierStatus(self.row.status)

    @strawberry.field(description="L'état en mots.")
    def status_label(self, info: Info) -> str:
        return status_label(self.row.status, info.context.locale)

    @strawberry.field(description="Activités demandées.")
    def activities(self, info: Info) -> list[Activity]:
        known = {a.code: a for a in info.context.pack.activities}
        locale = info.context.locale
        return [
            Activity(
                code=c, label=known[c].label.get(locale), excludes_others=known[c].excludes_others
            )
            for c in self.row.activities or []
            if c in known
        ]

    @strawberry.field(description="Valeurs des champs du formulaire.")
    def fields(self) -> list[DossierFieldValue]:
        return [DossierFieldValue(name=k, value=str(v)) for k, v in (self.row.fields or {}).items()]

    @strawberry.field(description="Département de la délégation qui instruit (au dépôt).")
    def departement(self) -> str | None:
        return self.row.departement

    @strawberry.field(description="Code de la délégation qui instruit (au dépôt).")
    def delegation(self) -> str | None:
        return self.row.delegation

    @strawberry.field(description="Créée le.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="Dernière modification.")
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @strawberry.field(description="Signée le (les cases de certification cochées).")
    def signed_at(self) -> datetime | None:
        return self.row.signed_at

    @strawberry.field(description="Le lien de confirmation envoyé vaut jusqu'à.")
    def confirmation_expires_at(self) -> datetime | None:
        if self.row.status != m.DossierStatus.AWAITING_CONFIRMATION:
            return None
        return self.row.confirmation_expires_at

    @strawberry.field(description="Déposée (confirmée) le.")
    def submitted_at(self) -> datetime | None:
        return self.row.submitted_at

    @strawberry.field(description="Décidée, retirée ou classée le.")
    def decided_at(self) -> datetime | None:
        return self.row.decided_at

    @strawberry.field(description="Motif de la dernière demande de corrections.")
    def correction_reason(self) -> str | None:
        return self.row.correction_reason

    @strawberry.field(description="Champs et pièces à corriger (noms et codes).")
    def correction_items(self) -> list[str]:
        return list(self.row.correction_items or [])

    @strawberry.field(description="Motif du refus ou du classement.")
    def decision_reason(self) -> str | None:
        return self.row.decision_reason

    @strawberry.field(description="Déposée par un tiers de confiance pour la personne.")
    def filed_by_third_party(self) -> bool:
        return self.row.third_party_organisation_id is not None

    @strawberry.field(description="Attribuée à un agent.")
    def assigned(self) -> bool:
        return self.row.assigned_account_id is not None

    @strawberry.field(description="Attribuée à l'agent connecté.")
    def assigned_to_me(self, info: Info) -> bool:
        actor = info.context.actor
        return actor is not None and self.row.assigned_account_id == actor.account_id

    @strawberry.field(description="La personne pour qui la demande est déposée.")
    async def applicant(self, info: Info) -> PersonNode | None:
        if self.row.applicant_person_id is None:
            return None
        person = await info.context.loaders.persons.load(self.row.applicant_person_id)
        return PersonNode.from_row(person) if person else None

    @strawberry.field(description="L'établissement, pour la demande d'une organisation.")
    async def establishment(self, info: Info) -> DossierEstablishment | None:
        if self.row.establishment_id is None:
            return None
        site = await info.context.loaders.by_id(Establishment).load(self.row.establishment_id)
        return DossierEstablishment(siret=site.siret, name=site.name) if site else None

    @strawberry.field(description="Les pièces exigées dans la situation de la demande.")
    async def requirements(self, info: Info) -> list[DossierRequirement]:
        kind = info.context.pack.dossier_kind(self.row.kind)
        if kind is None:
            return []
        loader = info.context.loaders.custom(held_documents, held_documents)
        held: list[str] = await loader.load(self.row.id)
        found = kinds.requirements(
            info.context.pack, kind, self.row.fields or {}, self.row.activities or [], held
        )
        locale = info.context.locale
        return [
            DossierRequirement(
                code=r.rule.code,
                label=r.rule.label.get(locale),
                needed=r.needed,
                provided=r.provided,
                max_age_months=r.rule.max_age_months,
            )
            for r in found
        ]

    @strawberry.field(description="Les pièces déposées, les plus récentes d'abord.")
    async def documents(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[DossierDocumentNode] | None:
        page = await nested_page(info, document_pages, self.row.id, first, after)
        return to_connection(page, DossierDocumentNode.from_row)

    @strawberry.field(description="L'historique des états, le plus récent d'abord.")
    async def events(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[DossierEventNode] | None:
        page = await nested_page(info, event_pages, self.row.id, first, after)
        return to_connection(page, DossierEventNode.from_row)

    @strawberry.field(description="Le titre délivré à l'accord.")
    async def title(self, info: Info) -> TitleNode | None:
        return await _title(info, self.row.title_id)

    @strawberry.field(description="Le récépissé d'un renouvellement déposé à temps.")
    async def receipt(self, info: Info) -> TitleNode | None:
        return await _title(info, self.row.receipt_title_id)

    @strawberry.field(description="Le titre que la demande renouvelle.")
    async def renewed_title(self, info: Info) -> TitleNode | None:
        return await _title(info, self.row.renewed_title_id)


async def _title(info: Info, title_id: uuid.UUID | None) -> TitleNode | None:
    if title_id is None:
        return None
    row = await info.context.loaders.by_id(Title).load(title_id)
    return TitleNode.from_row(row, today(info)) if row else None


async def _rows(info: Info, model: type[Any], node_ids: Iterable[str]) -> list[Any]:
    ids = [parse_uuid(i) for i in node_ids]
    loader = info.context.loaders.by_id(model)
    found = await loader.load_many([i for i in ids if i])
    by_id = {row.id: row for row in found if row is not None}
    return [by_id.get(i) if i else None for i in ids]


async def visible_dossiers(
    info: Info, dossier_ids: Sequence[uuid.UUID], rows: Sequence[m.Dossier | None] = ()
) -> set[uuid.UUID]:
    """The dossiers among these the viewer may see (the mandates of their persons read in one
    statement)."""
    actor = info.context.actor
    if actor is None or not dossier_ids:
        return set()
    dossiers = [r for r in rows if r is not None] or [
        r for r in await info.context.loaders.by_id(m.Dossier).load_many(list(dossier_ids)) if r
    ]
    persons = [d.applicant_person_id for d in dossiers if d.applicant_person_id is not None]

    async def load(
        session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> list[tuple[MandateFact, ...]]:
        found = await mandates_by_person(
            session, actor, keys, today_of(info.context.services.clock)
        )
        return [found.get(k, ()) for k in keys]

    loader = info.context.loaders.custom("dossier-mandates", load)
    mandates = dict(zip(persons, await loader.load_many(persons), strict=True))
    return {
        d.id
        for d in dossiers
        if may_follow(
            actor, d, mandates.get(d.applicant_person_id, ()) if d.applicant_person_id else ()
        )
    }


register_node(DossierNode)
register_node(DossierDocumentNode)
register_node(DossierEventNode)
