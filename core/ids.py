"""Ids as the database can hold them, checked where a request brings them in.

Every id column is an ``integer`` (migrations 0001-0014): PostgreSQL refuses a bound value above
2**31-1 (NumericValueOutOfRange) and SQLite one above 2**63-1 (OverflowError), so an id typed by
a hostile client reached the driver and answered 500. ``DbId`` for every id in a path, a query or
a request body makes it a 422 like any other invalid value, before a service sees it. The
transparency log's indexes and tree sizes are ``bigint`` columns: ``LogIndex``/``TreeSize``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

INTEGER_MAX = 2**31 - 1  # PostgreSQL integer (SQLite's INTEGER goes further)
BIGINT_MAX = 2**63 - 1  # PostgreSQL bigint, SQLite INTEGER

DbId = Annotated[int, Field(ge=1, le=INTEGER_MAX, description="an id (1 to 2147483647)")]
DbInt = Annotated[int, Field(ge=0, le=INTEGER_MAX)]  # a count or version kept in an integer column
LogIndex = Annotated[int, Field(ge=0, le=BIGINT_MAX, description="a leaf index of the transparency log")]
TreeSize = Annotated[int, Field(ge=1, le=BIGINT_MAX, description="a size of the transparency log")]


HUGE = 10**30  # what a number of more digits is read as: beyond every bound a model sets


def whole_number(text: str) -> int | None:
    """A number typed into a form's text field, or None when it holds anything else: only ASCII
    digits count ('²' and '٣' are digits to Python). More than 30 digits read as ``HUGE``, so the
    model refuses the value as too large instead of ``int`` working through thousands of digits."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value) if len(value.lstrip("0")) <= 30 else HUGE


def parse_id(text: str) -> int | None:
    """An id chosen in a form's text field (a ``<select>``), or None: blank, or not an id the
    database can hold, is no choice, as any other text in the field is."""
    number = whole_number(text)
    return number if number is not None and 1 <= number <= INTEGER_MAX else None
