"""The load journal: every run and every file it read, so loads are idempotent and resumable.

A file is identified by its SHA-256 and the backend target it went to. A file already ``done``
for a target by the same parser version is not loaded again; an ``interrupted`` one resumes after
``items_done`` (the number of leading documents of the file that are durably written or
quarantined). A file an older parser read is read again whole.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" for the foreign keys below
from core.db import Row, UTCDateTime, utcnow


class LoadStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    interrupted = "interrupted"
    failed = "failed"
    unchanged = "unchanged"  # a file already loaded to the same target


class LoadRun(Row):
    __tablename__ = "load_runs"

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[LoadStatus] = mapped_column(Enum(LoadStatus, native_enum=False, length=20),
                                               default=LoadStatus.queued)
    backend: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))
    paths: Mapped[list[str]] = mapped_column(JSON, default=list)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    files_total: Mapped[int] = mapped_column(Integer, default=0)
    files_done: Mapped[int] = mapped_column(Integer, default=0)
    bytes_total: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_done: Mapped[int] = mapped_column(BigInteger, default=0)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    loaded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    quarantine_path: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[str | None] = mapped_column(String(64))


class LoadFile(Row):
    __tablename__ = "load_files"

    run_id: Mapped[int] = mapped_column(ForeignKey("load_runs.id"), index=True)
    source: Mapped[str] = mapped_column(String(1000))
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    parser_version: Mapped[int] = mapped_column(Integer, default=0)  # loaders.parsers.PARSER_VERSION
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    backend: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))
    status: Mapped[LoadStatus] = mapped_column(Enum(LoadStatus, native_enum=False, length=20))
    items_done: Mapped[int] = mapped_column(Integer, default=0)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    loaded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[float | None] = mapped_column()


def previous_file(session: Session, checksum: str, backend: str, target: str,
                  parser_version: int) -> LoadFile | None:
    """The latest journal row for this file and target that did real work with this parser version."""
    return session.scalar(
        select(LoadFile)
        .where(LoadFile.checksum == checksum, LoadFile.backend == backend, LoadFile.target == target,
               LoadFile.parser_version == parser_version, LoadFile.status != LoadStatus.unchanged)
        .order_by(LoadFile.id.desc())
        .limit(1)
    )
