"""Licences both parties sign: the licensor offers, the licensee accepts or declines.

An offer names the licensee by e-mail (nobody has to know a numeric id). Nothing is logged while
an offer waits: accepting it checks the licensor's rights again, logs the licence with the time of
acceptance and makes a ``Licence``; declining or withdrawing only closes the offer. Each side is
notified of what the other did. The fee is a private term: only the two parties see it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from copyright import rights
from copyright.models import Licence, LicenceOffer, OfferStatus, Registration, Right, Work
from copyright.registry import get_registration
from core.accounts.models import User
from core.accounts.service import normalise_email
from core.audit import AuditAction, Writer
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.notifications import notify


class Kind:
    """Notification kinds of the licensing workflow (the inbox links each to the offer)."""

    offered = "copyright.licence_offer"
    accepted = "copyright.licence_accepted"
    declined = "copyright.licence_declined"
    withdrawn = "copyright.licence_withdrawn"


class OfferIn(BaseModel):
    """A licence offered to the person with ``licensee_email``."""

    licensee_email: str = Field(min_length=3, max_length=254)
    rights: list[Right] = Field(min_length=1)
    exclusive: bool = False
    may_sublicense: bool = False
    territory: str = Field(default="worldwide", min_length=1, max_length=100)
    media: str = Field(default="all media", min_length=1, max_length=200)
    start_date: dt.date
    end_date: dt.date | None = None
    fee: str | None = Field(default=None, max_length=100)


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
                    licensee=_person(session, offer.licensee_id), status=offer.status, rights=terms.rights,
                    exclusive=terms.exclusive, may_sublicense=terms.may_sublicense, territory=terms.territory,
                    media=terms.media, start_date=terms.start_date, end_date=terms.end_date, fee=terms.fee,
                    created_at=offer.created_at, decided_at=offer.decided_at, licence_id=offer.licence_id,
                    log_index=licence.log_index if licence else None)


def _licensee(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email), User.is_active.is_(True)))
    if user is None:
        raise InvalidInput.said("no account uses the e-mail %(email)s: ask the licensee to sign up first",
                                email=email)
    return user


def offer(w: Writer, number: str, body: OfferIn) -> OfferOut:
    """The licensor offers a licence; refused now if they could not grant it now."""
    session = w.session
    reg = get_registration(session, number)
    licensee = _licensee(session, str(body.licensee_email))
    terms = rights.LicenceIn(licensee_id=licensee.id, **body.model_dump(exclude={"licensee_email"}))
    rights.check_licence(session, reg, w.actor, terms)
    row = LicenceOffer(registration_id=reg.id, licensor_id=w.actor.id, licensee_id=licensee.id,
                       terms=terms.model_dump(mode="json"))
    session.add(row)
    session.flush()
    work = session.get(Work, reg.work_id)
    assert work is not None
    notify(session, licensee.id, Kind.offered, f"A licence to {work.title} is offered to you", offer_id=row.id,
           number=reg.number, work_title=work.title, counterpart=w.actor.display_name or w.actor.email)
    w.audit(AuditAction.copyright_licence_offer, "registration", number, offer_id=row.id, licensee=licensee.id)
    w.commit()
    return _out(session, row)


def _open_offer(session: Session, offer_id: int, user: User) -> LicenceOffer:
    """The offer, if ``user`` is one of its parties (others are told it does not exist)."""
    row = session.get(LicenceOffer, offer_id)
    if row is None or user.id not in (row.licensor_id, row.licensee_id):
        raise NotFound.said("licence offer %(id)s not found", id=offer_id)
    return row


def _close(row: LicenceOffer, status: OfferStatus) -> None:
    if row.status is not OfferStatus.offered:
        raise Conflict.said("this offer is already %(status)s", status=row.status.value)
    row.status, row.decided_at = status, utcnow()


def _tell(session: Session, row: LicenceOffer, to: int, kind: str, title: str, by: User) -> None:
    reg = session.get(Registration, row.registration_id)
    assert reg is not None
    work = session.get(Work, reg.work_id)
    assert work is not None
    notify(session, to, kind, f"{title}: {work.title}", offer_id=row.id, number=reg.number, work_title=work.title,
           counterpart=by.display_name or by.email)


def accept(w: Writer, offer_id: int) -> OfferOut:
    """The licensee accepts: the licensor's rights are checked again and the licence is logged."""
    session, actor = w.session, w.actor
    row = _open_offer(session, offer_id, actor)
    if actor.id != row.licensee_id:
        raise PermissionDenied("only the licensee may accept a licence offer")
    _close(row, OfferStatus.accepted)
    reg = session.get(Registration, row.registration_id)
    licensor = session.get(User, row.licensor_id)
    assert reg is not None and licensor is not None
    licence = rights.license_work(session, reg, licensor, rights.LicenceIn.model_validate(row.terms),
                                  accepted_at=row.decided_at.isoformat().replace("+00:00", "Z")
                                  if row.decided_at else None)
    row.licence_id = licence.id
    _tell(session, row, row.licensor_id, Kind.accepted, "Your licence offer was accepted", actor)
    w.audit(AuditAction.copyright_licence_answer, "licence_offer", row.id, outcome="accepted", licence_id=licence.id)
    w.commit()
    return _out(session, row)


def decline(w: Writer, offer_id: int) -> OfferOut:
    row = _open_offer(w.session, offer_id, w.actor)
    if w.actor.id != row.licensee_id:
        raise PermissionDenied("only the licensee may decline a licence offer")
    _close(row, OfferStatus.declined)
    _tell(w.session, row, row.licensor_id, Kind.declined, "Your licence offer was declined", w.actor)
    w.audit(AuditAction.copyright_licence_answer, "licence_offer", row.id, outcome="declined")
    w.commit()
    return _out(w.session, row)


def withdraw(w: Writer, offer_id: int) -> OfferOut:
    row = _open_offer(w.session, offer_id, w.actor)
    if w.actor.id != row.licensor_id:
        raise PermissionDenied("only the licensor may withdraw a licence offer")
    _close(row, OfferStatus.withdrawn)
    _tell(w.session, row, row.licensee_id, Kind.withdrawn, "A licence offer to you was withdrawn", w.actor)
    w.audit(AuditAction.copyright_licence_answer, "licence_offer", row.id, outcome="withdrawn")
    w.commit()
    return _out(w.session, row)


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
