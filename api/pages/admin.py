"""The admin and moderator console: the home (counts and links), people and their roles,
organisations and their members, loads (start one from a folder under the incoming dir, watch its
progress, read its summary and quarantine report), agency claims and integrity records, forum
categories, and the audit trail with filters. The moderation queue is the forums' own page.

Every route translates a form or a query into calls of the feature services, which check that the
caller is an admin (moderators see the home with the queue), audit and commit. A signed-out visitor
is sent to log in, pages and actions alike; a member gets the 403 page.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.i18n import N_, SHOWN_ZONE
from api.pages.agencies import SERVICES
from api.pages.audit_labels import ACTION_LABELS, DETAIL_LABELS, LANGUAGE_DETAILS, OBJECT_LABELS, TRANSLATED_DETAILS
from api.pages.context import CheckedPageDep, Page, PageDep
from api.problems import form_status
from community import moderation
from community.agencies import admin as agencies_admin
from community.agencies import service as agencies
from community.agencies.schemas import AgencyIn, RecordIn
from community.forums import service as forums
from community.forums.schemas import CategoryIn
from core import audit
from core.accounts import admin as accounts_admin
from core.accounts import password_reset
from core.accounts import service as accounts
from core.accounts.models import OrgKind, OrgRole, Role
from core.accounts.permissions import is_admin, require_admin, require_staff
from core.accounts.schemas import MemberIn, OrgIn, RoleIn
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.i18n import shown_today
from core.ids import DbId
from loaders import service as loads
from loaders.journal import LoadStatus
from loaders.service import LoadIn

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
PageNumber = Annotated[int, Query(alias="page", ge=1, le=100_000)]
# refusals shown next to the form that caused them; PermissionDenied and the rest become error pages
FORM_ERRORS = (InvalidInput, Conflict, NotFound, ValidationError)
AUDIT_PER_PAGE = 50
DATE = r"^(\d{4}-\d{2}-\d{2})?$"
ActionParam = Annotated[str, Query(max_length=80, pattern="^(" + "|".join(re.escape(a.value) for a in audit.AuditAction)
                                                      + ")?$")]


class Done(enum.StrEnum):
    """What the last action did: a fixed sentence on the page it returns to (never text from the URL)."""

    role = "role"
    deactivated = "deactivated"
    reactivated = "reactivated"
    org = "org"
    member = "member"
    approved = "approved"
    refused = "refused"
    record = "record"
    category = "category"
    agency = "agency"


DONE = {Done.role: N_("The role was changed."), Done.deactivated: N_("The account was deactivated."),
        Done.reactivated: N_("The account was reactivated."), Done.org: N_("The organisation was created."),
        Done.member: N_("The member was added."), Done.approved: N_("The claim was approved."),
        Done.refused: N_("The claim was refused."), Done.record: N_("The integrity record was added."),
        Done.category: N_("The category was created."),
        Done.agency: N_("The agency was added: it is in the directory, and integrity records can name it.")}
# the same, naming the agency added (the page links its profile); the name comes from the database, not the URL
AGENCY_ADDED = N_("%(agency)s was added: it is in the directory, and integrity records can name it.")
ROLES = {Role.admin: N_("Administrator"), Role.moderator: N_("Moderator"), Role.member: N_("Member")}
ORG_KINDS = {OrgKind.sme: N_("Company (SME)"), OrgKind.association: N_("Industry association"),
             OrgKind.agency: N_("IP agency"), OrgKind.government: N_("Government office")}
ORG_ROLES = {OrgRole.org_admin: N_("Organisation admin"), OrgRole.member: N_("Member")}
LOAD_STATUSES = {LoadStatus.queued: N_("Queued"), LoadStatus.running: N_("Running"), LoadStatus.done: N_("Done"),
                 LoadStatus.interrupted: N_("Interrupted"), LoadStatus.failed: N_("Failed"),
                 LoadStatus.unchanged: N_("Unchanged")}
RECORD_KINDS = {"sanction": N_("Sanction"), "complaint_upheld": N_("Complaint upheld"),
                "commendation": N_("Commendation")}
# the services' refusals an admin meets here
MESSAGES = [N_("you cannot deactivate your own account"),
            N_("you cannot change your own role: another administrator can"), N_("no account has the e-mail %(email)s"),
            N_("already a member"), N_("the claim is already decided"), N_("this profile is already claimed"),
            N_("organisation name is empty"),
            N_("The end date is before the start date."), N_("Not a date: %(value)s"),
            N_("Choose a folder to load."), N_("Give the category a name of 2 to 100 characters."),
            N_("Points are a number from 0 to 100.")]
LABELS = {"roles": ROLES, "org_kinds": ORG_KINDS, "org_roles": ORG_ROLES, "load_statuses": LOAD_STATUSES,
          "record_kinds": RECORD_KINDS, "services": SERVICES}
# IPC subclasses as an admin types them: separated by spaces, commas or Chinese enumeration marks
IPC_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _render(page: Page, template: str, status_code: int = 200, done: Done | None = None, notice: str | None = None,
            **data: Any) -> HTMLResponse:
    """``notice`` says what the last action did in words of its own; ``done`` in a fixed sentence."""
    notice = notice or (page.gettext(DONE[done]) if done is not None else None)
    return page.render(template, status_code, notice=notice, **LABELS, **data)


def _visitor(page: Page) -> Response | None:
    """A signed-out visitor posting to the console is sent to log in (then to the console's page)."""
    if page.user is not None:
        return None
    return page.redirect("/login?" + urlencode({"next": "/".join(page.request.url.path.split("/")[:3])}))


def _back(page: Page, path: str, done: Done, params: dict[str, str | int] | None = None, anchor: str = "") -> Response:
    """Back to ``path`` saying what was done; ``anchor``: where the page opens (a form posted to its own
    #fragment would otherwise keep it through the redirect, the notice above out of view)."""
    kept = {k: v for k, v in (params or {}).items() if v not in ("", None) and not (k == "page" and v == 1)}
    return page.redirect(f"{path}?{urlencode(kept | {'done': done.value})}{anchor}")


# --- the console home ---------------------------------------------------------------------------

@router.get("/admin", response_class=HTMLResponse)
def console(page: PageDep) -> HTMLResponse:
    """Counts and links for admins; moderators see the moderation queue only."""
    user = page.require_user()
    require_staff(user)
    queue = moderation.counts(page.session, user)
    if not is_admin(user):
        return _render(page, "admin_home.html", queue=queue, counts=None)
    return _render(page, "admin_home.html", queue=queue, counts=accounts_admin.counts(page.session, user),
                   claims=agencies_admin.pending_claim_count(page.session, user),
                   active_loads=loads.active_loads(page.session, user),
                   latest=loads.list_loads(page.session, user, 5))


# --- people and roles ---------------------------------------------------------------------------

@router.get("/admin/users", response_class=HTMLResponse)
def users(page: PageDep, q: Annotated[str, Query(max_length=100)] = "", number: PageNumber = 1,
          done: Done | None = None, who: Annotated[DbId | None, Query()] = None) -> HTMLResponse:
    """``who``: the account whose role was just changed, named with its new role in the notice (it
    said "The role was changed." of nobody), as the list shows it, so a link cannot put words in it."""
    found = accounts_admin.accounts(page.session, page.require_user(), q, number)
    changed = next((u for u in found.accounts if u.id == who), None) if done is Done.role else None
    notice = page.gettext("%(who)s is now: %(role)s.", who=changed.display_name or changed.email,
                          role=page.gettext(ROLES[changed.role])) if changed is not None else None
    return _render(page, "admin_users.html", done=done, notice=notice, found=found, q=q)


@router.post("/admin/users/{user_id}/role", response_model=None)
def change_role(page: CheckedPageDep, user_id: DbId, role: Annotated[Role, Form()], q: Text = "",
                number: Annotated[int, Form(alias="page", ge=1, le=100_000)] = 1) -> Response:
    if (go := _visitor(page)) is not None:
        return go
    try:
        accounts.change_role(page.writer(), user_id, RoleIn(role=role))
    except InvalidInput as exc:  # an admin's own role: refused beside the list, as their own deactivation is
        page.session.rollback()
        found = accounts_admin.accounts(page.session, page.require_user(), q, number)
        return _render(page, "admin_users.html", 400, found=found, q=q, error=page.explain(exc))
    return _back(page, "/admin/users", Done.role, {"q": q, "page": number, "who": user_id})


@router.post("/admin/users/{user_id}/active", response_model=None)
def set_active(page: CheckedPageDep, user_id: DbId, active: Annotated[bool, Form()], q: Text = "",
               number: Annotated[int, Form(alias="page", ge=1, le=100_000)] = 1) -> Response:
    if (go := _visitor(page)) is not None:
        return go
    try:
        accounts_admin.set_active(page.writer(), user_id, active)
    except InvalidInput as exc:
        page.session.rollback()
        found = accounts_admin.accounts(page.session, page.require_user(), q, number)
        return _render(page, "admin_users.html", 400, found=found, q=q, error=page.explain(exc))
    return _back(page, "/admin/users", Done.reactivated if active else Done.deactivated,
                 {"q": q, "page": number})


@router.post("/admin/users/{user_id}/password-link", response_model=None)
def password_link(page: CheckedPageDep, user_id: DbId, q: Text = "",
                  number: Annotated[int, Form(alias="page", ge=1, le=100_000)] = 1) -> Response:
    """A link for someone to set a new password, shown this once to the admin who hands it over
    (the answer to a POST, stored nowhere, never in an address): on a site that sends no e-mail,
    "ask an administrator" led to the command line alone."""
    if (go := _visitor(page)) is not None:
        return go
    require_admin(page.require_user())  # a moderator: 403 at once, not a refusal shown in the list
    handed, status, error = None, 200, None
    try:
        handed = password_reset.link_for(page.writer(), page.platform.settings, user_id)
    except (InvalidInput, NotFound, PermissionDenied) as exc:
        page.session.rollback()
        status, error = form_status(exc), page.explain(exc)
    found = accounts_admin.accounts(page.session, page.require_user(), q, number)
    return _render(page, "admin_users.html", status, found=found, q=q, handed=handed, error=error)


# --- organisations -------------------------------------------------------------------------------

def _organisations(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    orgs = accounts_admin.organisations(page.session, page.require_user())
    return _render(page, "admin_organisations.html", status_code, orgs=orgs, **extra)


@router.get("/admin/organisations", response_class=HTMLResponse)
def organisations(page: PageDep, done: Done | None = None) -> HTMLResponse:
    return _organisations(page, done=done, form={})


@router.post("/admin/organisations", response_model=None)
def create_organisation(page: CheckedPageDep, kind: Annotated[OrgKind, Form()], name: Text = "") -> Response:
    """A name left empty (the browser's check bypassed) is refused on the form, as a short one is."""
    if (go := _visitor(page)) is not None:
        return go
    try:
        org = accounts_admin.create_organisation(page.writer(), OrgIn(name=name.strip(), kind=kind))
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _organisations(page, form_status(exc), error=page.explain(exc), form={"name": name, "kind": kind.value})
    return page.redirect(f"/admin/organisations/{org.id}?done={Done.org.value}")


def _organisation(page: Page, org_id: int, status_code: int = 200, **extra: Any) -> HTMLResponse:
    detail = accounts_admin.organisation(page.session, page.require_user(), org_id)
    return _render(page, "admin_organisation.html", status_code, detail=detail, **extra)


@router.get("/admin/organisations/{org_id}", response_class=HTMLResponse)
def organisation(page: PageDep, org_id: DbId, done: Done | None = None) -> HTMLResponse:
    return _organisation(page, org_id, done=done, form={})


@router.post("/admin/organisations/{org_id}/members", response_model=None)
def add_member(page: CheckedPageDep, org_id: DbId, email: Text = "",
               role: Annotated[OrgRole, Form()] = OrgRole.member) -> Response:
    if (go := _visitor(page)) is not None:
        return go
    try:
        person = accounts_admin.account_by_email(page.session, page.require_user(), email)
        accounts.add_org_member(page.writer(), org_id, MemberIn(user_id=person.id, role=role))
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _organisation(page, org_id, form_status(exc), error=page.explain(exc),
                             form={"email": email, "role": role.value})
    return page.redirect(f"/admin/organisations/{org_id}?done={Done.member.value}")


# --- loads ---------------------------------------------------------------------------------------

def _loads(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    user = page.require_user()
    return _render(page, "admin_loads.html", status_code, runs=loads.list_loads(page.session, user, 20),
                   folders=loads.incoming_folders(page.platform.settings, user),
                   incoming=str(page.platform.settings.incoming_dir), **extra)


@router.get("/admin/loads", response_class=HTMLResponse)
def loads_page(page: PageDep) -> HTMLResponse:
    return _loads(page)


@router.post("/admin/loads", response_model=None)
def start_load(page: CheckedPageDep, path: Text = "") -> Response:
    """Queue a load of one folder the service listed; the run's page shows its progress."""
    if (go := _visitor(page)) is not None:
        return go
    try:
        if not path.strip():
            raise InvalidInput("Choose a folder to load.")
        run = loads.start_load(page.writer(), page.platform.tasks, page.platform.settings, LoadIn(paths=[path]))
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _loads(page, form_status(exc), error=page.explain(exc), chosen=path)
    return page.redirect(f"/admin/loads/{run.id}")


def _run(page: Page, run_id: int) -> dict[str, Any]:
    user = page.require_user()
    run = loads.get_load(page.session, user, run_id)
    finished = run.status not in (LoadStatus.queued, LoadStatus.running)
    report = loads.quarantine_report(page.session, user, run_id) if finished else None
    if run.bytes_total:
        percent = 100 * run.bytes_done // run.bytes_total
    else:
        percent = 100 * run.files_done // run.files_total if run.files_total else 0
    return {"run": run, "finished": finished, "report": report, "percent": 100 if finished else percent}


@router.get("/admin/loads/{run_id}", response_class=HTMLResponse)
def load_page(page: PageDep, run_id: DbId) -> HTMLResponse:
    return _render(page, "admin_load.html", **_run(page, run_id))


@router.get("/admin/loads/{run_id}/progress", response_class=HTMLResponse)
def load_progress(page: PageDep, run_id: DbId) -> HTMLResponse:
    """The progress fragment htmx polls every second until the run finishes (then the summary)."""
    return _render(page, "_admin_load_progress.html", **_run(page, run_id))


# --- agencies: claims and integrity records ---------------------------------------------------------

def _agencies(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    """The page with its two forms, empty unless ``extra`` gives one back as typed (``form`` for the
    integrity record, ``agency_form`` for a new agency)."""
    user = page.require_user()
    forms: dict[str, Any] = {"form": {}, "agency_form": {}}
    return _render(page, "admin_agencies.html", status_code, claims=agencies_admin.pending_claims(page.session, user),
                   choices=agencies_admin.agency_choices(page.session, user),
                   records=agencies_admin.recent_records(page.session, user),
                   today=shown_today().isoformat(), **(forms | extra))


@router.get("/admin/agencies", response_class=HTMLResponse)
def agencies_page(page: PageDep, done: Done | None = None, added: DbId | None = None) -> HTMLResponse:
    if done is Done.agency and added is not None and (
            choice := agencies_admin.agency_choice(page.session, page.require_user(), added)) is not None:
        return _agencies(page, notice=page.gettext(AGENCY_ADDED) % {"agency": choice.name}, added=choice)
    return _agencies(page, done=done)


@router.post("/admin/agencies", response_model=None)
def create_agency(page: CheckedPageDep, name: Text = "", licence_number: Text = "", province: Text = "",
                  city: Text = "", service_types: Annotated[list[str] | None, Form()] = None, ipc_subclasses: Text = "",
                  practitioners: Text = "", founded_year: Text = "", contact: Text = "") -> Response:
    """An agency entered from the official register (the directory has no other way in). Every
    field defaults to empty, so a missing one is refused on the form by AgencyIn, not as a 422 page."""
    if (go := _visitor(page)) is not None:
        return go
    services = service_types or []
    form = {"name": name, "licence_number": licence_number, "province": province, "city": city,
            "service_types": services, "ipc_subclasses": ipc_subclasses, "practitioners": practitioners,
            "founded_year": founded_year, "contact": contact}
    try:
        body = AgencyIn.model_validate({
            "name": name.strip(), "licence_number": licence_number.strip(), "province": province.strip(),
            "city": city.strip(), "service_types": services, "contact": contact.strip(),
            "ipc_subclasses": [s for s in IPC_SEPARATORS.split(ipc_subclasses) if s],
            "practitioners": practitioners.strip() or 0, "founded_year": founded_year.strip() or None})
        created = agencies.create_agency(page.writer(), body)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _agencies(page, form_status(exc), agency_error=page.explain(exc), agency_form=form)
    return _back(page, "/admin/agencies", Done.agency, {"added": created.id}, anchor="#content")


class Decision(enum.StrEnum):
    approve = "approve"
    refuse = "refuse"


@router.post("/admin/agencies/claims/{claim_id}", response_model=None)
def decide_claim(page: CheckedPageDep, claim_id: DbId, decision: Annotated[Decision, Form()]) -> Response:
    if (go := _visitor(page)) is not None:
        return go
    try:
        agencies.decide_claim(page.writer(), claim_id, decision is Decision.approve)
    except Conflict as exc:
        page.session.rollback()
        return _agencies(page, 409, error=page.explain(exc))
    return _back(page, "/admin/agencies", Done.approved if decision is Decision.approve else Done.refused)


def _record(kind: str, points: str, description: str, source: str, occurred_on: str, evidence: str) -> RecordIn:
    try:
        value = float(points)
    except ValueError:
        raise InvalidInput("Points are a number from 0 to 100.") from None
    return RecordIn.model_validate({"kind": kind, "points": value, "description": description.strip(),
                                    "source": source.strip(), "occurred_on": occurred_on,
                                    "evidence": [e.strip() for e in evidence.splitlines() if e.strip()]})


@router.post("/admin/agencies/integrity", response_model=None)
def add_record(page: CheckedPageDep, agency: Annotated[DbId, Form()], kind: Text = "", points: Text = "",
               description: Text = "", source: Text = "", occurred_on: Text = "", evidence: Text = "") -> Response:
    """A field left empty is refused on the form by RecordIn (it was a whole page of 422)."""
    if (go := _visitor(page)) is not None:
        return go
    form = {"agency": agency, "kind": kind, "points": points, "description": description, "source": source,
            "occurred_on": occurred_on, "evidence": evidence}
    try:
        body = _record(kind, points, description, source, occurred_on, evidence)
        agencies.add_integrity_record(page.writer(), agency, body)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _agencies(page, form_status(exc), record_error=page.explain(exc), form=form)
    return _back(page, "/admin/agencies", Done.record, anchor="#content")


# --- forum categories ------------------------------------------------------------------------------

def _forums(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    user = page.require_user()
    require_admin(user)  # the categories are public; creating them and this page are the admins'
    return _render(page, "admin_forums.html", status_code, categories=forums.category_summaries(page.session),
                   queue=len(forums.moderation_entries(page.session, user)), **extra)


@router.get("/admin/forums", response_class=HTMLResponse)
def forums_page(page: PageDep, done: Done | None = None) -> HTMLResponse:
    return _forums(page, done=done, form={})


@router.post("/admin/forums", response_model=None)
def create_category(page: CheckedPageDep, name: Text = "", description: Text = "") -> Response:
    """A name left empty is refused on the form, as a short one is (it was a whole page of 422)."""
    if (go := _visitor(page)) is not None:
        return go
    try:
        forums.create_category(page.writer(), CategoryIn(name=name.strip(), description=description.strip()))
    except ValidationError:
        page.session.rollback()
        return _forums(page, 400, error=page.gettext("Give the category a name of 2 to 100 characters."),
                       form={"name": name, "description": description})
    except Conflict as exc:
        page.session.rollback()
        return _forums(page, 409, error=page.explain(exc), form={"name": name, "description": description})
    return _back(page, "/admin/forums", Done.category)


# --- the audit trail --------------------------------------------------------------------------------

# The trail holds nothing before the platform or after this: a bound beyond them selects the same
# entries, and 0001-01-01 or 9999-12-31 overflowed in the conversion to UTC (a 500).
TRAIL_DAYS = (dt.date(1970, 1, 1), dt.date(9000, 12, 31))


def _day(page: Page, value: str) -> dt.datetime | None:
    """The start of a day in Beijing time, as the trail shows its entries."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.said("Not a date: %(value)s", value=value) from None
    return dt.datetime.combine(min(max(day, TRAIL_DAYS[0]), TRAIL_DAYS[1]), dt.time(), SHOWN_ZONE)


def _audit_filter(page: Page, actor: str, action: str, object_type: str, since: str, until: str,
                  before: int | None) -> audit.AuditFilter:
    start, end = _day(page, since), _day(page, until)
    if start and end and end < start:
        raise InvalidInput("The end date is before the start date.")
    actor_id = accounts_admin.account_by_email(page.session, page.require_user(), actor).id if actor else None
    return audit.AuditFilter(actor_id=actor_id, action=action or None, object_type=object_type or None,
                             since=start, until=end + dt.timedelta(days=1) if end else None, before_id=before,
                             limit=AUDIT_PER_PAGE)


def _details(page: Page, details: dict[str, object]) -> list[tuple[str, str]]:
    """An entry's details as name and value pairs in the reader's language: the platform's own
    words (a role, a status, a language) translated, what people wrote as written, a list of
    numbers or names as a list in words (it read ["US90000006B2"]), anything else as JSON with its
    Chinese as characters (escaped by the template)."""
    def shown(name: str, value: object) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return page.gettext("Yes") if value else page.gettext("No")
        if isinstance(value, str) and name in TRANSLATED_DETAILS:
            return page.gettext(value)
        if isinstance(value, str) and name in LANGUAGE_DETAILS:  # 界面语言：中文, not zh
            key = f"language.{value}"
            return named if (named := page.gettext(key)) != key else value
        if isinstance(value, str | int | float):
            return str(value)
        if isinstance(value, list) and value and all(isinstance(v, str | int) for v in value):
            return page.gettext(", ").join(str(v) for v in value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return [(page.gettext(DETAIL_LABELS[name]) if name in DETAIL_LABELS else name, shown(name, details[name]))
            for name in sorted(details)]


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(page: PageDep, actor: Annotated[str, Query(max_length=254)] = "", action: ActionParam = "",
               object_type: Annotated[str, Query(pattern=r"^[a-z_]{0,60}$")] = "",
               since: Annotated[str, Query(pattern=DATE)] = "", until: Annotated[str, Query(pattern=DATE)] = "",
               before: Annotated[DbId | None, Query()] = None) -> HTMLResponse:
    """The trail newest first, filtered by who, what, which kind of object and when (whole days, UTC)."""
    user = page.require_user()
    filters = {"actor": actor, "action": action, "object_type": object_type, "since": since, "until": until}
    data: dict[str, Any] = {"filters": filters, "actions": ACTION_LABELS, "objects": OBJECT_LABELS,
                            "details": partial(_details, page), "object_types": audit.object_types(page.session, user),
                            "trail": None}
    try:
        data["trail"] = audit.trail_page(page.session, user,
                                         _audit_filter(page, actor, action, object_type, since, until, before))
    except NotFound as exc:  # no such account: nothing it did
        data["error"] = page.explain(exc)
    except InvalidInput as exc:
        return _render(page, "admin_audit.html", 422, error=page.explain(exc), **data)
    kept = {k: v for k, v in filters.items() if v}
    data["older_url"] = (f"/admin/audit?{urlencode(kept | {'before': data['trail'].older})}"
                         if data["trail"] and data["trail"].older else None)
    data["newest_url"] = f"/admin/audit?{urlencode(kept)}" if before else None
    return _render(page, "admin_audit.html", **data)
