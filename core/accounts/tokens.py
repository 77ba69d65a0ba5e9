"""Access tokens (JWT, HS256) and API keys (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import jwt

from core.db import utcnow
from core.errors import NotAuthenticated
from core.settings import Settings

API_KEY_PREFIX = "ipc_"


class TokenError(NotAuthenticated):
    """The token is missing, malformed, expired or not signed by us."""


def issue_access_token(settings: Settings, user_id: int) -> str:
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=settings.access_token_minutes)).timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, settings.jwt_secret(), algorithm="HS256")


def _token_refusal(exc: jwt.PyJWTError) -> str:
    """PyJWT's reason in a sentence its reader can act on ("Not enough segments" said nothing)."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "it has expired; ask for a new one at /api/v1/auth/token"
    if isinstance(exc, jwt.InvalidSignatureError):
        return "it was not signed by this site"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"it lacks its “{exc.claim}” claim"
    if isinstance(exc, jwt.DecodeError):
        return "it is not a token from /api/v1/auth/token (three dot-separated parts) nor an API key (ipc_…)"
    return "it cannot be read as one of this site's tokens"


def read_access_token(settings: Settings, token: str) -> int:
    try:
        claims = jwt.decode(token, settings.jwt_secret(), algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as exc:
        raise TokenError(_token_refusal(exc)) from exc
    if claims.get("typ") != "access":
        raise TokenError("it is not an access token")
    try:
        return int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise TokenError("its subject is not an account") from exc


@dataclass(frozen=True)
class NewApiKey:
    prefix: str
    secret: str  # shown once to the user, never stored
    key_hash: str


def new_api_key() -> NewApiKey:
    prefix = secrets.token_hex(6)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(prefix=prefix, secret=secret, key_hash=hash_api_key(secret))


def hash_api_key(secret: str) -> str:
    # API keys carry 256 bits of entropy, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_prefix(secret: str) -> str | None:
    if not secret.startswith(API_KEY_PREFIX):
        return None
    head, _, rest = secret[len(API_KEY_PREFIX) :].partition("_")
    return head if rest and len(head) == 12 else None


def api_key_matches(secret: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_api_key(secret), key_hash)
