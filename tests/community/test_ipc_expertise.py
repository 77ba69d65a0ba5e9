"""IPC expertise kept at subclass level: an agency works in H04W, not in "H"; a question about H04W
does not find an agency that only knows semiconductors (H01L)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from community.agencies import ipc
from community.agencies import service as svc
from community.agencies.models import Agency
from community.agencies.schemas import AgencyIn, AgencyPatch
from core.accounts.models import Role, User
from core.errors import InvalidInput
from tests.community.conftest import Community


@pytest.mark.parametrize("text,code,level", [
    ("H", "H", "section"), ("h04", "H04", "class"), ("H04W", "H04W", "subclass"), ("h04w 4/00", "H04W", "subclass"),
    ("H04N21/431", "H04N", "subclass"), (" G06F  17/30 ", "G06F", "subclass"), ("A61K0031", "A61K", "subclass"),
])
def test_symbols_are_read_down_to_their_subclass(text: str, code: str, level: str) -> None:
    prefix = ipc.parse(text)
    assert (prefix.code, prefix.level) == (code, level)


@pytest.mark.parametrize("text", ["", "Z", "Z99Z", "H4", "H04WW", "HELLO", "H04W/", "4/00", "'; DROP", "🙂", "H04W 4/"])
def test_what_is_not_an_ipc_symbol_is_refused_clearly(text: str) -> None:
    with pytest.raises(InvalidInput, match="not an IPC symbol"):
        ipc.parse(text)


def test_expertise_must_be_a_subclass() -> None:
    assert ipc.subclasses(["h04w 4/00", "H04W", " g06f ", ""]) == ["G06F", "H04W"]
    for broad in ("H", "H04"):
        with pytest.raises(InvalidInput, match="given by subclass"):
            ipc.subclass(broad)


def _agency(c: Community, admin: User, name: str, **extra: Any) -> int:
    body = AgencyIn.model_validate({"name": f"{c.tag} {name}", "licence_number": f"{c.tag}-{name}"[:60],
                                    "province": "Guangdong", **extra})
    return svc.create_agency(c.writer(admin), body).id


def test_recommendations_compare_subclasses(both_dbs: Community) -> None:
    c = both_dbs
    admin = c.user(Role.admin)
    wireless = _agency(c, admin, "wireless", ipc_subclasses=["H04W"])
    video = _agency(c, admin, "video", ipc_subclasses=["H04N 21/00"])
    chips = _agency(c, admin, "chips", ipc_subclasses=["H01L"])
    legacy = _agency(c, admin, "legacy")  # an older row that only knew its section
    c.session.execute(update(Agency).where(Agency.id == legacy).values(ipc_sections=["H"]))
    c.session.commit()
    mine = {wireless, video, chips, legacy}

    def found(question: str) -> set[int]:
        return {r.agency_id for r in svc.recommend(c.session, question, None, "Guangdong", 10_000)} & mine

    assert found("H04W 4/00") == {wireless}  # not every agency of section H
    assert found("H04") == {wireless, video}
    assert found("H") == mine
    why = next(r for r in svc.recommend(c.session, "H04", None, None, 10_000) if r.agency_id == video).reasons
    assert why[0] == "works in IPC class H04 (H04N)"
    why = next(r for r in svc.recommend(c.session, "H04W", None, None, 10_000) if r.agency_id == wireless).reasons
    assert why[0] == "works in IPC subclass H04W"
    with pytest.raises(InvalidInput):
        svc.recommend(c.session, "Z99", None, None)


def test_the_agency_edits_its_subclasses(community: Community) -> None:
    c = community
    admin, owner = c.user(Role.admin), c.user()
    agency = _agency(c, admin, "owned", ipc_subclasses=["H04W"])
    claim = svc.claim_agency(c.writer(owner), agency, "our licence scan")
    svc.decide_claim(c.writer(admin), claim.id, approve=True)
    c.refused(lambda: svc.update_agency(c.writer(owner), agency, AgencyPatch(ipc_subclasses=["H"])), InvalidInput)
    out = svc.update_agency(c.writer(owner), agency, AgencyPatch(ipc_subclasses=["g06q 50/18", "H04L"]))
    assert (out.ipc_subclasses, out.ipc_sections) == (["G06Q", "H04L"], ["G", "H"])
