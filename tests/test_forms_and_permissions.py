"""The pieces under the flows: messages that name fields in Chinese, the form state a refused page
comes back with, what the actions say a user may do (can / Action.ready), the picker lookup and the
sharing requests in the to-do list. The pages themselves are tested in Chromium (test_flows_browser)."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from registry.core.actions import ACTIONS, load_all
from registry.core.errors import ValidationFailed, describe
from registry.web.forms import Form
from tests.projects_support import declaration
from tests.sharing_helpers import county, request_payload, sreg  # noqa: F401


@pytest.mark.parametrize("key, message", [
    ("reason", "不同意（或部分同意）须说明理由"), ("basis", "必填"), ("q", "搜索词不能超过200个字符"),
    ("sharing_type", "共享类型为必填项"), ("message", "请求体不是有效的 JSON"), ("opinion", "意见为必填项"),
    ("items.0.name", "信息项名称为必填项")])
def test_a_refusal_message_names_the_field_in_chinese_never_its_key(key, message):
    text = ValidationFailed({key: [message]}).message
    assert f"{key}：" not in text and message in text
    assert text.startswith("输入有误：")


def test_a_message_without_the_fields_name_gets_it_in_front():
    assert describe("basis", "必填") == "依据：必填"
    assert describe("reason", "不同意须说明理由") == "不同意须说明理由"
    assert describe("items.2.data_type", "数据类型无效") == "信息项第3行：数据类型无效"


def test_the_form_state_keeps_every_ticked_value_and_the_choice():
    form = Form("answer", MultiDict([("decision", "partial"), ("items", "3"), ("items", "5"), ("csrf_token", "x")]),
                {"basis": ["必填"]}, submitted=True)
    assert form.value("decision") == "partial" and form.checked("items", 3) and form.checked("items", "5")
    assert not form.checked("items", 4) and form.value("csrf_token") == ""
    assert form.messages == ["依据：必填"] and form.failed
    defaults = Form("answer", {"items": [1, 2], "decision": None})
    assert defaults.values("items") == [1, 2] and defaults.value("decision") == "" and not defaults.failed


def test_every_action_with_a_ready_check_also_has_an_auth_function():
    load_all()
    ready = {name for name, act in ACTIONS.items() if act.ready is not None}
    assert {"project_transition", "project_delete", "sharing_request_answer", "sharing_request_withdraw",
            "sharing_arbitrate", "sharing_request_propose_from_finding"} <= ready
    assert all(ACTIONS[name].auth is not None for name in ready)


def test_may_asks_the_auth_function_and_the_records_state(reg, make):
    unit, other = make.unit(), make.unit()
    system = make.system(unit)
    make.package(system)
    dept, stranger, bureau = make.user("department", unit), make.user("department", other), make.user("bureau")
    project = make.act("project_create", declaration(unit["id"], system["id"]))
    submit = {"id": project["id"], "transition": "submit"}
    review = {"id": project["id"], "transition": "review_pass"}
    assert reg.may("project_transition", dept["id"], submit)
    assert not reg.may("project_transition", stranger["id"], submit)          # another unit
    assert not reg.may("project_transition", bureau["id"], submit)            # not the Bureau's step
    assert not reg.may("project_transition", bureau["id"], review)            # not at that stage yet
    assert reg.may("project_delete", dept["id"], {"id": project["id"]})
    make.act("project_transition", submit)
    assert reg.may("project_transition", bureau["id"], review)
    assert not reg.may("project_transition", dept["id"], review)
    assert not reg.may("project_delete", dept["id"], {"id": project["id"]})   # submitted: nothing to delete


def test_a_declaration_is_complete_only_with_every_attachment_1_entry(reg, make):
    unit = make.unit()
    project = make.act("project_create", {"unit": unit["id"], "name": "只有名称的项目", "kind": "新建",
                                          "estimate_yuan": 1_000_000})
    assert not project["declaration_complete"]
    assert {"行政主管部门", "分管领导", "项目联系人", "建设背景和依据", "前期准备情况", "进度计划和年度资金估算",
            "填表人", "申报日期"} <= set(project["declaration_missing"])
    error = pytest.raises(Exception, make.act, "project_transition", {"id": project["id"], "transition": "submit"})
    assert "第十条" in str(error.value) and "行政主管部门" in str(error.value)
    full = make.act("project_create", declaration(unit["id"], name="填写完整的项目"))
    assert full["declaration_complete"] and full["declaration_missing"] == []


def test_technical_review_needs_attachments_1_and_2(reg, make):
    unit = make.unit()
    bare = make.system(unit)
    project = make.act("project_create", declaration(unit["id"], bare["id"]))
    make.act("project_transition", {"id": project["id"], "transition": "submit"})
    shown = make.act("project_show", {"id": project["id"]})
    checks = {c["label"]: c["ok"] for c in shown["next"][0]["checks"]}
    assert checks == {"申报表（附件1）填写完整": True, "信息资源目录（附件2）": False}
    with pytest.raises(Exception, match="第十条"):
        make.act("project_transition", {"id": project["id"], "transition": "review_pass", "opinion": "同意"})
    make.package(bare)
    assert make.act("project_transition", {"id": project["id"], "transition": "review_pass",
                                           "opinion": "同意"})["stage"] == "decision"


def test_name_lookup_lists_a_units_systems_by_name(reg, make):
    unit = make.unit(name="云阳县民政局")
    names = ["城乡低保信息管理系统", "婚姻登记管理信息系统", "殡葬管理服务系统"]
    for name in names:
        make.system(unit, name=name)
    found = make.act("name_lookup", {"kind": "system", "unit": unit["id"]})
    assert sorted(r["label"] for r in found["results"]) == sorted(names)
    assert [r["label"] for r in make.act("name_lookup", {"kind": "system", "q": "婚姻"})["results"]] == [names[1]]
    assert make.act("name_lookup", {"kind": "unit", "q": "民政"})["results"][0]["label"] == "云阳县民政局"


def test_the_providers_to_do_list_holds_the_requests_it_must_answer(sreg, make, county):  # noqa: F811
    police_user = make.user("department", county["police"])
    civil_user = make.user("department", county["civil"])
    created = sreg.run_action("sharing_request_create", civil_user["id"], request_payload(county))
    todo = sreg.run_action("due_list", police_user["id"], {})
    assert [s["request_id"] for s in todo["sharing"]] == [created["id"]]
    assert "第二十八条" in todo["sharing"][0]["citation"] and "共享申请" in todo["sharing"][0]["what"]
    assert sreg.run_action("due_list", civil_user["id"], {})["sharing"] == []   # the requester has nothing to answer
    unread = sreg.run_action("inbox_list", police_user["id"], {"rows": 0})["unread"]
    assert unread >= 1
