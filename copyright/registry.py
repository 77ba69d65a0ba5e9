"""Registering works: the signed statement, its transparency-log entry, the certificate."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime
from typing import Annotated, Any, BinaryIO

from pydantic import AfterValidator, BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from copyright import log
from copyright.canonical import canonical
from copyright.fingerprints import Fingerprint, fingerprint
from copyright.keys import active_key, create_key, private_key, verify_signature
from copyright.models import (
    FingerprintBand,
    Registration,
    RegistrationCounter,
    RegistrationStatus,
    Work,
    WorkFingerprint,
    WorkType,
)
from copyright.verify import CERTIFICATE_FORMAT
from core.accounts.models import User
from core.db import latest_today, utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.i18n import Term, shown_day, shown_today
from core.notifications import notify
from core.settings import Settings
from core.text import MultiLine, SingleLine

DUPLICATE_HELD = "copyright.duplicate_held"  # the notification kind sent to an earlier work's owner
CHUNK = 1 << 20
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()  # every empty file's: no work, and everyone's "duplicate"

# The refusal names the registration the owner already has (``extra["registration"]``: the page links it).
ALREADY_YOURS = "you have registered this file already, as %(number)s"
# The earliest completion or first publication date registered. Economic rights last the author's
# life and 50 years (Copyright Law Art. 23): those in a work completed before 1900 have run out, so
# an earlier date is a slip of the year (0101 typed for 2010 or 2101), which the signed certificate
# would carry for good. The refusals say the year: change them with it.
EARLIEST_WORK_DATE = date(1900, 1, 1)


def registry_day(now: datetime | None = None) -> date:
    """The registry's day, which dates licences and transfers and decides who holds what today: the
    day its pages show (Beijing's, ``SHOWN_ZONE``). A form's default date is this one, so that what
    it records is in force at once. It was UTC's, which is still yesterday in Beijing until 08:00:
    a transfer made then defaulted to a date the page showed as yesterday (and a form dated by
    Beijing's day instead was not in force for up to 8 hours, the holders being read on UTC's).
    A registration's own day is read the same way (``Registration.registered_on``)."""
    return shown_today(now or utcnow())


class WorkIn(BaseModel):
    """A work as its registrant describes it: every name here goes into the signed certificate."""

    title: SingleLine = Field(min_length=1, max_length=500)
    work_type: WorkType
    description: MultiLine = Field(default="", max_length=10_000)
    authors: list[SingleLine] = Field(default_factory=list, max_length=50)
    owners: list[SingleLine] = Field(default_factory=list, max_length=20)  # co-owners besides the registrant
    completion_date: date | None = None
    published: bool = False
    first_publication_date: date | None = None
    first_publication_place: SingleLine | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _dates_in_order(self) -> WorkIn:
        """Completion and publication as a registrar checks them: not in the future nor before
        ``EARLIEST_WORK_DATE``, published after completion, a publication date or place only for a
        published work, and a published work's date of first publication."""
        today = latest_today()
        if self.completion_date and self.completion_date > today:
            raise _refused("the completion date is in the future", "completion_date")
        if self.completion_date and self.completion_date < EARLIEST_WORK_DATE:
            raise _refused("the completion date is before 1900: check the year", "completion_date")
        if self.first_publication_date and self.first_publication_date > today:
            raise _refused("the first publication date is in the future", "first_publication_date")
        if self.first_publication_date and self.first_publication_date < EARLIEST_WORK_DATE:
            raise _refused("the first publication date is before 1900: check the year", "first_publication_date")
        if self.completion_date and self.first_publication_date and self.first_publication_date < self.completion_date:
            raise _refused("the work is first published before it was completed", "first_publication_date")
        if not self.published and (self.first_publication_date or self.first_publication_place):
            raise _refused("a first publication date or place is for a published work: tick 'published'", "published")
        if self.published and not self.first_publication_date:  # a registrar's form asks for it (首次发表日期)
            raise _refused("a published work gives the date it was first published", "first_publication_date")
        return self


def _refused(sentence: str, field: str) -> PydanticCustomError:
    """A check across fields, naming in its context the field where it is put right: the wizard says
    it beside that field (the error itself is about the model, so its location is empty)."""
    return PydanticCustomError("work_dates", sentence, {"field": field})


# A SHA-256 in hex, read in either case (PowerShell's Get-FileHash and certutil print it in
# capitals) and kept in lower case; the pattern stays in the API's schema.
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$"), AfterValidator(str.lower)]


class ContentHash(BaseModel):
    sha256: Sha256Hex
    size: int | None = Field(default=None, ge=0, le=2**53 - 1)  # what canonical JSON can sign


def hash_stream(stream: BinaryIO, limit: int, copy_to: BinaryIO | None = None) -> ContentHash:
    """SHA-256 over a stream of any size, read in chunks (each also written to ``copy_to``, so an
    upload is stored and hashed in one pass); refuses more than ``limit`` bytes."""
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        size += len(chunk)
        if size > limit:
            raise InvalidInput.said("the file is larger than the upload limit of %(limit)s bytes", limit=limit)
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return ContentHash(sha256=digest.hexdigest(), size=size)


def claim(work: WorkIn, content: ContentHash) -> dict[str, Any]:
    """What a registrant signs with their own key before the platform numbers it. Co-owners appear
    only when there are some, so claims signed before they could be named keep verifying."""
    described = work.model_dump(mode="json")
    if not described["owners"]:
        del described["owners"]
    return {"work": described, "content": content.model_dump(mode="json")}


def _next_number(session: Session, year: int) -> str:
    if session.get(RegistrationCounter, year) is None:
        try:
            with session.begin_nested():
                session.add(RegistrationCounter(year=year, last=0))
        except IntegrityError:
            pass  # another registration created the year's counter first
    last = session.execute(text("UPDATE registration_counters SET last = last + 1 WHERE year = :y RETURNING last"),
                           {"y": year}).scalar_one()
    return f"CR-{year}-{last:08d}"


def ensure_key(session: Session, settings: Settings) -> bool:
    """An active signing key, made now on a registry without one (the return says whether)."""
    if active_key(session) is not None:
        return False
    create_key(session, settings, settings.copyright_log_origin)
    return True


def matches(session: Session, content: ContentHash, print_: Fingerprint | None) -> list[dict[str, Any]]:
    """Registered (or pending) works identical to or near-duplicates of this content."""
    found: dict[int, dict[str, Any]] = {}
    for reg, work in session.execute(select(Registration, Work).join(Work, Registration.work_id == Work.id)
                                     .where(Work.sha256 == content.sha256,
                                            Registration.status != RegistrationStatus.revoked)):
        found[work.id] = {"number": reg.number, "title": work.title, "similarity": 1.0, "kind": "identical"}
    if print_ is not None:
        candidates = set(session.scalars(select(FingerprintBand.work_id).where(
            FingerprintBand.band.in_(print_.bands()))))
        for fp in session.scalars(select(WorkFingerprint).where(WorkFingerprint.work_id.in_(candidates - set(found)))):
            other = Fingerprint(kind=fp.kind, value=fp.value)
            if not print_.is_near(other):
                continue
            row = session.execute(select(Registration, Work).join(Work, Registration.work_id == Work.id).where(
                Work.id == fp.work_id, Registration.status != RegistrationStatus.revoked)).first()
            if row is not None:
                found[fp.work_id] = {"number": row[0].number, "title": row[1].title,
                                     "similarity": round(print_.similarity(other), 3), "kind": "near-duplicate"}
    return sorted(found.values(), key=lambda m: -m["similarity"])


def _registered_by(session: Session, owner: User, sha256: str) -> str | None:
    """The number under which ``owner`` registered these very bytes (not revoked), if they did: the
    same file sent twice (a second click, a form sent again) is not a copy to hold for review."""
    return session.scalar(select(Registration.number).join(Work, Registration.work_id == Work.id)
                          .where(Work.sha256 == sha256, Work.owner_id == owner.id,
                                 Registration.status != RegistrationStatus.revoked).limit(1))


def register(session: Session, settings: Settings, owner: User, work_in: WorkIn, content: ContentHash,
             hash_only: bool, stored_path: str | None = None,
             registrant: tuple[bytes, bytes] | None = None, data: bytes | None = None) -> Registration:
    """Register a work. Identical or near-duplicate content goes to review (shown the matches) and is
    logged only when a moderator approves; otherwise it is numbered, signed and logged now. The
    registrant's own file again is refused (Conflict, naming its registration).
    ``data`` (the file's bytes, when at hand) gives the near-duplicate fingerprint. Caller commits."""
    if content.size == 0 or content.sha256 == EMPTY_SHA256:
        raise InvalidInput("the file is empty: choose the work's own file").about("content")
    if registrant is not None:
        public_key, signature = registrant
        if not verify_signature(public_key, signature, canonical(claim(work_in, content))):
            raise InvalidInput("the registrant's signature does not verify over the canonical claim")
    if (mine := _registered_by(session, owner, content.sha256)) is not None:
        raise Conflict(ALREADY_YOURS % {"number": mine}, template=ALREADY_YOURS, params={"number": mine},
                       registration=mine).about("content")
    ensure_key(session, settings)
    print_ = fingerprint(data) if data is not None else None
    similar = matches(session, content, print_)
    now = utcnow()
    number = _next_number(session, shown_day(now).year)  # the year its record shows (Beijing)
    work = Work(title=work_in.title, work_type=work_in.work_type, description=work_in.description,
                authors=work_in.authors, owners=work_in.owners, owner_id=owner.id,
                completion_date=work_in.completion_date,
                published=work_in.published, first_publication_date=work_in.first_publication_date,
                first_publication_place=work_in.first_publication_place, sha256=content.sha256, size=content.size,
                hash_only=hash_only, stored_path=stored_path)
    session.add(work)
    session.flush()
    if print_ is not None:
        session.add(WorkFingerprint(work_id=work.id, kind=print_.kind, value=print_.value))
        session.add_all(FingerprintBand(band=b, work_id=work.id) for b in print_.bands())
    reg = Registration(number=number, work_id=work.id, status=RegistrationStatus.registered,
                       registrant_public_key=registrant[0] if registrant else None,
                       registrant_signature=registrant[1] if registrant else None, registered_at=now,
                       details={"matches": similar} if similar else {})
    session.add(reg)
    if similar:
        reg.status = RegistrationStatus.under_review
        _tell_earlier_owners(session, owner, reg.number, work_in.title, similar)
    else:
        publish(session, settings, reg, work, owner)
    session.flush()
    return reg


def _tell_earlier_owners(session: Session, registrant: User, number: str, title: str,
                         similar: list[dict[str, Any]]) -> None:
    """The owners of the matched works learn that a later registration is held as a duplicate of theirs."""
    for match in similar:
        earlier = session.scalar(select(Work.owner_id).join(Registration, Registration.work_id == Work.id)
                                 .where(Registration.number == match["number"]))
        if earlier is not None and earlier != registrant.id:
            notify(session, earlier, DUPLICATE_HELD, f"A later registration is held as a duplicate of {match['title']}",
                   number=match["number"], work_title=match["title"], held=number, held_title=title,
                   similarity=match["similarity"])


def statement_for(settings: Settings, reg: Registration, work: Work, owner: User) -> dict[str, Any]:
    # built without validation: the stored work was valid under the rules of its day, and a rule added
    # since (a published work's date) must not stop a moderator from approving a registration held before it
    work_in = WorkIn.model_construct(title=work.title, work_type=work.work_type, description=work.description,
                                     authors=work.authors, owners=work.owners or [],
                                     completion_date=work.completion_date, published=work.published,
                                     first_publication_date=work.first_publication_date,
                                     first_publication_place=work.first_publication_place)
    statement: dict[str, Any] = {
        "type": "registration", "version": 1, "origin": settings.copyright_log_origin, "number": reg.number,
        "time": reg.registered_at.isoformat().replace("+00:00", "Z"),
        "owner": {"id": owner.id, "name": owner.display_name},
        **claim(work_in, ContentHash(sha256=work.sha256, size=work.size)), "hash_only": work.hash_only,
    }
    if reg.registrant_public_key is not None and reg.registrant_signature is not None:
        statement["registrant"] = {"public_key": base64.b64encode(reg.registrant_public_key).decode(),
                                   "signature": base64.b64encode(reg.registrant_signature).decode()}
    return statement


def publish(session: Session, settings: Settings, reg: Registration, work: Work, owner: User) -> None:
    """Sign the statement and log the registration (at registration, or when a review approves it)."""
    key_row = active_key(session)
    assert key_row is not None
    reg.registered_at = utcnow()
    data = canonical(statement := statement_for(settings, reg, work, owner))
    entry = log.append(session, statement)
    reg.statement = data
    reg.platform_key_id = key_row.key_id
    reg.platform_signature = private_key(key_row, settings).sign(data)
    reg.log_index = entry.idx
    reg.status = RegistrationStatus.registered


def get_registration(session: Session, number: str) -> Registration:
    reg = session.scalar(select(Registration).where(Registration.number == number))
    if reg is None:
        raise NotFound.said("registration %(number)s not found", number=number)
    return reg


def require_certified(reg: Registration) -> tuple[bytes, int, bytes]:
    """The signed statement, log index and platform signature; InvalidInput while there are none
    (a registration under review, or refused at review)."""
    if reg.statement is None or reg.log_index is None or reg.platform_signature is None:
        raise InvalidInput.said("%(number)s is %(status)s: no certificate until it is registered",
                                number=reg.number, status=Term(reg.status.value))
    return reg.statement, reg.log_index, reg.platform_signature


def current_checkpoint(session: Session, settings: Settings, covering: int | None = None) -> log.SignedCheckpoint:
    """The latest signed checkpoint, or a new one when it leaves out entry ``covering`` (every entry
    when None): what is in the log is provable without waiting. Signing a new checkpoint asks the
    configured witnesses to cosign it (``copyright.witnessing``: that commits the session first)."""
    from copyright.witnessing import request_cosignatures

    cp = log.latest_checkpoint(session)
    needed = log.size(session) - 1 if covering is None else covering
    if cp is None or cp.size <= needed:
        ensure_key(session, settings)
        cp = log.sign_checkpoint(session, settings, settings.copyright_log_origin)
        request_cosignatures(session, settings, cp)
    return cp


def certificate(session: Session, settings: Settings, reg: Registration) -> dict[str, Any]:
    """The certificate JSON: statement, signatures, log entry, inclusion proof, signed checkpoint
    with the witnesses' cosignatures. Signing a new checkpoint asks the configured witnesses to
    cosign it (``copyright.witnessing``: that commits the session first)."""
    statement, log_index, signature = require_certified(reg)
    cp = current_checkpoint(session, settings, covering=log_index)
    proof = log.inclusion(session, log_index, cp.size)
    return {
        "format": CERTIFICATE_FORMAT,
        "statement": json.loads(statement),
        "signatures": [{"key_id": reg.platform_key_id, "signature": base64.b64encode(signature).decode()}],
        "log": {"origin": settings.copyright_log_origin, "index": log_index, "tree_size": cp.size,
                "inclusion_proof": [base64.b64encode(h).decode() for h in proof],
                "checkpoint": log.cosigned_note(session, cp)},
        "status": reg.status.value,
    }
