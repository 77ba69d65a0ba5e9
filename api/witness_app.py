"""A witness as an HTTP service: the C2SP tlog-witness protocol (https://c2sp.org/tlog-witness).

``POST /add-checkpoint`` takes ``old <size>``, one base64 consistency-proof hash per line, a blank
line and the signed checkpoint, and answers with the witness's cosignature line(s). This module only
translates HTTP to ``copyright.witness.Witness.add_checkpoint`` and its refusals to the statuses the
protocol names; what to cosign is decided there. ``ipcommons copyright witness-serve`` runs it.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from copyright.witness import (
    MAX_SUBMISSION_BYTES,
    BadSubmission,
    ForkedCheckpoint,
    InconsistentCheckpoint,
    NotSignedByLog,
    OldSizeMismatch,
    UnknownLog,
    Witness,
    WitnessStateError,
)
from core.errors import InvalidInput, IPCommonsError

SIZE_MEDIA_TYPE = "text/x.tlog.size"  # the body of a 409 that names the witness's latest size

# tlog-witness: the status of each refusal (the first class in the error's MRO that is listed)
STATUS: dict[type[IPCommonsError], int] = {
    BadSubmission: 400,
    NotSignedByLog: 403,
    UnknownLog: 404,
    OldSizeMismatch: 409,
    ForkedCheckpoint: 409,
    InconsistentCheckpoint: 422,
    WitnessStateError: 503,
    IPCommonsError: 400,
}


def status_of(exc: IPCommonsError) -> int:
    return next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)


class _TooLarge(InvalidInput):
    """A submission past MAX_SUBMISSION_BYTES (answered 413, as tlog-witness servers do)."""


async def _body(request: Request) -> bytes:
    """The request body, refused past MAX_SUBMISSION_BYTES without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_SUBMISSION_BYTES:
        raise _TooLarge(f"a submission is at most {MAX_SUBMISSION_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_SUBMISSION_BYTES:
            raise _TooLarge(f"a submission is at most {MAX_SUBMISSION_BYTES} bytes")
    return bytes(body)


def create_witness_app(witness: Witness) -> Starlette:
    """The witness's HTTP interface; the submission prefix is the server's root."""

    async def add_checkpoint(request: Request) -> Response:
        try:
            text = (await _body(request)).decode("utf-8")
        except _TooLarge:
            return PlainTextResponse(f"a submission is at most {MAX_SUBMISSION_BYTES} bytes\n", status_code=413)
        except UnicodeDecodeError:
            return PlainTextResponse("the submission is not UTF-8 text\n", status_code=400)
        try:
            lines = await run_in_threadpool(witness.add_checkpoint, text)
        except OldSizeMismatch as exc:
            return Response(f"{exc.latest_size}\n", status_code=409,
                            headers={"Content-Type": SIZE_MEDIA_TYPE})  # exactly this type, no charset
        except IPCommonsError as exc:  # already logged by the witness
            return PlainTextResponse(exc.detail + "\n", status_code=status_of(exc))
        return PlainTextResponse(lines)

    return Starlette(routes=[Route("/add-checkpoint", add_checkpoint, methods=["POST"])])
