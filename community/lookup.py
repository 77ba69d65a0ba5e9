"""Fetch a row by id or say plainly that it does not exist: one way for every community lookup."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from core.db import Base
from core.errors import NotFound

Row = TypeVar("Row", bound=Base)


def get_or_not_found(session: Session, model: type[Row], row_id: int, missing: str) -> Row:
    """The ``model`` row with ``row_id``; ``NotFound`` saying ``missing`` (a template such as
    "review %(id)s not found", listed in the catalogs as a whole) if there is none."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound.said(missing, id=row_id)
    return row
