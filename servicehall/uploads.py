"""Materials received the way the registry receives works: streamed to a temporary file under the
data dir and hashed (SHA-256) in the same pass, refused beyond ``settings.max_upload_bytes`` or when
the file is a program (core.filekinds: the staff open what applicants send), then kept under
``hall/<sha256>`` (identical files are stored once)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from core.errors import InvalidInput
from core.filekinds import program_kind
from core.settings import Settings

CHUNK = 1024 * 1024
MAX_FILES = 20


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
        sha = digest.hexdigest()
        temp.replace(where / sha)
        return Stored(filename=clean_name(filename), sha256=sha, size=size)
    finally:
        temp.unlink(missing_ok=True)


def path_of(settings: Settings, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidInput("not a SHA-256")
    return folder(settings) / sha256
