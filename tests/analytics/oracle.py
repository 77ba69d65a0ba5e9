"""The test oracle for indicators: a straightforward Python computation over parsed documents,
written separately from analytics.indicators (it never touches a backend). It reuses only the
per-document facts the loader derives (harmonised owner keys, analysed tokens, expiry from legal
events or the statutory estimate, cited-number normalisation, family ids), which have their own
tests.

It counts *units*: a family (the documents sharing a family id, dated by its earliest member and
having every attribute of any member) or a single document."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from ipsearch.analysis import get_analyzer
from ipsearch.expiry import expiry_of
from ipsearch.families import FamilyRow, family_keys, group_ids
from ipsearch.indexdoc import cited_base
from ipsearch.legal import derive_status
from ipsearch.model import PartyRole, PatentDocument
from ipsearch.names import harmonise_name


def expiry(doc: PatentDocument) -> dt.date | None:
    """The indexed expiry: from a legal event (a lapsed patent), else the statutory estimate."""
    return expiry_of(doc, derive_status(doc)).date


def owners(doc: PatentDocument) -> list[str]:
    parties = doc.parties_of(PartyRole.assignee) or doc.parties_of(PartyRole.applicant)
    return list(dict.fromkeys(p.key for p in parties if p.key))


def owner_parties(doc: PatentDocument) -> list:  # type: ignore[type-arg]
    return doc.parties_of(PartyRole.assignee) or doc.parties_of(PartyRole.applicant)


def year_of(doc: PatentDocument, basis: str) -> int | None:
    d = {"filing": doc.filing_date, "priority": doc.priority_date, "publication": doc.publication_date}[basis]
    return d.year if d is not None and d.year else None


def date_of(doc: PatentDocument, basis: str) -> dt.date | None:
    d = {"filing": doc.filing_date, "priority": doc.priority_date, "publication": doc.publication_date}[basis]
    return d.iso if d is not None else None


def terms_of(doc: PatentDocument) -> set[str]:
    analyser = get_analyzer()
    out = set()
    for text in [t.text for t in doc.titles] + [a.text for a in doc.abstracts]:
        for tok in analyser.analyse(text).split():
            cjk = any("\u3400" <= ch <= "\u9fff" for ch in tok)
            if any(ch.isalpha() for ch in tok) and (len(tok) >= 3 or (len(tok) == 2 and cjk)):
                out.add(tok)
    return out


def first_year(unit: list[PatentDocument], basis: str) -> int | None:
    """A unit's year on ``basis``: its earliest member's (a document is a unit of one)."""
    years = [y for d in unit if (y := year_of(d, basis))]
    return min(years) if years else None


def months_back(day: dt.date, months: int) -> dt.date:
    """``day`` minus ``months`` calendar months, month ends kept as month ends."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    first_next = dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1)
    last = (first_next - dt.timedelta(days=1)).day
    is_month_end = (day + dt.timedelta(days=1)).day == 1
    return dt.date(y, m + 1, last if is_month_end else min(day.day, last))


@dataclass
class Oracle:
    docs: list[PatentDocument]  # the scope, published by the cut-off, in the period (documents)
    corpus: list[PatentDocument]  # everything loaded (citations received count from all of it)
    cutoff: dt.date
    units: list[list[PatentDocument]]  # what is counted: families (or single documents) in the period

    @classmethod
    def build(cls, corpus: list[PatentDocument], in_scope: object, cutoff: dt.date, *, basis: str = "filing",
              period: tuple[int, int] | None = None, family_of: dict[str, str] | None = None) -> Oracle:
        """``family_of`` (publication -> family id) counts families, else documents; a period
        selects documents by their own date, families by their earliest member's."""
        published = [d for d in corpus if d.publication_date and d.publication_date.iso
                     and d.publication_date.iso <= cutoff]
        scoped = [d for d in published if in_scope(d)]  # type: ignore[operator]
        groups: dict[str, list[PatentDocument]] = {}
        for d in scoped:
            groups.setdefault(family_of[d.id] if family_of else d.id, []).append(d)

        def in_period(unit: list[PatentDocument]) -> bool:
            y = first_year(unit, basis)
            return period is None or (y is not None and period[0] <= y <= period[1])

        docs = [d for d in scoped if in_period([d])]
        return cls(docs, corpus, cutoff, [u for u in groups.values() if in_period(u)])

    def per_year(self, basis: str) -> Counter[int]:
        return Counter(y for u in self.units if (y := first_year(u, basis)))

    def owners_of(self, unit: list[PatentDocument]) -> set[str]:
        return {k for d in unit for k in owners(d)}

    def applicants_per_year(self, basis: str) -> dict[int, int]:
        seen: dict[int, set[str]] = {}
        for u in self.units:
            if (y := first_year(u, basis)) and self.owners_of(u):
                seen.setdefault(y, set()).update(self.owners_of(u))
        return {y: len(s) for y, s in seen.items()}

    def applicants_between(self, basis: str, lo: int, hi: int) -> int:
        return len({k for u in self.units if (y := first_year(u, basis)) and lo <= y <= hi
                    for k in self.owners_of(u)})

    def per_owner(self) -> Counter[str]:
        return Counter(k for u in self.units for k in self.owners_of(u))

    def first_years(self, basis: str) -> dict[str, int]:
        first: dict[str, int] = {}
        for u in self.units:
            if y := first_year(u, basis):
                for k in self.owners_of(u):
                    first[k] = min(first.get(k, y), y)
        return first

    def countries_of(self, unit: list[PatentDocument]) -> set[str]:
        return {p.country for d in unit for p in owner_parties(d) if p.country}

    def countries(self) -> Counter[str]:
        return Counter(c for u in self.units for c in self.countries_of(u))

    def domestic_foreign(self, home: str) -> tuple[int, int]:
        domestic = foreign = 0
        for u in self.units:
            cs = self.countries_of(u)
            domestic += home in cs
            foreign += bool(cs) and home not in cs
        return domestic, foreign

    def places(self) -> Counter[str]:
        return Counter(pl for u in self.units for pl in {f"{p.country or '?'}/{p.province or p.city}"
                                                          for d in u for p in owner_parties(d)
                                                          if p.province or p.city})

    def ipc(self, level: str) -> Counter[str]:
        return Counter(s for u in self.units for s in {getattr(c, level) for d in u for c in d.ipc})

    def ipc_years(self, basis: str) -> dict[str, Counter[int]]:
        out: dict[str, Counter[int]] = {}
        for u in self.units:
            if y := first_year(u, basis):
                for s in {c.symbol for d in u for c in d.ipc}:
                    out.setdefault(s, Counter())[y] += 1
        return out

    def in_years(self, basis: str, lo: int, hi: int, docs: list[PatentDocument] | None = None) -> list[PatentDocument]:
        return [d for d in (self.docs if docs is None else docs)
                if (day := date_of(d, basis)) and dt.date(lo, 1, 1) <= day <= dt.date(hi, 12, 31)]

    def published(self) -> list[PatentDocument]:
        return [d for d in self.corpus if d.publication_date and d.publication_date.iso
                and d.publication_date.iso <= self.cutoff]

    def latest_publication(self) -> dt.date:
        return max(d.publication_date.iso for d in self.published() if d.publication_date and d.publication_date.iso)

    def printed_name(self, key: str, sample: int = 20) -> str | None:
        """The most frequent printed owner name with ``key`` on its latest ``sample`` documents."""
        mine = sorted((d for d in self.docs if key in owners(d)),
                      key=lambda d: (-(d.publication_date.iso.toordinal() if d.publication_date and
                                       d.publication_date.iso else 0), d.id))[:sample]
        names = Counter(p.name for d in mine for p in owner_parties(d) if harmonise_name(p.name) == key)
        return names.most_common(1)[0][0] if names else None

    def cited_by(self, doc: PatentDocument) -> int:
        """How many documents of the corpus cite ``doc`` (each citing document once)."""
        return self._citing[doc.pn.country + doc.pn.number]

    @cached_property
    def _citing(self) -> Counter[str]:
        """Cited base number -> how many documents cite it, read once: asked per document, it read
        every citation of the corpus each time (1.4 million numbers parsed per test)."""
        return Counter(base for other in self.corpus
                       for base in {cited_base(c.pn) for c in other.citations if c.pn})

    def expiry_years(self) -> Counter[int]:
        return Counter(e.year for d in self.docs if (e := expiry(d)))

    def expiring(self, until: dt.date) -> list[PatentDocument]:
        return [d for d in self.docs if (e := expiry(d)) and self.cutoff <= e <= until]


def family_ids(corpus: list[PatentDocument]) -> dict[str, str]:
    """Publication -> family id, as the loader settles them over the whole corpus."""
    return group_ids(FamilyRow(d.id, frozenset(family_keys(d)), d.family_id) for d in corpus)
