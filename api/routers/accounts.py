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
    return service.found_organisation(w, body)


@router.get("/orgs", summary="My organisations", response_model=list[OrgOut])
def my_orgs(user: CurrentUser, session: SessionDep) -> list[OrgOut]:
    return service.organisations_of(session, user)


@router.post("/orgs/{org_id}/members",
             summary="Add a member to an organisation", status_code=status.HTTP_201_CREATED, response_model=MemberOut)
def add_member(org_id: DbId, body: MemberIn, w: WriterDep) -> MemberOut:
    return service.add_org_member(w, org_id, body)


@router.put("/users/{user_id}/role", summary="Change a person's platform role (admins)", response_model=UserOut)
def set_role(user_id: DbId, body: RoleIn, w: AdminWriterDep) -> UserOut:
    return service.change_role(w, user_id, body)
