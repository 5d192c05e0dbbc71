"""The Bureau enters a year's official schedule (放假和调休安排) in the product: a deadline reaching
past the last known year is estimated and says so, entering the year computes it again, the entry
is audited, and only the Bureau may enter it."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from registry.core import clock
from registry.core.errors import NotAuthorized, ValidationFailed
from registry.core.audit_log import AuditLog
from registry.sharing.models import SharingRequest
from tests.test_web_lists import login

# 2027: New Year 1–3 January, Spring Festival 6–12 February (test data, not the official notice)
HOLIDAYS_2027 = "2027-01-01至2027-01-03\n2027-02-06至2027-02-12"


@pytest.fixture
def year_end(make):
    """On 28 December 2026 云阳县民政局 asks 云阳县公安局 for a 有条件共享 resource (10 working days)."""
    police = make.unit(code="gaj", name="云阳县公安局")
    civil = make.unit(code="mzj", name="云阳县民政局")
    hukou = make.system(police, name="户政管理信息系统")
    dibao = make.system(civil, name="低保救助管理信息系统")
    people = make.act("package_create", {
        "system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享",
        "items": [{"name": "公民身份号码", "data_type": "C", "data_length": 18}]})
    with clock.frozen(date(2026, 12, 28)):
        req = make.act("sharing_request_create", {
            "resource": people["id"], "items": [people["items"][0]["id"]], "requester_system": dibao["id"],
            "purpose": "低保对象身份核验", "scenario": "受理时核验", "basis": "", "sharing_method": "接口"})
    return {"police": police, "civil": civil, "request": req, "bureau": make.user("bureau", username="dsjj"),
            "department": make.user("department", civil)}


def test_a_deadline_past_the_last_known_year_is_estimated_and_says_so(make, year_end):
    req = year_end["request"]
    # 10 working days from Monday 28 December, Monday–Friday in 2027 (unknown): 11 January
    assert req["due_on"] == "2027-01-11"
    assert "2027年的放假和调休安排尚未录入" in req["due_on_note"]
    shown = make.act("sharing_request_show", {"id": req["id"]})
    assert shown["due_on_note"] == req["due_on_note"]


def test_entering_the_year_computes_pending_deadlines_again_and_is_audited(reg, make, year_end):
    req = year_end["request"]
    saved = make.act("sharing_calendar_set", {"year": 2027, "holidays": HOLIDAYS_2027, "workdays": "2027-02-20",
                                              "notice": "国务院办公厅关于2027年部分节假日安排的通知"},
                     actor=year_end["bureau"]["id"])
    assert saved["holidays"][:3] == ["2027-01-01", "2027-01-02", "2027-01-03"] and len(saved["holidays"]) == 10
    # 29, 30, 31 December; (1 January off); 4–8 January; 11, 12 January → the 10th is 12 January
    assert saved["recomputed"] == [{"kind": "request", "id": req["id"], "old_due_on": "2027-01-11",
                                    "due_on": "2027-01-12"}]
    shown = make.act("sharing_request_show", {"id": req["id"]})
    assert shown["due_on"] == "2027-01-12" and shown["due_on_note"] == ""
    with reg.db.unit_of_work() as session:
        assert session.get(SharingRequest, req["id"]).due_on == date(2027, 1, 12)
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "sharing_calendar_set")).one()
        assert entry.username == "dsjj" and "2027年放假和调休安排" in entry.summary
    known = make.act("sharing_calendar_list", {}, actor=year_end["department"]["id"])
    assert known["last_known_year"] == 2027 and known["years"][0]["workdays"] == ["2027-02-20"]


def test_an_entered_year_replaces_the_library_for_that_year(make, year_end):
    # a correction of 2026: 31 December declared a day off → the request's first working day moves
    make.act("sharing_calendar_set", {"year": 2026, "holidays": ["2026-01-01", "2026-12-31"]},
             actor=year_end["bureau"]["id"])
    make.act("sharing_calendar_set", {"year": 2027, "holidays": HOLIDAYS_2027}, actor=year_end["bureau"]["id"])
    assert make.act("sharing_request_show", {"id": year_end["request"]["id"]})["due_on"] == "2027-01-13"


def test_only_the_bureau_enters_a_year(make, year_end):
    with pytest.raises(NotAuthorized):
        make.act("sharing_calendar_set", {"year": 2027, "holidays": HOLIDAYS_2027},
                 actor=year_end["department"]["id"])


@pytest.mark.parametrize("data, field, message", [
    ({"holidays": "2027-01-01", "workdays": "2027-02-03"}, "调休上班日期", "2027-02-03（星期三）"),
    ({"holidays": "2027-13-01"}, "放假日期", "“2027-13-01”不是有效日期"),
    ({"holidays": "2028-05-01"}, "放假日期", "须在2027年内"),
    ({"holidays": ""}, "放假日期", "至少有元旦"),
    ({"holidays": "2027-01-01至2027-01-03", "workdays": "2027-01-02"}, "调休上班日期", "既放假又上班"),
])
def test_a_bad_schedule_is_refused_in_chinese_and_changes_nothing(make, year_end, data, field, message):
    with pytest.raises(ValidationFailed) as caught:
        make.act("sharing_calendar_set", {"year": 2027, **data}, actor=year_end["bureau"]["id"])
    assert any(message in m for m in caught.value.errors[field]), caught.value.errors
    assert make.act("sharing_calendar_list", {}, actor=year_end["bureau"]["id"])["years"] == []


def test_the_bureau_enters_the_year_on_the_calendar_page(client, make, year_end):
    login(client, year_end["bureau"])
    page = client.get("/sharing/calendar").get_data(as_text=True)
    assert "已知的最后一年" in page and "2026年" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/sharing/calendar", data={"csrf_token": token, "year": "2027", "holidays": HOLIDAYS_2027,
                                                      "workdays": "2027-02-20", "notice": "国办发明电〔2026〕1号"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已保存2027年放假和调休安排，重新计算了 1 项待答复事项的期限" in page
    assert "国办发明电〔2026〕1号" in page and "2027-02-20" in page
    # an error keeps what was typed
    response = client.post("/sharing/calendar", data={"csrf_token": token, "year": "2028", "holidays": "2028-01-01\n2028-02-30"})
    page = response.get_data(as_text=True)
    assert "“2028-02-30”不是有效日期" in page and "2028-01-01\n2028-02-30" in page
    login(client, year_end["department"])
    page = client.get("/sharing/calendar").get_data(as_text=True)
    assert "国办发明电〔2026〕1号" in page and "保存该年安排" not in page


def test_an_objection_deadline_past_the_last_known_year_is_noted_and_recomputed(make, year_end):
    provider = make.user("department", year_end["police"])
    req = year_end["request"]
    with clock.frozen(date(2026, 12, 29)):
        make.act("sharing_request_answer", {"id": req["id"], "decision": "approve"}, actor=provider["id"])
        record = make.act("sharing_record_list", {"box": "consumed"}, actor=year_end["department"]["id"])["results"][0]
        objection = make.act("sharing_objection_create", {"record": record["id"], "item": req["items"][0]["id"],
                                                          "kind": "stale", "description": "未更新"},
                             actor=year_end["department"]["id"])
    # 5 working days from Tuesday 29 December, Monday–Friday in 2027: 30, 31 Dec, 1, 4, 5 Jan
    assert objection["due_on"] == "2027-01-05" and "2027年" in objection["due_on_note"]
    saved = make.act("sharing_calendar_set", {"year": 2027, "holidays": HOLIDAYS_2027},
                     actor=year_end["bureau"]["id"])
    assert {"kind": "objection", "id": objection["id"], "old_due_on": "2027-01-05", "due_on": "2027-01-06"} \
        in saved["recomputed"]
    shown = make.act("sharing_record_show", {"id": record["id"]}, actor=year_end["department"]["id"])
    assert shown["objections"][0]["due_on"] == "2027-01-06" and shown["objections"][0]["due_on_note"] == ""
