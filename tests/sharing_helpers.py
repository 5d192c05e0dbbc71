"""Shared set-up of the sharing tests: a registry whose calendar override list covers the years
after the library's (so tests keep working near a year end), a county with a provider and a
re-collecting unit, API calls as a user, and moving a request's dates into the past."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import update

from registry.core.runtime import Registry
from registry.sharing.models import SharingObjection, SharingRequest

PROVIDER_PHONE = "023-55551234"
PROVIDER_API = "https://gx.yunyang.gov.cn/api/hukou"


@pytest.fixture
def sreg(app, tmp_path):
    """The app's registry, with a calendar override file for 2027–2028 (test data)."""
    base = app.extensions["registry"]
    calendar = tmp_path / "calendar.txt"
    calendar.write_text("# test override\n2027-01-01 holiday\n2028-01-01 holiday\n", encoding="utf-8")
    policy = replace(base.settings.policy, sharing_calendar_file=str(calendar))
    swapped = Registry(replace(base.settings, policy=policy), base.db, base.search)
    app.extensions["registry"] = swapped
    yield swapped
    app.extensions["registry"] = base


def items(*specs):
    return [{"name": n, "data_type": t, "data_length": l} for n, t, l in specs]


@pytest.fixture
def county(sreg, make, saved):
    """云阳县公安局 provides 户籍人口信息 (有条件共享); 云阳县民政局 re-collects two of its items."""
    return saved(f"{__name__}.county", lambda: _county(make))


def _county(make):
    police = make.unit(code="gaj", name="云阳县公安局")
    civil = make.unit(code="mzj", name="云阳县民政局")
    other = make.unit(code="swj", name="云阳县商务局")
    hukou = make.system(police, name="户政管理信息系统")
    dibao = make.system(civil, name="低保救助管理信息系统")
    trade = make.system(other, name="商务信息系统")
    people = make.act("package_create", {
        "system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享", "sharing_method": "共享交换平台",
        "items": items(("公民身份号码", "C", 18), ("姓名", "C", 50), ("出生日期", "D", 8))})
    poor = make.act("package_create", {
        "system": dibao["id"], "title": "低保对象信息", "sharing_type": "不予共享",
        "items": items(("身份证号", "C", 18), ("出生年月", "D", 8))})
    return {"police": police, "civil": civil, "other": other, "hukou": hukou, "dibao": dibao, "trade": trade,
            "people": people, "poor": poor}


def request_payload(county, item_names=("公民身份号码",), **kw) -> dict:
    ids = [i["id"] for i in county["people"]["items"] if i["name"] in item_names]
    return {"resource": county["people"]["id"], "items": ids, "requester_system": county["dibao"]["id"],
            "purpose": "低保对象身份核验", "scenario": "低保申请受理时核验申请人身份",
            "basis": "《社会救助暂行办法》", "sharing_method": "接口", **kw}


def api(client, name: str, token: str | None, data: dict | None = None):
    headers = {"Authorization": token} if token else {}
    response = client.post(f"/api/3/action/{name}", json=data or {}, headers=headers)
    return response.status_code, response.get_json()


def backdate(reg, request_id: int, submitted: date, due: date) -> None:
    """Test data: the request was submitted earlier (the clock is not mocked; the row is moved)."""
    with reg.db.engine.begin() as conn:
        conn.execute(update(SharingRequest).where(SharingRequest.id == request_id)
                     .values(submitted_on=submitted, due_on=due, period_start=submitted))


def backdate_objection(reg, objection_id: int, raised: date, due: date) -> None:
    with reg.db.engine.begin() as conn:
        conn.execute(update(SharingObjection).where(SharingObjection.id == objection_id)
                     .values(raised_on=raised, due_on=due))
