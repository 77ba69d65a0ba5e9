"""Licences both parties sign: the licensor offers, the licensee accepts or declines.

An offer names the licensee by e-mail (nobody has to know a numeric id). Nothing is logged while
an offer waits: accepting it checks the licensor's rights again, logs the licence with the time of
acceptance and makes a ``Licence``; declining or withdrawing only closes the offer. Each side is
notified of what the other did. The fee is a private term: only the two parties see it.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from copyright import rights
from copyright.models import Licence, LicenceOffer, OfferStatus, Registration, Right, Work, in_law_order
from copyright.registry import get_registration
from core.accounts.models import User
from core.audit import AuditAction, Writer
from core.db import utcnow
from core.errors import Conflict, NotFound, PermissionDenied
from core.notifications import notify, settle
from core.text import SingleLine


class Kind(enum.StrEnum):
    """Notification kinds of licences and transfers between people (the inbox words each, and
    links it to the offer or the record)."""

    offered = "copyright.licence_offer"
    accepted = "copyright.licence_accepted"
    declined = "copyright.licence_declined"
    withdrawn = "copyright.licence_withdrawn"
    transferred = "copyright.transfer_received"
    granted = "copyright.licence_granted"  # a licence logged without an offer: the licensee learns of it
    disputed = "copyright.disputed"  # told to the work's owner


class OfferIn(BaseModel):
    """A licence offered to the person with ``licensee_email``."""

    licensee_email: SingleLine = Field(min_length=3, max_length=254)
    rights: list[Right]
    exclusive: bool = False
    may_sublicense: bool = False
    territory: SingleLine = Field(default="worldwide", min_length=1, max_length=100)
    media: SingleLine = Field(default="all media", min_length=1, max_length=200)
    start_date: dt.date
    end_date: dt.date | None = None
    fee: SingleLine | None = Field(default=None, max_length=100)

    # Checked here, with every other field, so that a form is told all it must put right at once.
    @field_validator("rights")
    @classmethod
    def _some_rights(cls, value: list[Right]) -> list[Right]:
        if not value:
            raise ValueError("choose at least one right to license")
        return value

    @field_validator("end_date")
    @classmethod
    def _after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if (start := info.data.get("start_date")) is not None:
            rights.check_term(start, value)  # the licence's own check, said with the other fields
        return value


class PartyOut(BaseModel):
    id: int
    name: str


class OfferOut(BaseModel):
    """An offer as its two parties see it (with the fee)."""

    model_config = ConfigDict(use_enum_values=False)

    id: int
    number: str
    title: str
    licensor: PartyOut
    licensee: PartyOut
    status: OfferStatus
    rights: list[Right]
    exclusive: bool
    may_sublicense: bool
    territory: str
    media: str
    start_date: dt.date
    end_date: dt.date | None
    fee: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
    licence_id: int | None
    log_index: int | None


def _person(session: Session, user_id: int) -> PartyOut:
    user = session.get(User, user_id)
    assert user is not None
    return PartyOut(id=user.id, name=user.display_name or user.email)


def _out(session: Session, offer: LicenceOffer) -> OfferOut:
    reg = session.get(Registration, offer.registration_id)
    assert reg is not None
    work = session.get(Work, reg.work_id)
    assert work is not None
    terms = rights.LicenceIn.model_validate(offer.terms)
    licence = session.get(Licence, offer.licence_id) if offer.licence_id else None
    return OfferOut(id=offer.id, number=reg.number, title=work.title, licensor=_person(session, offer.licensor_id),
                    licensee=_person(session, offer.licensee_id), status=offer.status,
                    rights=in_law_order(terms.rights), exclusive=terms.exclusive, may_sublicense=terms.may_sublicense,
                    territory=terms.territory, media=terms.media, start_date=terms.start_date, end_date=terms.end_date,
                    fee=terms.fee, created_at=offer.created_at, decided_at=offer.decided_at,
                    licence_id=offer.licence_id, log_index=licence.log_index if licence else None)


def offer(w: Writer, number: str, body: OfferIn) -> OfferOut:
    """The licensor offers a licence; refused now if they could not grant it now."""
    session = w.session
    reg = get_registration(session, number)
    rights.require_licensor(session, reg, w.actor, body.rights, body.start_date)  # before naming anyone
    licensee = rights.counterpart_by_email(session, w.actor, str(body.licensee_email), "licensee_email",
                                           rights.LICENSEE_ALONE)
    terms = rights.LicenceIn(licensee_id=licensee.id, **body.model_dump(exclude={"licensee_email"}))
    rights.check_licence(session, reg, w.actor, terms)
    row = LicenceOffer(registration_id=reg.id, licensor_id=w.actor.id, licensee_id=licensee.id,
                       terms=terms.model_dump(mode="json"))
    session.add(row)
    session.flush()
    tell_party(session, licensee.id, Kind.offered, "A licence to {title} is offered to you", reg, w.actor,
               offer_id=row.id, rights=row.terms["rights"])
    w.audit(AuditAction.copyright_licence_offer, "registration", number, offer_id=row.id, licensee=licensee.id)
    w.commit()
    return _out(session, row)


def _open_offer(session: Session, offer_id: int, user: User) -> LicenceOffer:
    """The offer, if ``user`` is one of its parties (others are told it does not exist)."""
    row = session.get(LicenceOffer, offer_id)
    if row is None or user.id not in (row.licensor_id, row.licensee_id):
        raise NotFound.said("licence offer %(id)s not found", id=offer_id)
    return row


@dataclass(frozen=True)
class _Answer:
    """How an offer is closed: by whom, and what the other party is told."""

    licensee_answers: bool  # accept and decline are the licensee's; withdraw is the licensor's
    refused: str
    kind: Kind
    title: str


ANSWERS = {
    OfferStatus.accepted: _Answer(True, "only the licensee may accept a licence offer", Kind.accepted,
                                  "Your licence offer was accepted"),
    OfferStatus.declined: _Answer(True, "only the licensee may decline a licence offer", Kind.declined,
                                  "Your licence offer was declined"),
    OfferStatus.withdrawn: _Answer(False, "only the licensor may withdraw a licence offer", Kind.withdrawn,
                                   "A licence offer to you was withdrawn"),
}


def _answer(w: Writer, offer_id: int, status: OfferStatus) -> LicenceOffer:
    """Close an open offer: 1. it is one of the actor's offers, 2. the actor is the party who may
    answer so, 3. it is still open, and this answer claims it in one conditional update (two
    answers sent at once: one wins, the other is a conflict, and one licence is logged); 4. for an
    acceptance, the licence is checked again and logged; 5. the other party is told; 6. audited
    and committed."""
    answer = ANSWERS[status]
    session, actor = w.session, w.actor
    row = _open_offer(session, offer_id, actor)
    answering, other = ((row.licensee_id, row.licensor_id) if answer.licensee_answers
                        else (row.licensor_id, row.licensee_id))
    if actor.id != answering:
        raise PermissionDenied(answer.refused)
    _claim(session, row, status)
    if status is OfferStatus.accepted:
        row.licence_id = _log_licence(session, row).id
    reg = session.get(Registration, row.registration_id)
    assert reg is not None
    _tell(session, row, other, answer, reg, actor)
    w.audit(AuditAction.copyright_licence_answer, "licence_offer", row.id, outcome=status.value,
            licence_id=row.licence_id)
    w.commit()
    return row


def tell_party(session: Session, to: int, kind: Kind, title: str, reg: Registration, actor: User,
               **extra: Any) -> None:
    """A party's inbox notice of what ``actor`` did to the rights in ``reg``'s work: ``title`` with the
    work's title for ``{title}``, and who acted by the name they show (not their e-mail address)."""
    work = session.get(Work, reg.work_id)
    assert work is not None
    notify(session, to, kind, title.format(title=work.title), number=reg.number, work_title=work.title,
           counterpart=actor.display_name or actor.email.partition("@")[0], **extra)


def _tell(session: Session, row: LicenceOffer, to: int, answer: _Answer, reg: Registration, actor: User) -> None:
    """Tell the other party how the offer was closed; the licensee's notice of it is settled."""
    tell_party(session, to, answer.kind, f"{answer.title}: {{title}}", reg, actor, offer_id=row.id,
               rights=row.terms["rights"])  # two offers of one work are told apart by their rights
    settle(session, row.licensee_id, Kind.offered, row.status.value, offer_id=row.id)  # no longer waits for an answer


def _claimed(session: Session, row: LicenceOffer, status: OfferStatus) -> bool:
    """Move the offer from offered to ``status`` unless another answer did first: the update's
    condition is checked by the database under its row lock (PostgreSQL) or write lock (SQLite)."""
    decided_at = utcnow()
    claim = (update(LicenceOffer).where(LicenceOffer.id == row.id, LicenceOffer.status == OfferStatus.offered)
             .values(status=status, decided_at=decided_at).execution_options(synchronize_session=False))
    claimed = cast(CursorResult[Any], session.execute(claim))  # an UPDATE's result: it has a rowcount
    if claimed.rowcount != 1:
        return False
    set_committed_value(row, "status", status)  # what the update wrote: nothing more to flush
    set_committed_value(row, "decided_at", decided_at)
    return True


# How an offer was closed, said to whoever answers it again (a stale tab): a sentence each, so that
# a page says it in its reader's words (a status word in a sentence read "already Accepted").
ALREADY = {OfferStatus.accepted: "this offer was accepted already",
           OfferStatus.declined: "this offer was declined already",
           OfferStatus.withdrawn: "this offer was withdrawn already"}


def _claim(session: Session, row: LicenceOffer, status: OfferStatus) -> None:
    """``_claimed``, or a conflict naming the answer that came first (and nothing of this one kept)."""
    if not _claimed(session, row, status):
        session.rollback()
        session.refresh(row)
        raise Conflict(ALREADY[row.status])


def _log_licence(session: Session, row: LicenceOffer) -> Licence:
    """The accepted offer as a licence in the log, granted by the licensor (whose rights are checked
    again: they may have changed since the offer), with the time of acceptance."""
    reg = session.get(Registration, row.registration_id)
    licensor = session.get(User, row.licensor_id)
    assert reg is not None and licensor is not None and row.decided_at is not None
    return rights.license_work(session, reg, licensor, rights.LicenceIn.model_validate(row.terms),
                               accepted_at=row.decided_at.isoformat().replace("+00:00", "Z"))


def withdraw_ungrantable(w: Writer, reg: Registration) -> list[int]:
    """After the actor transferred rights in ``reg``: their open offers of rights they no longer hold
    are withdrawn, each licensee told, and each withdrawal audited. Left open, such an offer would
    only be refused when its licensee accepted it, for a reason they could not see coming. Offers a
    licensee answered meanwhile are left as answered. Committed with the transfer, by its caller."""
    session, actor = w.session, w.actor
    waiting = session.scalars(select(LicenceOffer).where(
        LicenceOffer.registration_id == reg.id, LicenceOffer.licensor_id == actor.id,
        LicenceOffer.status == OfferStatus.offered).order_by(LicenceOffer.id)).all()
    withdrawn: list[int] = []
    for row in waiting:
        try:
            rights.check_licence(session, reg, actor, rights.LicenceIn.model_validate(row.terms))
        except PermissionDenied:
            if not _claimed(session, row, OfferStatus.withdrawn):
                continue
            _tell(session, row, row.licensee_id, ANSWERS[OfferStatus.withdrawn], reg, actor)
            w.audit(AuditAction.copyright_licence_answer, "licence_offer", row.id,
                    outcome=OfferStatus.withdrawn.value, reason="rights transferred")
            withdrawn.append(row.id)
        except Conflict:
            continue  # an exclusive licence came first: the licensee's acceptance says so, as before
    return withdrawn


def accept(w: Writer, offer_id: int) -> OfferOut:
    """The licensee accepts: the licence is logged with both parties."""
    return _out(w.session, _answer(w, offer_id, OfferStatus.accepted))


def decline(w: Writer, offer_id: int) -> OfferOut:
    return _out(w.session, _answer(w, offer_id, OfferStatus.declined))


def withdraw(w: Writer, offer_id: int) -> OfferOut:
    return _out(w.session, _answer(w, offer_id, OfferStatus.withdrawn))


def get(session: Session, user: User, offer_id: int) -> OfferOut:
    return _out(session, _open_offer(session, offer_id, user))


def offers_of(session: Session, user: User, number: str | None = None) -> list[OfferOut]:
    """Offers ``user`` made or received (about one registration when ``number`` is given), newest first."""
    stmt = select(LicenceOffer).where(or_(LicenceOffer.licensor_id == user.id, LicenceOffer.licensee_id == user.id))
    if number is not None:
        stmt = stmt.where(LicenceOffer.registration_id == get_registration(session, number).id)
    return [_out(session, row) for row in session.scalars(stmt.order_by(LicenceOffer.id.desc()))]


def licence_document(session: Session, user: User, offer_id: int) -> dict[str, Any]:
    """What the licence document (PDF) shows: both parties, the rights and the terms, the log entry.
    Only for the parties, and only once the licence is in the log."""
    out = get(session, user, offer_id)
    if out.status is not OfferStatus.accepted or out.log_index is None:
        raise Conflict.said("offer %(id)s is %(status)s: there is no licence document", id=offer_id,
                            status=out.status.value)
    return out.model_dump(mode="json")


def licence_pdf(session: Session, user: User, offer_id: int) -> bytes:
    """The licence document as a PDF, for its two parties."""
    from copyright.pdf import render_licence_pdf

    return render_licence_pdf(licence_document(session, user, offer_id))
