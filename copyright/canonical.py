"""Canonical JSON (RFC 8785, JCS): the bytes that are signed, so signatures are reproducible."""

from __future__ import annotations

from typing import Any

import rfc8785


def canonical(obj: Any) -> bytes:
    return rfc8785.dumps(obj)
