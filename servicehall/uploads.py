"""Materials received the way the registry receives works: streamed to a temporary file under the
data dir and hashed (SHA-256) in the same pass, refused beyond ``settings.max_upload_bytes`` or when
the file is a program (core.filekinds: the staff open what applicants send), then kept under
``hall/<sha256>`` (identical files are stored once).

A form refused for another reason keeps the files it carried: ``hold`` stores them and gives the
page a signed token per file (``itsdangerous``: the applicant's id, the file's hash, size and name,
valid for ``HELD_FOR``), which the corrected form sends back instead of asking for the file again.
``forget_unused`` removes what no application took up."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Collection
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
UNUSED_AFTER = timedelta(hours=24)  # a stored file no application took up is removed after this


@dataclass(frozen=True)
class Stored:
    filename: str
    sha256: str
    size: int


def folder(settings: Settings) -> Path:
    path = settings.resolved_data_dir / "hall"
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_name(name: str) -> str:
    """The file's own name without any folder, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "file"
    return base[-200:]


def store(settings: Settings, filename: str, stream: BinaryIO) -> Stored:
    """Stream ``stream`` into the hall's store, hashing it on the way; the temporary file is
    removed whatever fails."""
    where = folder(settings)
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
                if size > settings.max_upload_bytes:
                    raise InvalidInput.said("the file is larger than the upload limit of %(limit)s bytes",
                                            limit=settings.max_upload_bytes)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:  # nothing for the staff to open (and no content for a program check)
            raise InvalidInput.said("%(name)s is empty: choose the file itself", name=clean_name(filename))
        sha = digest.hexdigest()
        temp.replace(where / sha)
        return Stored(filename=clean_name(filename), sha256=sha, size=size)
    finally:
        temp.unlink(missing_ok=True)


def path_of(settings: Settings, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidInput("not a SHA-256")
    return folder(settings) / sha256


@dataclass(frozen=True)
class Held:
    """A file kept from a refused form; the form sends ``token`` back in its place."""

    filename: str
    size: int
    sha256: str
    token: str


def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.jwt_secret(), salt="servicehall.held-upload")


def hold(settings: Settings, user_id: int, filename: str, stream: BinaryIO) -> Held:
    """Store a chosen file and sign what names it, for this applicant only."""
    stored = store(settings, filename, stream)
    token = _signer(settings).dumps([user_id, stored.sha256, stored.size, stored.filename])
    return Held(stored.filename, stored.size, stored.sha256, token)


def held(settings: Settings, user_id: int, token: str) -> Held:
    """The kept file a token names: 1. signed by us, 2. within ``HELD_FOR``, 3. for this applicant,
    4. still stored. Each failure is the same InvalidInput: the applicant chooses the file again."""
    try:
        owner, sha256, size, filename = _signer(settings).loads(token, max_age=int(HELD_FOR.total_seconds()))
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidInput(KEPT_FILE_GONE) from exc
    if owner != user_id or not path_of(settings, str(sha256)).is_file():
        raise InvalidInput(KEPT_FILE_GONE)
    return Held(str(filename), int(size), str(sha256), token)


KEPT_FILE_GONE = "a file kept from your last try has expired: choose it again"


def forget_unused(settings: Settings, in_use: Collection[str], now: float | None = None) -> int:
    """Remove stored files (and leftover partial uploads) older than ``UNUSED_AFTER`` that no
    material names; returns how many. A file stored again is new again (``store`` replaces it)."""
    cutoff = (now if now is not None else time.time()) - UNUSED_AFTER.total_seconds()
    removed = 0
    for path in folder(settings).iterdir():
        if path.name not in in_use and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
