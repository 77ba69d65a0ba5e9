"""The copyright registry's operations: what the API and the CLI call.

Writes take a ``core.audit.Writer`` and register, license, transfer or decide for ``w.actor``:
they change the registry, record an audit entry and commit. Reads take a session. Both return
the models of ``copyright.schemas``. Errors are the platform's own (``core.errors``) and
``VerificationFailed`` for a certificate that does not verify offline.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copyright import log, offers, rights
from copyright.keys import KeySet, key_set
from copyright.models import Dispute, Licence, Registration, Work, WorkType
from copyright.registry import (
    ContentHash,
    WorkIn,
    certificate,
    current_checkpoint,
    ensure_key,
    get_registration,
    hash_stream,
    register,
    registry_day,
    require_certified,
)
from copyright.schemas import (
    ActiveLicenceOut,
    CertificateOut,
    ChainEntryOut,
    CheckpointOut,
    ConsistencyOut,
    DecisionIn,
    DisputeIn,
    DisputeOut,
    EntryOut,
    FileRegistrationOut,
    LicenceOut,
    LicenceTypeCounts,
    RegisterIn,
    RegistrationOut,
    RenderingOut,
    ResolveIn,
    RightsOut,
    StatsOut,
    TransferOut,
    VerdictOut,
    VerifyFileOut,
    VerifyIn,
)
from copyright.tasks import pdf_path, render_certificate_pdf
from copyright.verify import VerificationFailed, Verified, verify_certificate
from core.accounts.models import User
from core.accounts.permissions import is_staff
from core.accounts.service import create_user, normalise_email
from core.audit import AuditAction, Writer
from core.celery_app import TaskQueue
from core.errors import Conflict, InvalidInput, NotFound, refusals_about, validator_words
from core.filekinds import program_kind
from core.i18n import Term, shown_day
from core.settings import Settings

FINGERPRINT_BYTES = 32 * 1024 * 1024  # enough of a file to fingerprint images and texts


# --- accounts the CLI names by e-mail ------------------------------------------------------------

def account(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound.said("no account for %(email)s", email=email)
    return user


def creator_account(session: Session, email: str) -> User:
    """The account with this e-mail, created if needed: a registrar may register for a creator
    who has no account yet (they set a password through the usual reset)."""
    try:
        return account(session, email)
    except NotFound:
        return create_user(session, email, secrets.token_urlsafe(24))


# --- registration --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    """A file received into a temporary file under the data dir, hashed on the way in."""

    temp: Path
    final: Path  # works/<sha256>: where ``keep`` puts it
    content: ContentHash
    head: bytes  # the first FINGERPRINT_BYTES, for the near-duplicate fingerprint

    def keep(self) -> None:
        self.temp.replace(self.final)


@contextmanager
def received(settings: Settings, stream: BinaryIO) -> Iterator[Upload]:
    """Stream ``stream`` to a temporary file under the data dir, hashing it in the same pass and
    refusing more than the upload limit. The temporary file is gone when the block ends: moved
    into place by ``Upload.keep``, or deleted, whatever failed."""
    folder = settings.resolved_data_dir / "works"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    temp = Path(name)
    try:
        with os.fdopen(fd, "w+b") as tmp:
            content = hash_stream(stream, settings.max_upload_bytes, copy_to=tmp)
            tmp.seek(0)
            head = tmp.read(FINGERPRINT_BYTES)
        yield Upload(temp=temp, final=folder / content.sha256, content=content, head=head)
    finally:
        temp.unlink(missing_ok=True)


def _b64(value: str | None, what: str) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise InvalidInput.said("%(field)s is not base64", field=what) from exc


def _registrant(body: RegisterIn) -> tuple[bytes, bytes] | None:
    """The registrant's own public key and signature over the claim, when they sent both."""
    public = _b64(body.registrant_public_key, "registrant_public_key")
    signature = _b64(body.registrant_signature, "registrant_signature")
    if public is None and signature is None:
        return None
    if public is None or signature is None:
        raise InvalidInput("send both registrant_public_key and registrant_signature, or neither")
    return public, signature


def _public(session: Session, reg: Registration, reader: User | None) -> RegistrationOut:
    """The registration as ``reader`` sees it: which works a held one matched is for its owner and
    for the moderators who decide the review (as on its record page), not for anyone who asks."""
    work = session.get(Work, reg.work_id)
    assert work is not None
    sees_matches = is_staff(reader) or (reader is not None and reader.id == work.owner_id)
    return RegistrationOut(
        number=reg.number, status=reg.status, title=work.title, work_type=work.work_type, authors=work.authors,
        owner_id=work.owner_id, sha256=work.sha256, hash_only=work.hash_only, registered_at=reg.registered_at,
        log_index=reg.log_index, matches=reg.details.get("matches", []) if sees_matches else [],
        review=reg.details.get("review"), revoked_at=rights.revoked_at(session, reg))


def _registered(w: Writer, reg: Registration) -> RegistrationOut:
    """The answer is read before the commit: once the registration is committed, nothing may ask the
    database again, or a connection lost just then (a database restart) would answer 503 for a work
    that is registered, and the retry would be refused as a duplicate of it."""
    w.audit(AuditAction.copyright_register, "registration", reg.number, status=reg.status.value)
    out = _public(w.session, reg, w.actor)
    w.commit()
    return out


def register_hash(w: Writer, settings: Settings, body: RegisterIn) -> RegistrationOut:
    """Hash-only registration: the file never leaves the creator."""
    reg = register(w.session, settings, w.actor, body.work, body.content, hash_only=True,
                   registrant=_registrant(body))
    return _registered(w, reg)


def parse_work(work_json: str) -> WorkIn:
    """The work's description sent as a JSON form field next to an upload."""
    try:
        return WorkIn.model_validate_json(work_json)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput.said("work: %(problem)s at %(where)s", problem=validator_words(first),
                                where=first["loc"]) from exc


def register_stream(w: Writer, settings: Settings, work_in: WorkIn, stream: BinaryIO,
                    hash_only: bool = False, filename: str = "") -> RegistrationOut:
    """Register from the file itself: hashed, fingerprinted (images and texts) and, unless
    ``hash_only``, kept under the data dir as works/<sha256>. A program (by its content, or by
    ``filename``: an .exe or a script) is registered only as computer software. A refusal of the
    content (too large, a program, empty, registered already) is about ``file``, the part that sent
    it; any other refusal keeps the field it names (the form marks that one, not the file), or none."""
    with ExitStack() as stack:
        with refusals_about("file"):  # more than the upload limit
            upload = stack.enter_context(received(settings, stream))
        if work_in.work_type is not WorkType.software and (kind := program_kind(upload.head, filename)) is not None:
            raise InvalidInput.said("the file is a program (%(kind)s): register it as computer software, or "
                                    "choose the work's own file", kind=kind).about("file")
        try:
            reg = register(w.session, settings, w.actor, work_in, upload.content, hash_only=hash_only,
                           stored_path=None if hash_only else str(upload.final), data=upload.head)
        except (InvalidInput, Conflict) as exc:
            if exc.extra.get("field") == "content":  # its bytes (empty, registered already): the file sent them
                exc.about("file")
            raise
        if not hash_only:
            upload.keep()
        return _registered(w, reg)


def register_upload(w: Writer, settings: Settings, work_json: str, stream: BinaryIO,
                    filename: str = "") -> RegistrationOut:
    return register_stream(w, settings, parse_work(work_json), stream, filename=filename)


def registration(session: Session, number: str, reader: User | None = None) -> RegistrationOut:
    return _public(session, get_registration(session, number), reader)


# --- certificates and keys -----------------------------------------------------------------------

def published_keys(session: Session, settings: Settings) -> KeySet:
    return key_set(session, settings.copyright_log_origin)


@dataclass(frozen=True)
class ExportedKeys:
    """The published key set, and whether its first key was made for it: a registry without a key
    is new, or not the one meant (a command run outside the platform's folder)."""

    key_set: KeySet
    made_first_key: bool


def export_keys(session: Session, settings: Settings) -> ExportedKeys:
    """The published key set, creating the first signing key on a fresh registry (a witness is set
    up with the log's key before the first registration)."""
    made = ensure_key(session, settings)
    session.commit()
    return ExportedKeys(published_keys(session, settings), made)


def certificate_of(session: Session, settings: Settings, number: str) -> CertificateOut:
    """The certificate; commits because a checkpoint covering it may have been signed for it."""
    cert = certificate(session, settings, get_registration(session, number))
    session.commit()
    return CertificateOut.model_validate(cert)


RENDER_WAIT_SECONDS = 60  # a rendering not done by then is asked for again, and the reader told it is late


def certificate_pdf(session: Session, settings: Settings, tasks: TaskQueue, number: str) -> Path | RenderingOut:
    """The PDF once a worker has rendered it; until then, the rendering queued and said so.

    A waiting page asks every two seconds: the rendering is queued once, then again only after
    RENDER_WAIT_SECONDS (a marker file's age says when it was asked for), so a stopped worker finds
    one job per minute waiting, not thirty; past that time the answer says the rendering is late."""
    reg = get_registration(session, number)
    require_certified(reg)
    path = pdf_path(settings, reg.number, reg.status.value)
    if path.is_file():
        return path
    queued = path.with_suffix(".queued")
    waited = time.time() - queued.stat().st_mtime if queued.is_file() else None
    if waited is None or waited >= RENDER_WAIT_SECONDS:
        tasks.send(render_certificate_pdf, reg.number)
        queued.parent.mkdir(parents=True, exist_ok=True)
        queued.touch()
    return RenderingOut(late=waited is not None and waited >= RENDER_WAIT_SECONDS)


# --- rights --------------------------------------------------------------------------------------

def grant_licence(w: Writer, number: str, body: rights.LicenceIn) -> LicenceOut:
    """A licence logged at once, without the licensee's acceptance (an offer is the way both sign it):
    the licensee is told in their inbox, so no licence names them without their knowing."""
    reg = get_registration(w.session, number)
    lic = rights.license_work(w.session, reg, w.actor, body)
    offers.tell_party(w.session, lic.licensee_id, offers.Kind.granted, "A licence to {title} names you", reg, w.actor,
                      rights=lic.rights, start_date=lic.start_date.isoformat())
    w.audit(AuditAction.copyright_licence, "registration", number, licence_id=lic.id, licensee=lic.licensee_id)
    w.commit()
    return LicenceOut.model_validate(lic, from_attributes=True)


def transfer_rights(w: Writer, number: str, body: rights.TransferIn) -> TransferOut:
    """Move rights the actor holds to another person, who is told in their inbox; the actor's open
    licence offers of rights they no longer hold are withdrawn."""
    reg = get_registration(w.session, number)
    t = rights.transfer(w.session, reg, w.actor, body)
    offers.tell_party(w.session, t.to_user_id, offers.Kind.transferred, "Rights in {title} are transferred to you",
                      reg, w.actor, rights=t.rights, effective_date=t.effective_date.isoformat())
    w.audit(AuditAction.copyright_transfer, "registration", number, transfer_id=t.id, to=t.to_user_id)
    withdrawn = offers.withdraw_ungrantable(w, reg)
    w.commit()
    return TransferOut(id=t.id, log_index=t.log_index, rights=t.rights, withdrawn_offers=withdrawn)


def transfer_to(w: Writer, number: str, body: rights.TransferByEmailIn) -> TransferOut:
    """``transfer_rights`` to the person with an e-mail address (the portal's form). Only a holder of
    the rights learns whether an address has an account."""
    rights.require_holder(w.session, get_registration(w.session, number), w.actor, body.rights, body.effective_date)
    recipient = rights.counterpart_by_email(w.session, w.actor, str(body.recipient_email), "recipient_email",
                                            rights.TO_YOURSELF)
    return transfer_rights(w, number, rights.TransferIn(to_user_id=recipient.id, rights=body.rights,
                                                        effective_date=body.effective_date))


def rights_on(session: Session, number: str, on: date | None = None) -> RightsOut:
    """Who holds which rights on ``on`` (today by default) and the licences in force then."""
    reg = get_registration(session, number)
    day = on or registry_day()
    licences = [ActiveLicenceOut(id=lic.id, licensee_id=lic.licensee_id, rights=lic.rights, exclusive=lic.exclusive,
                                 territory=lic.territory, start=lic.start_date, end=lic.end_date, cc_code=lic.cc_code)
                for lic in rights.active_licences(session, reg, day)]
    holders = {str(user): sorted(held) for user, held in rights.holders(session, reg, day).items()}
    return RightsOut(date=day, holders=holders, licences=licences)


def chain(session: Session, number: str) -> list[ChainEntryOut]:
    return [ChainEntryOut.model_validate(e) for e in rights.chain_of_title(session, get_registration(session, number))]


def file_dispute(w: Writer, number: str, body: DisputeIn) -> DisputeOut:
    """A dispute, which marks the registration disputed until a moderator resolves it: the work's
    owner is told in their inbox (they learned of it only from the record's status)."""
    reg = get_registration(w.session, number)
    d = rights.open_dispute(w.session, reg, w.actor, body.reason, body.evidence)
    work = w.session.get(Work, reg.work_id)
    assert work is not None
    offers.tell_party(w.session, work.owner_id, offers.Kind.disputed, "Your registration of {title} is disputed", reg,
                      w.actor)
    w.audit(AuditAction.copyright_dispute, "registration", number, dispute_id=d.id)
    w.commit()
    return DisputeOut(id=d.id, status=d.status)


def resolve_dispute(w: Writer, dispute_id: int, body: ResolveIn) -> DisputeOut:
    d = w.session.get(Dispute, dispute_id)
    if d is None:
        raise NotFound.said("dispute %(id)s not found", id=dispute_id)
    rights.resolve_dispute(w.session, d, w.actor, body.upheld, body.resolution)
    w.audit(AuditAction.copyright_dispute_resolve, "dispute", d.id, outcome=d.status.value)
    w.commit()
    return DisputeOut(id=d.id, status=d.status)


def review(w: Writer, settings: Settings, number: str, body: DecisionIn) -> RegistrationOut:
    """A moderator registers a work held for review, or refuses it."""
    reg = rights.decide_review(w.session, settings, get_registration(w.session, number), w.actor, body.approve,
                               body.note)
    w.audit(AuditAction.copyright_review, "registration", number, approved=body.approve)
    out = _public(w.session, reg, w.actor)  # before the commit, as for a registration (_registered)
    w.commit()
    return out


# --- the log's proofs ----------------------------------------------------------------------------

def _b64_list(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def latest_checkpoint(session: Session, settings: Settings) -> CheckpointOut:
    """The checkpoint of the whole log (signed now if the log grew since the last one), with the
    cosignature lines of the witnesses that cosigned it. Commits the new checkpoint."""
    if log.size(session) == 0:
        raise NotFound("the log is empty: nothing is registered yet")
    cp = current_checkpoint(session, settings)
    session.commit()
    return CheckpointOut(size=cp.size, checkpoint=log.cosigned_note(session, cp))


def entry(session: Session, settings: Settings, index: int, tree_size: int | None = None) -> EntryOut:
    """Entry ``index`` with its inclusion proof in the tree of ``tree_size``; by default in the tree
    of a signed checkpoint that holds it (signed now if needed, and committed)."""
    if tree_size is None and 0 <= index < log.size(session):
        tree_size = current_checkpoint(session, settings, covering=index).size
        session.commit()
    size = tree_size or log.size(session)
    if not 0 <= index < size or size > log.size(session):
        raise NotFound.said("no entry %(index)s in a tree of size %(size)s", index=index, size=size)
    row = session.get(log.LogEntry, index)
    assert row is not None
    return EntryOut(index=index, entry=json.loads(row.entry), tree_size=size,
                    inclusion_proof=_b64_list(log.inclusion(session, index, size)))


def consistency(session: Session, first: int, second: int) -> ConsistencyOut:
    if not 1 <= first <= second <= log.size(session):
        raise InvalidInput("need 1 <= first <= second <= log size")
    return ConsistencyOut(first=first, second=second, proof=_b64_list(log.consistency(session, first, second)))


# --- verification --------------------------------------------------------------------------------

def _verdict(cert: dict[str, Any], keys: KeySet, sha256: str | None = None) -> VerdictOut:
    try:
        result = verify_certificate(cert, keys, sha256=sha256)
    except VerificationFailed as exc:
        return VerdictOut(valid=False, failed_step=exc.step, reason=exc.reason)
    return VerdictOut(valid=True, number=result.number, steps=result.steps)


def verify(session: Session, settings: Settings, body: VerifyIn) -> VerdictOut:
    """Verify a certificate (and a file's hash) against the published key set; a genuine one with
    its registration's status now (revoked since, disputed), which the certificate cannot tell."""
    verdict = _verdict(body.certificate, published_keys(session, settings), body.sha256)
    reg = session.scalar(select(Registration).where(Registration.number == verdict.number)) if verdict.valid else None
    if reg is not None:
        verdict.status, verdict.revoked_at = reg.status, rights.revoked_at(session, reg)
    return verdict


def verify_file(session: Session, settings: Settings, stream: BinaryIO) -> VerifyFileOut:
    """Which registrations hold exactly this file, and does each one's certificate verify?"""
    content = hash_stream(stream, settings.max_upload_bytes)
    keys = published_keys(session, settings)
    found = []
    for reg in session.scalars(select(Registration).join(Work, Registration.work_id == Work.id)
                               .where(Work.sha256 == content.sha256).order_by(Registration.id)):
        item: dict[str, object] = {"number": reg.number, "status": reg.status}
        if reg.statement is not None:
            verdict = _verdict(certificate(session, settings, reg), keys)
            item.update(certificate_valid=verdict.valid, failed_step=verdict.failed_step, reason=verdict.reason)
        found.append(FileRegistrationOut.model_validate(item))
    session.commit()  # checkpoints signed for the certificates
    return VerifyFileOut(sha256=content.sha256, size=content.size, registrations=found)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except (ValueError, OSError) as exc:
        raise InvalidInput.said("cannot read the %(what)s %(path)s: %(reason)s", what=Term(what), path=str(path),
                                reason=str(exc)) from exc


def verify_offline(cert_file: Path, keys_file: Path, file: Path | None = None,
                   older_checkpoint_file: Path | None = None, witnesses_file: Path | None = None) -> Verified:
    """Verify a certificate with only the published key set, as anyone can without the platform.
    ``older_checkpoint_file`` holds ``{checkpoint, proof}``: a checkpoint kept from before and the
    consistency proof from it to the certificate's. ``witnesses_file`` is a witness policy
    (``{"quorum": n, "witnesses": [{"name", "public_key"}]}``): the certificate's checkpoint must
    then carry valid cosignatures by a quorum of those witnesses."""
    from copyright.witness import WitnessPolicy

    cert = _read_json(cert_file, "certificate")
    try:
        keys = KeySet.model_validate(_read_json(keys_file, "key set"))
    except ValidationError as exc:
        raise InvalidInput.said("%(path)s is not a published key set", path=str(keys_file)) from exc
    if not isinstance(cert, dict):
        raise InvalidInput.said("%(path)s is not a certificate: not a JSON object", path=str(cert_file))
    policy = None
    if witnesses_file is not None:
        try:
            policy = WitnessPolicy.from_json(witnesses_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput.said("cannot read the %(what)s %(path)s: %(reason)s", what=Term("witness policy"),
                                    path=str(witnesses_file), reason=str(exc)) from exc
    if older_checkpoint_file is None:
        return verify_certificate(cert, keys, file, witnesses=policy)
    older = _read_json(older_checkpoint_file, "older checkpoint")
    if not isinstance(older, dict) or not isinstance(older.get("checkpoint"), str):
        raise InvalidInput.said("%(path)s is not {checkpoint, proof}", path=str(older_checkpoint_file))
    return verify_certificate(cert, keys, file, older["checkpoint"], older.get("proof"), witnesses=policy)


# --- statistics ----------------------------------------------------------------------------------

def stats(session: Session) -> StatsOut:
    """Registrations by work type, status and month (Beijing's, as every date the pages show: at
    01:00 on 1 February there, a registration counted in January by UTC), and licences by kind."""
    by_type = session.execute(select(Work.work_type, func.count()).join(
        Registration, Registration.work_id == Work.id).group_by(Work.work_type)).all()
    by_status = session.execute(select(Registration.status, func.count()).group_by(Registration.status)).all()
    registered = session.scalars(select(Registration.registered_at))
    months = Counter(shown_day(when).strftime("%Y-%m") for when in registered)
    licences = Counter("creative_commons" if cc else "exclusive" if exclusive else "non_exclusive"
                       for exclusive, cc in session.execute(select(Licence.exclusive, Licence.cc_code)))
    return StatsOut(by_work_type={WorkType(k).value: v for k, v in by_type},
                    by_status={k.value: v for k, v in by_status}, by_month=dict(sorted(months.items())),
                    by_licence_type=LicenceTypeCounts.model_validate(licences))
