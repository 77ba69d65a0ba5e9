"""A registration as people read it: the public record (what anyone may see, and the log entry
that proves it) and, for the parties, their private side (offers, and the fee of their licences).

Public: the work's description, its status, its log entry, the chain of title (log entries only:
the log never holds a fee), licences and transfers by party name. Private to the two parties of a
licence: its fee and its offer. A work held for review shows what it matched to its owner only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from copyright import log, offers, rights
from copyright.models import (
    Dispute,
    DisputeStatus,
    Licence,
    OfferStatus,
    Registration,
    RegistrationStatus,
    Right,
    Transfer,
    Work,
    WorkType,
    in_law_order,
)
from copyright.registry import get_registration, registry_day, require_certified
from copyright.schemas import ChainEntryOut, MatchOut
from core.accounts.models import User
from core.errors import InvalidInput


class LicenceView(BaseModel):
    id: int
    licensor: str
    licensee: str
    rights: list[str]
    exclusive: bool
    territory: str
    media: str
    start_date: dt.date
    end_date: dt.date | None
    cc_code: str | None
    log_index: int
    fee: str | None  # None unless the reader is a party
    mine: bool  # the reader is the licensor or the licensee


class TransferView(BaseModel):
    from_name: str
    to_name: str
    rights: list[str]
    effective_date: dt.date
    log_index: int
    by_reader: bool  # the reader made this transfer


class HolderView(BaseModel):
    """Who holds which economic rights today, once a transfer has moved any."""

    name: str
    rights: list[Right]  # in the law's order
    registrant: bool  # the owner at registration


class DisputeView(BaseModel):
    id: int
    status: DisputeStatus
    opened: dt.datetime


class RecordOut(BaseModel):
    """One registration's page."""

    number: str
    status: RegistrationStatus
    title: str
    work_type: WorkType
    description: str
    authors: list[str]
    owner_name: str
    owners: list[str]
    completion_date: dt.date | None
    published: bool
    first_publication_date: dt.date | None
    first_publication_place: str | None
    sha256: str
    size: int | None
    hash_only: bool
    registered_at: dt.datetime
    log_index: int | None
    log_entry: dict[str, Any] | None
    certified: bool  # signed and logged: a certificate exists
    chain: list[ChainEntryOut]
    licences: list[LicenceView]
    transfers: list[TransferView]
    disputes: list[DisputeView]
    is_owner: bool
    held_rights: list[Right]  # the reader's rights today: what they may license or transfer
    holders: list[HolderView]  # who holds which rights today, when a transfer has taken effect (else: the owner)
    matches: list[MatchOut]  # what a work held for review matched (its owner only)
    offers: list[offers.OfferOut]  # the reader's offers about this work


class WorkRow(BaseModel):
    """A line of "my works"."""

    number: str
    title: str
    work_type: WorkType
    status: RegistrationStatus
    registered_at: dt.datetime
    hash_only: bool
    licences: int
    pending_offers: int


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    return {u.id: u.display_name or u.email.split("@")[0]
            for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _licences(session: Session, reg: Registration, reader: User | None) -> list[LicenceView]:
    rows = list(session.scalars(select(Licence).where(Licence.registration_id == reg.id).order_by(Licence.id)))
    names = _names(session, {r.licensor_id for r in rows} | {r.licensee_id for r in rows})
    views = []
    for lic in rows:
        party = reader is not None and reader.id in (lic.licensor_id, lic.licensee_id)
        views.append(LicenceView(id=lic.id, licensor=names[lic.licensor_id], licensee=names[lic.licensee_id],
                                 rights=in_law_order(lic.rights), exclusive=lic.exclusive, territory=lic.territory,
                                 media=lic.media, start_date=lic.start_date, end_date=lic.end_date,
                                 cc_code=lic.cc_code, log_index=lic.log_index, fee=lic.fee if party else None,
                                 mine=party))
    return views


def _transfers(session: Session, reg: Registration, reader: User | None) -> list[TransferView]:
    rows = list(session.scalars(select(Transfer).where(Transfer.registration_id == reg.id).order_by(Transfer.id)))
    names = _names(session, {r.from_user_id for r in rows} | {r.to_user_id for r in rows})
    return [TransferView(from_name=names[t.from_user_id], to_name=names[t.to_user_id], rights=in_law_order(t.rights),
                         effective_date=t.effective_date, log_index=t.log_index,
                         by_reader=reader is not None and reader.id == t.from_user_id) for t in rows]


def _held(session: Session, reg: Registration, reader: User | None) -> list[Right]:
    if reader is None or reg.status is not RegistrationStatus.registered:
        return []
    return in_law_order(rights.holders(session, reg, registry_day()).get(reader.id, set()))


# registrations whose rights people hold: a work held for review has no rights recorded yet, a
# revoked one none any more (its owner at registration names it)
STANDING = frozenset({RegistrationStatus.registered, RegistrationStatus.disputed})


def holders_today(session: Session, regs: list[Registration]) -> dict[int, list[HolderView]]:
    """Who holds which economic rights today, by registration id: the owner at registration first
    (while they hold any), then by name. The record and the register both name them: the first
    owner alone is wrong once a transfer has taken effect. Empty for a registration not standing."""
    standing = [reg for reg in regs if reg.status in STANDING]
    held = rights.holders_of(session, standing, registry_day())
    names = _names(session, {user for of in held.values() for user in of})
    out: dict[int, list[HolderView]] = {reg.id: [] for reg in regs}
    for reg in standing:
        work = session.get(Work, reg.work_id)
        assert work is not None
        order = sorted(held[reg.id], key=lambda user: (user != work.owner_id, names[user]))
        out[reg.id] = [HolderView(name=names[user], rights=in_law_order(held[reg.id][user]),
                                  registrant=user == work.owner_id) for user in order]
    return out


def _holders(session: Session, reg: Registration) -> list[HolderView]:
    """Who holds which rights today, the owner first; empty while the owner still holds them all."""
    views = holders_today(session, [reg])[reg.id]
    return [] if [view.registrant for view in views] == [True] else views


def _readable(entry: dict[str, Any]) -> ChainEntryOut:
    """A chain-of-title entry as people read it: its rights in the law's order (the log sorts them
    by name; the signed statement itself is shown as the log holds it)."""
    ordered = {"rights": in_law_order(entry["rights"])} if "rights" in entry else {}
    return ChainEntryOut.model_validate(entry | ordered)


def record(session: Session, number: str, reader: User | None) -> RecordOut:
    reg = get_registration(session, number)
    work = session.get(Work, reg.work_id)
    assert work is not None
    is_owner = reader is not None and reader.id == work.owner_id
    entry = session.get(log.LogEntry, reg.log_index) if reg.log_index is not None else None
    disputes = session.scalars(select(Dispute).where(Dispute.registration_id == reg.id).order_by(Dispute.id))
    return RecordOut(
        number=reg.number, status=reg.status, title=work.title, work_type=work.work_type,
        description=work.description, authors=work.authors, owner_name=_names(session, {work.owner_id})[work.owner_id],
        owners=work.owners or [], completion_date=work.completion_date, published=work.published,
        first_publication_date=work.first_publication_date, first_publication_place=work.first_publication_place,
        sha256=work.sha256, size=work.size, hash_only=work.hash_only, registered_at=reg.registered_at,
        log_index=reg.log_index, log_entry=json.loads(entry.entry) if entry else None,
        certified=reg.statement is not None,
        chain=[_readable(e) for e in rights.chain_of_title(session, reg)],
        licences=_licences(session, reg, reader), transfers=_transfers(session, reg, reader),
        disputes=[DisputeView(id=d.id, status=d.status, opened=d.created_at) for d in disputes],
        is_owner=is_owner, held_rights=_held(session, reg, reader), holders=_holders(session, reg),
        matches=[MatchOut.model_validate(m) for m in reg.details.get("matches", [])] if is_owner else [],
        offers=offers.offers_of(session, reader, number) if reader is not None else [])


# How people type a registration number from a paper certificate: CR-2026-00000001, cr 2026 1,
# ＣＲ－２０２６－００００００01 (full-width, from a Chinese input method), CR—2026—1 (a dash), with a
# full stop after it; ASCII digits only (NFKC makes full-width ones ASCII; ٢٠٢٦ names no number).
TYPED_NUMBER = re.compile(r"CR[-\u2013\u2014\s]*(\d{4})[-\u2013\u2014\s]*(\d{1,10})[。.]?", re.ASCII)


def certified_number(session: Session, typed: str) -> str:
    """The registration number ``typed`` names, as the registry writes it, when that registration
    has a certificate to verify. Refused, each in words: a text that is not a registration number,
    a number nobody registered (NotFound), a registration still under review or refused."""
    plain = unicodedata.normalize("NFKC", typed).strip().upper()
    found = TYPED_NUMBER.fullmatch(plain)
    if found is None:
        raise InvalidInput.said("%(value)s is not a registration number: it reads like CR-2026-00000001",
                                value=typed.strip()[:40])
    number = f"CR-{found.group(1)}-{int(found.group(2)):08d}"
    require_certified(get_registration(session, number))
    return number


def works_of(session: Session, user: User) -> list[WorkRow]:
    """The works ``user`` registered, newest first, with their licence and open-offer counts."""
    rows = session.execute(select(Registration, Work).join(Work, Registration.work_id == Work.id)
                           .where(Work.owner_id == user.id).order_by(Registration.id.desc())).all()
    mine = offers.offers_of(session, user)
    out = []
    for reg, work in rows:
        licences = session.scalars(select(Licence.id).where(Licence.registration_id == reg.id)).all()
        pending = sum(1 for o in mine if o.number == reg.number and o.status is OfferStatus.offered)
        out.append(WorkRow(number=reg.number, title=work.title, work_type=work.work_type, status=reg.status,
                           registered_at=reg.registered_at, hash_only=work.hash_only, licences=len(licences),
                           pending_offers=pending))
    return out


class HeldRow(BaseModel):
    """A work someone else registered whose rights the reader holds today: a line of "my works"."""

    number: str
    title: str
    work_type: WorkType
    status: RegistrationStatus
    registered_by: str  # the owner at registration
    rights: list[Right]  # the reader's, in the law's order
    all_rights: bool


def works_held(session: Session, user: User) -> list[HeldRow]:
    """The works others registered whose rights ``user`` holds today (transferred to them), latest
    transfer first: the new holder of a work's rights looks for it among their works, not only in
    the history of transfers. Rights passed on again are no longer listed."""
    received = (select(Transfer.registration_id).where(Transfer.to_user_id == user.id)
                .group_by(Transfer.registration_id).order_by(func.max(Transfer.id).desc()))
    order = {reg_id: place for place, reg_id in enumerate(session.scalars(received))}
    rows = session.execute(select(Registration, Work).join(Work, Registration.work_id == Work.id)
                           .where(Registration.id.in_(order), Work.owner_id != user.id,
                                  Registration.status.in_(STANDING))).all()
    held = rights.holders_of(session, [reg for reg, _ in rows], registry_day())
    names = _names(session, {work.owner_id for _, work in rows})
    out = []
    for reg, work in sorted(rows, key=lambda row: order[row[0].id]):
        if mine := held[reg.id].get(user.id):
            out.append(HeldRow(number=reg.number, title=work.title, work_type=work.work_type, status=reg.status,
                               registered_by=names[work.owner_id], rights=in_law_order(mine),
                               all_rights=mine == rights.ALL_RIGHTS))
    return out


class TransferRow(BaseModel):
    """A transfer ``user`` made or received: a line of "my works"."""

    number: str
    title: str
    from_name: str
    to_name: str
    rights: list[str]
    effective_date: dt.date
    received: bool  # the user is the one who received the rights


def transfers_of(session: Session, user: User) -> list[TransferRow]:
    """The transfers ``user`` made or received, newest first: received rights are theirs to license
    and transfer on, though the work was registered by someone else."""
    rows = session.execute(select(Transfer, Registration.number, Work.title)
                           .join(Registration, Transfer.registration_id == Registration.id)
                           .join(Work, Registration.work_id == Work.id)
                           .where(or_(Transfer.from_user_id == user.id, Transfer.to_user_id == user.id))
                           .order_by(Transfer.id.desc())).all()
    names = _names(session, {t.from_user_id for t, _, _ in rows} | {t.to_user_id for t, _, _ in rows})
    return [TransferRow(number=number, title=title, from_name=names[t.from_user_id], to_name=names[t.to_user_id],
                        rights=in_law_order(t.rights), effective_date=t.effective_date,
                        received=t.to_user_id == user.id)
            for t, number, title in rows]


def licences_to(session: Session, user: User) -> list[offers.OfferOut]:
    """Offers made to ``user`` (waiting, accepted or not): the licensee's side of "my works"."""
    return [o for o in offers.offers_of(session, user) if o.licensee.id == user.id]


def licences_from(session: Session, user: User) -> list[offers.OfferOut]:
    """Offers ``user`` made, whatever became of them: the licensor's side of "my works"."""
    return [o for o in offers.offers_of(session, user) if o.licensor.id == user.id]
