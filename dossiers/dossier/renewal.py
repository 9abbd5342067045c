"""Renewal rules [seed 003 art. 6, seed 000, seed 001]:

- a title is renewed only while it is valid (through its expiry day, Paris time); once it
  has expired the request is refused with TITLE_EXPIRED_FILE_PRIOR_AUTHORISATION: the person
  files a prior authorisation for refresher (MAC) training, one per activity to renew;
- renewal opens `renewal_opens_months` (6) before expiry: `startRenewal` pre-fills a draft
  from the card from that day on [seed 000: "entre 6 et 3 mois avant l'échéance"];
- a renewal confirmed at least `receipt_months` (3) before expiry — on or before the day three
  months before it — yields at once a receipt title (`REC`) valid until the decision; a later
  one is accepted without a receipt, and the answer says so.

A receipt has no validity of its own: it is issued until the card's expiry plus six months
[choice: a bound for the number, which carries the expiry], and ends when the renewal is
decided, withdrawn or closed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from auth.context import ServiceContext
from auth.policy import Decision
from dossiers.dossier.errors import DossierCode
from dossiers.dossier.models import Dossier
from dossiers.dossier.transitions import FINAL
from dossiers.title import issuing
from dossiers.title.models import Title, TitleKind, TitleStatus
from dossiers.title.numbers import add_months, effective_status, today_of
from tenants.errors import CommonCode, DomainError
from tenants.packs.base import DossierKind, Label, TenantPack

RECEIPT_EXTRA_MONTHS = 6
LATE_RENEWAL = Label(
    "Demande de renouvellement déposée moins de trois mois avant l'échéance du titre : elle "
    "est acceptée, mais sans récépissé ; le titre cesse d'être valide à son échéance si la "
    "décision n'est pas intervenue.",
    "Renewal request filed less than three months before the title expires: it is accepted, "
    "but without a receipt; the title stops being valid when it expires if no decision has "
    "been made by then.",
)


@dataclass(frozen=True)
class Window:
    opens_on: date  # startRenewal and renewals are possible from this day
    receipt_until: date  # confirmed on or before this day: a receipt at once
    expires_on: date  # the last day the title is valid (and may be renewed)


def renewal_kind(pack: TenantPack, title_kind: str) -> DossierKind | None:
    """The pack's kind that renews titles of this kind (None: not renewable online)."""
    return next((k for k in pack.dossier_kinds if k.renews == title_kind), None)


def window(kind: DossierKind, title: Title) -> Window:
    return Window(
        opens_on=add_months(title.expires_on, -kind.renewal_opens_months),
        receipt_until=add_months(title.expires_on, -kind.receipt_months),
        expires_on=title.expires_on,
    )


def check_renewable(
    kind: DossierKind,
    title: Title | None,
    person_id: uuid.UUID | None,
    today: date,
    field: tuple[str, ...],
) -> Title:
    """The title, if `kind` may renew it today for this person; else the precise refusal."""
    if title is None or person_id is None or title.holder_person_id != person_id:
        raise DomainError.one(CommonCode.NOT_FOUND, field)
    if kind.renews != title.kind:
        raise DomainError.one(DossierCode.NOT_RENEWABLE, field)
    status = effective_status(title, today)
    if status == TitleStatus.EXPIRED:
        raise DomainError.one(
            DossierCode.TITLE_EXPIRED_FILE_PRIOR_AUTHORISATION,
            field,
            expired_on=title.expires_on.isoformat(),
        )
    if status != TitleStatus.VALID:
        raise DomainError.one(DossierCode.TITLE_NOT_VALID, field)
    opens = window(kind, title).opens_on
    if today < opens:
        raise DomainError.one(
            DossierCode.RENEWAL_NOT_OPEN,
            field,
            opens_on=opens.isoformat(),
            months=kind.renewal_opens_months,
        )
    return title


async def renewed_title(
    ctx: ServiceContext,
    kind: DossierKind,
    title_id: uuid.UUID | None,
    person_id: uuid.UUID | None,
    field: tuple[str, ...],
    exclude: uuid.UUID | None = None,
) -> Title:
    """Load and check the title to renew; refuse a second renewal of it under way."""
    if title_id is None:
        raise DomainError.one(DossierCode.RENEWED_TITLE_REQUIRED, field)
    title = await ctx.session.scalar(select(Title).where(Title.id == title_id))
    checked = check_renewable(kind, title, person_id, today_of(ctx.clock), field)
    pending = select(Dossier.id).where(
        Dossier.renewed_title_id == checked.id,
        Dossier.status.not_in([s.value for s in FINAL]),
    )
    if exclude is not None:
        pending = pending.where(Dossier.id != exclude)
    if (await ctx.session.scalar(pending.limit(1))) is not None:
        raise DomainError.one(DossierCode.RENEWAL_ALREADY_FILED, field)
    return checked


def in_time_for_receipt(kind: DossierKind, title: Title, today: date) -> bool:
    return kind.receipt_title is not None and today <= window(kind, title).receipt_until


async def issue_receipt(
    ctx: ServiceContext, dossier: Dossier, title: Title, decision: Decision
) -> Title:
    """The receipt of a timely renewal, issued at its confirmation."""
    kind = ctx.pack.dossier_kind(dossier.kind)
    assert kind is not None and kind.receipt_title is not None  # noqa: S101
    receipt = await issuing.issue_for_dossier(
        ctx,
        issuing.NewTitle(
            kind=TitleKind(kind.receipt_title),
            departement=None if title.holder_person_id else title.departement,
            activities=list(dossier.activities),
            holder_person_id=title.holder_person_id,
            expires_on=add_months(title.expires_on, RECEIPT_EXTRA_MONTHS),
        ),
        decision,
    )
    dossier.receipt_title_id = receipt.id
    return receipt


async def end_titles(ctx: ServiceContext, dossier: Dossier, reason: str, *, replaced: bool) -> None:
    """A decided, withdrawn or closed renewal ends its receipt; a granted one also ends the
    renewed title, which the new one replaces."""
    ids = [dossier.receipt_title_id] + ([dossier.renewed_title_id] if replaced else [])
    for title_id in [i for i in ids if i is not None]:
        title = await ctx.session.get(Title, title_id)
        if title is None or title.status == TitleStatus.WITHDRAWN.value:
            continue
        await issuing.end_title(ctx, title, reason)
