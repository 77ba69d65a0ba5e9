"""Inputs to a load: a file, a .zip of files, or a directory (recursively), as byte streams."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.errors import InvalidInput

XML_SUFFIXES = {".xml", ".sgm", ".txt"}


@dataclass(frozen=True)
class Source:
    """One XML file to read: on disk, or a member of a zip archive."""

    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        if self.member is None:
            with self.path.open("rb") as fh:
                yield fh
        else:
            with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                yield fh  # type: ignore[misc]

    def size(self) -> int:
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as zf:
            return zf.getinfo(self.member).file_size

    def checksum(self) -> str:
        """SHA-256 of the bytes read (the journal's identity for 'the same file')."""
        digest = hashlib.sha256()
        with self.open() as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


def expand(paths: list[Path]) -> Iterator[Source]:
    """Every XML source under ``paths``: files, zip members, directories recursively (sorted)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _file_sources(child, explicit=False)
        elif path.exists():
            yield from _file_sources(path, explicit=True)
        else:
            raise InvalidInput(f"no such file or directory: {path}")


def _file_sources(path: Path, explicit: bool) -> Iterator[Source]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise InvalidInput(f"not a zip archive: {path}") from exc
        with archive as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                if not info.is_dir() and Path(info.filename).suffix.lower() in XML_SUFFIXES - {".txt"}:
                    yield Source(path, info.filename)
    elif suffix in XML_SUFFIXES - {".txt"} or explicit:
        yield Source(path)
