"""The platform's secrets in a backup, encrypted with a passphrase the operator keeps apart.

The signing keys themselves are rows of the database, encrypted with the signing-key passphrase;
that passphrase and the JWT secret live in files under the data dir (or in settings). A backup
without them could not sign or verify sessions after a restore, and a backup holding them in
clear would hand anyone who reads it the platform's signing keys. So they are sealed with
Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the backup passphrase by scrypt
(n=2**15, r=8, p=1), with a random salt stored beside the token.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from core.errors import InvalidInput

SALT_BYTES = 16
MIN_PASSPHRASE = 12


def _fernet(passphrase: str, salt: bytes) -> Fernet:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput.said("the backup passphrase needs at least %(n)s characters", n=MIN_PASSPHRASE)
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(values: dict[str, str], passphrase: str) -> bytes:
    """``values`` as one JSON document, encrypted: salt + Fernet token."""
    salt = os.urandom(SALT_BYTES)
    return salt + _fernet(passphrase, salt).encrypt(json.dumps(values).encode())


def unseal(blob: bytes, passphrase: str) -> dict[str, str]:
    """The values ``seal`` wrote; ``InvalidInput`` for a wrong passphrase or a damaged file."""
    salt, token = blob[:SALT_BYTES], blob[SALT_BYTES:]
    try:
        values = json.loads(_fernet(passphrase, salt).decrypt(token))
    except InvalidToken as exc:
        raise InvalidInput("the backup's secrets do not decrypt: wrong passphrase or a damaged secrets.enc") from exc
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise InvalidInput("the backup's secrets file is not what a backup writes")
    return values
