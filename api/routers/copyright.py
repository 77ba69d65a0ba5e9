"""Copyright registry: registration, certificates, rights, disputes, review, the log's proofs."""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import tempfile
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select

from api.deps import SessionDep, Writer, WriterDep, get_platform, role_writer
from copyright import log, rights
from copyright.keys import KeySet, key_set
from copyright.models import Dispute, Licence, Registration, Work, WorkType
from copyright.registry import ContentHash, WorkIn, certificate, get_registration, hash_stream, register
from copyright.tasks import render_certificate_pdf
from copyright.verify import VerificationFailed, verify_certificate
from core.accounts.models import Role
from core.errors import InvalidInput, NotFound

router = APIRouter(tags=["copyright"])
P = "/api/v1/copyright"
ModeratorWriter = Annotated[Writer, Depends(role_writer(Role.moderator))]
FINGERPRINT_BYTES = 32 * 1024 * 1024


class RegisterIn(BaseModel):
    work: WorkIn
    content: ContentHash
    registrant_public_key: str | None = None  # base64 Ed25519 key; signs the canonical claim
    registrant_signature: str | None = None


class DisputeIn(BaseModel):
    reason: str = Field(min_length=10, max_length=10_000)
    evidence: list[str] = Field(default_factory=list, max_length=20)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(min_length=1, max_length=5000)


class ResolveIn(BaseModel):
    upheld: bool
    resolution: str = Field(min_length=1, max_length=5000)


class VerifyIn(BaseModel):
    certificate: dict[str, Any]
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


def _b64(value: str | None, what: str) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise InvalidInput(f"{what} is not base64") from exc


def _public(session: SessionDep, reg: Registration) -> dict[str, object]:
    work = session.get(Work, reg.work_id)
    assert work is not None
    return {"number": reg.number, "status": reg.status.value, "title": work.title, "work_type": work.work_type.value,
            "authors": work.authors, "owner_id": work.owner_id, "sha256": work.sha256, "hash_only": work.hash_only,
            "registered_at": reg.registered_at, "log_index": reg.log_index,
            "matches": reg.details.get("matches", []), "review": reg.details.get("review")}


def _registered_response(w: Writer, reg: Registration) -> dict[str, object]:
    w.audit("copyright.register", "registration", reg.number, status=reg.status.value)
    w.commit()
    return _public(w.session, reg)


@router.get("/.well-known/ipcommons-keys.json", response_model=KeySet)
def published_keys(request: Request, session: SessionDep) -> KeySet:
    return key_set(session, get_platform(request).settings.copyright_log_origin)


@router.post(f"{P}/registrations", status_code=status.HTTP_201_CREATED)
def register_hash(body: RegisterIn, request: Request, w: WriterDep) -> dict[str, object]:
    """Hash-only registration (the file never leaves the creator)."""
    pub, sig = _b64(body.registrant_public_key, "registrant_public_key"), _b64(body.registrant_signature,
                                                                                "registrant_signature")
    if (pub is None) != (sig is None):
        raise InvalidInput("send both registrant_public_key and registrant_signature, or neither")
    reg = register(w.session, get_platform(request).settings, w.actor, body.work, body.content, hash_only=True,
                   registrant=(pub, sig) if pub is not None and sig is not None else None)
    return _registered_response(w, reg)


@router.post(f"{P}/registrations/upload", status_code=status.HTTP_201_CREATED)
def register_upload(request: Request, w: WriterDep, file: Annotated[UploadFile, File()],
                    work: Annotated[str, Form(description="WorkIn as JSON")]) -> dict[str, object]:
    """Register with the file: streamed to disk and hashed; images and texts are fingerprinted."""
    settings = get_platform(request).settings
    try:
        work_in = WorkIn.model_validate_json(work)
    except ValidationError as exc:
        raise InvalidInput(f"work: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}") from exc
    uploads = settings.resolved_data_dir / "works"
    uploads.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=uploads, delete=False) as tmp:
        shutil.copyfileobj(file.file, tmp, 1 << 20)
        temp_path = tmp.name
    try:
        with open(temp_path, "rb") as fh:
            content = hash_stream(fh, settings.max_upload_bytes)
        with open(temp_path, "rb") as fh:
            head = fh.read(FINGERPRINT_BYTES)
        final = uploads / content.sha256
        shutil.move(temp_path, final)
    finally:
        if os.path.exists(temp_path):  # anything that failed before the move leaves nothing behind
            os.unlink(temp_path)
    reg = register(w.session, settings, w.actor, work_in, content, hash_only=False, stored_path=str(final), data=head)
    return _registered_response(w, reg)


@router.get(f"{P}/registrations/{{number}}")
def get_registration_public(number: str, session: SessionDep) -> dict[str, object]:
    return _public(session, get_registration(session, number))


@router.get(f"{P}/registrations/{{number}}/certificate")
def get_certificate(number: str, request: Request, session: SessionDep) -> dict[str, Any]:
    cert = certificate(session, get_platform(request).settings, get_registration(session, number))
    session.commit()  # a checkpoint may have been signed for it
    return cert


@router.get(f"{P}/registrations/{{number}}/certificate.pdf", response_model=None)
def get_certificate_pdf(number: str, request: Request, session: SessionDep) -> FileResponse | JSONResponse:
    """The PDF once a worker has rendered it; the first request queues the rendering (202)."""
    settings = get_platform(request).settings
    reg = get_registration(session, number)
    if reg.statement is None:
        raise InvalidInput(f"{number} is {reg.status.value}: no certificate until it is registered")
    path = settings.resolved_data_dir / "certificates" / f"{reg.number}.pdf"
    if path.is_file():
        return FileResponse(path, media_type="application/pdf", filename=f"{reg.number}.pdf")
    get_platform(request).tasks.send(render_certificate_pdf, reg.number, str(request.base_url))
    return JSONResponse({"status": "rendering", "retry_after": 2}, status_code=202, headers={"Retry-After": "2"})


@router.post(f"{P}/registrations/{{number}}/licences", status_code=status.HTTP_201_CREATED)
def grant_licence(number: str, body: rights.LicenceIn, w: WriterDep) -> dict[str, object]:
    lic = rights.license_work(w.session, get_registration(w.session, number), w.actor, body)
    w.audit("copyright.licence", "registration", number, licence_id=lic.id, licensee=lic.licensee_id)
    w.commit()
    return {"id": lic.id, "log_index": lic.log_index, "rights": lic.rights, "exclusive": lic.exclusive}


@router.post(f"{P}/registrations/{{number}}/transfers", status_code=status.HTTP_201_CREATED)
def transfer_rights(number: str, body: rights.TransferIn, w: WriterDep) -> dict[str, object]:
    t = rights.transfer(w.session, get_registration(w.session, number), w.actor, body)
    w.audit("copyright.transfer", "registration", number, transfer_id=t.id, to=t.to_user_id)
    w.commit()
    return {"id": t.id, "log_index": t.log_index, "rights": t.rights}


@router.get(f"{P}/registrations/{{number}}/rights")
def rights_on(number: str, session: SessionDep, on: date | None = None) -> dict[str, object]:
    reg = get_registration(session, number)
    day = on or date.today()
    active = rights.active_licences(session, reg, day)
    return {"date": day, "holders": {str(u): sorted(r) for u, r in rights.holders(session, reg, day).items()},
            "licences": [{"id": lic.id, "licensee_id": lic.licensee_id, "rights": lic.rights,
                          "exclusive": lic.exclusive, "territory": lic.territory, "start": lic.start_date,
                          "end": lic.end_date, "cc_code": lic.cc_code} for lic in active]}


@router.get(f"{P}/registrations/{{number}}/chain")
def chain(number: str, session: SessionDep) -> list[dict[str, Any]]:
    return rights.chain_of_title(session, get_registration(session, number))


@router.post(f"{P}/registrations/{{number}}/disputes", status_code=status.HTTP_201_CREATED)
def file_dispute(number: str, body: DisputeIn, w: WriterDep) -> dict[str, object]:
    d = rights.open_dispute(w.session, get_registration(w.session, number), w.actor, body.reason, body.evidence)
    w.audit("copyright.dispute", "registration", number, dispute_id=d.id)
    w.commit()
    return {"id": d.id, "status": d.status.value}


@router.post(f"{P}/disputes/{{dispute_id}}/resolve")
def resolve(dispute_id: int, body: ResolveIn, w: ModeratorWriter) -> dict[str, object]:
    d = w.session.get(Dispute, dispute_id)
    if d is None:
        raise NotFound(f"dispute {dispute_id} not found")
    rights.resolve_dispute(w.session, d, w.actor, body.upheld, body.resolution)
    w.audit("copyright.dispute.resolve", "dispute", d.id, outcome=d.status.value)
    w.commit()
    return {"id": d.id, "status": d.status.value}


@router.post(f"{P}/registrations/{{number}}/review")
def review(number: str, body: DecisionIn, request: Request, w: ModeratorWriter) -> dict[str, object]:
    reg = rights.decide_review(w.session, get_platform(request).settings, get_registration(w.session, number),
                               w.actor, body.approve, body.note)
    w.audit("copyright.review", "registration", number, approved=body.approve)
    w.commit()
    return _public(w.session, reg)


@router.get(f"{P}/checkpoint")
def latest_checkpoint(session: SessionDep) -> dict[str, object]:
    cp = log.latest_checkpoint(session)
    if cp is None:
        raise NotFound("the log has no signed checkpoint yet")
    return {"size": cp.size, "checkpoint": cp.note}


@router.get(f"{P}/entries/{{index}}")
def entry(index: int, session: SessionDep, tree_size: int | None = Query(default=None, ge=1)) -> dict[str, object]:
    size = tree_size or (cp.size if (cp := log.latest_checkpoint(session)) else log.size(session))
    if not 0 <= index < size or size > log.size(session):
        raise NotFound(f"no entry {index} in a tree of size {size}")
    row = session.get(log.LogEntry, index)
    assert row is not None
    return {"index": index, "entry": json.loads(row.entry), "tree_size": size,
            "inclusion_proof": [base64.b64encode(h).decode() for h in log.inclusion(session, index, size)]}


@router.get(f"{P}/consistency")
def consistency_proof(session: SessionDep, first: int = Query(ge=1), second: int = Query(ge=1)) -> dict[str, object]:
    if first > second or second > log.size(session):
        raise InvalidInput("need 1 <= first <= second <= log size")
    return {"first": first, "second": second,
            "proof": [base64.b64encode(h).decode() for h in log.consistency(session, first, second)]}


@router.post(f"{P}/verify")
def verify(body: VerifyIn, request: Request, session: SessionDep) -> dict[str, object]:
    """Verify a certificate (and a file's hash) against the published key set."""
    keys = key_set(session, get_platform(request).settings.copyright_log_origin)
    try:
        if body.sha256 is not None and body.certificate.get("statement", {}).get("content", {}).get(
                "sha256") != body.sha256:
            raise VerificationFailed("file hash", "the file's SHA-256 is not the registered one")
        result = verify_certificate(body.certificate, keys)
    except VerificationFailed as exc:
        return {"valid": False, "failed_step": exc.step, "reason": exc.reason}
    return {"valid": True, "number": result.number, "steps": result.steps}


@router.post(f"{P}/verify-file")
def verify_file(request: Request, session: SessionDep, file: Annotated[UploadFile, File()]) -> dict[str, object]:
    """Which registrations hold exactly this file, and does each one's certificate verify?"""
    settings = get_platform(request).settings
    content = hash_stream(file.file, settings.max_upload_bytes)
    keys = key_set(session, settings.copyright_log_origin)
    found = []
    for reg in session.scalars(select(Registration).join(Work, Registration.work_id == Work.id)
                               .where(Work.sha256 == content.sha256).order_by(Registration.id)):
        item: dict[str, object] = {"number": reg.number, "status": reg.status.value}
        if reg.statement is not None:
            try:
                verify_certificate(certificate(session, settings, reg), keys)
                item["certificate_valid"] = True
            except VerificationFailed as exc:
                item.update(certificate_valid=False, failed_step=exc.step, reason=exc.reason)
        found.append(item)
    session.commit()
    return {"sha256": content.sha256, "size": content.size, "registrations": found}


@router.get(f"{P}/stats")
def stats(session: SessionDep) -> dict[str, object]:
    by_type = dict(session.execute(select(Work.work_type, func.count()).join(
        Registration, Registration.work_id == Work.id).group_by(Work.work_type)).all())
    by_status = dict(session.execute(select(Registration.status, func.count()).group_by(Registration.status)).all())
    months: dict[str, int] = {}
    for (when,) in session.execute(select(Registration.registered_at)):
        key = when.strftime("%Y-%m")
        months[key] = months.get(key, 0) + 1
    licences = {"exclusive": 0, "non_exclusive": 0, "creative_commons": 0}
    for exclusive, cc in session.execute(select(Licence.exclusive, Licence.cc_code)):
        licences["creative_commons" if cc else "exclusive" if exclusive else "non_exclusive"] += 1
    return {"by_work_type": {WorkType(k).value: v for k, v in by_type.items()},
            "by_status": {k.value: v for k, v in by_status.items()}, "by_month": dict(sorted(months.items())),
            "by_licence_type": licences}
