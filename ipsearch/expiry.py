"""Expiry of a granted right: from its legal events when they show it ended (a lapse, a
revocation, the end of its term: ``expiry_of``), else an *estimate* from the statutory term only
(``estimate_expiry``): no term adjustments or extensions, no lapses for unpaid maintenance fees
(US: due at 3.5, 7.5 and 11.5 years), no terminal disclaimers. Applications have no expiry: they
are not rights until granted. The index record says which (``expiry_basis``).

Terms used: invention patents 20 years from filing (US, EP, CN, JP and others; US filings before
1995-06-08 get the later of 17 years from grant and 20 from filing); CN utility models 10 years
from filing; CN designs 10 years from filing, 15 for filings from 2021-06-01; US designs 14
years from grant, 15 for filings from 2015-05-13.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipsearch.model import DocKind, PatentDocument

if TYPE_CHECKING:
    from ipsearch.legal import StatusResult

LABEL = ("from a lapse or expiry event where the legal data has one (expiry_basis 'event'), else an estimate: "
         "statutory term only (no term adjustment, extension or unrecorded lapse)")
RIGHTS = {DocKind.grant, DocKind.plant, DocKind.reissue, DocKind.utility_model, DocKind.design}


class ExpiryBasis(enum.StrEnum):
    event = "event"  # a legal event shows the right ended (lapsed, revoked, expired)
    estimate = "estimate"  # the statutory term (LABEL)


@dataclass(frozen=True)
class Expiry:
    date: dt.date | None
    basis: ExpiryBasis | None


def expiry_of(doc: PatentDocument, status: StatusResult) -> Expiry:
    """The end of the right: the date its events show it ended, else the statutory estimate.
    ``status`` is ``ipsearch.legal.derive_status(doc)``."""
    if status.ended_by_event and status.ended is not None and (status.granted or doc.doc_kind in RIGHTS):
        return Expiry(status.ended, ExpiryBasis.event)
    estimate = estimate_expiry(doc)
    return Expiry(estimate, ExpiryBasis.estimate if estimate else None)


def plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def estimate_expiry(doc: PatentDocument) -> dt.date | None:
    """The estimated end of the statutory term, or None (an application, or dates unknown)."""
    if doc.doc_kind not in RIGHTS:
        return None
    filed = doc.filing_date.iso if doc.filing_date else None
    granted = doc.publication_date.iso if doc.publication_date else None
    country = doc.pn.country
    if doc.doc_kind is DocKind.design:
        if country == "US":
            if granted is None:
                return None
            return plus_years(granted, 15 if filed and filed >= dt.date(2015, 5, 13) else 14)
        if filed is None:
            return None
        if country == "CN":
            return plus_years(filed, 15 if filed >= dt.date(2021, 6, 1) else 10)
        return plus_years(filed, 25)  # Hague/EU registered designs: at most 25 years
    if filed is None:
        return None
    if doc.doc_kind is DocKind.utility_model:
        return plus_years(filed, 10)
    term = plus_years(filed, 20)
    if country == "US" and filed < dt.date(1995, 6, 8) and granted is not None:
        return max(term, plus_years(granted, 17))
    return term
