"""Rights over registered works: transfers, licences, disputes, review decisions, chain of title.

Every event is a transparency-log entry with its time inside. Who holds which rights on a date
is derived from the registration (the owner holds every right) and the transfers since.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from copyright import log
from copyright.models import (
    Dispute,
    DisputeStatus,
    Licence,
    Registration,
    RegistrationStatus,
    Right,
    Transfer,
    Work,
)
from core.accounts.models import User
from core.accounts.permissions import require_staff
from core.accounts.service import active_user_by_email
from core.db import utcnow
from core.errors import Conflict, InvalidInput, PermissionDenied, refusals_about
from core.i18n import Day, Term
from core.ids import DbId
from core.settings import Settings
from core.text import SingleLine

ALL_RIGHTS = frozenset(r.value for r in Right)
CC_CODES = {"CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-ND-4.0",
            "CC-BY-NC-ND-4.0"}


class TransferIn(BaseModel):
    to_user_id: DbId
    rights: list[Right] = Field(min_length=1)
    effective_date: date


class TransferByEmailIn(BaseModel):
    """A transfer to the person with ``recipient_email``: the portal names people by e-mail, as
    licence offers do, not by a numeric id nobody knows."""

    recipient_email: SingleLine = Field(min_length=3, max_length=254)
    rights: list[Right] = Field(min_length=1)
    effective_date: date


ENDS_BEFORE_START = "the licence ends before it starts"
TO_YOURSELF = "you cannot transfer rights to yourself"
LICENSEE_ALONE = "a licence needs another person as licensee"


def check_term(start: date, end: date | None) -> None:
    """A licence's term: its end, if it has one, on or after its start (a ValueError, for pydantic)."""
    if end is not None and end < start:
        raise ValueError(ENDS_BEFORE_START)


class LicenceIn(BaseModel):
    licensee_id: DbId
    rights: list[Right] = Field(min_length=1)
    exclusive: bool = False
    may_sublicense: bool = False
    territory: SingleLine = Field(default="worldwide", max_length=100)
    media: SingleLine = Field(default="all media", max_length=200)
    start_date: date
    end_date: date | None = None
    fee: SingleLine | None = Field(default=None, max_length=100)
    cc_code: str | None = None

    @model_validator(mode="after")
    def _check(self) -> LicenceIn:
        check_term(self.start_date, self.end_date)
        if self.cc_code is not None and self.cc_code not in CC_CODES:
            raise ValueError(f"unknown Creative Commons code; one of {sorted(CC_CODES)}")
        return self


def _now() -> str:
    return utcnow().isoformat().replace("+00:00", "Z")


def _registered(reg: Registration) -> None:
    if reg.status != RegistrationStatus.registered:
        raise Conflict.said("%(number)s is %(status)s; rights can be recorded only for registered works",
                            number=reg.number, status=Term(reg.status.value))


def holders(session: Session, reg: Registration, on: date) -> dict[int, set[str]]:
    """Who holds which economic rights on ``on`` (the owner at registration, then transfers)."""
    return holders_of(session, [reg], on)[reg.id]


def _owner(session: Session, reg: Registration) -> int:
    work = session.get(Work, reg.work_id)  # loaded already, as a rule: no query
    assert work is not None
    return work.owner_id


def holders_of(session: Session, regs: list[Registration], on: date) -> dict[int, dict[int, set[str]]]:
    """``holders`` of several registrations (by id), in one query: a page of the register names
    each work's holders today, not its first owner."""
    held: dict[int, dict[int, set[str]]] = {reg.id: {_owner(session, reg): set(ALL_RIGHTS)}
                                            if reg.registered_on <= on else {} for reg in regs}
    moves = select(Transfer).where(Transfer.registration_id.in_(held), Transfer.effective_date <= on)
    for t in session.scalars(moves.order_by(Transfer.effective_date, Transfer.id)):
        if not (of := held[t.registration_id]):
            continue
        moved = set(t.rights)
        of[t.from_user_id] = of.get(t.from_user_id, set()) - moved
        of.setdefault(t.to_user_id, set()).update(moved)
    return {reg: {user: rights for user, rights in of.items() if rights} for reg, of in held.items()}


def active_licences(session: Session, reg: Registration, on: date) -> list[Licence]:
    return [lic for lic in session.scalars(select(Licence).where(Licence.registration_id == reg.id)
                                           .order_by(Licence.id))
            if lic.start_date <= on and (lic.end_date is None or lic.end_date >= on)]


def _grant_checked(session: Session, reg: Registration, actor: User, counterpart_id: int, rights: list[Right],
                   alone: str, field: str) -> set[str]:
    """The rights' names, once the work is registered and the counterpart is another existing
    person (``alone`` says why the actor cannot be their own counterpart; a refusal of the
    counterpart is about ``field``, where the request names them)."""
    _registered(reg)
    if counterpart_id == actor.id:
        raise InvalidInput(alone).about(field)
    counterpart = session.get(User, counterpart_id)
    if counterpart is None or not counterpart.is_active:
        raise InvalidInput.said("user %(id)s does not exist", id=counterpart_id).about(field)
    return {r.value for r in rights}


def counterpart_by_email(session: Session, actor: User, email: str, field: str, alone: str) -> User:
    """The other party of a licence or a transfer, named by e-mail in ``field`` of a form: an active
    account, not the actor's own (``alone`` says why). Each refusal is about ``field``, so the form
    marks the address to put right, not only says why above it."""
    with refusals_about(field):
        counterpart = active_user_by_email(session, email)
    if counterpart.id == actor.id:
        raise InvalidInput(alone).about(field)
    return counterpart


def require_holder(session: Session, reg: Registration, actor: User, rights: list[Right], effective: date) -> None:
    """Refuse unless ``actor`` holds ``rights`` from ``effective`` on: on that date and on every
    later date a recorded transfer takes effect. Holding them on ``effective`` alone is not enough:
    a transfer dated before one already recorded would give away again what that one moved."""
    _registered(reg)
    registered = reg.registered_on
    if effective < registered:
        raise InvalidInput.said("a transfer takes effect on or after the registration date, %(date)s",
                                date=Day(registered)).about("effective_date")
    names = {r.value for r in rights}
    later = session.scalars(select(Transfer.effective_date).where(Transfer.registration_id == reg.id,
                                                                  Transfer.effective_date > effective))
    for day in sorted({effective, *later}):
        if not names <= holders(session, reg, day).get(actor.id, set()):
            raise PermissionDenied.said("only the holder of these rights on %(date)s may transfer them",
                                        date=Day(day)).about("rights")


def transfer(session: Session, reg: Registration, actor: User, body: TransferIn) -> Transfer:
    rights = _grant_checked(session, reg, actor, body.to_user_id, body.rights, TO_YOURSELF, "to_user_id")
    require_holder(session, reg, actor, body.rights, body.effective_date)
    entry = log.append(session, {"type": "transfer", "time": _now(), "registration": reg.number,
                                 "from": actor.id, "to": body.to_user_id, "rights": sorted(rights),
                                 "effective_date": body.effective_date.isoformat()})
    row = Transfer(registration_id=reg.id, from_user_id=actor.id, to_user_id=body.to_user_id,
                   rights=sorted(rights), effective_date=body.effective_date, log_index=entry.idx)
    session.add(row)
    session.flush()
    return row


def _overlaps(a: Licence, body: LicenceIn) -> bool:
    a_end = a.end_date or date.max
    b_end = body.end_date or date.max
    same_place = a.territory == body.territory or "worldwide" in (a.territory, body.territory)
    return a.start_date <= b_end and body.start_date <= a_end and same_place


def require_licensor(session: Session, reg: Registration, actor: User, rights: list[Right], start: date) -> None:
    """Refuse unless ``actor`` may license ``rights`` from ``start`` (on or after the registration):
    their holder, or a licensee allowed to sublicense them. Checked before anything else of an offer,
    so only a licensor learns whether the licensee's address has an account."""
    if start < reg.registered_on:  # the registration's date is public: said to anyone
        raise InvalidInput.said("a licence starts on or after the registration date, %(date)s",
                                date=Day(reg.registered_on)).about("start_date")
    names = {r.value for r in rights}
    if names <= holders(session, reg, start).get(actor.id, set()):
        return
    sublicensable = {r for lic in active_licences(session, reg, start)
                     if lic.licensee_id == actor.id and lic.may_sublicense for r in lic.rights}
    if not names <= sublicensable:
        raise PermissionDenied("only the rights holder, or a licensee allowed to sublicense, "
                               "may license these rights").about("rights")


def check_licence(session: Session, reg: Registration, actor: User, body: LicenceIn) -> set[str]:
    """The rights' names if ``actor`` may grant this licence now: the holder of the rights may, a
    licensee only with a sublicensable licence, and no exclusive licence may cover them already."""
    rights = _grant_checked(session, reg, actor, body.licensee_id, body.rights, LICENSEE_ALONE, "licensee_id")
    require_licensor(session, reg, actor, body.rights, body.start_date)
    for other in session.scalars(select(Licence).where(Licence.registration_id == reg.id, Licence.exclusive.is_(True))):
        if set(other.rights) & rights and _overlaps(other, body) and other.licensee_id != body.licensee_id:
            raise Conflict.said("an exclusive licence (#%(id)s) already covers some of these rights then and there",
                                id=other.id).about("rights")
    return rights


def license_work(session: Session, reg: Registration, actor: User, body: LicenceIn,
                 accepted_at: str | None = None) -> Licence:
    """Grant a licence and log it. ``accepted_at``: when the licensee accepted an offer of it (the
    log entry then records both parties' consent). Private terms (the fee) are not logged."""
    rights = check_licence(session, reg, actor, body)
    entry: dict[str, Any] = {"type": "licence", "time": _now(), "registration": reg.number,
                             "licensor": actor.id, "licensee": body.licensee_id, "rights": sorted(rights),
                             "exclusive": body.exclusive, "territory": body.territory,
                             "start": body.start_date.isoformat(),
                             "end": body.end_date.isoformat() if body.end_date else None, "cc_code": body.cc_code}
    if accepted_at is not None:
        entry.update(media=body.media, accepted=accepted_at)
    logged = log.append(session, entry)
    row = Licence(registration_id=reg.id, licensor_id=actor.id, licensee_id=body.licensee_id,
                  exclusive=body.exclusive, may_sublicense=body.may_sublicense, rights=sorted(rights),
                  territory=body.territory, media=body.media, start_date=body.start_date, end_date=body.end_date,
                  fee=body.fee, cc_code=body.cc_code, log_index=logged.idx)
    session.add(row)
    session.flush()
    return row


def open_dispute(session: Session, reg: Registration, actor: User, reason: str, evidence: list[str]) -> Dispute:
    """A dispute of a registration in the log. Not of one under review: its review decides it, and
    upheld, a dispute logs a revocation (of an entry such a registration does not have). Not by the
    work's owner: a dispute marks the registration publicly, and its owner has nothing to dispute."""
    if reg.status == RegistrationStatus.revoked:
        raise Conflict.said("%(number)s is revoked", number=reg.number)
    if reg.status == RegistrationStatus.under_review:
        raise Conflict.said("%(number)s is under review: its review decides it, and it can be disputed once "
                            "registered", number=reg.number)
    work = session.get(Work, reg.work_id)
    if work is not None and work.owner_id == actor.id:
        raise InvalidInput("you cannot dispute your own registration")
    dispute = Dispute(registration_id=reg.id, complainant_id=actor.id, reason=reason, evidence=evidence)
    session.add(dispute)
    if reg.status == RegistrationStatus.registered:
        reg.status = RegistrationStatus.disputed  # shown publicly until resolved
    session.flush()
    return dispute


def resolve_dispute(session: Session, dispute: Dispute, moderator: User, upheld: bool, resolution: str) -> Dispute:
    require_staff(moderator)
    if dispute.status != DisputeStatus.open:
        raise Conflict("the dispute is already resolved")
    reg = session.get(Registration, dispute.registration_id)
    assert reg is not None
    dispute.status = DisputeStatus.upheld if upheld else DisputeStatus.rejected
    dispute.resolution, dispute.resolved_by, dispute.resolved_at = resolution, moderator.id, utcnow()
    log.append(session, {"type": "dispute_outcome", "time": _now(), "registration": reg.number,
                         "dispute": dispute.id, "outcome": dispute.status.value})
    if upheld:
        reg.status = RegistrationStatus.revoked
        log.append(session, {"type": "revocation", "time": _now(), "registration": reg.number,
                             "reason": f"dispute {dispute.id} upheld"})
    elif reg.status == RegistrationStatus.disputed:
        still_open = session.scalar(select(Dispute.id).where(Dispute.registration_id == reg.id,
                                                             Dispute.status == DisputeStatus.open,
                                                             Dispute.id != dispute.id).limit(1))
        if still_open is None:
            reg.status = RegistrationStatus.registered
    session.flush()
    return dispute


def decide_review(session: Session, settings: Settings, reg: Registration, moderator: User, approve: bool,
                  note: str) -> Registration:
    """A moderator registers a work held for review (the match was not a copy) or refuses it."""
    from copyright.registry import publish

    require_staff(moderator)
    if reg.status != RegistrationStatus.under_review:
        raise Conflict.said("%(number)s is not under review", number=reg.number)
    reg.details = {**reg.details, "review": {"approved": approve, "note": note, "by": moderator.id}}
    if approve:
        work = session.get(Work, reg.work_id)
        assert work is not None
        owner = session.get(User, work.owner_id)
        assert owner is not None
        publish(session, settings, reg, work, owner)
    else:
        reg.status = RegistrationStatus.revoked
    session.flush()
    return reg


def revoked_at(session: Session, reg: Registration) -> datetime | None:
    """When the log recorded the registration's revocation (a dispute upheld); None while it stands,
    and for a held registration refused before it was ever logged."""
    if reg.status != RegistrationStatus.revoked:
        return None
    return session.scalar(select(log.LogEntry.created_at)
                          .where(log.LogEntry.subject == reg.number, log.LogEntry.kind == "revocation")
                          .order_by(log.LogEntry.idx.desc()).limit(1))


def chain_of_title(session: Session, reg: Registration) -> list[dict[str, Any]]:
    """Every log entry about this registration, in log order, with its index (for proofs)."""
    rows = session.scalars(select(log.LogEntry).where(log.LogEntry.subject == reg.number).order_by(log.LogEntry.idx))
    return [{"index": r.idx, **json.loads(r.entry)} for r in rows]
