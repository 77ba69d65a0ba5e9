"""What the registry's service takes and returns: the API's bodies and the JSON it answers with.

Several shapes are open on purpose: a certificate's ``statement`` and a log entry are signed
canonical JSON, so they pass through exactly as stored and are never re-shaped here.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from copyright.models import DisputeStatus, RegistrationStatus, WorkType
from copyright.registry import ContentHash, Sha256Hex, WorkIn
from core.text import MultiLine, SingleLine

# --- requests ----------------------------------------------------------------------------------


def _base64_of(size: int, what: str) -> AfterValidator:
    """Standard base64 (ASCII, padded) of exactly ``size`` bytes: anything else is refused with a
    sentence here, before the service decodes it (a non-ASCII string made ``b64decode`` a 500)."""
    sentence = f"{what} is standard base64 of {size} bytes ({4 * ((size + 2) // 3)} ASCII characters)"

    def check(value: str) -> str:
        if not value.isascii():
            raise ValueError(f"{sentence}; it has other characters")
        try:
            decoded = base64.b64decode(value, validate=True)
        except binascii.Error:
            raise ValueError(f"{sentence}; it is not base64") from None
        if len(decoded) != size:
            raise ValueError(f"{sentence}; it holds {len(decoded)} bytes")
        return value

    return AfterValidator(check)


RegistrantKey = Annotated[str, Field(max_length=100), _base64_of(32, "an Ed25519 public key")]
RegistrantSignature = Annotated[str, Field(max_length=200), _base64_of(64, "an Ed25519 signature")]


class RegisterIn(BaseModel):
    work: WorkIn
    content: ContentHash
    registrant_public_key: RegistrantKey | None = None  # the registrant's own key; signs the canonical claim
    registrant_signature: RegistrantSignature | None = None


class DisputeIn(BaseModel):
    reason: MultiLine = Field(min_length=10, max_length=10_000)
    evidence: list[SingleLine] = Field(default_factory=list, max_length=20)


class DecisionIn(BaseModel):
    approve: bool
    note: MultiLine = Field(min_length=1, max_length=5000)


class ResolveIn(BaseModel):
    upheld: bool
    resolution: MultiLine = Field(min_length=1, max_length=5000)


class VerifyIn(BaseModel):
    certificate: dict[str, Any]
    sha256: Sha256Hex | None = None


# --- registrations -----------------------------------------------------------------------------


class MatchOut(BaseModel):
    """A registered work identical to or a near-duplicate of the one being registered."""

    number: str
    title: str
    similarity: float
    kind: Literal["identical", "near-duplicate"]


class ReviewOut(BaseModel):
    approved: bool
    note: str
    by: int


class RegistrationOut(BaseModel):
    """The public view of a registration."""

    number: str
    status: RegistrationStatus
    title: str
    work_type: WorkType
    authors: list[str]
    owner_id: int
    sha256: str
    hash_only: bool
    registered_at: dt.datetime
    log_index: int | None
    matches: list[MatchOut]
    review: ReviewOut | None
    revoked_at: dt.datetime | None = None  # when the log recorded its revocation


class SignatureOut(BaseModel):
    key_id: str | None
    signature: str


class CertificateLogOut(BaseModel):
    origin: str
    index: int
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str


class CertificateOut(BaseModel):
    """The certificate JSON; it verifies offline with only the published key set."""

    format: str
    statement: dict[str, Any]
    signatures: list[SignatureOut]
    log: CertificateLogOut
    status: RegistrationStatus


class RenderingOut(BaseModel):
    """The PDF is being rendered by a worker: ask again after ``retry_after`` seconds."""

    status: Literal["rendering"] = "rendering"
    retry_after: int = 2
    late: bool = Field(default=False, description="asked for over a minute ago: the worker may be stopped")


# --- rights ------------------------------------------------------------------------------------


class LicenceOut(BaseModel):
    id: int
    log_index: int
    rights: list[str]
    exclusive: bool


class TransferOut(BaseModel):
    id: int
    log_index: int
    rights: list[str]
    withdrawn_offers: list[int] = Field(default_factory=list,
                                        description="your open licence offers this transfer withdrew: you no "
                                                    "longer hold the rights they offer")


class ActiveLicenceOut(BaseModel):
    id: int
    licensee_id: int
    rights: list[str]
    exclusive: bool
    territory: str
    start: dt.date
    end: dt.date | None
    cc_code: str | None


class RightsOut(BaseModel):
    """Who holds which rights on ``date`` (user id -> rights) and the licences in force then."""

    date: dt.date
    holders: dict[str, list[str]]
    licences: list[ActiveLicenceOut]


class ChainEntryOut(BaseModel):
    """One log entry about a registration, with its log index; the entry's own fields pass through."""

    model_config = ConfigDict(extra="allow")

    index: int
    type: str
    time: str


class DisputeOut(BaseModel):
    id: int
    status: DisputeStatus


# --- the log -----------------------------------------------------------------------------------


class CheckpointOut(BaseModel):
    size: int
    checkpoint: str


class EntryOut(BaseModel):
    index: int
    entry: dict[str, Any]
    tree_size: int
    inclusion_proof: list[str]


class ConsistencyOut(BaseModel):
    first: int
    second: int
    proof: list[str]


# --- verification ------------------------------------------------------------------------------


class VerdictOut(BaseModel):
    """A certificate's verdict: ``number`` and ``steps`` when valid, ``failed_step`` and ``reason``
    when not. The API leaves out the fields that do not apply (``response_model_exclude_none``).

    ``valid`` says the certificate is genuine: signed and in the log. Whether its registration still
    stands is not in the certificate (a certificate stays genuine after a dispute revokes it):
    ``status`` is the registration's status in this registry now, and ``revoked_at`` when the log
    recorded its revocation."""

    valid: bool
    number: str | None = None
    steps: list[str] | None = None
    failed_step: str | None = None
    reason: str | None = None
    status: RegistrationStatus | None = None
    revoked_at: dt.datetime | None = None


class FileRegistrationOut(BaseModel):
    """A registration of exactly this file; ``certificate_valid`` only once it has a certificate."""

    number: str
    status: RegistrationStatus
    certificate_valid: bool | None = None
    failed_step: str | None = None
    reason: str | None = None


class VerifyFileOut(BaseModel):
    sha256: str
    size: int | None
    registrations: list[FileRegistrationOut]


# --- statistics --------------------------------------------------------------------------------


class LicenceTypeCounts(BaseModel):
    exclusive: int = 0
    non_exclusive: int = 0
    creative_commons: int = 0


class StatsOut(BaseModel):
    by_work_type: dict[str, int]
    by_status: dict[str, int]
    by_month: dict[str, int]
    by_licence_type: LicenceTypeCounts


# --- the public catalogue of works -------------------------------------------------------------

# the statuses of registrations that were logged and so are public; under review they are not yet
PUBLIC_STATUSES = (RegistrationStatus.registered, RegistrationStatus.disputed, RegistrationStatus.revoked)
MAX_START = 10_000  # deep enough for browsing; narrow the filters to go further
MAX_LIMIT = 100


class WorksQuery(BaseModel):
    """A search of the public catalogue. Query-string names: ``title``, ``author``, ``type``,
    ``from``, ``to`` (registration dates, inclusive, UTC), ``status``, ``start``, ``limit``.
    Title and author match a substring, ignoring case; ``%`` and ``_`` are literal."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    title: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    work_type: WorkType | None = Field(default=None, alias="type")
    registered_from: dt.date | None = Field(default=None, alias="from")
    registered_to: dt.date | None = Field(default=None, alias="to")
    status: RegistrationStatus | None = Field(default=None, description="registered, disputed or revoked")
    start: int = Field(default=0, ge=0, le=MAX_START)
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)

    @field_validator("title", "author", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        """Blank is no filter; surrounding spaces are not part of what is looked for. No title
        holds a NUL character (and PostgreSQL refuses one in a query's text)."""
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("a NUL character")
            return value.strip() or None
        return value

    @field_validator("status")
    @classmethod
    def _public_status(cls, value: RegistrationStatus | None) -> RegistrationStatus | None:
        if value is not None and value not in PUBLIC_STATUSES:
            raise ValueError("only registered, disputed and revoked works are public")
        return value

    @field_validator("registered_to")
    @classmethod
    def _after_from(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        first = info.data.get("registered_from")
        if value is not None and first is not None and value < first:
            raise ValueError("the end date is before the start date")
        return value


class WorkSummaryOut(BaseModel):
    """A registered work as the public catalogue lists it. Files are never offered: a work
    registered with its file links to its certificate, a hash-only work to nothing."""

    number: str
    title: str
    work_type: WorkType
    authors: list[str]
    owner: str  # the owner at registration's display name, as the signed statement names them
    # who holds the economic rights today, the owner at registration first (several when divided); none
    # for a registration that no longer stands (revoked): it gives nobody rights any more
    holders: list[str]
    status: RegistrationStatus
    registered_at: dt.datetime
    hash_only: bool
    certificate_url: str | None


class WorksFacets(BaseModel):
    """How many works of the current search fall in each type and status (each counted with the
    other filters, so choosing another value of the same facet is shown what it would find)."""

    work_type: dict[str, int]
    status: dict[str, int]


class WorksPage(BaseModel):
    total: int
    start: int
    limit: int
    items: list[WorkSummaryOut]
    facets: WorksFacets
