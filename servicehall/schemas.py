"""The service hall's models at the boundary (API, pages, CLI)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from core.db import RowOut
from core.ids import DbId, DbInt
from core.text import SingleLine
from servicehall.calendar import BEIJING
from servicehall.models import SUPPLY_DAYS, CardLevel, ItemKind, Satisfaction, StaffRole, Status, Step
from servicehall.workflow import Action

# times people read are shown in Beijing time (the offset says so in JSON)
Beijing = Annotated[datetime, AfterValidator(lambda d: d.astimezone(BEIJING))]


class Bilingual(BaseModel):
    zh: str
    en: str


class DayRange(BaseModel):
    first: date
    last: date


class FieldSpec(BaseModel):
    name: str
    zh: str
    en: str
    required: bool = False
    long: bool = False  # a paragraph rather than a line


class MaterialSpec(BaseModel):
    zh: str
    en: str
    required: bool = False


class ItemIn(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$")
    kind: ItemKind
    name: Bilingual
    description: Bilingual
    materials: list[MaterialSpec] = Field(default_factory=list, max_length=30)
    fields: list[FieldSpec] = Field(default_factory=list, max_length=30)
    step_days: dict[Step, Annotated[int, Field(ge=0, le=365)]]
    total_days: int = Field(ge=1, le=365)
    warn_ratio: float = Field(default=0.8, gt=0, lt=1)
    supply_days: int = Field(default=SUPPLY_DAYS, ge=1, le=365, description=(
        "补正期限: working days an applicant has to supply materials the office asks for; an application "
        "still waiting after them is deemed withdrawn."))
    department: str
    public_results: bool = False


class ItemOut(BaseModel):
    id: int
    code: str
    kind: ItemKind
    name: Bilingual
    description: Bilingual
    materials: list[MaterialSpec]
    fields: list[FieldSpec]
    step_days: dict[Step, int]
    total_days: int
    warn_ratio: float
    supply_days: int
    department: str
    department_name: Bilingual
    public_results: bool


class DepartmentIn(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$")
    name: Bilingual
    separate_duties: bool = Field(default=True, description=(
        "审批分离: who handled an application neither reviews nor approves it, and who reviewed it does not "
        "approve it."))


class DutiesIn(BaseModel):
    """Whether a department keeps handling, review and approval in different hands."""

    separate: bool


class StaffIn(BaseModel):
    email: SingleLine = Field(min_length=3, max_length=254)
    department: str
    role: StaffRole


class StaffOut(BaseModel):
    user_id: int
    email: str
    display_name: str
    department: str
    role: StaffRole


class ApplyIn(BaseModel):
    item: str
    fields: dict[str, str] = Field(default_factory=dict)


class ActionIn(BaseModel):
    action: Action
    comment: str = Field(default="", max_length=5000)
    version: DbInt | None = Field(default=None, description="Refused (409) unless the application is still at "
                                                          "this version: the version the caller saw.")
    result: str | None = Field(default=None, max_length=5000, description="With approve or reject: the result.")
    upheld: bool | None = Field(default=None, description="With approve, for a mediation: the complaint is upheld.")


class AssignIn(BaseModel):
    assignee_id: DbId | None = Field(description="None: back to the department's pool.")
    comment: str = Field(default="", max_length=2000)


class SupplyLimitIn(BaseModel):
    """延长补正期限: the office gives the applicant until the end of ``last_day`` (Beijing time) to
    supply the materials it asked for, and says why (the applicant reads it)."""

    last_day: date = Field(description="The new last day: a working day after the present one, within a year.")
    comment: str = Field(default="", max_length=2000, description="Why: the applicant reads it.")
    version: DbInt | None = Field(default=None, description="Refused (409) unless the application is still at "
                                                          "this version: the version the caller saw.")


class RateIn(BaseModel):
    satisfaction: Satisfaction
    comment: str = Field(default="", max_length=2000)


class MaterialOut(RowOut):
    id: int
    round: int
    material: Bilingual | None = Field(default=None, description="the catalogue material this file is, if the "
                                                                 "applicant said (the portal's form does)")
    filename: str
    sha256: str
    size: int
    uploaded_at: Beijing


class IdleReason(enum.StrEnum):
    """Why someone who reads an application as staff (its department's, or an admin) has no step
    to take on it now, while it waits for staff: the page says so instead of showing no buttons."""

    no_role = "no_role"  # no role of the department that acts on the current step
    assigned_elsewhere = "assigned_elsewhere"  # holds that role, but the step is assigned to another


class ActionChoice(BaseModel):
    """An action the caller may take now, named as it is where it is taken."""

    action: Action
    term: str = Field(description="its name at this step: reject is reject_at_acceptance when accepting, "
                                  "reject_at_approval when approving; other actions are named as themselves")
    needs_comment: bool = Field(description="refused without a comment saying why")
    internal_comment: bool = Field(description="its comment is the office's own: the applicant is not shown it")


class EventOut(BaseModel):
    at: Beijing
    actor: str | None
    by_platform: bool = Field(description="a step the platform took itself, such as recalculating deadlines")
    action: str
    term: str = Field(description="the action named as it was where it was taken (see ActionChoice.term)")
    from_status: Status | None
    to_status: Status
    internal: bool = Field(description="the office's own opinion (handling, review, approval, send-back, "
                                       "assignment): its comment is empty for the applicant")
    comment: str
    due_at: Beijing | None = Field(default=None, description=(
        "The time to supply materials this step set (a request, an extension, a new count), or the one that "
        "had passed when the application lapsed."))


class CardOut(BaseModel):
    level: CardLevel
    step: Step
    fired_at: Beijing
    closed_at: Beijing | None


class ApplicationOut(BaseModel):
    number: str
    version: int
    item: str
    item_name: Bilingual
    department: str
    department_name: Bilingual
    applicant: str
    status: Status
    step: Step | None
    assignee: str | None
    fields: dict[str, str]
    field_names: dict[str, Bilingual] = Field(description="The form's labels, by field name.")
    submitted_at: Beijing
    step_due_at: Beijing | None
    total_due_at: Beijing | None
    supply_due_at: Beijing | None = Field(default=None, description=(
        "While the office waits for materials (补正): the end of the time to supply them, after which the "
        "application is deemed withdrawn."))
    provisional_year: int | None = Field(
        default=None, description="A year the deadlines reach whose official holiday schedule is not published "
        "yet: they leave out its statutory holidays and their make-up days, and may move once it is.")
    completed_at: Beijing | None
    on_time: bool | None
    used_days: float = Field(description="Working days used so far, paused time excluded.")
    result: str | None
    upheld: bool | None
    satisfaction: Satisfaction | None
    rating_comment: str | None
    materials: list[MaterialOut]
    events: list[EventOut]
    cards: list[CardOut]
    actions: list[Action] = Field(description="What the caller may do now.")
    choices: list[ActionChoice] = Field(description="The same actions, named for this step.")
    idle: IdleReason | None = Field(default=None, description=(
        "Why the caller, the department's staff or an admin, has no step to take now (none when they have one, "
        "when the department separates duties and that bars them: see barred_by, or when it waits for the "
        "applicant)."))
    barred_by: Action | None = Field(default=None, description=(
        "The earlier step of this round the caller took, which keeps them from taking this one although "
        "they hold its role: the department separates duties (审批分离)."))
    can_rate: bool
    supply_ended_on: date | None = Field(default=None, description=(
        "The last day of the time to supply materials once it has ended: the application is deemed withdrawn, "
        "and the platform's next sweep closes it."))
    supply_extension: DayRange | None = Field(default=None, description=(
        "When the caller may give the applicant more time to supply the materials (延长补正期限): the days "
        "they may choose as the new last day (working days among them)."))


class WorkItemOut(BaseModel):
    number: str
    item_name: Bilingual
    status: Status
    step: Step
    applicant: str
    assignee: str | None
    step_due_at: Beijing | None
    supply_due_at: Beijing | None = Field(default=None, description="While waiting for materials: the applicant's "
                                          "time limit to supply them.")
    paused: bool
    card: CardLevel | None
    used_share: float = Field(description="Share of the step's promised time used so far.")
    actions: list[Action]
    choices: list[ActionChoice]


class SweepOut(BaseModel):
    yellow: int
    red: int
    notified: int
    lapsed: int = 0  # applications withdrawn for materials not supplied in time


class CountOut(BaseModel):
    key: str
    name: Bilingual
    completed: int
    on_time_rate: float | None
    avg_days: float | None
    p90_days: float | None
    open: int
    yellow: int
    red: int
    satisfaction: float | None
    ratings: int


class MonthOut(BaseModel):
    month: str
    completed: int
    on_time_rate: float | None
    satisfaction: float | None


class DashboardOut(BaseModel):
    total: CountOut
    departments: list[CountOut]
    items: list[CountOut]
    months: list[MonthOut]
    satisfaction: dict[Satisfaction, int]


class PublicResultOut(BaseModel):
    number: str
    item_name: Bilingual
    status: Status
    completed_at: Beijing | None
    result: str | None
