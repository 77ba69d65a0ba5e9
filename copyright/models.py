"""Works and registrations. Work types follow the 2020 Copyright Law of the PRC (Art. 3)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Enum, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" for the foreign keys
from core.db import Base, Row, UTCDateTime, utcnow
from core.i18n import shown_day


class WorkType(enum.StrEnum):
    written = "written"  # 文字作品
    oral = "oral"  # 口述作品
    music = "music"  # 音乐
    drama = "drama"  # 戏剧
    quyi = "quyi"  # 曲艺
    dance = "dance"  # 舞蹈
    acrobatics = "acrobatics"  # 杂技艺术
    fine_art = "fine_art"  # 美术
    architecture = "architecture"  # 建筑
    photographic = "photographic"  # 摄影作品
    audiovisual = "audiovisual"  # 视听作品
    graphic = "graphic"  # 工程设计图、产品设计图、地图、示意图等图形作品
    model = "model"  # 模型作品
    software = "software"  # 计算机软件
    other = "other"  # 符合作品特征的其他智力成果


WORK_TYPE_LABELS: dict[WorkType, tuple[str, str]] = {
    WorkType.written: ("Written work", "文字作品"), WorkType.oral: ("Oral work", "口述作品"),
    WorkType.music: ("Musical work", "音乐作品"), WorkType.drama: ("Dramatic work", "戏剧作品"),
    WorkType.quyi: ("Quyi (folk performing art) work", "曲艺作品"), WorkType.dance: ("Choreographic work", "舞蹈作品"),
    WorkType.acrobatics: ("Acrobatic work", "杂技艺术作品"), WorkType.fine_art: ("Work of fine art", "美术作品"),
    WorkType.architecture: ("Architectural work", "建筑作品"), WorkType.photographic: ("Photographic work", "摄影作品"),
    WorkType.audiovisual: ("Audiovisual work", "视听作品"),
    WorkType.graphic: ("Graphic work (engineering/product designs, maps, sketches)", "图形作品"),
    WorkType.model: ("Model work", "模型作品"), WorkType.software: ("Computer software", "计算机软件"),
    WorkType.other: ("Other intellectual achievement meeting the definition of a work", "其他作品"),
}


class RegistrationStatus(enum.StrEnum):
    registered = "registered"
    under_review = "under_review"
    disputed = "disputed"
    revoked = "revoked"


class Work(Row):
    __tablename__ = "works"

    title: Mapped[str] = mapped_column(String(500))
    work_type: Mapped[WorkType] = mapped_column(Enum(WorkType, native_enum=False, length=20))
    description: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    owners: Mapped[list[str]] = mapped_column(JSON, default=list)  # co-owners named besides the account
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    completion_date: Mapped[date | None] = mapped_column(Date)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    first_publication_date: Mapped[date | None] = mapped_column(Date)
    first_publication_place: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    hash_only: Mapped[bool] = mapped_column(Boolean, default=False)
    stored_path: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Registration(Row):
    __tablename__ = "registrations"

    number: Mapped[str] = mapped_column(String(20), unique=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(Enum(RegistrationStatus, native_enum=False, length=20))
    # canonical JSON (RFC 8785) as signed; None while under review (nothing is logged before approval)
    statement: Mapped[bytes | None] = mapped_column(LargeBinary)
    platform_key_id: Mapped[str | None] = mapped_column(String(16))
    platform_signature: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    registrant_public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    registrant_signature: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    log_index: Mapped[int | None] = mapped_column(BigInteger)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @property
    def registered_on(self) -> date:
        """The day of the registration as its record shows it (Beijing's, as the registry's day):
        transfers and licences take effect on or after it."""
        return shown_day(self.registered_at)


class WorkFingerprint(Base):
    __tablename__ = "work_fingerprints"

    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(Text)


class FingerprintBand(Row):
    """LSH band keys: works sharing a band are near-duplicate candidates."""

    __tablename__ = "fingerprint_bands"

    band: Mapped[str] = mapped_column(String(200), index=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)


class Right(enum.StrEnum):
    """Economic rights of Art. 10 of the Copyright Law (items 5-17)."""

    reproduction = "reproduction"
    distribution = "distribution"
    rental = "rental"
    exhibition = "exhibition"
    performance = "performance"
    screening = "screening"
    broadcasting = "broadcasting"
    information_network = "information_network"
    cinematography = "cinematography"
    adaptation = "adaptation"
    translation = "translation"
    compilation = "compilation"
    other = "other"


RIGHT_LABELS: dict[Right, tuple[str, str]] = {
    Right.reproduction: ("Reproduction", "复制权"), Right.distribution: ("Distribution", "发行权"),
    Right.rental: ("Rental", "出租权"), Right.exhibition: ("Exhibition", "展览权"),
    Right.performance: ("Performance", "表演权"), Right.screening: ("Screening", "放映权"),
    Right.broadcasting: ("Broadcasting", "广播权"),
    Right.information_network: ("Communication over information networks", "信息网络传播权"),
    Right.cinematography: ("Cinematography", "摄制权"), Right.adaptation: ("Adaptation", "改编权"),
    Right.translation: ("Translation", "翻译权"), Right.compilation: ("Compilation", "汇编权"),
    Right.other: ("Other rights", "应当由著作权人享有的其他权利"),
}


def in_law_order(rights: Iterable[str]) -> list[Right]:
    """``rights`` in the order of Art. 10 (复制权, 发行权, 出租权…), as the law and the registration
    form list them: the log and the database keep them sorted by their English names, which reads
    as no order at all (改编权, 广播权, 复制权…). Every list of rights people read passes here."""
    chosen = {Right(value) for value in rights}  # an unknown value raises: a list of rights is never cut short
    return [right for right in Right if right in chosen]


class RegistrationRecord:
    """The columns every record about a registration carries (transfers, licences, disputes)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True, sort_order=-1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoggedRecord(RegistrationRecord):
    """A record that is also a transparency-log entry at ``log_index``."""

    log_index: Mapped[int] = mapped_column(BigInteger)


class Transfer(LoggedRecord, Base):
    __tablename__ = "transfers"

    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rights: Mapped[list[str]] = mapped_column(JSON)
    effective_date: Mapped[date] = mapped_column(Date)


class Licence(LoggedRecord, Base):
    __tablename__ = "licences"

    licensor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    licensee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    may_sublicense: Mapped[bool] = mapped_column(Boolean, default=False)
    rights: Mapped[list[str]] = mapped_column(JSON)
    territory: Mapped[str] = mapped_column(String(100), default="worldwide")
    media: Mapped[str] = mapped_column(String(200), default="all media")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    fee: Mapped[str | None] = mapped_column(String(100))
    cc_code: Mapped[str | None] = mapped_column(String(30))


class OfferStatus(enum.StrEnum):
    offered = "offered"  # waiting for the licensee
    accepted = "accepted"  # the licence is logged (``licence_id``)
    declined = "declined"
    withdrawn = "withdrawn"


class LicenceOffer(RegistrationRecord, Base):
    """A licence one party has signed and the other has not yet: nothing is logged until the
    licensee accepts, so a licence in the log always carries both parties' consent."""

    __tablename__ = "licence_offers"

    licensor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    licensee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)  # LicenceIn as JSON, licensee included
    status: Mapped[OfferStatus] = mapped_column(Enum(OfferStatus, native_enum=False, length=10),
                                                default=OfferStatus.offered)
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DisputeStatus(enum.StrEnum):
    open = "open"
    upheld = "upheld"
    rejected = "rejected"


class Dispute(RegistrationRecord, Base):
    __tablename__ = "disputes"

    complainant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[DisputeStatus] = mapped_column(Enum(DisputeStatus, native_enum=False, length=10),
                                                  default=DisputeStatus.open)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RegistrationCounter(Base):
    """Per-year sequence for CR-YYYY-NNNNNNNN numbers (incremented under the row lock)."""

    __tablename__ = "registration_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
