"""Materials received the way the registry receives works: streamed to a temporary file under the
data dir and hashed (SHA-256) in the same pass, refused beyond ``settings.max_upload_bytes``, when
empty or when the file is a program (core.filekinds: the staff open what applicants send), then
kept under ``hall/<sha256>`` (identical files are stored once).

A form refused for another reason keeps the files it carried: ``hold`` stores them apart, under
``hall-held/<applicant id>/`` (at most ``HELD_PER_PERSON_BYTES`` a person at once), and gives the
page a signed token per file (``itsdangerous``: the applicant's id, the file's hash, size and name,
good for ``HELD_FOR``), which the corrected form sends back instead of asking for the file again;
applying copies it into ``hall/``. ``forget_held`` removes held files after ``FORGET_HELD_AFTER``
whether used or not: no application ever points at them."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePath
from typing import BinaryIO

from itsdangerous import BadSignature, URLSafeTimedSerializer

from core.errors import InvalidInput
from core.filekinds import program_kind
from core.settings import Settings

CHUNK = 1024 * 1024
MAX_FILES = 20
HELD_FOR = timedelta(hours=12)  # a refused form's files wait this long for the corrected form
FORGET_HELD_AFTER = timedelta(hours=24)  # longer than any token lives: a file a token names is there
HELD_MAX_BYTES = 100 * 1024 * 1024  # kept per refused form: beyond it, files are not kept (and named)
# Kept for one person at once, all their refused forms together: refusing a form again and again
# until the files are forgotten cannot fill the disk.
HELD_PER_PERSON_BYTES = 250 * 1024 * 1024
KEPT_FILE_GONE = "a file kept from your last try has expired: choose it again"


@dataclass(frozen=True)
class Stored:
    filename: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Held:
    """A file kept from a refused form; the form sends ``token`` back in its place."""

    filename: str
    size: int
    sha256: str
    token: str


def _folder(settings: Settings, name: str) -> Path:
    path = settings.resolved_data_dir / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def folder(settings: Settings) -> Path:
    return _folder(settings, "hall")


def held_folder(settings: Settings, user_id: int | None = None) -> Path:
    """Where kept files wait: one folder per applicant (``user_id``), under the one ``forget_held`` sweeps."""
    return _folder(settings, "hall-held" if user_id is None else f"hall-held/{int(user_id)}")


def clean_name(name: str) -> str:
    """The file's own name without any folder, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "file"
    return base[-200:]


def _stream_into(where: Path, filename: str, stream: BinaryIO, limit: int) -> Stored:
    """Stream ``stream`` into ``where/<sha256>``, hashing it on the way and refusing a program, more
    than ``limit`` bytes or nothing; the temporary file is removed whatever fails."""
    fd, name = tempfile.mkstemp(dir=where, prefix=".upload-")
    temp = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                if size == 0 and (kind := program_kind(chunk, filename)) is not None:
                    raise InvalidInput.said("%(name)s is a program (%(kind)s): send each material as a document or "
                                            "a picture (PDF, an image, an office file)",
                                            name=clean_name(filename), kind=kind)
                size += len(chunk)
                if size > limit:
                    raise InvalidInput.said("the file is larger than the upload limit of %(limit)s bytes", limit=limit)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:  # nothing for the staff to open (and no content for a program check)
            raise InvalidInput.said("%(name)s is empty: choose the file itself", name=clean_name(filename))
        sha = digest.hexdigest()
        temp.replace(where / sha)
        return Stored(filename=clean_name(filename), sha256=sha, size=size)
    finally:
        temp.unlink(missing_ok=True)


def sha256_of(stream: BinaryIO) -> str:
    """The SHA-256 of a whole file chosen in a form, which of them are the same file; the stream is
    left at its start, to be stored."""
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def store(settings: Settings, filename: str, stream: BinaryIO) -> Stored:
    """A material, into the hall's store."""
    return _stream_into(folder(settings), filename, stream, settings.max_upload_bytes)


def _checked_sha(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidInput("not a SHA-256")
    return sha256


def path_of(settings: Settings, sha256: str) -> Path:
    return folder(settings) / _checked_sha(sha256)


# --- files kept from a refused form --------------------------------------------------------------

def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.jwt_secret(), salt="servicehall.held-upload")


def hold(settings: Settings, user_id: int, filename: str, stream: BinaryIO, limit: int) -> Held:
    """Keep a chosen file apart and sign what names it, for this applicant only."""
    stored = _stream_into(held_folder(settings, user_id), filename, stream, min(limit, settings.max_upload_bytes))
    token = _signer(settings).dumps([user_id, stored.sha256, stored.size, stored.filename])
    return Held(stored.filename, stored.size, stored.sha256, token)


def held(settings: Settings, user_id: int, token: str) -> Held:
    """The kept file a token names: 1. signed by us, 2. within ``HELD_FOR``, 3. for this applicant,
    4. still kept. Each failure is the same InvalidInput: the applicant chooses the file again."""
    try:
        owner, sha256, size, filename = _signer(settings).loads(token, max_age=int(HELD_FOR.total_seconds()))
        path = held_folder(settings, user_id) / _checked_sha(str(sha256))
    except (BadSignature, ValueError, TypeError) as exc:  # InvalidInput is a ValueError too
        raise InvalidInput(KEPT_FILE_GONE) from exc
    if owner != user_id or not path.is_file():
        raise InvalidInput(KEPT_FILE_GONE)
    return Held(str(filename), int(size), str(sha256), token)


def held_bytes(settings: Settings, user_id: int) -> int:
    """What is kept for this applicant now, counted against ``HELD_PER_PERSON_BYTES``: a file
    forgotten or renamed into place while it is counted is counted or not, never an error. Two
    forms refused at once are each checked against what was kept before them: the share is a
    bound on a person's disk use over time, not to the byte."""
    total = 0
    with os.scandir(held_folder(settings, user_id)) as entries:
        for entry in entries:
            with suppress(FileNotFoundError):
                total += entry.stat().st_size if entry.is_file() else 0
    return total


def open_held(settings: Settings, user_id: int, kept: Held) -> BinaryIO:
    try:
        return (held_folder(settings, user_id) / _checked_sha(kept.sha256)).open("rb")
    except FileNotFoundError as exc:
        raise InvalidInput(KEPT_FILE_GONE) from exc


def forget_held(settings: Settings, now: float | None = None) -> int:
    """Remove kept files (and leftover partial uploads) older than ``FORGET_HELD_AFTER``; how many.
    No application points at them, and no token lives that long (a file kept again is new again).
    The applicants' folders stay: one may be receiving a file as this runs."""
    cutoff = (now if now is not None else time.time()) - FORGET_HELD_AFTER.total_seconds()
    removed = 0
    for path in held_folder(settings).rglob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
