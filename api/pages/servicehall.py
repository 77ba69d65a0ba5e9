"""The IP online service hall in the browser: the catalogue with public results, applying with
materials, my applications (each step, 补正, withdraw, rating), the handler's worklist sorted by
urgency with the actions of each step, and the supervision dashboard (ECharts from a JSON block,
with tables of the same numbers).

Each route translates a form or a path into one call of ``servicehall``."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from api.i18n import N_
from api.pages.context import HALL_ONCE_COOKIE, CheckedPageDep, Page, PageDep
from api.pages.errors import error_home
from api.problems import form_status
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.i18n import Language
from core.ids import DbId, DbInt, parse_id
from servicehall import catalogue, service, supervision, views
from servicehall.models import Satisfaction, StaffRole
from servicehall.schemas import (
    ActionIn,
    ApplyIn,
    AssignIn,
    DashboardOut,
    DutiesIn,
    ItemOut,
    RateIn,
    StaffIn,
    StaffOut,
    SupplyLimitIn,
)
from servicehall.workflow import APPLICANT_ACTIONS, Action

H = "/service-hall"
TO_THE_HALL = Depends(error_home(H, N_("Go to the online service hall")))
router = APIRouter(include_in_schema=False, dependencies=[TO_THE_HALL])
Text = Annotated[str, Form()]
FORM_ERRORS = (InvalidInput, PermissionDenied, Conflict, NotFound, ValidationError)

# statuses, steps, actions, roles, cards and ratings, translated by value in the templates
STATUSES = [N_("submitted"), N_("materials"), N_("handling"), N_("reviewing"), N_("approving"), N_("completed"),
            N_("rejected"), N_("withdrawn")]
STEPS = [N_("step.accept"), N_("step.handle"), N_("step.review"), N_("step.approve"), N_("step.completed")]
# actions named in sentences and the trail (lower case in English), and as buttons
ACTION_NAMES = [N_("accept"), N_("handle"), N_("review"), N_("approve"), N_("reject_at_acceptance"),
                N_("reject_at_approval")]
BUTTONS = [N_("button.accept"), N_("button.handle"), N_("button.review"), N_("button.approve"),
           N_("button.request_materials"), N_("button.send_back"), N_("button.reject_at_acceptance"),
           N_("button.reject_at_approval"), N_("button.assign"), N_("button.supply"), N_("button.withdraw")]
ACTIONS = [N_("apply"), N_("request_materials"), N_("supply"), N_("send_back"), N_("reject"), N_("withdraw"),
           N_("assign"), N_("reschedule"), N_("lapse"), N_("supply_limit"), N_("extend_supply")]
STAFF_ROLES = [N_("acceptor"), N_("handler"), N_("reviewer"), N_("approver"), N_("head")]
CARDS = [N_("yellow"), N_("red")]
SATISFACTION = [N_("very_satisfied"), N_("satisfied"), N_("neutral"), N_("dissatisfied"), N_("very_dissatisfied")]
NOTIFICATIONS = [N_("hall.new_application"), N_("hall.status"), N_("hall.materials"), N_("hall.assigned"),
                 N_("hall.yellow_card"), N_("hall.red_card"),
                 N_("hall.rescheduled"), N_("hall.lapsed"), N_("hall.supply_extended")]
ERRORS = [N_("attach a file for each required material: %(names)s"), N_("%(field)s is required"),
          N_("these fields are required: %(fields)s"),
          N_("%(fields)s must be filled in; %(long)s must be at most %(max_length)s characters long"),
          N_("%(fields)s must be at most %(max_length)s characters long"),
          N_("this service lists %(count)s materials: a file is labelled with another"),
          N_("application %(number)s is %(status)s: %(action)s is not possible now"),
          N_("you may not %(action)s application %(number)s"), N_("say why (%(action)s needs a comment)"),
          N_("you may not %(action)s application %(number)s: you took its %(earlier)s step, and the department "
             "separates duties"),
          N_("that person took the %(earlier)s step of this application: the department separates duties"),
          N_("application %(number)s was changed by someone else: reload it"),
          N_("application %(number)s changed since you saw it: reload it"),
          N_("send the missing materials (or say what you supply)"), N_("no application %(number)s"),
          N_("the time to supply the materials of application %(number)s ended on %(due)s: the application is "
             "deemed withdrawn"),
          N_("the file is larger than the upload limit of %(limit)s bytes"),
          N_("%(name)s is a program (%(kind)s): send each material as a document or a picture (PDF, an image, "
             "an office file)"),
          N_("no registration is numbered %(number)s: its number is on its certificate, such as CR-2026-00000001"),
          N_("a file kept from your last try has expired: choose it again"),
          N_("%(name)s is empty: choose the file itself"),
          N_("no department %(code)s: the departments are %(codes)s"),
          N_("there is no department role %(value)s: choose %(acceptor)s, %(handler)s, %(reviewer)s, %(approver)s "
             "or %(head)s"),
          N_("the account %(email)s is not %(role)s in %(department)s"),
          N_("application %(number)s is %(status)s: it waits for no materials"),
          N_("you may not give the applicant of application %(number)s more time: the department's head or the "
             "officer of the step that asked for the materials does"),
          N_("application %(number)s has no time limit to supply materials"),
          N_("say why the applicant has more time: they read it"),
          N_("the new last day must come after %(due)s, the present one"),
          N_("choose a day within a year, by %(latest)s"),
          N_("%(day)s is not a working day: a time limit ends on one, such as %(next)s")]
NO_SUCH_ASSIGNEE = N_("choose a member of staff from the list, or the department's pool")
NOTICES = {"applied": N_("Your application is received. Keep its tracking number."),
           "supplied": N_("Your materials are received."),
           "rated": N_("Thank you for your rating."), "assigned": N_("The step is assigned."),
           "extended": N_("The applicant has more time to supply the materials, and is told the new day."),
           "staffed": N_("The role is given."), "unstaffed": N_("The role is taken away."),
           "separate": N_("The department now separates duties: who handles an application neither reviews nor "
                          "approves it, and who reviews it does not approve it."),
           "shared": N_("One person may now take every step of an application in the department."),
           # what each action did: "the application has moved on" was said of a send-back too
           Action.accept: N_("Accepted: the application is with its handler."),
           Action.request_materials: N_("The applicant is asked for the missing materials."),
           Action.handle: N_("Done: the proposal goes to review."),
           Action.review: N_("Reviewed: the application goes for approval."),
           Action.send_back: N_("Sent back: the handler works on it again."),
           Action.approve: N_("Approved: the application is completed."),
           Action.reject: N_("Refused: the applicant is told why."),
           Action.withdraw: N_("The application is withdrawn.")}


def _render(page: Page, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A hall page, told whether its reader is department staff (the worklist's links are theirs only)."""
    return page.render(template, status_code, staff=catalogue.is_staff_anywhere(page.session, page.user), **context)


def _notice(page: Page, key: str | None) -> str | None:
    """A fixed sentence chosen by a query parameter, so a link cannot put words in the page."""
    return page.gettext(NOTICES[key]) if key in NOTICES else None


def _files(files: list[UploadFile] | list[StarletteUpload] | None) -> service.Files:
    return [(f.filename or "file", f.file) for f in files or [] if f.filename]


# --- catalogue and applying ----------------------------------------------------------------------

@router.get(H, response_class=HTMLResponse)
def home(page: PageDep) -> HTMLResponse:
    """Staff see the links to their worklist and (with admins) to the supervision dashboard."""
    return _render(page, "hall_home.html", items=catalogue.items(page.session),
                   results=views.public_results(page.session, 20),
                   supervisor=supervision.may_supervise(page.session, page.user))


def _apply_form(page: Page, code: str, status_code: int = 200, item: ItemOut | None = None,
                **extra: Any) -> HTMLResponse:
    return page.render("hall_apply.html", status_code, item=item or catalogue.item(page.session, code),
                       max_upload=page.platform.settings.max_upload_bytes, field_max=service.FIELD_MAX_CHARS, **extra)


@router.get(H + "/apply/{code}", response_class=HTMLResponse)
def apply_form(page: PageDep, code: str) -> HTMLResponse:
    """A link may fill in what the catalogue lets it (``?f_agency_id=12`` from an agency's page)."""
    page.require_user()
    item = catalogue.item(page.session, code)
    return _apply_form(page, code, item=item, form=catalogue.prefilled(item, page.request.query_params))


def _chosen(form: FormData) -> service.Chosen:
    """The form's files: ``material_<position>`` and ``files`` chosen now, ``kept_material_<position>``
    and ``kept_files`` kept from a refused try (tokens)."""
    def uploads(key: str) -> service.Files:
        return _files([f for f in form.getlist(key) if isinstance(f, StarletteUpload)])

    def tokens(key: str) -> list[str]:
        return [t for t in form.getlist(key) if isinstance(t, str) and t]

    def positions(prefix: str) -> list[int]:
        return [int(key[len(prefix):]) for key in set(form.keys())
                if key.startswith(prefix) and key[len(prefix):].isdigit() and len(key) < len(prefix) + 4]

    return service.Chosen(labelled={i: uploads(f"material_{i}") for i in positions("material_")},
                          others=uploads("files"),
                          kept_labelled={i: tokens(f"kept_material_{i}") for i in positions("kept_material_")},
                          kept_others=tokens("kept_files"))


@router.post(H + "/apply/{code}", response_model=None)
async def apply(page: CheckedPageDep, code: str) -> Response:
    """The item's own fields (``f_<name>``), a file for each listed material (``material_<position>``)
    and any other files (``files``); refused, the page comes back with the files kept."""
    page.require_user()
    form = await page.request.form()
    fields = {k[2:]: v for k, v in form.items() if k.startswith("f_") and isinstance(v, str)}
    try:
        done = service.apply_form(page.writer(), page.platform.settings, ApplyIn(item=code, fields=fields),
                                  _chosen(form))
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _apply_form(page, code, 400, error=page.explain(exc), form=fields)
    if isinstance(done, service.Refused):
        marked = done.error.extra
        return _apply_form(page, code, 400, error=page.explain(done.error), form=fields, held=done.held,
                           unfilled=[str(name) for key in ("unfilled", "too_long")
                                     if isinstance(names := marked.get(key), list) for name in names],
                           unmet=marked.get("unmet_materials", []))
    return page.redirect(f"{H}/applications/{done.number}?notice=applied")


@router.get(H + "/mine", response_class=HTMLResponse)
def mine(page: PageDep) -> HTMLResponse:
    return page.render("hall_mine.html", applications=views.mine(page.session, page.require_user()))


# --- one application -----------------------------------------------------------------------------

def _application(page: Page, number: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    user = page.require_user()
    shown = views.get(page.session, user, number)
    return _render(page, "hall_application.html", status_code, a=shown, assignable=views.assignable(
        page.session, user, number), staff_actions=[c for c in shown.choices if c.action not in APPLICANT_ACTIONS],
        satisfaction=list(Satisfaction), **extra)


@router.get(H + "/applications/{number}", response_class=HTMLResponse)
def application(page: PageDep, number: str, notice: Annotated[str | None, Query(max_length=20)] = None
                ) -> HTMLResponse:
    """``notice``: a step just taken; a step just refused is said from the cookie ``_after`` set."""
    refused = page.take_once(HALL_ONCE_COOKIE) if page.user is not None else None
    return _application(page, number, notice=_notice(page, notice), error=refused)


def _after(page: Page, number: str, act: Callable[[], object], notice: str, **kept: str) -> Response:
    """A step taken, then the application's page (POST, redirect, GET). Refused because of the
    application's state or the person (someone else acted first, a barred or a wrong person), the
    page is shown as it is now with the refusal's own words, again by a redirect (the words carried
    once in an encrypted cookie of the session, in no address): reloading it posts nothing.
    A form the step cannot use (a missing comment, a file refused) comes back at once, 400, with
    what was typed in it (``kept``)."""
    try:
        act()
    except (Conflict, PermissionDenied) as exc:
        page.session.rollback()
        page.keep_once(page.explain(exc), HALL_ONCE_COOKIE)  # the refusal's own words, in no address
        return page.redirect(f"{H}/applications/{quote(number, safe='')}#form-error")
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _application(page, number, 400, error=page.explain(exc), **kept)
    return page.redirect(f"{H}/applications/{quote(number, safe='')}?notice={notice}")


@router.post(H + "/applications/{number}/act", response_model=None)
def act(page: CheckedPageDep, number: str, action: Annotated[Action, Form()], comment: Annotated[str, Form()] = "",
        result: Annotated[str, Form()] = "", upheld: Annotated[str, Form()] = "",
        version: Annotated[DbInt | None, Form()] = None) -> Response:
    def run() -> None:
        body = ActionIn(action=action, comment=comment, version=version, result=result.strip() or None,
                        upheld=(upheld == "yes") if upheld else None)
        service.act(page.writer(), number, body, settings=page.platform.settings)

    return _after(page, number, run, action.value, staff_comment=comment, staff_result=result)


@router.post(H + "/applications/{number}/supply", response_model=None)
def supply(page: CheckedPageDep, number: str, comment: Annotated[str, Form()] = "",
           files: list[UploadFile] | None = None) -> Response:
    return _after(page, number, lambda: service.supply(page.writer(), page.platform.settings, number, comment,
                                                       _files(files)), "supplied", supply_comment=comment)


@router.post(H + "/applications/{number}/rate", response_model=None)
def rate(page: CheckedPageDep, number: str, satisfaction: Annotated[str, Form()] = "",
         comment: Annotated[str, Form()] = "") -> Response:
    """No level chosen ("Rating is required"), or one the form never offers, comes back on the form
    with the comment typed, as any refusal of it (it was a whole page of 422, the comment lost)."""
    chosen = {"satisfaction": satisfaction} if satisfaction else {}
    return _after(page, number, lambda: service.rate(page.writer(), number, RateIn.model_validate(
        {**chosen, "comment": comment})), "rated", rate_comment=comment)


@router.post(H + "/applications/{number}/assign", response_model=None)
def assign(page: CheckedPageDep, number: str, assignee_id: Annotated[str, Form()] = "",
           comment: Annotated[str, Form()] = "") -> Response:
    """``assignee_id`` empty: back to the department's pool (the select's first choice; as a required
    field FastAPI refused that empty value, 422); any other value that is no id is refused, not
    taken for the pool."""
    who = parse_id(assignee_id)

    def run() -> None:
        if assignee_id.strip() and who is None:
            raise InvalidInput(NO_SUCH_ASSIGNEE).about("assignee_id")
        service.assign(page.writer(), number, AssignIn(assignee_id=who, comment=comment))

    return _after(page, number, run, "assigned")


@router.post(H + "/applications/{number}/supply-limit", response_model=None)
def extend_supply(page: CheckedPageDep, number: str, last_day: Annotated[str, Form()] = "",
                  comment: Annotated[str, Form()] = "", version: Annotated[DbInt | None, Form()] = None) -> Response:
    """延长补正期限 from the application's page: a day left empty, or not a date, is said beside the field."""
    def run() -> None:
        service.extend_supply(page.writer(), number, SupplyLimitIn.model_validate(
            {"comment": comment, "version": version, **({"last_day": last_day.strip()} if last_day.strip() else {})}))

    return _after(page, number, run, "extended", extend_day=last_day, extend_comment=comment)


@router.get(H + "/applications/{number}/materials/{material_id}", response_model=None)
def material(page: PageDep, number: str, material_id: DbId) -> Response:
    path, name = views.material_file(page.session, page.platform.settings, page.require_user(), number, material_id)
    return page.finish(FileResponse(path, media_type="application/octet-stream", filename=name))


# --- staff ---------------------------------------------------------------------------------------

def _people(staff: list[StaffOut]) -> list[list[StaffOut]]:
    """The staff list a row per person and department (its roles in the workflow's order, as the
    service lists them), not a row per role: a phone showed the same name five times."""
    return [list(rows) for _, rows in groupby(staff, key=lambda s: (s.department, s.user_id))]


def _staff_page(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    people = _people(catalogue.staff(page.session, page.require_user()))
    return _render(page, "hall_staff.html", status_code, people=people,
                   departments=catalogue.departments(page.session), roles=list(StaffRole), **extra)


@router.get(H + "/staff", response_class=HTMLResponse)
def staff(page: PageDep, notice: Annotated[str | None, Query(max_length=20)] = None) -> HTMLResponse:
    """Who holds which role in which department; admins give roles here (or ``ipcommons hall staff``)."""
    return _staff_page(page, notice=_notice(page, notice))


@router.post(H + "/staff", response_model=None)
def add_staff(page: CheckedPageDep, email: Text = "", department: Text = "", role: Text = "") -> Response:
    """Refused, the form comes back with what was chosen, the field the refusal is about marked
    (aria-invalid) and the reason beside it; an empty field too (it was a whole page of 422)."""
    try:
        catalogue.add_staff(page.writer(), StaffIn(email=email.strip(), department=department,
                                                   role=catalogue.staff_role(role)))
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _staff_page(page, form_status(exc), staff_error=page.explain(exc),
                           form={"email": email, "department": department, "role": role})
    return page.redirect(f"{H}/staff?notice=staffed")


@router.post(H + "/staff/remove", response_model=None)
def remove_staff(page: CheckedPageDep, email: Text = "", department: Text = "", role: Text = "") -> Response:
    """An admin takes one role away (the button beside it); the service checks who may and audits it."""
    try:
        catalogue.remove_staff(page.writer(), StaffIn(email=email.strip(), department=department,
                                                      role=catalogue.staff_role(role)))
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _staff_page(page, form_status(exc), error=page.explain(exc))
    return page.redirect(f"{H}/staff?notice=unstaffed")


@router.post(H + "/departments/{code}/duties", response_model=None)
def set_duties(page: CheckedPageDep, code: str, separate: Annotated[Literal["yes", "no"], Form()]) -> Response:
    """审批分离, switched on or off for a department by an admin (or ``ipcommons hall duties``)."""
    try:
        done = catalogue.set_separate_duties(page.writer(), code, DutiesIn(separate=separate == "yes"))
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _staff_page(page, form_status(exc), error=page.explain(exc))
    return page.redirect(f"{H}/staff?notice={'separate' if done.separate_duties else 'shared'}#duties")


@router.get(H + "/work", response_class=HTMLResponse)
def work(page: PageDep) -> HTMLResponse:
    return page.render("hall_work.html", work=views.worklist(page.session, page.require_user()))


def charts(board: DashboardOut, lang: Language) -> dict[str, list[tuple[str, float]]]:
    """(label, number) pairs for the dashboard's charts (app.js draws them; tables show the same)."""
    def name(zh: str, en: str) -> str:
        return zh if lang is Language.zh else en

    rated: list[tuple[str, float]] = [(s.value, n) for s, n in board.satisfaction.items()]
    return {
        "by_month": [(m.month, m.completed) for m in board.months],
        "on_time": [(name(d.name.zh, d.name.en), round(100 * d.on_time_rate, 1)) for d in board.departments
                    if d.on_time_rate is not None],
        "cards": [(name(i.name.zh, i.name.en), i.yellow + i.red) for i in board.items if i.yellow + i.red],
        "satisfaction": rated if any(n for _, n in rated) else [],  # no rating yet: "No data yet.", not bare axes
    }


@router.get(H + "/dashboard", response_class=HTMLResponse)
def dashboard(page: PageDep) -> HTMLResponse:
    board = supervision.dashboard(page.session, page.require_user())
    data = charts(board, page.lang)
    data["satisfaction"] = [(page.gettext(k), n) for k, n in data["satisfaction"]]
    return _render(page, "hall_dashboard.html", board=board, charts=data)
