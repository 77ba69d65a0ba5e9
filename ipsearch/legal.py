"""Legal status: INPADOC events mapped to categories, and the current status derived from them.

Categories come from a table of event codes (below) first, then from the wording of the event
(the national code's description for ``REG`` events, the status text of ``STAA`` events, else the
event's description), else ``other`` (examination, fees paid, designations, observations ...).

The current status is read from the events in date order, the publication itself counting as a
``published`` (applications) or ``granted`` (rights) event of its office:

- filed / published -> pending; granted / reinstated -> in force; lapsed, revoked, withdrawn ->
  lapsed; expired -> expired. Transfers, licences and ``other`` events change nothing.
- National events inside a regional right (``PG25``: lapsed in one contracting state of an EP
  patent) change the status only when every designated state has lapsed; the evidence is then the
  lapse that took effect last.
- A right still in force, or an application still pending, whose statutory term (ipsearch.expiry)
  has run out by ``as_of`` is expired (the evidence is the grant or publication, the end date an
  estimate).

Statuses are derived when a document is indexed: ``LS=inforce`` means "in force when loaded".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.i18n import shown_today
from ipsearch.expiry import RIGHTS, estimate_expiry
from ipsearch.model import DocKind, LegalCategory, LegalEvent, LegalStatus, PartialDate, PatentDocument

C = LegalCategory

# (office or "*", code) -> category. For REG events the office is the state of the national code.
CODE_TABLE: dict[tuple[str, str], LegalCategory] = {
    # European Patent Office (INPADOC codes of EP applications)
    ("EP", "PUAI"): C.published,  # public reference under Art. 153(3) EPC to a published PCT application
    ("EP", "AK"): C.published,  # designated contracting states (reported with an A or B publication)
    ("EP", "GRAA"): C.granted,  # (expected) grant
    ("EP", "18D"): C.withdrawn,  # application deemed to be withdrawn
    ("EP", "18W"): C.withdrawn,  # application withdrawn
    ("EP", "18R"): C.withdrawn,  # application refused
    ("EP", "PG25"): C.lapsed,  # lapsed in a contracting state (national: see ``state``)
    ("EP", "PGRI"): C.reinstated,  # patent reinstated in a contracting state
    ("EP", "GBPC"): C.lapsed,  # GB: European patent ceased through non-payment of renewal fee
    ("EP", "BERE"): C.lapsed,  # BE: lapsed
    ("EP", "EN"): C.lapsed,  # FR: translation not filed
    ("EP", "GRAH"): C.other, ("EP", "GRAG"): C.other,  # communication of intention to grant
    ("EP", "26N"): C.other, ("EP", "PLBE"): C.other,  # no opposition filed
    ("EP", "PGFP"): C.other,  # annual fee paid to a national office
    # national codes of REG events
    ("*", "FG4D"): C.granted, ("*", "FG4A"): C.granted,  # (European) patent granted
    ("CH", "EP"): C.granted,  # European patent takes effect as a national patent in CH/LI
    ("CH", "PL"): C.lapsed,  # patent ceased
    ("IE", "MM4A"): C.lapsed,  # patent lapsed
    ("NL", "V1"): C.lapsed,  # lapsed because of non-payment of the annual fee
    ("GB", "PE20"): C.expired,  # patent expired after termination of 20 years
    # China (CNIPA codes, old and new series)
    ("CN", "C06"): C.published, ("CN", "PB01"): C.published,
    ("CN", "C14"): C.granted, ("CN", "GR01"): C.granted,
    ("CN", "C02"): C.withdrawn, ("CN", "C12"): C.withdrawn, ("CN", "RJ01"): C.withdrawn,  # deemed, or refused
    ("CN", "C17"): C.lapsed, ("CN", "CF01"): C.lapsed,
    ("CN", "C41"): C.transferred, ("CN", "TR01"): C.transferred, ("CN", "EE01"): C.licensed,
    ("CN", "C10"): C.other, ("CN", "SE01"): C.other,  # request for substantive examination
    # United States
    ("US", "AS"): C.transferred,  # assignment
    ("US", "LAPS"): C.lapsed, ("US", "FP"): C.lapsed,  # lapsed for failure to pay maintenance fees
    ("US", "FPAY"): C.other,  # maintenance fee paid
}

# Wording -> category, tried in order when the code is not in the table.
WORDING: list[tuple[re.Pattern[str], LegalCategory]] = [
    (re.compile(r"REINSTAT|RE-?ESTABLISH|RESTITUTIO|RESTOR"), C.reinstated),
    (re.compile(r"REVOK|REVOCATION"), C.revoked),
    (re.compile(r"WITHDRAW|REFUS|REJECT"), C.withdrawn),
    (re.compile(r"LAPSE|CEASE|NON-?PAYMENT|TRANSLATION NOT FILED|\bVOID\b|TERMINATION OF (?:THE )?PATENT"), C.lapsed),
    (re.compile(r"EXPIR"), C.expired),
    (re.compile(r"LICEN[CS]"), C.licensed),
    (re.compile(r"TRANSFER|ASSIGNMENT|CHANGE OF OWNER|NEW OWNER"), C.transferred),
    (re.compile(r"TAKES EFFECT|(?<!INTENTION TO )\bGRANT(?:ED)?\b"), C.granted),
    (re.compile(r"PUBLICATION|PUBLISHED|LAID OPEN|DESIGNATED CONTRACTING STATES"), C.published),
    (re.compile(r"APPLICATION FILED|FILING OF THE APPLICATION|ENTRY INTO THE (?:NATIONAL|EUROPEAN) PHASE"), C.filed),
]
_ENDED = {C.lapsed, C.revoked, C.withdrawn}
_STATE_PREFIX = re.compile(r"^([A-Z]{2}):\s")


def categorise(office: str, code: str, national_code: str | None = None, state: str | None = None,
               wording: str = "") -> LegalCategory:
    """The category of an event from its codes (``CODE_TABLE``), else from its wording."""
    code, office = code.strip().upper(), office.strip().upper()
    if national_code:
        found = CODE_TABLE.get((state or office, national_code)) or CODE_TABLE.get(("*", national_code))
    else:
        found = CODE_TABLE.get((office, code)) or CODE_TABLE.get(("*", code))
    if found is not None:
        return found
    text = wording.upper()
    return next((category for pattern, category in WORDING if pattern.search(text)), C.other)


def state_of(description: str) -> str | None:
    """The country of a national event described as ``GB: EUROPEAN PATENT CEASED ...``."""
    match = _STATE_PREFIX.match(description.strip())
    return match.group(1) if match else None


@dataclass(frozen=True)
class StatusResult:
    """A derived status, the event that shows it and, for an ended right, when it ended."""

    status: LegalStatus
    evidence: LegalEvent | None
    ended: dt.date | None = None
    ended_by_event: bool = False  # the end date is an event's, not a statutory estimate
    granted: bool = False  # the events (or the publication) show a granted right


def publication_event(doc: PatentDocument) -> LegalEvent | None:
    """The publication itself as an event: a right granted, or an application published."""
    if doc.publication_date is None or doc.doc_kind is DocKind.other:
        return None
    category = C.granted if doc.doc_kind in RIGHTS else C.published
    return LegalEvent(date=doc.publication_date, office=doc.pn.country, code=doc.pn.kind or doc.doc_kind.value,
                      description=f"publication {doc.pn.normalised}", category=category)


@dataclass
class _Walk:
    """The status while reading events in date order."""

    status: LegalStatus = LegalStatus.unknown
    evidence: LegalEvent | None = None
    granted: LegalEvent | None = None

    def read(self, event: LegalEvent) -> None:
        category = event.category
        if category in (C.filed, C.published) and self.status in (LegalStatus.unknown, LegalStatus.pending):
            self.status, self.evidence = LegalStatus.pending, event
        elif category is C.granted:
            self.status, self.evidence, self.granted = LegalStatus.in_force, event, event
        elif category is C.reinstated:
            self.status = LegalStatus.in_force if self.granted else LegalStatus.pending
            self.evidence = event
        elif category in _ENDED:
            self.status, self.evidence = LegalStatus.lapsed, event
        elif category is C.expired:
            self.status, self.evidence = LegalStatus.expired, event


def derive_status(doc: PatentDocument, as_of: dt.date | None = None) -> StatusResult:
    """The current status of ``doc`` from its legal events and its own publication."""
    implied = publication_event(doc)
    events = sorted([*doc.legal_events, *([implied] if implied else [])],
                    key=lambda e: (e.day or dt.date.min, e.identity()))
    walk = _Walk()
    designated: set[str] = set()
    lapsed_in: dict[str, LegalEvent] = {}
    for event in events:
        designated.update(event.designated_states)
        if event.state and event.state != event.office:  # national event of a regional right
            if event.category in _ENDED:
                lapsed_in[event.state] = event
            elif event.category is C.reinstated:
                lapsed_in.pop(event.state, None)
            continue
        walk.read(event)
    if walk.status is LegalStatus.in_force and designated and designated <= set(lapsed_in):
        last = max(lapsed_in.values(), key=lambda e: (e.took_effect or dt.date.min, e.identity()))
        walk.status, walk.evidence = LegalStatus.lapsed, last
    return _settle(doc, walk, as_of or shown_today())


def _settle(doc: PatentDocument, walk: _Walk, as_of: dt.date) -> StatusResult:
    """End dates from the evidence; pending and in-force rights past their statutory term expire."""
    granted = walk.granted is not None
    if walk.status in (LegalStatus.lapsed, LegalStatus.expired) and walk.evidence is not None:
        return StatusResult(walk.status, walk.evidence, walk.evidence.took_effect, True, granted)
    if walk.status in (LegalStatus.in_force, LegalStatus.pending):
        term = statutory_end(doc)
        if term is not None and term < as_of:
            return StatusResult(LegalStatus.expired, walk.evidence, term, False, granted)
    return StatusResult(walk.status, walk.evidence, None, False, granted)


def statutory_end(doc: PatentDocument) -> dt.date | None:
    """The end of the statutory term; for an application, the term its grant would have had."""
    if doc.doc_kind in RIGHTS:
        return estimate_expiry(doc)
    return estimate_expiry(doc.model_copy(update={"doc_kind": DocKind.grant}))


def event_from_parts(office: str, code: str, description: str, date: str | None, *, effective: str | None = None,
                     national_code: str | None = None, national_description: str = "", state: str | None = None,
                     text: str = "", designated: list[str] | None = None, effect: str | None = None) -> LegalEvent:
    """A LegalEvent from the fields the formats carry, categorised here (one place for all parsers)."""
    office, code = office.strip().upper(), code.strip().upper()
    state = (state or "").strip().upper() or state_of(description)
    wording = national_description or (text if code == "STAA" else "") or description
    category = categorise(office, code, national_code, state, wording)
    return LegalEvent(date=PartialDate.parse(date), effective_date=PartialDate.parse(effective), office=office,
                      code=code, national_code=national_code or None,
                      description=national_description or description, text=text, state=state or None,
                      designated_states=designated or [], effect=(effect or "").strip() or None, category=category)
