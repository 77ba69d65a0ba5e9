"""Organisations, their members, and platform roles."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AdminWriterDep, CurrentUser, SessionDep, WriterDep
from core.accounts import service
from core.accounts.schemas import MemberIn, MemberOut, OrgIn, OrgOut, RoleIn, UserOut
from core.ids import DbId

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/orgs", summary="Create an organisation", status_code=status.HTTP_201_CREATED, response_model=OrgOut)
def create_org(body: OrgIn, w: WriterDep) -> OrgOut:
    """Any signed-in person founds an organisation and becomes its first `org_admin`. `kind` (`sme`,
    `association`, `agency`, `government`) decides which parts of the portal its members see first.
    409 when an organisation of that name exists."""
    return service.found_organisation(w, body)


@router.get("/orgs", summary="My organisations", response_model=list[OrgOut])
def my_orgs(user: CurrentUser, session: SessionDep) -> list[OrgOut]:
    """The organisations you are a member of, in any role, oldest first."""
    return service.organisations_of(session, user)


@router.post("/orgs/{org_id}/members",
             summary="Add a member to an organisation", status_code=status.HTTP_201_CREATED, response_model=MemberOut)
def add_member(org_id: DbId, body: MemberIn, w: WriterDep) -> MemberOut:
    """Only the organisation's own admins (`org_admin`) and platform admins (403 for others). Adds the
    account `user_id` as `member` (the default) or `org_admin`; 404 for an unknown organisation or
    account, 409 when they are a member already."""
    return service.add_org_member(w, org_id, body)


@router.put("/users/{user_id}/role", summary="Change a person's platform role (admins)", response_model=UserOut)
def set_role(user_id: DbId, body: RoleIn, w: AdminWriterDep) -> UserOut:
    """`role` is `member`, `moderator` or `admin`. An admin cannot change their own role (400: another
    admin can). When the role changes, the person is told in their inbox."""
    return service.change_role(w, user_id, body)
