"""The test oracle for indicators: a straightforward Python computation over parsed documents,
written separately from analytics.indicators (it never touches a backend). It reuses only the
per-document facts the loader derives (harmonised owner keys, analysed tokens, expiry from legal
events or the statutory estimate, cited-number normalisation), which have their own tests."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ipsearch.analysis import get_analyzer
from ipsearch.expiry import expiry_of
from ipsearch.indexdoc import cited_base
from ipsearch.legal import derive_status
from ipsearch.model import PartyRole, PatentDocument


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


@dataclass
class Oracle:
    docs: list[PatentDocument]  # the scope, published by the cut-off
    corpus: list[PatentDocument]  # everything loaded (citations received count from all of it)
    cutoff: dt.date

    @classmethod
    def build(cls, corpus: list[PatentDocument], in_scope: object, cutoff: dt.date) -> Oracle:
        published = [d for d in corpus if d.publication_date and d.publication_date.iso
                     and d.publication_date.iso <= cutoff]
        return cls([d for d in published if in_scope(d)], corpus, cutoff)  # type: ignore[operator]

    def per_year(self, basis: str, docs: list[PatentDocument] | None = None) -> Counter[int]:
        return Counter(y for d in (self.docs if docs is None else docs) if (y := year_of(d, basis)))

    def applicants_per_year(self, basis: str) -> dict[int, int]:
        seen: dict[int, set[str]] = {}
        for d in self.docs:
            if (y := year_of(d, basis)) and owners(d):
                seen.setdefault(y, set()).update(owners(d))
        return {y: len(s) for y, s in seen.items()}

    def applicants_between(self, basis: str, lo: int, hi: int) -> int:
        return len({k for d in self.docs if (y := year_of(d, basis)) and lo <= y <= hi for k in owners(d)})

    def per_owner(self) -> Counter[str]:
        return Counter(k for d in self.docs for k in owners(d))

    def first_years(self, basis: str) -> dict[str, int]:
        first: dict[str, int] = {}
        for d in self.docs:
            if y := year_of(d, basis):
                for k in owners(d):
                    first[k] = min(first.get(k, y), y)
        return first

    def countries(self) -> Counter[str]:
        return Counter(c for d in self.docs for c in {p.country for p in owner_parties(d) if p.country})

    def domestic_foreign(self, home: str) -> tuple[int, int]:
        domestic = foreign = 0
        for d in self.docs:
            cs = {p.country for p in owner_parties(d) if p.country}
            domestic += home in cs
            foreign += bool(cs) and home not in cs
        return domestic, foreign

    def places(self) -> Counter[str]:
        return Counter(pl for d in self.docs for pl in {f"{p.country or '?'}/{p.province or p.city}"
                                                         for p in owner_parties(d) if p.province or p.city})

    def ipc(self, level: str) -> Counter[str]:
        return Counter(s for d in self.docs for s in {getattr(c, level) for c in d.ipc})

    def ipc_years(self, basis: str) -> dict[str, Counter[int]]:
        out: dict[str, Counter[int]] = {}
        for d in self.docs:
            if y := year_of(d, basis):
                for s in {c.symbol for c in d.ipc}:
                    out.setdefault(s, Counter())[y] += 1
        return out

    def in_years(self, basis: str, lo: int, hi: int) -> list[PatentDocument]:
        return [d for d in self.docs
                if (day := date_of(d, basis)) and dt.date(lo, 1, 1) <= day <= dt.date(hi, 12, 31)]

    def cited_by(self, doc: PatentDocument) -> int:
        base = doc.pn.country + doc.pn.number
        return sum(1 for other in self.corpus
                   if base in {cited_base(c.pn) for c in other.citations if c.pn})

    def expiry_years(self) -> Counter[int]:
        return Counter(e.year for d in self.docs if (e := expiry(d)))

    def expiring(self, until: dt.date) -> list[PatentDocument]:
        return [d for d in self.docs if (e := expiry(d)) and self.cutoff <= e <= until]
