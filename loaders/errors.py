"""Errors of the loaders, in the platform's one family (``core.errors``)."""

from __future__ import annotations

from core.errors import InvalidInput


class ParseError(InvalidInput):
    """A document or file the loaders refuse; the quarantine report keeps the message."""
