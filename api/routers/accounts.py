"""Organisations, their members, and platform roles."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from api.deps import AdminWriterDep, CurrentUser, SessionDep, WriterDep
from api.schemas import MemberIn, OrgIn, OrgOut, RoleIn, UserOut
from core.accounts import service
from core.accounts.models import Membership, Organisation

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/orgs", status_code=status.HTTP_201_CREATED, response_model=OrgOut)
def create_org(body: OrgIn, w: WriterDep) -> OrgOut:
    org = service.create_organisation(w.session, w.actor, body.name, body.kind)
    w.audit("org.create", "organisation", org.id, name=org.name, kind=org.kind.value)
    w.commit()
    return OrgOut.model_validate(org)


@router.get("/orgs", response_model=list[OrgOut])
def my_orgs(user: CurrentUser, session: SessionDep) -> list[OrgOut]:
    orgs = session.scalars(
        select(Organisation).join(Membership).where(Membership.user_id == user.id).order_by(Organisation.id)
    )
    return [OrgOut.model_validate(o) for o in orgs]


@router.post("/orgs/{org_id}/members", status_code=status.HTTP_201_CREATED)
def add_member(org_id: int, body: MemberIn, w: WriterDep) -> dict[str, object]:
    org = service.require_org_admin(w.session, w.actor, org_id)
    membership = service.add_member(w.session, org, body.user_id, body.role)
    w.audit("org.member.add", "organisation", org.id, user_id=body.user_id, role=body.role.value)
    w.commit()
    return {"org_id": org.id, "user_id": membership.user_id, "role": membership.role.value}


@router.put("/users/{user_id}/role", response_model=UserOut)
def set_role(user_id: int, body: RoleIn, w: AdminWriterDep) -> UserOut:
    user = service.set_role(w.session, user_id, body.role)
    w.audit("user.role.set", "user", user.id, role=body.role.value)
    w.commit()
    return UserOut.model_validate(user)
