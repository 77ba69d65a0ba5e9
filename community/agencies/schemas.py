"""Pydantic models of the agency directory at the boundary (API, pages, CLI).

The Out models keep the JSON keys the API has always returned.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BaseModel, Field, field_validator

from community.agencies.models import ClaimStatus, RecordKind, ServiceType, Tier
from core.db import RowOut
from core.i18n import shown_today
from core.ids import DbInt
from core.text import MultiLine, SingleLine
from ipsearch.model import parse_publication_number

_REGION = ("a province or prefecture-level city by any GB/T 2260 name or code: 广东, 广东省, Guangdong, "
           "440000; stored as its code and English name")
_IPC = "IPC subclasses the agency works in, such as H04W (a group like H04W 4/00 is read as its subclass)"


class ReviewDecision(StrEnum):
    """A moderator's decision on a held or flagged review (``service.release_review``)."""

    release = "release"  # shown and counted again, its flags dismissed
    hold = "hold"  # kept (or put) on hold: neither shown nor counted


# --- input ---------------------------------------------------------------------------------


class AgencyIn(BaseModel):
    name: SingleLine = Field(min_length=2, max_length=300)
    licence_number: SingleLine = Field(min_length=3, max_length=60)
    province: SingleLine = Field(default="", max_length=60, description=_REGION)
    city: SingleLine = Field(default="", max_length=60, description=_REGION)
    service_types: list[ServiceType] = Field(default_factory=list)
    ipc_subclasses: list[str] = Field(default_factory=list, max_length=200, description=_IPC,
                                      validation_alias=AliasChoices("ipc_subclasses", "ipc_sections"))
    practitioners: DbInt = 0
    founded_year: int | None = Field(default=None, ge=1900, le=2100)
    contact: SingleLine = Field(default="", max_length=300)


class AgencyPatch(BaseModel):
    """The fields an agency's own account may change; unset fields stay as they are."""

    province: SingleLine | None = Field(default=None, max_length=60, description=_REGION)
    city: SingleLine | None = Field(default=None, max_length=60, description=_REGION + "; an empty string clears it")
    service_types: list[ServiceType] | None = None
    ipc_subclasses: list[str] | None = Field(default=None, max_length=200, description=_IPC)
    practitioners: DbInt | None = None
    contact: SingleLine | None = Field(default=None, max_length=300)


def _publication_number(value: str | None) -> str | None:
    """The number as the index holds it, so the engagement can be checked against its agents
    (us 7,654,321 b2 is US7654321B2); a value that is no publication number is refused."""
    return parse_publication_number(value).normalised if value else None


class ReviewIn(BaseModel):
    engagement_ref: SingleLine = Field(min_length=1, max_length=100,
                                       description="Your case, matter or invoice reference")
    professionalism: int = Field(ge=1, le=5)
    responsiveness: int = Field(ge=1, le=5)
    cost_transparency: int = Field(ge=1, le=5)
    outcome: int = Field(ge=1, le=5)
    text: MultiLine = Field(default="", max_length=5000)
    linked_pn: Annotated[str | None, AfterValidator(_publication_number)] = Field(
        default=None, max_length=40, description="A patent the agency handled for you: US7654321B2, cn 101096965 a")


class RecordIn(BaseModel):
    kind: RecordKind
    points: float = Field(ge=0, le=100)
    description: MultiLine = Field(min_length=3, max_length=5000)
    source: SingleLine = Field(min_length=3, max_length=300)
    occurred_on: date
    evidence: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("occurred_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        """A record says what happened: a sanction dated 2099 lowered an agency's tier at once."""
        if value > shown_today():
            raise ValueError("the date it happened is in the future")
        return value


class TextIn(BaseModel):
    text: MultiLine = Field(min_length=1, max_length=5000)


class DecideIn(BaseModel):
    approve: bool


class ReleaseIn(BaseModel):
    keep_held: bool = False


# --- output --------------------------------------------------------------------------------


class AgencyOut(BaseModel):
    """An agency in a listing; ``rating`` is the Bayesian rating, never the raw mean. An agency with
    too little evidence has ``rated`` false and the tier ``not_rated`` ("not yet rated")."""

    id: int
    name: str
    licence_number: str
    province: str = Field(description="English name of the province (GB/T 2260), or the text given if unknown")
    city: str = Field(description="English name of the prefecture-level city, or the text given if unknown")
    province_code: str | None = Field(description="GB/T 2260 code of the province, e.g. 440000")
    city_code: str | None = Field(description="GB/T 2260 code of the prefecture-level city, e.g. 440300")
    service_types: list[str]
    ipc_subclasses: list[str]
    ipc_sections: list[str] = Field(description="the sections of ipc_subclasses (and any older section-only "
                                                "entries)")
    practitioners: int
    founded_year: int | None
    claimed: bool
    tier: Tier
    rated: bool
    score: float
    rating: float = Field(description="the Bayesian rating the score and the order use")
    stars: float | None = Field(description="the plain mean of the counted reviews' stars, as readers gave them")
    rating_count: int


class IntegrityRecordOut(RowOut):
    kind: RecordKind
    points: float
    description: str
    source: str
    occurred_on: date
    evidence: list[str]


class PublicReviewOut(RowOut):
    """A review as the public sees it (held reviews are never shown)."""

    id: int
    stars: float
    text: str
    verified: bool
    reply: str | None
    created_at: datetime


class AgencyProfileOut(AgencyOut):
    """The public profile: the score's breakdown, integrity records and recent reviews."""

    score_breakdown: dict[str, Any]
    contact: str
    integrity_records: list[IntegrityRecordOut]
    reviews: list[PublicReviewOut]


class RecommendationOut(BaseModel):
    agency_id: int
    name: str
    fit: float
    tier: Tier
    rating: float
    reasons: list[str] = Field(description="why this agency is recommended, in order")
    in_field: bool = Field(default=False, description="works in the IPC field asked for: these come first, then the "
                                                      "other agencies of the region (the field ranks, it does not "
                                                      "filter)")


class ClaimOut(BaseModel):
    id: int
    status: ClaimStatus


class ReviewCreatedOut(BaseModel):
    id: int
    verified: bool
    held: bool


class ReviewReplyOut(BaseModel):
    id: int
    reply: str | None


class ReviewConfirmedOut(BaseModel):
    id: int
    verified: bool


class ReviewFlagOut(BaseModel):
    id: int
    flags: int
    held: bool


class ReviewReleaseOut(BaseModel):
    id: int
    held: bool


class IntegrityAddedOut(BaseModel):
    """The new record's id and the agency's tier and score after it."""

    id: int
    tier: Tier
    score: float


class ObjectionOut(BaseModel):
    id: int


class ObjectionAnswerOut(BaseModel):
    id: int
    answer: str | None


# --- the directory in the browser --------------------------------------------------------------


class DirectoryQuery(BaseModel):
    """The directory's filters as typed: any GB/T 2260 name or code for the province and the city, an
    IPC section, class or subclass (``H04W``), a service type and words of the name."""

    q: str = Field(default="", max_length=100)
    province: str = Field(default="", max_length=60)
    city: str = Field(default="", max_length=60)
    service: ServiceType | None = None
    ipc: str = Field(default="", max_length=30)
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class DirectoryOut(BaseModel):
    """One page of the directory: rated agencies first, then those not yet rated; the filters as
    understood (GB/T 2260 codes, the IPC prefix)."""

    agencies: list[AgencyOut]
    total: int
    page: int
    pages: int
    province_code: str | None
    city_code: str | None
    ipc: str | None


class RecommendedOut(BaseModel):
    """A recommendation with its reasons as data (for pages that say them in the reader's language)."""

    agency: AgencyOut
    fit: float
    ipc_asked: str | None = Field(description="the IPC section, class or subclass asked for")
    ipc_matched: list[str] = Field(description="the agency's subclasses inside what was asked for")
    in_field: bool = Field(description="the agency works in the IPC field asked for (listed before those that do not)")
    service: ServiceType | None
    same_city: bool


class IntegrityRecordView(IntegrityRecordOut):
    id: int


class ReviewShown(RowOut):
    """What every reader of a review is shown: its four criteria and the stars they make, the text,
    the patent it names, whether the engagement is verified and whether the review is held."""

    id: int
    professionalism: int
    responsiveness: int
    cost_transparency: int
    outcome: int
    stars: float
    text: str
    linked_pn: str | None
    verified: bool
    held: bool
    created_at: datetime


class ReviewView(ReviewShown):
    """A review on the profile page: also the agency's reply, whether it is the reader's, whether the
    reader flagged it, and when it was last edited."""

    engagement_ref: str | None = Field(description="shown to the review's author only")
    reply: str | None
    replied_at: datetime | None
    edited_at: datetime | None
    mine: bool
    flagged: bool


class ObjectionView(RowOut):
    id: int
    text: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None


class AgencyPageOut(BaseModel):
    """The profile as one reader sees it: the public profile, every shown review (with the reader's
    own even while it is held), the reader's review to edit, and what the agency's account may do."""

    agency: AgencyOut
    contact: str
    score_breakdown: dict[str, Any]
    integrity_records: list[IntegrityRecordView]
    reviews: list[ReviewView]
    my_review: ReviewView | None
    speaks_for_agency: bool = Field(description="the reader is the agency's verified account (or an admin)")
    is_owner: bool = Field(description="the reader is the agency's verified account")
    objections: list[ObjectionView] = Field(description="the agency's objections, for its account only")


class ReviewSavedOut(BaseModel):
    id: int
    created: bool = Field(description="false when the reader's existing review was edited")
    verified: bool
    held: bool


class ReviewQueueEntryOut(ReviewShown):
    """A held or flagged review with what a moderator needs to decide: the agency, who wrote it (a
    moderator may tell a burst of new accounts), the review itself, why it is held, how many flags."""

    agency_id: int
    agency_name: str
    author: str = Field(description="the author's display name")
    hold_reason: str | None
    flags: int
