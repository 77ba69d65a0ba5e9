"""Copyright registry: registration, certificates, rights, disputes, review, the log's proofs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse

from api.deps import CurrentUser, ModeratorWriterDep, OptionalUser, SessionDep, SettingsDep, TaskQueueDep, WriterDep
from copyright import catalogue, offers, schemas, service
from copyright.keys import KeySet
from copyright.rights import LicenceIn, TransferIn
from core.ids import DbId, LogIndex, TreeSize

router = APIRouter(tags=["copyright"])
P = "/api/v1/copyright"
CREATED = status.HTTP_201_CREATED
PDF_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/pdf": {}}, "description": "The rendered PDF certificate."},
    202: {"model": schemas.RenderingOut, "description": "Queued for rendering; ask again after Retry-After seconds.",
          "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
}


@router.get("/.well-known/ipcommons-keys.json", summary="The registry's public signing keys", response_model=KeySet)
def published_keys(session: SessionDep, settings: SettingsDep) -> KeySet:
    """Anyone: the log's `origin` and every Ed25519 public key of the registry, retired ones included
    (with `retired_at`), so that old certificates still verify. With a certificate, this is all a
    verifier needs."""
    return service.published_keys(session, settings)


@router.post(f"{P}/registrations",
             summary="Register a work by its hash", status_code=CREATED, response_model=schemas.RegistrationOut)
def register_hash(body: schemas.RegisterIn, w: WriterDep, settings: SettingsDep) -> schemas.RegistrationOut:
    """Hash-only registration (the file never leaves the creator)."""
    return service.register_hash(w, settings, body)


@router.post(f"{P}/registrations/upload",
             summary="Register a work with its file", status_code=CREATED, response_model=schemas.RegistrationOut)
def register_upload(w: WriterDep, settings: SettingsDep, file: Annotated[UploadFile, File()],
                    work: Annotated[str, Form(description="WorkIn as JSON")]) -> schemas.RegistrationOut:
    """Register with the file: streamed to disk and hashed; images and texts are fingerprinted."""
    return service.register_upload(w, settings, work, file.file, file.filename or "")


@router.get(f"{P}/registrations/{{number}}",
            summary="One registration (public)", response_model=schemas.RegistrationOut)
def get_registration_public(number: str, session: SessionDep, reader: OptionalUser) -> schemas.RegistrationOut:
    """Public; the works a held registration matched are shown to its owner and moderators only."""
    return service.registration(session, number, reader)


@router.get(f"{P}/registrations/{{number}}/certificate",
            summary="A registration's signed certificate (JSON)", response_model=schemas.CertificateOut)
def get_certificate(number: str, session: SessionDep, settings: SettingsDep) -> schemas.CertificateOut:
    """Anyone: the signed statement, the platform's signature, the log entry's inclusion proof and a
    signed checkpoint; it verifies offline with `/.well-known/ipcommons-keys.json`. `status` is the
    registration's status now (the statement cannot say it was revoked since). 400 while it is under
    review, or once refused at review: there is no certificate."""
    return service.certificate_of(session, settings, number)


@router.get(f"{P}/registrations/{{number}}/certificate.pdf",
            summary="A registration's certificate (PDF)", response_model=None, response_class=FileResponse,
            responses=PDF_RESPONSES)
def get_certificate_pdf(number: str, session: SessionDep, settings: SettingsDep,
                        tasks: TaskQueueDep) -> FileResponse | JSONResponse:
    """The PDF once a worker has rendered it; the first request queues the rendering (202)."""
    pdf = service.certificate_pdf(session, settings, tasks, number)
    if isinstance(pdf, Path):
        return FileResponse(pdf, media_type="application/pdf", filename=f"{number}.pdf")  # not the stored name
    return JSONResponse(pdf.model_dump(), status_code=status.HTTP_202_ACCEPTED,
                        headers={"Retry-After": str(pdf.retry_after)})


@router.post(f"{P}/registrations/{{number}}/licences",
             summary="Record a licence you grant", status_code=CREATED, response_model=schemas.LicenceOut)
def grant_licence(number: str, body: LicenceIn, w: WriterDep) -> schemas.LicenceOut:
    """Logs the licence at once, without the licensee's acceptance (a licence offer is the way both sign).
    Only who holds the `rights` on `start_date`, or a licensee then allowed to sublicense them (403); the
    work must be `registered` (409); 409 when an exclusive licence to someone else covers some of those
    rights in an overlapping term and territory. `fee` is kept but not logged. The licensee is told in
    their inbox."""
    return service.grant_licence(w, number, body)


@router.post(f"{P}/registrations/{{number}}/licence-offers",
             summary="Offer a licence to another person", status_code=CREATED, response_model=offers.OfferOut)
def offer_licence(number: str, body: offers.OfferIn, w: WriterDep) -> offers.OfferOut:
    """Offer a licence to the person with ``licensee_email``; it is logged when they accept."""
    return offers.offer(w, number, body)


@router.get(f"{P}/licence-offers", summary="Licence offers I made or received", response_model=list[offers.OfferOut])
def my_licence_offers(session: SessionDep, user: CurrentUser) -> list[offers.OfferOut]:
    """The offers I made or received (with their private terms: I am a party)."""
    return offers.offers_of(session, user)


@router.post(f"{P}/licence-offers/{{offer_id}}/accept",
             summary="Accept a licence offer", response_model=offers.OfferOut)
def accept_licence_offer(offer_id: DbId, w: WriterDep) -> offers.OfferOut:
    """Only the licensee (403); to anyone not a party the offer does not exist (404). The licensor's
    rights are checked again (refused if they no longer allow it), then the licence is logged with the
    time of acceptance and the licensor is told in their inbox. 409 when the offer is no longer open."""
    return offers.accept(w, offer_id)


@router.post(f"{P}/licence-offers/{{offer_id}}/decline",
             summary="Decline a licence offer", response_model=offers.OfferOut)
def decline_licence_offer(offer_id: DbId, w: WriterDep) -> offers.OfferOut:
    """Only the licensee (403); to anyone not a party the offer does not exist (404). Closes the offer,
    logging nothing; the licensor is told in their inbox. 409 when it is no longer open."""
    return offers.decline(w, offer_id)


@router.post(f"{P}/licence-offers/{{offer_id}}/withdraw",
             summary="Withdraw a licence offer", response_model=offers.OfferOut)
def withdraw_licence_offer(offer_id: DbId, w: WriterDep) -> offers.OfferOut:
    """Only the licensor (403); to anyone not a party the offer does not exist (404). Closes the offer,
    logging nothing; the licensee is told in their inbox. 409 when it is no longer open."""
    return offers.withdraw(w, offer_id)


@router.post(f"{P}/registrations/{{number}}/transfers",
             summary="Transfer economic rights", status_code=CREATED, response_model=schemas.TransferOut)
def transfer_rights(number: str, body: TransferIn, w: WriterDep) -> schemas.TransferOut:
    """Move economic rights you hold, from ``effective_date`` on, to another person. Written to the
    public log and audited; the recipient is told in their inbox (``copyright.transfer_received``).
    Refused if you would not hold the rights on that date or on any later date a recorded transfer
    takes effect."""
    return service.transfer_rights(w, number, body)


@router.get(f"{P}/registrations/{{number}}/rights",
            summary="Who holds each right on a date", response_model=schemas.RightsOut)
def rights_on(number: str, session: SessionDep, on: date | None = None) -> schemas.RightsOut:
    """Anyone: `holders` maps user ids to the economic rights they hold on `on` (today in Beijing by
    default), from the registration and the transfers in effect by then; `licences` are those in force
    that day."""
    return service.rights_on(session, number, on)


@router.get(f"{P}/registrations/{{number}}/chain",
            summary="A registration's chain of title", response_model=list[schemas.ChainEntryOut])
def chain(number: str, session: SessionDep) -> list[schemas.ChainEntryOut]:
    """Anyone: every transparency-log entry about the registration in log order (`registration`,
    `licence`, `transfer`, `dispute_outcome`, `revocation`), each with the `index` that
    `/entries/{index}` proves."""
    return service.chain(session, number)


@router.post(f"{P}/registrations/{{number}}/disputes",
             summary="Dispute a registration", status_code=CREATED, response_model=schemas.DisputeOut)
def file_dispute(number: str, body: schemas.DisputeIn, w: WriterDep) -> schemas.DisputeOut:
    """Any signed-in person but the work's owner (400), with a `reason` and optional `evidence`; the owner
    is told in their inbox. A registered work shows `disputed` while a dispute is open, until a moderator
    resolves it; 409 for a revoked registration, and for one under review (its review decides it)."""
    return service.file_dispute(w, number, body)


@router.post(f"{P}/disputes/{{dispute_id}}/resolve",
             summary="Resolve a dispute (moderators)", response_model=schemas.DisputeOut)
def resolve(dispute_id: DbId, body: schemas.ResolveIn, w: ModeratorWriterDep) -> schemas.DisputeOut:
    """Moderators and admins. The outcome is logged; `upheld` true also revokes the registration (and
    logs the revocation), false rejects the dispute and the work is `registered` again once no other
    dispute is open. 409 when the dispute is resolved already."""
    return service.resolve_dispute(w, dispute_id, body)


@router.post(f"{P}/registrations/{{number}}/review",
             summary="Decide a held registration (moderators)", response_model=schemas.RegistrationOut)
def review(number: str, body: schemas.DecisionIn, w: ModeratorWriterDep,
           settings: SettingsDep) -> schemas.RegistrationOut:
    """Moderators and admins, for a registration `under_review` (its content matched registered works;
    409 otherwise). `approve` true signs and logs it: `registered`, with a certificate; false refuses
    it: `revoked`, never logged. `note` is kept in its `review`."""
    return service.review(w, settings, number, body)


@router.get(f"{P}/checkpoint", summary="The log's latest signed checkpoint", response_model=schemas.CheckpointOut)
def latest_checkpoint(session: SessionDep, settings: SettingsDep) -> schemas.CheckpointOut:
    """The latest signed checkpoint (a C2SP signed note): the log's signature, then one cosignature
    line per witness that cosigned it (C2SP tlog-cosignature)."""
    return service.latest_checkpoint(session, settings)


@router.get(f"{P}/entries/{{index}}", summary="One entry of the transparency log", response_model=schemas.EntryOut)
def entry(index: LogIndex, session: SessionDep, settings: SettingsDep,
          tree_size: TreeSize | None = None) -> schemas.EntryOut:
    """Anyone: log entry `index` (from 0) as logged, with its inclusion proof (base64 hashes, RFC 9162) in
    the tree of `tree_size`; by default, of a signed checkpoint that holds it (signed now if needed).
    404 when the entry is not in that tree, or the log is smaller than `tree_size`."""
    return service.entry(session, settings, index, tree_size)


@router.get(f"{P}/consistency",
            summary="A consistency proof between two log sizes", response_model=schemas.ConsistencyOut)
def consistency_proof(session: SessionDep, first: TreeSize, second: TreeSize) -> schemas.ConsistencyOut:
    """Anyone: the RFC 9162 proof (base64 hashes) that the log at size `second` extends the log at size
    `first`, so a checkpoint kept from before can be checked against a newer one. 400 unless
    1 <= `first` <= `second` <= the log's size."""
    return service.consistency(session, first, second)


@router.post(f"{P}/verify",
             summary="Verify a certificate", response_model=schemas.VerdictOut, response_model_exclude_none=True)
def verify(body: schemas.VerifyIn, session: SessionDep, settings: SettingsDep) -> schemas.VerdictOut:
    """Verify a certificate (and a file's hash) against the published key set."""
    return service.verify(session, settings, body)


@router.post(f"{P}/verify-file",
             summary="Which registrations hold this file",
             response_model=schemas.VerifyFileOut, response_model_exclude_none=True)
def verify_file(session: SessionDep, settings: SettingsDep,
                file: Annotated[UploadFile, File()]) -> schemas.VerifyFileOut:
    """Which registrations hold exactly this file, and does each one's certificate verify?"""
    return service.verify_file(session, settings, file.file)


@router.get(f"{P}/stats", summary="Registrations by type, status and month", response_model=schemas.StatsOut)
def stats(session: SessionDep) -> schemas.StatsOut:
    """Anyone: registrations counted by work type, by status and by month (`YYYY-MM`, Beijing time),
    and licences by kind: exclusive, non-exclusive, Creative Commons."""
    return service.stats(session)


@router.get(f"{P}/works", summary="Search registered works", response_model=schemas.WorksPage)
def search_works(session: SessionDep, query: Annotated[schemas.WorksQuery, Query()]) -> schemas.WorksPage:
    """The public catalogue: registered (also disputed or revoked) works, newest first. A work under
    review is not listed; a hash-only work offers no link, others their certificate, never the file."""
    return catalogue.search_works(session, query)
