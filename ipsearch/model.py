"""The normalised patent document every parser produces and every backend indexes."""

from __future__ import annotations

import datetime as dt
import enum
import re

from pydantic import BaseModel, Field, computed_field

from core.errors import InvalidInput
from core.i18n import Quoted


class DocKind(enum.StrEnum):
    grant = "grant"
    application = "application"
    design = "design"
    plant = "plant"
    reissue = "reissue"
    utility_model = "utility_model"
    other = "other"


_NOT_DIGIT = re.compile(r"[^0-9]")


class PartialDate(BaseModel):
    """A date as printed, with the best ISO date we can read from it.

    Real data has ``20000600`` (day unknown) or ``19990000``; such dates keep ``raw`` and the
    known ``year``/``month``, and ``iso`` stays None.
    """

    raw: str
    iso: dt.date | None = None
    year: int | None = None
    month: int | None = None

    @classmethod
    def parse(cls, raw: str | None) -> PartialDate | None:
        if raw is None:
            return None
        text = raw.strip()
        if not text:
            return None
        digits = text if text.isascii() and text.isdigit() else _NOT_DIGIT.sub("", text)  # most are 20250930
        year = month = day = None
        if len(digits) >= 4:
            year = int(digits[:4])
        if len(digits) >= 6:
            month = int(digits[4:6])
        if len(digits) >= 8:
            day = int(digits[6:8])
        if year is not None and not 1700 <= year <= 2200:
            return cls(raw=text)
        if month is not None and not 1 <= month <= 12:
            month = day = None
        iso = None
        if year and month and day:
            try:
                iso = dt.date(year, month, day)
            except ValueError:
                iso = None
        return cls(raw=text, iso=iso, year=year, month=month)


class PublicationNumber(BaseModel):
    """Country + number + kind, e.g. ``US7654321B2``; ``raw`` keeps the number as printed."""

    country: str
    number: str
    kind: str = ""
    raw: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def normalised(self) -> str:
        return f"{self.country}{self.number}{self.kind}"


_PN_RE = re.compile(r"^\s*([A-Za-z]{2})[\s-]*([0-9A-Za-z/,.\s-]+?)[\s-]*([A-Z][0-9]?)?\s*$")


_NUMBER_PUNCTUATION = re.compile(r"[\s,./-]")
_US_NUMBER = re.compile(r"^(RE|PP|D|H|T|X|AI)?0*([0-9]+)$")


def normalise_number(country: str, number: str, kind: str | None = None) -> PublicationNumber:
    """Normalise a publication number.

    US grants drop leading zeros (``06836899`` -> ``6836899``; design ``D0512345`` -> ``D512345``);
    punctuation and spaces go everywhere.
    """
    country_code, num, kind_code = _normal_parts(country, number, kind)
    return PublicationNumber(country=country_code, number=num, kind=kind_code, raw=f"{country}{number}{kind or ''}")


def normalised_number(country: str, number: str, kind: str | None = None) -> str:
    """``normalise_number(...).normalised`` without building the model: a loader makes one for
    every citation of every document."""
    return "".join(_normal_parts(country, number, kind))


def _normal_parts(country: str, number: str, kind: str | None) -> tuple[str, str, str]:
    """The country, number and kind of a normalised publication number."""
    country = country.strip().upper()
    num = number.strip().upper()
    if not num.isalnum():  # most numbers are written without punctuation
        num = _NUMBER_PUNCTUATION.sub("", num)
    if country == "US":
        match = _US_NUMBER.match(num)
        if match:
            num = (match.group(1) or "") + match.group(2)
    else:
        num = num.lstrip("0") or num
    return country, num, (kind or "").strip().upper()


def parse_publication_number(text: str) -> PublicationNumber:
    """Parse what a person types (``US 7,654,321 B2``, ``ep1234567b1``) into a PublicationNumber."""
    match = _PN_RE.match(text.upper())
    if not match:
        raise ValueError(f"not a publication number: {text!r}")
    country, number, kind = match.groups()
    return normalise_number(country, number, kind)


def normalise_pn(pn: str) -> str:
    """The normalised publication number a person typed, or ``InvalidInput``."""
    try:
        return parse_publication_number(pn).normalised
    except ValueError as exc:
        raise InvalidInput.said("not a publication number: %(value)s", value=Quoted(pn)) from exc


class IPCCode(BaseModel):
    """An IPC/IPCR or CPC symbol split into its hierarchy, printed as ``H04N 21/431``."""

    section: str
    cls: str = Field(alias="class", serialization_alias="class")
    subclass: str
    group: str
    subgroup: str

    model_config = {"populate_by_name": True}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def symbol(self) -> str:
        return f"{self.section}{self.cls}{self.subclass} {self.group}/{self.subgroup}"

    @property
    def subclass_code(self) -> str:
        return f"{self.section}{self.cls}{self.subclass}"

    @property
    def main_group(self) -> str:
        return f"{self.subclass_code} {self.group}/00"


_IPC_RE = re.compile(r"^\s*([A-HY])\s*(\d{2})\s*([A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})")
# USPTO v4.0-v4.1 fixed width: 4-char subclass, 3-char group, subgroup ("A45F  504" = A45F 5/04).
_IPC_FIXED_RE = re.compile(r"^([A-HY]\d{2}[A-Z])([ \d]{3})(\d{2,6})\s*$")


def parse_ipc(text: str) -> IPCCode | None:
    """Read ``H04N 21/431``, ``H04N21/431``, ``A41B001/00``, ``B65D  51/18  20060101AFI...`` or
    USPTO's old fixed-width ``A45F  504`` (with an optional edition digit in front)."""
    t = re.sub(r"^\s*\d(?=[A-H]\s*\d{2}\s*[A-Z])", "", text)  # edition prefix: "7H04N 5/44"
    match = _IPC_RE.match(t)
    if match is not None:
        section, cls, subclass, group, subgroup = match.groups()
    else:
        fixed = _IPC_FIXED_RE.match(t.strip())
        if fixed is None:
            return None
        code, group, subgroup = fixed.groups()
        section, cls, subclass = code[0], code[1:3], code[3]
    subgroup = subgroup.rstrip("0").ljust(2, "0") if len(subgroup) > 2 else subgroup.ljust(2, "0")
    if not group.strip():
        return None
    return IPCCode(section=section, cls=cls, subclass=subclass, group=str(int(group)), subgroup=subgroup)


def normalise_uspc(text: str) -> str | None:
    """USPC ``  2 52`` / ``24303`` / ``D 2860`` (3-char class, then subclass) as ``2/52``, ``24/303``."""
    t = text.rstrip()
    if len(t.strip()) < 2:
        return None
    cls, sub = t[:3].strip(), t[3:].strip()
    if not cls:
        return None
    cls = cls.lstrip("0") or cls
    return f"{cls}/{sub}" if sub else cls


def ipc_from_parts(section: str, cls: str, subclass: str, group: str, subgroup: str) -> IPCCode | None:
    try:
        group_n = str(int(group.strip()))
    except ValueError:
        return None
    sub = subgroup.strip() or "00"
    sub = sub.rstrip("0").ljust(2, "0") if len(sub) > 2 else sub.ljust(2, "0")
    if not (section.strip() and cls.strip() and subclass.strip()):
        return None
    return IPCCode(section=section.strip().upper(), cls=cls.strip().zfill(2), subclass=subclass.strip().upper(),
                   group=group_n, subgroup=sub)


class PartyRole(enum.StrEnum):
    applicant = "applicant"
    assignee = "assignee"
    inventor = "inventor"
    agent = "agent"


class Party(BaseModel):
    role: PartyRole
    name: str
    key: str = Field(description="Harmonised name: case, punctuation and legal forms removed.")
    is_organisation: bool
    country: str | None = None
    city: str | None = None
    province: str | None = None
    address: str | None = Field(default=None, description="The address as one line, when the source gives one "
                                                           "(CNIPA: 广东省深圳市南山区...)")
    aliases: list[str] = Field(default_factory=list, description=(
        "Other names the source gives the same party: in another script (三菱电机株式会社 beside MITSUBISHI "
        "ELECTRIC CORP.) or as another data format spells it."))


class Claim(BaseModel):
    number: int
    text: str
    independent: bool
    refers_to: list[int] = []


class Citation(BaseModel):
    kind: str = Field(description="'patent' or 'npl'")
    text: str
    pn: str | None = Field(default=None, description="Normalised number of a cited patent, when known.")
    cited_by: str | None = Field(default=None, description="'examiner', 'applicant' or None if unknown")


class Priority(BaseModel):
    country: str | None
    number: str
    date: PartialDate | None = None


class LangText(BaseModel):
    """Text in one language; documents hold one of these per language present."""

    lang: str
    text: str


class LegalCategory(enum.StrEnum):
    """What a legal status event did to the right (ipsearch.legal maps INPADOC codes to these).

    ``other`` is every event that changes no status: examination, fees paid, designations, ...
    """

    filed = "filed"
    published = "published"
    granted = "granted"
    lapsed = "lapsed"
    revoked = "revoked"
    expired = "expired"
    withdrawn = "withdrawn"
    reinstated = "reinstated"
    transferred = "transferred"
    licensed = "licensed"
    other = "other"


class LegalStatus(enum.StrEnum):
    """The current status derived from the events (ipsearch.legal.derive_status)."""

    pending = "pending"
    in_force = "in_force"
    lapsed = "lapsed"  # ended before its term: lapse, withdrawal, refusal, revocation
    expired = "expired"  # reached the end of its term
    unknown = "unknown"


class LegalEvent(BaseModel):
    """One legal status event as an office reported it (INPADOC via OPS, or a national format)."""

    date: PartialDate | None = Field(default=None, description="Gazette date: when the event was published.")
    effective_date: PartialDate | None = Field(default=None, description="When it took effect, if given.")
    office: str = Field(description="The office whose right the event concerns (EP, CN, ...).")
    code: str = Field(description="The INPADOC event code (PG25, REG, C06, ...).")
    national_code: str | None = Field(default=None, description="For REG events: the national office's code.")
    description: str = ""
    text: str = Field(default="", description="Free text of the event (reasons, status wording).")
    state: str | None = Field(default=None, description="The country a national event applies to.")
    designated_states: list[str] = []
    effect: str | None = Field(default=None, description="'+' or '-': the event adds or removes a right.")
    category: LegalCategory = LegalCategory.other

    @property
    def day(self) -> dt.date | None:
        """The date the event is ordered by."""
        return (self.date.iso if self.date else None) or (self.effective_date.iso if self.effective_date else None)

    @property
    def took_effect(self) -> dt.date | None:
        """The date the event took effect (the gazette date when no effective date is given)."""
        return (self.effective_date.iso if self.effective_date else None) or (self.date.iso if self.date else None)

    def identity(self) -> tuple[str, ...]:
        """Two reports of the same event (from two responses) have the same identity."""
        return (self.date.raw if self.date else "", self.code, self.national_code or "", self.state or "",
                self.effective_date.raw if self.effective_date else "", self.description, self.text)


class PatentDocument(BaseModel):
    pn: PublicationNumber
    application_number: str | None = None
    doc_kind: DocKind
    filing_date: PartialDate | None = None
    publication_date: PartialDate | None = None
    priority_date: PartialDate | None = None
    titles: list[LangText] = Field(default_factory=list)
    abstracts: list[LangText] = Field(default_factory=list)
    claims: dict[str, list[Claim]] = Field(default_factory=dict, description="Claims per language.")
    descriptions: list[LangText] = Field(default_factory=list)
    ipc: list[IPCCode] = Field(default_factory=list)
    cpc: list[IPCCode] = Field(default_factory=list)
    uspc: list[str] = Field(default_factory=list)
    locarno: list[str] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    family_id: str | None = Field(default=None, description="The DOCDB/INPADOC family id the data carries.")
    legal_events: list[LegalEvent] = Field(default_factory=list)
    lang: str | None = None
    source_format: str
    dtd_version: str | None = None
    source_file: str | None = None
    synthetic: bool = False

    # --- conveniences used by indexing, tests and the API ----------------------------
    @property
    def id(self) -> str:
        return self.pn.normalised

    def title(self, prefer: tuple[str, ...] = ("en", "zh", "ja", "de", "fr")) -> str | None:
        return _pick(self.titles, prefer)

    def abstract(self, prefer: tuple[str, ...] = ("en", "zh", "ja", "de", "fr")) -> str | None:
        return _pick(self.abstracts, prefer)

    def main_claims(self) -> list[Claim]:
        """The claims in the document's own language (else the first language present)."""
        if self.lang and self.lang in self.claims:
            return self.claims[self.lang]
        return next(iter(self.claims.values()), [])

    def parties_of(self, role: PartyRole) -> list[Party]:
        return [p for p in self.parties if p.role == role]

    def earliest_priority(self) -> PartialDate | None:
        """The earliest full priority date; the filing date when nothing is claimed."""
        dates = [p.date for p in self.priorities if p.date is not None and p.date.iso is not None]
        return min(dates, key=lambda d: d.iso or d.raw) if dates else self.filing_date


def _pick(items: list[LangText], prefer: tuple[str, ...]) -> str | None:
    for lang in prefer:
        for item in items:
            if item.lang == lang and item.text:
                return item.text
    return next((i.text for i in items if i.text), None)


# --- merging two versions of one publication -------------------------------------------------

def priority_key(priority: Priority) -> str:
    """A priority claim compared across formats: country and number, punctuation removed."""
    number = re.sub(r"[^0-9A-Z]", "", priority.number.upper()).lstrip("0")
    return f"{(priority.country or '').upper()}{number}"


def merge_documents(stored: PatentDocument, new: PatentDocument) -> PatentDocument:
    """One document from two versions of the same publication (OPS full text and bibliographic
    data arrive as separate responses): what ``new`` carries wins, what only ``stored`` carries is
    kept. Priorities and legal events are unions, so their merged sets do not depend on the order
    the versions arrive in. Both writers call this (through ``ipsearch.indexdoc.merged_record``)."""
    texts = {name: _merge_langs(getattr(stored, name), getattr(new, name))
             for name in ("titles", "abstracts", "descriptions")}
    lists = {name: getattr(new, name) or getattr(stored, name)
             for name in ("ipc", "cpc", "uspc", "locarno", "parties", "citations")}
    scalars = {name: getattr(new, name) if getattr(new, name) is not None else getattr(stored, name)
               for name in ("application_number", "filing_date", "publication_date", "family_id", "lang",
                            "dtd_version", "source_file")}
    priorities = {priority_key(p): p for p in stored.priorities}
    for p in new.priorities:
        if p.date is not None or priority_key(p) not in priorities:
            priorities[priority_key(p)] = p
    events = {e.identity(): e for e in [*stored.legal_events, *new.legal_events]}
    merged = new.model_copy(update={
        **texts, **lists, **scalars, "claims": stored.claims | new.claims, "priorities": list(priorities.values()),
        "legal_events": sorted(events.values(), key=lambda e: (e.day or dt.date.min, e.identity())),
        "synthetic": stored.synthetic or new.synthetic})
    merged.priority_date = merged.earliest_priority()
    return merged


def _merge_langs(stored: list[LangText], new: list[LangText]) -> list[LangText]:
    """Texts per language: the new version's languages replace the stored ones."""
    langs = {t.lang for t in new}
    return [*new, *(t for t in stored if t.lang not in langs)]
