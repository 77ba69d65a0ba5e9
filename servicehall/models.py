"""Service hall tables: departments and their staff, catalogue items, applications with their
clocks, materials, the handling trail and the warning cards."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" for the foreign keys
from core.db import Row, UTCDateTime, utcnow


def _enum(kind: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class StaffRole(enum.StrEnum):
    """A person's role inside one department (a person may hold several)."""

    acceptor = "acceptor"
    handler = "handler"
    reviewer = "reviewer"
    approver = "approver"
    head = "head"


class Status(enum.StrEnum):
    """Where an application stands; ``materials`` is 补正, waiting for the applicant."""

    submitted = "submitted"
    materials = "materials"
    handling = "handling"
    reviewing = "reviewing"
    approving = "approving"
    completed = "completed"
    rejected = "rejected"
    withdrawn = "withdrawn"


OPEN = (Status.submitted, Status.materials, Status.handling, Status.reviewing, Status.approving)
FINAL = (Status.completed, Status.rejected, Status.withdrawn)
DECIDED = (Status.completed, Status.rejected)  # finished by the office's decision: on time or late


class Step(enum.StrEnum):
    """A step of the handling flow with its own promised time."""

    accept = "accept"
    handle = "handle"
    review = "review"
    approve = "approve"


# the step an open status is in, and the role that acts on it
STEP_OF = {Status.submitted: Step.accept, Status.handling: Step.handle, Status.reviewing: Step.review,
           Status.approving: Step.approve}
ROLE_OF = {Step.accept: StaffRole.acceptor, Step.handle: StaffRole.handler, Step.review: StaffRole.reviewer,
           Step.approve: StaffRole.approver}


class ItemKind(enum.StrEnum):
    copyright_review = "copyright_review"
    registration_subsidy = "registration_subsidy"
    legal_aid = "legal_aid"
    rights_protection = "rights_protection"
    complaint = "complaint"
    agency_mediation = "agency_mediation"


# Working days to supply materials when the catalogue item does not say otherwise.
SUPPLY_DAYS = 15


class CardLevel(enum.StrEnum):
    yellow = "yellow"
    red = "red"


class Satisfaction(enum.StrEnum):
    very_satisfied = "very_satisfied"
    satisfied = "satisfied"
    neutral = "neutral"
    dissatisfied = "dissatisfied"
    very_dissatisfied = "very_dissatisfied"


SCORE = {Satisfaction.very_satisfied: 5, Satisfaction.satisfied: 4, Satisfaction.neutral: 3,
         Satisfaction.dissatisfied: 2, Satisfaction.very_dissatisfied: 1}


class Department(Row):
    __tablename__ = "hall_departments"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # 审批分离: who handled an application does not review or approve it, and who reviewed it does
    # not approve it. A department of too few people to keep them apart switches it off.
    separate_duties: Mapped[bool] = mapped_column(default=True, server_default=true())


class Staff(Row):
    """A membership: ``user`` holds ``role`` in ``department``."""

    __tablename__ = "hall_staff"
    __table_args__ = (UniqueConstraint("department_id", "user_id", "role"),)

    department_id: Mapped[int] = mapped_column(ForeignKey("hall_departments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole))


class ServiceItem(Row):
    """One service of the catalogue, as an office configures it."""

    __tablename__ = "hall_items"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, 30))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{zh, en, required}]
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{name, zh, en, required}]
    step_days: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # Step value -> working days
    total_days: Mapped[int] = mapped_column(Integer)
    warn_ratio: Mapped[float] = mapped_column(Float, default=0.8)  # yellow card at this share of a step's time
    # 补正期限: working days an applicant has to supply asked-for materials; after them the
    # application is deemed withdrawn (servicehall.lapsing)
    supply_days: Mapped[int] = mapped_column(Integer, default=SUPPLY_DAYS, server_default=str(SUPPLY_DAYS))
    department_id: Mapped[int] = mapped_column(ForeignKey("hall_departments.id"), index=True)
    public_results: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class Application(Row):
    """An application and its two clocks (the current step's, and the whole handling's), both
    counted in working seconds and paused while waiting for materials (补正).

    ``yellow_at``/``red_at`` are the moments the current step's cards fall due, cleared once fired
    or while the clock is paused, so the sweep reads only the rows that are due (two indexes)."""

    __tablename__ = "hall_applications"

    number: Mapped[str] = mapped_column(String(24), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("hall_items.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("hall_departments.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[Status] = mapped_column(_enum(Status), index=True)
    paused_from: Mapped[Status | None] = mapped_column(_enum(Status))  # where 补正 returns to
    supply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)  # 补正期限, while in 补正
    form: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    step_no: Mapped[int] = mapped_column(Integer, default=1)
    step_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    running_since: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: paused or finished
    step_budget_s: Mapped[float] = mapped_column(Float, default=0.0)
    step_used_s: Mapped[float] = mapped_column(Float, default=0.0)
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    yellow_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    red_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    total_budget_s: Mapped[float] = mapped_column(Float, default=0.0)
    total_used_s: Mapped[float] = mapped_column(Float, default=0.0)
    total_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the first year the due moments reach that had no official holiday schedule when they were
    # set: the sweep reschedules them once the calendar knows it (servicehall.rescheduling)
    provisional_year: Mapped[int | None] = mapped_column(Integer, index=True)
    on_time: Mapped[bool | None] = mapped_column()
    result: Mapped[str | None] = mapped_column(Text)
    upheld: Mapped[bool | None] = mapped_column()
    satisfaction: Mapped[Satisfaction | None] = mapped_column(_enum(Satisfaction))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}  # a stale write fails instead of overwriting


class Material(Row):
    """A file an applicant sent: stored under the data dir by its SHA-256."""

    __tablename__ = "hall_materials"

    application_id: Mapped[int] = mapped_column(ForeignKey("hall_applications.id", ondelete="CASCADE"), index=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    round: Mapped[int] = mapped_column(Integer, default=0)  # 0: with the application; n: the n-th 补正
    # which of the item's materials the file is ({zh, en}, as the catalogue named it then); None: not said
    material: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)


class Event(Row):
    """The handling trail (全程留痕): every transition with its actor, time and comment."""

    __tablename__ = "hall_events"

    application_id: Mapped[int] = mapped_column(ForeignKey("hall_applications.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[Status | None] = mapped_column(_enum(Status))
    to_status: Mapped[Status] = mapped_column(_enum(Status))
    comment: Mapped[str] = mapped_column(Text, default="")
    # the time to supply materials this event set (a request, an extension, a new count), or the one
    # that had passed (a lapse)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Card(Row):
    """A yellow or red warning on one step of an application: fired once, closed when the step ends."""

    __tablename__ = "hall_cards"
    __table_args__ = (UniqueConstraint("application_id", "step_no", "level"),)

    application_id: Mapped[int] = mapped_column(ForeignKey("hall_applications.id", ondelete="CASCADE"), index=True)
    step_no: Mapped[int] = mapped_column(Integer)
    step: Mapped[Step] = mapped_column(_enum(Step))
    level: Mapped[CardLevel] = mapped_column(_enum(CardLevel))
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class Counter(Row):
    """The last tracking number given out in a year."""

    __tablename__ = "hall_counters"

    year: Mapped[int] = mapped_column(Integer, unique=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
