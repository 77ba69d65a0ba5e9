"""The transparency log: an append-only Merkle tree of registry events in the database.

Appends are serialised by one row (``log_head``) that every append updates with RETURNING: the
database's row/write lock makes concurrent appends wait, so indices have no gaps and no
duplicates on PostgreSQL and SQLite alike. A checkpoint is signed only after checking that the
new tree extends the last signed one, so the log never signs two inconsistent checkpoints.

Witnesses' cosignatures of a checkpoint (``copyright.witnessing`` asks for them) are kept in
``checkpoint_cosignatures`` and published after the log's own signature (``cosigned_note``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from copyright import merkle
from copyright.canonical import canonical
from copyright.checkpoint import Checkpoint, CheckpointError, sign
from copyright.keys import active_key, private_key
from core.db import Base, Row, UTCDateTime, utcnow
from core.settings import Settings


class LogHead(Row):
    __tablename__ = "log_head"

    size: Mapped[int] = mapped_column(BigInteger, default=0)


class LogEntry(Base):
    __tablename__ = "log_entries"

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(40), index=True)  # the registration number
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignedCheckpoint(Base):
    __tablename__ = "log_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Cosignature(Base):
    """What one witness answered when asked to cosign the checkpoint of ``size``: its cosignature
    line(s) (C2SP tlog-cosignature), one per witness key, newline-separated."""

    __tablename__ = "checkpoint_cosignatures"

    size: Mapped[int] = mapped_column(BigInteger, ForeignKey("log_checkpoints.size"), primary_key=True,
                                      autoincrement=False)
    witness: Mapped[str] = mapped_column(String(500), primary_key=True, index=True)  # the URL it was asked at
    lines: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def append(session: Session, entry: dict[str, Any]) -> LogEntry:
    """Append one event (its time must be inside the entry); the caller commits."""
    if "time" not in entry or "type" not in entry:
        raise ValueError("a log entry carries its 'type' and its 'time'")
    data = canonical(entry)
    size = session.execute(text("UPDATE log_head SET size = size + 1 WHERE id = 1 RETURNING size")).scalar_one()
    subject = entry.get("number") or entry.get("registration")
    row = LogEntry(idx=size - 1, leaf_hash=merkle.leaf_hash(data), entry=data, kind=str(entry["type"])[:40],
                   subject=str(subject)[:40] if subject else None)
    session.add(row)
    session.flush()
    return row


def size(session: Session) -> int:
    return int(session.scalar(select(LogHead.size).where(LogHead.id == 1)) or 0)


def leaves(session: Session, tree_size: int) -> list[bytes]:
    rows = session.execute(select(LogEntry.idx, LogEntry.leaf_hash).where(LogEntry.idx < tree_size)
                           .order_by(LogEntry.idx)).all()
    if len(rows) != tree_size or (rows and rows[-1][0] != tree_size - 1):
        raise CheckpointError(f"the log has gaps below size {tree_size}")
    return [bytes(h) for _, h in rows]


def latest_checkpoint(session: Session) -> SignedCheckpoint | None:
    return session.scalar(select(SignedCheckpoint).order_by(SignedCheckpoint.size.desc()).limit(1))


def cosigned_note(session: Session, cp: SignedCheckpoint) -> str:
    """The signed checkpoint as published: the log's signed note with the witnesses' cosignature
    lines after the log's signature (C2SP signed notes carry any number of signature lines)."""
    lines = session.scalars(select(Cosignature.lines).where(Cosignature.size == cp.size)
                            .order_by(Cosignature.witness))
    return cp.note + "".join(f"{block}\n" for block in lines)


def sign_checkpoint(session: Session, settings: Settings, origin: str) -> SignedCheckpoint:
    """Sign the current tree; refuse if it does not extend the last signed checkpoint."""
    session.execute(text("UPDATE log_head SET size = size WHERE id = 1"))  # hold appends while signing
    n = size(session)
    hashes = leaves(session, n)
    new_root = merkle.root(hashes)
    last = latest_checkpoint(session)
    if last is not None:
        if last.size > n:
            raise CheckpointError("the log is smaller than its last checkpoint")
        if last.size == n:
            if bytes(last.root_hash) != new_root:
                raise CheckpointError("the log's entries no longer match its last checkpoint; refusing to sign")
            return last
        old_root = merkle.root(hashes[: last.size])
        if old_root != bytes(last.root_hash):
            raise CheckpointError("the log's entries no longer match its last checkpoint; refusing to sign")
        merkle.verify_consistency(last.size, n, old_root, new_root, merkle.consistency_proof(last.size, hashes))
    key_row = active_key(session)
    if key_row is None:
        raise CheckpointError("no active signing key")
    note = sign(Checkpoint(origin, n, new_root), key_row.name, private_key(key_row, settings))
    row = SignedCheckpoint(size=n, root_hash=new_root, note=note)
    session.add(row)
    session.flush()
    return row


def inclusion(session: Session, idx: int, tree_size: int) -> list[bytes]:
    return merkle.inclusion_proof(idx, leaves(session, tree_size))


def consistency(session: Session, first: int, second: int) -> list[bytes]:
    return merkle.consistency_proof(first, leaves(session, second))
