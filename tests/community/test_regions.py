"""GB/T 2260 region normalisation (core.regions) and its use by the agency directory: one place however
it is written, a clear error (or ``None`` for statistics) for a name it does not know, never a crash;
recommendations never propose an agency from another province than the one asked for."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from community.agencies import service as svc
from community.agencies.models import Agency, ServiceType
from community.agencies.schemas import AgencyIn, AgencyPatch
from core import regions
from core.accounts.models import Role, User
from core.errors import InvalidInput
from core.regions import Level
from tests.community.conftest import Community

HOSTILE = ["", "   ", "Atlantis", "'; DROP TABLE agencies; --", "🙂", "x" * 10_000, "\x00", "0000", "999999", "4",
           "44000", "4403000", "province", "City", "市", "省", "%", "_", "广东省深圳市南山区", "-440000"]


@pytest.mark.parametrize("text", ["广东", "广东省", "Guangdong", "guangdong", "GUANGDONG PROVINCE", " 广东 ", "廣東省",
                                  "粤", "GD", "440000", "44", "Ｇｕａｎｇｄｏｎｇ"])
def test_one_province_however_it_is_written(text: str) -> None:
    region = regions.lookup(text)
    assert region is not None and (region.code, region.level) == ("440000", Level.province)
    assert (region.name("zh"), region.name("en"), region.short_zh) == ("广东省", "Guangdong", "广东")


@pytest.mark.parametrize("text,code", [
    ("深圳", "440300"), ("深圳市", "440300"), ("Shenzhen", "440300"), ("shenzhen city", "440300"), ("4403", "440300"),
    ("Xi'an", "610100"), ("xian", "610100"), ("Lüliang", "141100"), ("Lvliang", "141100"),
    ("延边", "222400"), ("延边朝鲜族自治州", "222400"), ("Hohhot", "150100"), ("Huhehaote", "150100"),
    ("Inner Mongolia", "150000"), ("内蒙古自治区", "150000"), ("Tibet", "540000"), ("Xizang", "540000"),
    ("Shaanxi", "610000"), ("Shanxi", "140000"), ("Hong Kong SAR", "810000"), ("Macau", "820000"),
    ("重庆", "500000"), ("Guangxi Zhuang Autonomous Region", "450000"), ("莱芜", "370100"),
])
def test_cities_and_other_spellings(text: str, code: str) -> None:
    region = regions.lookup(text)
    assert region is not None and region.code == code
    assert regions.resolve(text) == region


def test_a_name_of_a_province_and_a_prefecture_is_the_province_unless_told_otherwise() -> None:
    assert regions.lookup("吉林").code == "220000"  # type: ignore[union-attr]
    assert regions.lookup("吉林", Level.prefecture).code == "220200"  # type: ignore[union-attr]
    assert regions.lookup("海南").code == "460000"  # type: ignore[union-attr]
    assert regions.lookup("海南", province="630000").code == "632500"  # type: ignore[union-attr]  # Qinghai's


def test_a_name_two_prefectures_share_needs_its_province() -> None:
    assert regions.lookup("Suzhou") is None
    with pytest.raises(InvalidInput, match=r"苏州市 320500 \(江苏省 Jiangsu\), 宿州市 341300 \(安徽省 Anhui\)"):
        regions.resolve("Suzhou")
    assert regions.resolve("Suzhou", province="320000").code == "320500"
    assert regions.resolve("Taizhou", province="330000").name_zh == "台州市"


@pytest.mark.parametrize("text", HOSTILE)
def test_unknown_names_are_none_or_a_clear_error_never_a_crash(text: str) -> None:
    assert regions.lookup(text) is None
    with pytest.raises(InvalidInput, match="unknown (region|province)|may be any of"):
        regions.resolve(text)
    with pytest.raises(InvalidInput, match="unknown province"):
        regions.resolve(text, Level.province)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_looked_up_without_crashing(text: str) -> None:
    found = regions.lookup(text)
    assert found is None or regions.by_code(found.code) == found


def test_the_table_covers_every_province_and_prefecture_with_its_source() -> None:
    provinces = regions.provinces()
    assert len(provinces) == 34 and len({p.name_en for p in provinces}) == 34
    prefectures = [p for top in provinces for p in regions.prefectures(top.code)]
    assert len(prefectures) == 333  # prefecture-level divisions; 莱芜 (371200) merged into 济南 in 2019
    assert regions.prefectures("110000") == [] and len(regions.prefectures("440000")) == 21
    for region in provinces + prefectures:
        assert len(region.code) == 6 and region.code.isdigit() and region.name_zh and region.name_en
        assert regions.lookup(region.name_zh, province=region.province_code) == region
    assert "GB2260" in regions.source() and "201904" in regions.source()


# --- the agency directory --------------------------------------------------------------------


def _agency(c: Community, admin: User, name: str, **extra: Any) -> int:
    body = AgencyIn.model_validate({"name": f"{c.tag} {name}", "licence_number": f"{c.tag}-{name}"[:60],
                                    "service_types": ["patent"], "ipc_subclasses": ["H04W"], **extra})
    return svc.create_agency(c.writer(admin), body).id


def test_agencies_store_codes_and_display_names(both_dbs: Community) -> None:
    c = both_dbs
    admin = c.user(Role.admin)
    full = svc.agency_profile(c.session, _agency(c, admin, "full", province="广东省", city="深圳"))
    assert (full.province, full.province_code, full.city, full.city_code) == ("Guangdong", "440000", "Shenzhen",
                                                                              "440300")
    city_only = svc.agency_profile(c.session, _agency(c, admin, "city", city="Hangzhou"))
    assert (city_only.province, city_only.province_code, city_only.city_code) == ("Zhejiang", "330000", "330100")
    municipality = svc.agency_profile(c.session, _agency(c, admin, "sh", city="上海"))
    assert (municipality.province_code, municipality.city, municipality.city_code) == ("310000", "", None)
    anhui = svc.agency_profile(c.session, _agency(c, admin, "ah", province="皖", city="Suzhou"))
    assert (anhui.city, anhui.city_code) == ("Suzhou", "341300")
    nowhere = svc.agency_profile(c.session, _agency(c, admin, "none"))
    assert (nowhere.province, nowhere.province_code, nowhere.city, nowhere.city_code) == ("", None, "", None)
    for spelling in ("广东", "Guangdong", "440000", "粤"):
        assert [a.id for a in svc.list_agencies(c.session, q=c.tag, province=spelling)] == [full.id], spelling
    assert [a.id for a in svc.list_agencies(c.session, q=c.tag, province="深圳市")] == [full.id]


@pytest.mark.parametrize("province,city,message", [
    ("Atlantis", "", "unknown province 'Atlantis'"),
    ("深圳", "", "unknown province '深圳'"),  # a city is not a province
    ("Zhejiang", "Shenzhen", "Shenzhen is in Guangdong, not in Zhejiang"),
    ("", "Suzhou", "Suzhou may be any of"),
    ("Zhejiang", "Suzhou", "Suzhou may be any of"),  # neither Suzhou is in Zhejiang
    ("Guangdong", "Gotham", "unknown region 'Gotham'"),
    ("'; DROP TABLE agencies; --", "", "unknown province"),
])
def test_unknown_or_contradictory_regions_are_refused_clearly(community: Community, province: str, city: str,
                                                             message: str) -> None:
    c = community
    admin = c.user(Role.admin)
    body = AgencyIn(name="Somewhere IP", licence_number="R-1", province=province, city=city)
    c.refused(lambda: svc.create_agency(c.writer(admin), body), InvalidInput)
    with pytest.raises(InvalidInput, match=message):
        svc.create_agency(c.writer(admin), body)


def test_profile_edits_keep_province_and_city_consistent(community: Community) -> None:
    c = community
    admin = c.user(Role.admin)
    agency = _agency(c, admin, "mover", province="Guangdong", city="Guangzhou")
    c.refused(lambda: svc.update_agency(c.writer(admin), agency, AgencyPatch(city="杭州")), InvalidInput)
    c.refused(lambda: svc.update_agency(c.writer(admin), agency, AgencyPatch(province="Zhejiang")), InvalidInput)
    moved = svc.update_agency(c.writer(admin), agency, AgencyPatch(province="浙江", city="杭州"))
    assert (moved.province, moved.province_code, moved.city, moved.city_code) == ("Zhejiang", "330000", "Hangzhou",
                                                                                  "330100")
    cleared = svc.update_agency(c.writer(admin), agency, AgencyPatch(city=""))
    assert (cleared.province_code, cleared.city, cleared.city_code) == ("330000", "", None)
    assert c.audit_actions()[-2:] == ["agency.update", "agency.update"]


def test_recommendations_never_leave_the_province_asked_for(both_dbs: Community) -> None:
    c = both_dbs
    admin = c.user(Role.admin)
    shenzhen = _agency(c, admin, "sz", province="Guangdong", city="Shenzhen")
    guangzhou = _agency(c, admin, "gz", province="广东", city="广州")
    hangzhou = _agency(c, admin, "hz", province="Zhejiang", city="Hangzhou")
    unknown = _agency(c, admin, "legacy")
    # an older row whose province text GB/T 2260 does not recognise: it has no code
    c.session.execute(update(Agency).where(Agency.id == unknown).values(province="Kwangtung"))
    c.session.commit()
    mine = {shenzhen, guangzhou, hangzhou, unknown}

    def recommended(region: str | None) -> list[int]:
        recs = svc.recommend(c.session, "H04W", ServiceType.patent, region, limit=10_000)
        return [r.agency_id for r in recs if r.agency_id in mine]

    assert set(recommended(None)) == mine
    for region in ("Guangdong", "广东省", "粤", "440000"):
        assert set(recommended(region)) == {shenzhen, guangzhou}, region
    assert recommended("深圳")[0] == shenzhen and set(recommended("深圳")) == {shenzhen, guangzhou}
    reasons = next(r for r in svc.recommend(c.session, "H04W", None, "Shenzhen", limit=10_000)
                   if r.agency_id == shenzhen).reasons
    assert "based in Guangdong" in reasons and "based in Shenzhen" in reasons
    assert recommended("Zhejiang") == [hangzhou]
    assert recommended("Tibet") == []
    for hostile in ("Atlantis", "Suzhou", "'; DROP TABLE agencies; --"):
        with pytest.raises(InvalidInput):
            svc.recommend(c.session, None, None, hostile)


def test_the_api_answers_unknown_regions_with_400(client: TestClient) -> None:
    from tests.helpers import new_admin

    _, admin = new_admin(client)
    created = client.post("/api/v1/agencies", headers=admin, json={
        "name": "Nowhere IP", "licence_number": "NOWHERE-1", "province": "Atlantis"})
    assert created.status_code == 400 and "unknown province 'Atlantis'" in created.json()["detail"]
    listed = client.get("/api/v1/agencies", params={"province": "Atlantis"})
    assert listed.status_code == 400 and "prefecture-level city" in listed.json()["detail"]
    too_long = client.get("/api/v1/agencies/recommend", params={"region": "x" * 61})
    assert too_long.status_code == 422
    made = client.post("/api/v1/agencies", headers=admin, json={
        "name": "Somewhere IP", "licence_number": "SOMEWHERE-1", "province": "广东省", "city": "深圳"}).json()
    assert (made["province"], made["province_code"], made["city"], made["city_code"]) == (
        "Guangdong", "440000", "Shenzhen", "440300")


def test_an_unknown_city_is_told_how_to_name_a_place_in_the_readers_words() -> None:
    """"昆山" (a county-level city) was told to give a "GB/T 2260 name", with provinces as examples."""
    with pytest.raises(InvalidInput) as refused:
        regions.resolve("昆山")
    assert "prefecture-level city" in str(refused.value) and "its city" in str(refused.value)
    assert regions.resolve("苏州").code == "320500"  # the city it is in is found
