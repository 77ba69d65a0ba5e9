"""Dates and periods of the indicators: which date counts a document into a year, and how far the
data can be trusted to be complete.

Applications are published about 18 months after their filing or priority date, so the filings
of the last 18 months before the data's latest publication are not all in any corpus yet. Read
as they stand they look like a decline that did not happen. ``Completeness`` names the last day
whose filings are all published (as of the data's latest publication date, not of the calendar),
and every rate (growth, life cycle, hotspots, emerging terms) uses only the complete years
before it; the reports say which period was left out.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from ipsearch.query.ast import And, DateRange, Node

if TYPE_CHECKING:  # types only: importing the search service here cost every command-line start 0.7 s
    from ipsearch.query.plan import Planner
    from ipsearch.service import SearchService

PUBLICATION_LAG_MONTHS = 18  # unexamined applications are published 18 months after the priority date


class Basis(StrEnum):
    """Which date counts a document into a year."""

    filing = "filing"
    priority = "priority"
    publication = "publication"


YEAR_FIELDS: dict[Basis, str] = {Basis.filing: "filing_year", Basis.priority: "priority_year",
                                 Basis.publication: "publication_year"}
DATE_CODES: dict[Basis, str] = {Basis.filing: "AD", Basis.priority: "PRD", Basis.publication: "PD"}

Span = tuple[int, int]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier; a month's last day gives that month's last day, and a day
    the shorter month lacks gives its last day (2024-06-30 -> 2022-12-31, 2024-03-31 -> 2024-02-29)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month, last if month_end else min(day.day, last))


def last_complete_year(complete_through: dt.date) -> int:
    """The last calendar year that ends on or before ``complete_through``."""
    return complete_through.year if (complete_through.month, complete_through.day) == (12, 31) \
        else complete_through.year - 1


class Completeness(BaseModel):
    """How far the counts are complete, on the trend basis. Documents dated after
    ``complete_through`` (filing or priority dates within ``lag_months`` of the data's latest
    publication) are not all published yet: they are shown, marked incomplete, and left out of
    every rate."""

    basis: Basis
    cutoff: dt.date = Field(description="search cut-off: publication date on or before")
    data_as_of: dt.date = Field(description="the data's latest publication date on or before the cut-off "
                                            "(the cut-off itself when nothing is published)")
    lag_months: int = Field(description="publication lag assumed after the filing or priority date")
    latest_dated: dt.date | None = Field(default=None, description="the newest date on the basis among the "
                                                                   "data's published documents")
    complete_through: dt.date = Field(description="documents dated on or before this day are all published")
    last_complete_year: int

    @property
    def data_ends_early(self) -> bool:
        """The data holds no document dated after ``latest_dated``, earlier than the lag alone
        implies: a sample or a grants-only feed, whose later years are unknown, not empty."""
        return self.latest_dated is not None and self.complete_through == self.latest_dated \
            and self.basis != Basis.publication

    @property
    def last_year(self) -> int:
        """The last year the data can hold a document of on the basis: the latest publication's,
        or that of the newest date on the basis when the data ends before it."""
        newest = self.data_as_of
        if self.latest_dated is not None and self.basis != Basis.publication:
            newest = min(newest, self.latest_dated)
        return newest.year

    @property
    def incomplete_from(self) -> dt.date:
        """The first day whose documents may still be missing."""
        return self.complete_through + dt.timedelta(days=1)

    @classmethod
    def of(cls, basis: Basis, cutoff: dt.date, latest_publication: dt.date | None,
           lag_months: int = PUBLICATION_LAG_MONTHS, latest_dated: dt.date | None = None) -> Completeness:
        """Publication years are complete up to the data's latest publication; filing and priority
        dates ``lag_months`` before it, and never after the newest filing or priority date the data
        holds (``latest_dated``): a corpus of grants published up to 2026 whose filings stop in
        2022 says nothing of 2023's filings, and counting them as none read as a steep decline."""
        as_of = min(latest_publication, cutoff) if latest_publication else cutoff
        through = as_of if basis == Basis.publication else months_before(as_of, lag_months)
        if latest_dated is not None and basis != Basis.publication:
            through = min(through, latest_dated)
        return cls(basis=basis, cutoff=cutoff, data_as_of=as_of, lag_months=lag_months, latest_dated=latest_dated,
                   complete_through=through, last_complete_year=last_complete_year(through))


def latest_publication(service: SearchService, planner: Planner, cutoff: dt.date,
                       within: Node | None = None) -> dt.date | None:
    """The latest publication date on or before ``cutoff`` in the whole corpus (how current the
    data is; a scope that stopped publishing earlier did decline), or ``within`` a scope."""
    node: Node = DateRange("PD", None, cutoff)
    if within is not None:
        node = And((within, node))
    records = service.backend.top_docs(node, planner, [("publication_date", "desc")], 1, ["publication_date"])
    value = records[0].get("publication_date") if records else None
    return dt.date.fromisoformat(value) if value else None


def latest_dated(service: SearchService, planner: Planner, basis: Basis, cutoff: dt.date) -> dt.date | None:
    """The newest date on ``basis`` among the whole corpus's documents published on or before
    ``cutoff`` (where the data ends on that basis)."""
    field = f"{basis.value}_date"
    records = service.backend.top_docs(DateRange("PD", None, cutoff), planner, [(field, "desc")], 1, [field])
    value = records[0].get(field) if records else None
    return dt.date.fromisoformat(value) if value else None


def windows(last: int, width: int) -> tuple[Span, Span]:
    """(recent, earlier): the ``width`` years ending with ``last`` and the ``width`` before them."""
    return (last - width + 1, last), (last - 2 * width + 1, last - width)


def year_range(basis: Basis, span: Span) -> DateRange:
    return DateRange(DATE_CODES[basis], dt.date(span[0], 1, 1), dt.date(span[1], 12, 31))


def sum_years(per_year: dict[int, int], span: Span) -> int:
    return sum(n for y, n in per_year.items() if span[0] <= y <= span[1])
