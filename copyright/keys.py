"""The platform's Ed25519 signing keys: encrypted at rest, identified, rotated, published.

Private keys are stored PKCS#8-encrypted with the signing-key passphrase; only public keys
leave the process. Rotation retires the active key but keeps it, so old signatures verify.
Key ids follow the C2SP signed-note rule: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || key).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import datetime
from typing import Annotated

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, BeforeValidator
from sqlalchemy import LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.errors import Unavailable
from core.settings import Settings

ED25519_ALG = 0x01


class SigningKey(Base):
    __tablename__ = "signing_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)  # hex of the 4-byte C2SP key id
    name: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _written_time(value: object) -> object:
    """A key set's times are ISO 8601 text, as verify.js reads them: a number is not taken for
    seconds since 1970 here and for nothing there."""
    if isinstance(value, int | float):
        raise ValueError("a time is written in ISO 8601, not as a number")
    return value


WrittenTime = Annotated[datetime, BeforeValidator(_written_time)]


class PublishedKey(BaseModel):
    key_id: str
    name: str
    algorithm: str = "ed25519"
    public_key: str  # base64 of the 32 raw bytes
    created_at: WrittenTime
    retired_at: WrittenTime | None = None


class KeySet(BaseModel):
    """What /.well-known/ipcommons-keys.json publishes: enough to verify offline."""

    origin: str
    keys: list[PublishedKey]


class SigningKeyError(Unavailable):
    """No usable key, or a private key that does not decrypt with the configured passphrase."""


def trusted_keys(keys: KeySet) -> dict[tuple[str, bytes], bytes]:
    """(key name, key id) -> raw public key, as signed-note verifiers look keys up. ValueError for a
    public key that is not base64, or one listed under an id that is not its own (verify.js
    refuses both the same way)."""
    trusted: dict[tuple[str, bytes], bytes] = {}
    for k in keys.keys:
        try:
            public = base64.b64decode(k.public_key, validate=True)
        except ValueError as exc:
            raise ValueError("a public key of the key set is not base64") from exc
        if (kid := key_id(k.name, public)).hex() != k.key_id.lower():
            raise ValueError(f"the key set lists key {k.key_id} for {json.dumps(k.name)}, whose key id is {kid.hex()}")
        trusted[(k.name, kid)] = public
    return trusted


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519_ALG]) + public_key).digest()[:4]


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def passphrase(settings: Settings) -> bytes:
    """The configured passphrase, else one created once (0600) under the data dir."""
    if settings.signing_key_passphrase is not None:
        return settings.signing_key_passphrase.get_secret_value().encode()
    path = settings.resolved_data_dir / "signing_key_passphrase"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def create_key(session: Session, settings: Settings, name: str) -> SigningKey:
    """Make a new active key named ``name``; the previous active key is retired, not deleted."""
    private = Ed25519PrivateKey.generate()
    public = raw_public(private.public_key())
    encrypted = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.BestAvailableEncryption(passphrase(settings)))
    for active in session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        active.retired_at = utcnow()
    row = SigningKey(key_id=key_id(name, public).hex(), name=name, public_key=public, encrypted_private_key=encrypted)
    session.add(row)
    session.flush()
    return row


def active_key(session: Session) -> SigningKey | None:
    return session.scalar(select(SigningKey).where(SigningKey.retired_at.is_(None))
                          .order_by(SigningKey.created_at.desc()).limit(1))


def private_key(row: SigningKey, settings: Settings) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(row.encrypted_private_key, passphrase(settings))
    except (ValueError, TypeError) as exc:
        raise SigningKeyError("the signing key does not decrypt with the configured passphrase") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError("the stored signing key is not Ed25519")
    return key


def key_set(session: Session, origin: str) -> KeySet:
    rows = session.scalars(select(SigningKey).order_by(SigningKey.created_at))
    return KeySet(origin=origin, keys=[
        PublishedKey(key_id=r.key_id, name=r.name, public_key=base64.b64encode(r.public_key).decode(),
                     created_at=r.created_at, retired_at=r.retired_at) for r in rows])


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
