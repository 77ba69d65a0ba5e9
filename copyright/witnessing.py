"""The platform asks its witnesses to cosign each checkpoint it signs (C2SP tlog-witness client).

For every witness URL in ``IPC_COPYRIGHT_WITNESSES`` the platform sends the new checkpoint with a
consistency proof from the size that witness last cosigned (what ``checkpoint_cosignatures``
holds for it; 0 at first). A witness that answers 409 with its own size (``text/x.tlog.size``)
is asked once more with a proof from that size. The cosignature lines it returns are kept and
published with the checkpoint (``log.cosigned_note``).

A witness that is down, slow or refuses is logged and skipped: registration and certificates
never wait on it longer than ``TIMEOUT``, and the checkpoint is then published without its
cosignature. The checkpoint is committed before any witness sees it, so a witness never cosigns
a checkpoint that a rollback could take back and the log later sign differently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import httpx
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from copyright import checkpoint, log
from copyright.checkpoint import EM_DASH, CheckpointError
from copyright.witness import submission
from core.errors import IPCommonsError
from core.settings import Settings

logger = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(5.0, connect=2.0)  # per witness; never longer than this per request
SIZE_MEDIA_TYPE = "text/x.tlog.size"
COSIGNATURE_BYTES = 4 + 8 + 64  # key ID, timestamp, Ed25519 signature


class Outcome(StrEnum):
    cosigned = "cosigned"
    refused = "refused"
    unreachable = "unreachable"


@dataclass(frozen=True)
class Answer:
    witness: str
    outcome: Outcome
    detail: str = ""


def request_cosignatures(session: Session, settings: Settings, cp: log.SignedCheckpoint) -> list[Answer]:
    """Ask every configured witness that has not cosigned ``cp`` yet; keep what they sign.

    Commits ``session`` first (the checkpoint is published before any witness sees it) and again
    after storing the cosignatures. Nothing is asked, and nothing committed, without witnesses."""
    if not settings.copyright_witnesses:
        return []
    session.commit()
    size, note = cp.size, cp.note
    done = set(session.scalars(select(log.Cosignature.witness).where(log.Cosignature.size == size)))
    answers = []
    with httpx.Client(timeout=TIMEOUT) as client:
        for url in settings.copyright_witnesses:
            if url not in done:
                answers.append(_ask(session, client, url, size, note))
    session.commit()
    return answers


def last_cosigned_size(session: Session, witness: str) -> int:
    """The largest checkpoint size ``witness`` cosigned for this platform (0: none yet)."""
    return int(session.scalar(select(func.max(log.Cosignature.size)).where(log.Cosignature.witness == witness))
               or 0)


def _ask(session: Session, client: httpx.Client, url: str, size: int, note: str) -> Answer:
    old = last_cosigned_size(session, url)
    if old > size:
        old = 0  # a witness ahead of this log's newest checkpoint: let it say its size (409)
    for attempt in (1, 2):
        try:
            proof = log.consistency(session, old, size) if 0 < old < size else []
            response = client.post(f"{url.rstrip('/')}/add-checkpoint", content=submission(old, proof, note).encode(),
                                   headers={"Content-Type": "text/plain; charset=utf-8"})
        except httpx.HTTPError as exc:
            return _unreachable(url, size, f"{type(exc).__name__}: {exc}")
        except (IPCommonsError, ValueError) as exc:  # the log cannot prove from that size (gaps)
            return _refused(url, size, f"no consistency proof from size {old}: {exc}")
        if response.status_code == 200:
            return _keep(session, url, size, note, response.text)
        latest = _latest_size(response)
        if attempt == 1 and latest is not None and latest != old and latest <= size:
            old = latest  # the witness has cosigned another size than recorded here: prove from it
            continue
        return _refused(url, size, f"HTTP {response.status_code}: {response.text.strip()[:300]}")
    raise AssertionError("unreachable: the second attempt always returns")


def _latest_size(response: httpx.Response) -> int | None:
    """The witness's latest cosigned size from a 409 ``text/x.tlog.size`` answer."""
    if response.status_code != 409 or not response.headers.get("content-type", "").startswith(SIZE_MEDIA_TYPE):
        return None
    text = response.text.strip()
    return int(text) if text.isdigit() and len(text) <= 20 else None


def _keep(session: Session, url: str, size: int, note: str, body: str) -> Answer:
    """Store the cosignature lines of a 200 answer, if they are cosignature lines of this note."""
    lines = [line for line in body.split("\n") if line]
    try:
        if not lines or any(not line.startswith(EM_DASH + " ") for line in lines):
            raise CheckpointError("not a list of signature lines")
        _, signatures, _ = checkpoint.parse(note + "\n".join(lines) + "\n")
        if any(len(rest) + 4 != COSIGNATURE_BYTES for _, _, rest in signatures[-len(lines):]):
            raise CheckpointError("a line is not an Ed25519 cosignature (key ID, timestamp, signature)")
    except CheckpointError as exc:
        return _refused(url, size, f"answered with something else than cosignatures: {exc.detail}")
    try:
        with session.begin_nested():
            session.add(log.Cosignature(size=size, witness=url, lines="\n".join(lines)))
    except IntegrityError:
        pass  # another request stored this witness's cosignature of the same checkpoint first
    logger.info("witness %s cosigned checkpoint %d", url, size)
    return Answer(url, Outcome.cosigned)


def _refused(url: str, size: int, why: str) -> Answer:
    logger.warning("witness %s did not cosign checkpoint %d: %s", url, size, why)
    return Answer(url, Outcome.refused, why)


def _unreachable(url: str, size: int, why: str) -> Answer:
    logger.warning("witness %s is unreachable; checkpoint %d is published without its cosignature: %s",
                   url, size, why)
    return Answer(url, Outcome.unreachable, why)
