"""The IP online service hall: catalogue, applications and their handling, the worklist, the
supervision dashboard and public results. Each route calls one ``servicehall`` function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status
from fastapi.responses import FileResponse

from api.deps import CurrentUser, SessionDep, SettingsDep, WriterDep
from core.ids import DbId
from servicehall import catalogue, service, supervision, views
from servicehall.schemas import (
    ActionIn,
    ApplicationOut,
    AssignIn,
    DashboardOut,
    DepartmentIn,
    DutiesIn,
    ItemIn,
    ItemOut,
    PublicResultOut,
    RateIn,
    StaffIn,
    StaffOut,
    SupplyLimitIn,
    WorkItemOut,
)

router = APIRouter(tags=["service hall"])
P = "/api/v1/hall"
CREATED = status.HTTP_201_CREATED
Files = Annotated[list[UploadFile] | None, File(description="Materials (each within IPC_MAX_UPLOAD_BYTES).")]


def _files(files: list[UploadFile] | None) -> service.Files:
    return [(f.filename or "file", f.file) for f in files or [] if f.filename]


@router.get(f"{P}/items", summary="The service catalogue", response_model=list[ItemOut])
def list_items(session: SessionDep) -> list[ItemOut]:
    """The catalogue: every service with its materials, form fields and promised working days."""
    return catalogue.items(session)


@router.get(f"{P}/items/{{code}}", summary="One service", response_model=ItemOut)
def get_item(code: str, session: SessionDep) -> ItemOut:
    """Anyone: the service `code` with its department, materials, form fields and the working days
    promised per step and in all. 404 when it is not (or no longer) in the catalogue."""
    return catalogue.item(session, code)


@router.post(f"{P}/items", summary="Add a service (admins)", status_code=CREATED, response_model=ItemOut)
def add_item(body: ItemIn, w: WriterDep) -> ItemOut:
    """Admins add a service to the catalogue."""
    return catalogue.add_item(w, body)


@router.post(f"{P}/seed", summary="Create the seed departments and services (admins)", response_model=list[ItemOut])
def seed(w: WriterDep) -> list[ItemOut]:
    """Admins create the seed departments and the six seed services that are missing."""
    return catalogue.seed(w)


@router.get(f"{P}/departments", summary="The departments", response_model=list[DepartmentIn])
def list_departments(session: SessionDep) -> list[DepartmentIn]:
    """Anyone: each department's `code`, its name in Chinese and English, and whether it keeps handling,
    review and approval in different hands (`separate_duties`)."""
    return catalogue.departments(session)


@router.put(f"{P}/departments/{{code}}/duties", summary="Separate duties in a department, or not (admins)",
            response_model=DepartmentIn)
def set_duties(code: str, body: DutiesIn, w: WriterDep) -> DepartmentIn:
    """审批分离: with ``separate`` true (every department's default) who handled an application
    neither reviews nor approves it, and who reviewed it does not approve it."""
    return catalogue.set_separate_duties(w, code, body)


@router.get(f"{P}/staff", summary="Department roles: every department you work in (admins: all)",
            response_model=list[StaffOut])
def list_staff(session: SessionDep, user: CurrentUser) -> list[StaffOut]:
    """Every department role: admins see all departments, department staff those they work in; anyone
    else is refused (403). By department, then person, then role in the workflow's order."""
    return catalogue.staff(session, user)


@router.post(f"{P}/staff",
             summary="Give a person a department role (admins)", status_code=CREATED, response_model=StaffOut)
def add_staff(body: StaffIn, w: WriterDep) -> StaffOut:
    """Admins give a person a role (acceptor, handler, reviewer, approver, head) in a department."""
    return catalogue.add_staff(w, body)


@router.post(f"{P}/staff/remove",
             summary="Take a department role away (admins)", status_code=status.HTTP_204_NO_CONTENT)
def remove_staff(body: StaffIn, w: WriterDep) -> None:
    """Admins only: `email`, `department` and `role` name the role taken away (404 when the person does
    not hold it). Open applications whose current step was assigned to them in that role go back to the
    department's pool."""
    catalogue.remove_staff(w, body)


@router.post(f"{P}/applications", summary="Apply for a service", status_code=CREATED, response_model=ApplicationOut)
def apply(w: WriterDep, settings: SettingsDep, files: Files = None,
          application: Annotated[str, Form(description='ApplyIn as JSON: {"item": code, "fields": {...}}')] = "{}",
          ) -> ApplicationOut:
    """Apply with the form and the materials; the answer carries the tracking number."""
    return service.apply(w, settings, service.parse_apply(application), _files(files))


@router.get(f"{P}/applications", summary="My applications", response_model=list[ApplicationOut])
def my_applications(session: SessionDep, user: CurrentUser) -> list[ApplicationOut]:
    """The applications you made, newest first (the latest 200), each as `/applications/{number}` shows it."""
    return views.mine(session, user)


@router.get(f"{P}/applications/{{number}}", summary="One application with every step", response_model=ApplicationOut)
def get_application(number: str, session: SessionDep, user: CurrentUser) -> ApplicationOut:
    """Each step with who handled it, the materials, the cards and what the caller may do now."""
    return views.get(session, user, number)


@router.post(f"{P}/applications/{{number}}/actions",
             summary="Take a step of the handling flow", response_model=ApplicationOut)
def act(number: str, body: ActionIn, w: WriterDep, settings: SettingsDep) -> ApplicationOut:
    """One step of the handling flow: 409 when the status does not allow it (or ``version`` is stale),
    403 when the caller's role does not."""
    return service.act(w, number, body, settings=settings)


@router.post(f"{P}/applications/{{number}}/materials",
             summary="Supply missing materials (补正)", response_model=ApplicationOut)
def supply(number: str, w: WriterDep, settings: SettingsDep, files: Files = None,
           comment: Annotated[str, Form()] = "") -> ApplicationOut:
    """补正: the applicant supplies the missing materials; the clock runs on. 409 once the time to
    supply them (``supply_due_at``) has ended: the application is deemed withdrawn."""
    return service.supply(w, settings, number, comment, _files(files))


@router.get(f"{P}/applications/{{number}}/materials/{{material_id}}",
            summary="Download a material", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}, "description": "The file."}})
def material(number: str, material_id: DbId, session: SessionDep, settings: SettingsDep,
             user: CurrentUser) -> FileResponse:
    """For the applicant, the department's staff and admins; to anyone else the application does not exist
    (404). The stored file, as a download under its file name."""
    path, name = views.material_file(session, settings, user, number, material_id)
    return FileResponse(path, media_type="application/octet-stream", filename=name)


@router.post(f"{P}/applications/{{number}}/assign",
             summary="Give the current step to an officer (heads)", response_model=ApplicationOut)
def assign(number: str, body: AssignIn, w: WriterDep) -> ApplicationOut:
    """The department head gives the current step to someone holding its role."""
    return service.assign(w, number, body)


@router.post(f"{P}/applications/{{number}}/supply-limit",
             summary="Give the applicant more time to supply materials (延长补正期限)", response_model=ApplicationOut)
def extend_supply(number: str, body: SupplyLimitIn, w: WriterDep) -> ApplicationOut:
    """While the office waits for materials: the department's head, or the officer of the step that asked for
    them, moves the applicant's last day later, to a working day within a year, saying why (the applicant reads
    it and is told the new day). 409 once the time has ended (the application is deemed withdrawn)."""
    return service.extend_supply(w, number, body)


@router.post(f"{P}/applications/{{number}}/rating",
             summary="Rate a finished application", response_model=ApplicationOut)
def rate(number: str, body: RateIn, w: WriterDep) -> ApplicationOut:
    """Only the applicant (403), once (409), and only once the application is `completed` or `rejected`
    (409 before): a `satisfaction` of five steps and an optional `comment`. The supervision dashboard
    counts it."""
    return service.rate(w, number, body)


@router.get(f"{P}/worklist", summary="My work, most urgent first", response_model=list[WorkItemOut])
def worklist(session: SessionDep, user: CurrentUser) -> list[WorkItemOut]:
    """The caller's work, red cards first, then yellow, then the most time used."""
    return views.worklist(session, user)


@router.get(f"{P}/dashboard", summary="The hall's supervision figures", response_model=DashboardOut)
def dashboard(session: SessionDep, user: CurrentUser) -> DashboardOut:
    """Department staff and admins (403 otherwise), for the whole hall, per department and per service:
    applications completed, the on-time rate, average and 90th-percentile handling time in working days
    (paused time excluded), open applications with their open yellow and red cards, and satisfaction;
    then month by month, the latest 12 months with completed applications."""
    return supervision.dashboard(session, user)


@router.get(f"{P}/results", summary="Published results", response_model=list[PublicResultOut])
def public_results(session: SessionDep) -> list[PublicResultOut]:
    """Results of the services whose results are public."""
    return views.public_results(session)
