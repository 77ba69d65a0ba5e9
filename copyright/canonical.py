"""Canonical JSON (RFC 8785, JCS): the bytes that are signed, so signatures are reproducible."""

from __future__ import annotations

from typing import Any

import rfc8785

from core.errors import InvalidInput


class NotCanonical(InvalidInput):
    """A value JCS cannot serialise (an integer beyond 2**53, a float NaN...): nothing to sign or check."""


def canonical(obj: Any) -> bytes:
    try:
        return rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonical(f"not representable as canonical JSON (RFC 8785): {exc}") from exc
