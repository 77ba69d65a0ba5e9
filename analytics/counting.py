"""What an indicator counts: simple patent families (as WIPO patent landscape reports do) or
publications, with backend aggregations on both backends.

A *simple family* is the ``family_id`` every indexed document carries: the DOCDB family id where
the data has one, otherwise the documents sharing priority claims (``ipsearch.families``). One
invention filed in five countries is one family and five documents.

Family counts:

- a family counts once, in the year of its earliest published member in the scope on the chosen
  date basis (its earliest filing, priority or publication year);
- a period (from/to year) selects the families whose earliest year falls in it;
- a family has every attribute any of its members has (applicants, IPC subgroups, countries).

They are read as aggregation rows, one per (family, year) or (value, family), never as documents;
document counts need one aggregation row per value. Key patents, expiry dates and term shares are
about documents in both units.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

from analytics.periods import YEAR_FIELDS, Basis, Span
from ipsearch.query.ast import And, Keyword, Node, Not, Or

if TYPE_CHECKING:  # types only: importing the backends here cost every command-line start 0.7 s
    from ipsearch.backends.base import SearchBackend
    from ipsearch.query.plan import Planner

FAMILY_FIELD = "family_id"


class CountingUnit(StrEnum):
    family = "family"
    document = "document"


class Counting(BaseModel):
    """What the counts of a report count, stated in it."""

    unit: CountingUnit
    documents: int = Field(description="documents in scope")
    families: int = Field(description="simple families in scope")
    docdb_documents: int = Field(description="documents whose family id comes from DOCDB data; the others are "
                                             "grouped by shared priority claims")


class Tally(Protocol):
    """Counts of one unit (documents or families) over a scope."""

    def total(self) -> int: ...

    def per_year(self, basis: Basis) -> dict[int, int]: ...

    def per_key(self, field: str) -> dict[str, int]: ...

    def per_key_year(self, field: str) -> dict[str, dict[int, int]]:
        """{value of ``field``: {year on the trend basis: count}}."""
        ...

    def domestic_foreign(self, home: str, countries: list[str]) -> tuple[int, int]:
        """Units with an owner from ``home``; units with owners from other countries only."""
        ...


def _years(rows: dict[tuple[str, ...], int]) -> dict[int, int]:
    return {int(k[0]): n for k, n in rows.items()}


class DocumentTally:
    """Documents: one aggregation per count, on the scope restricted to the period."""

    def __init__(self, backend: SearchBackend, planner: Planner, node: Node, basis: Basis) -> None:
        self.backend, self.planner, self.node, self.basis = backend, planner, node, basis

    def total(self) -> int:
        return self.backend.count_matching(self.node, self.planner)

    def per_year(self, basis: Basis) -> dict[int, int]:
        return _years(self.backend.count_by(self.node, self.planner, YEAR_FIELDS[basis]))

    def per_key(self, field: str) -> dict[str, int]:
        return {k[0]: n for k, n in self.backend.count_by(self.node, self.planner, field).items()}

    def per_key_year(self, field: str) -> dict[str, dict[int, int]]:
        out: dict[str, dict[int, int]] = {}
        for (key, year), n in self.backend.count_by(self.node, self.planner, field,
                                                    by=YEAR_FIELDS[self.basis]).items():
            out.setdefault(key, {})[int(year)] = n
        return out

    def domestic_foreign(self, home: str, countries: list[str]) -> tuple[int, int]:
        count = self.backend.count_matching
        domestic = count(And((self.node, Keyword("PAC", home))), self.planner) if home in countries else 0
        others = [Keyword("PAC", cc) for cc in sorted(countries) if cc != home]
        foreign = count(And((self.node, Not(Keyword("PAC", home)), Or(tuple(others)))), self.planner) \
            if others else 0
        return domestic, foreign


class FamilyTally:
    """Simple families: ``node`` is the published scope without the period; ``period`` (on the
    trend basis) selects families by their earliest year."""

    def __init__(self, backend: SearchBackend, planner: Planner, node: Node, basis: Basis,
                 period: Span | None = None) -> None:
        self.backend, self.planner, self.node, self.basis, self.period = backend, planner, node, basis, period
        self._first: dict[Basis, dict[str, int]] = {}
        self._families: dict[str, dict[str, set[str]]] = {}

    def first_years(self, basis: Basis) -> dict[str, int]:
        """{family: the earliest year of its members on ``basis``} (families with a date on it)."""
        if basis not in self._first:
            first: dict[str, int] = {}
            for (family, year), _ in self.backend.count_by(self.node, self.planner, FAMILY_FIELD,
                                                           by=YEAR_FIELDS[basis]).items():
                first[family] = min(first.get(family, int(year)), int(year))
            self._first[basis] = first
        return self._first[basis]

    @cached_property
    def selected(self) -> frozenset[str]:
        """The families counted: all of them, or those whose earliest year is in the period."""
        if self.period is None:
            return frozenset(k[0] for k in self.backend.count_by(self.node, self.planner, FAMILY_FIELD))
        lo, hi = self.period
        return frozenset(f for f, y in self.first_years(self.basis).items() if lo <= y <= hi)

    def families_of(self, field: str) -> dict[str, set[str]]:
        """{value of ``field``: the selected families having it} (read once per field)."""
        if field not in self._families:
            out: dict[str, set[str]] = {}
            for key, family in self.backend.count_by(self.node, self.planner, field, by=FAMILY_FIELD):
                if family in self.selected:
                    out.setdefault(key, set()).add(family)
            self._families[field] = out
        return self._families[field]

    def total(self) -> int:
        return len(self.selected)

    def per_year(self, basis: Basis) -> dict[int, int]:
        first = self.first_years(basis)
        return dict(Counter(first[f] for f in self.selected if f in first))

    def per_key(self, field: str) -> dict[str, int]:
        return {k: len(fs) for k, fs in self.families_of(field).items()}

    def per_key_year(self, field: str) -> dict[str, dict[int, int]]:
        first = self.first_years(self.basis)
        out = {k: dict(Counter(first[f] for f in fs if f in first)) for k, fs in self.families_of(field).items()}
        return {k: ys for k, ys in out.items() if ys}

    def domestic_foreign(self, home: str, countries: list[str]) -> tuple[int, int]:
        by_country = self.families_of("owner_countries")
        domestic = by_country.get(home, set())
        with_owner_country = set().union(*by_country.values()) if by_country else set()
        return len(domestic), len(with_owner_country - domestic)


def make_tally(unit: CountingUnit, backend: SearchBackend, planner: Planner, *, scoped: Node, published: Node,
               basis: Basis, period: Span | None) -> Tally:
    """The tally of ``unit``: documents count on ``scoped`` (the period applied to documents),
    families on ``published`` with the period applied to their earliest year."""
    if unit is CountingUnit.family:
        return FamilyTally(backend, planner, published, basis, period)
    return DocumentTally(backend, planner, scoped, basis)


def counting(unit: CountingUnit, documents: Tally, families: Tally, docdb_documents: int) -> Counting:
    """The statement of what was counted: the scope's documents and families."""
    return Counting(unit=unit, documents=documents.total(), families=families.total(),
                    docdb_documents=docdb_documents)
