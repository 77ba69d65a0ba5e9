"""Fetch a row by id or say plainly that it does not exist: one way for every community lookup."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from core.db import Base
from core.errors import NotFound

Row = TypeVar("Row", bound=Base)


def get_or_not_found(session: Session, model: type[Row], row_id: int, noun: str) -> Row:
    """The ``model`` row with ``row_id``; ``NotFound("<noun> <id> not found")`` if there is none."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{noun} {row_id} not found")
    return row
