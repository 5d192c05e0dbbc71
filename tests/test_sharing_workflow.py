"""The sharing chain through the HTTP API: confirmed finding → proposed request → answer →
sharing record → feedback → objection → answer, each step by the right role, wrong roles refused;
the provider's details hidden until approval; every write audited; bad input changes nothing."""
import pytest
from sqlalchemy import func, select

from registry.core.audit_log import AuditLog
from registry.sharing.models import SharingRecord, SharingRequest
from tests.sharing_helpers import PROVIDER_API, PROVIDER_PHONE, api, county, request_payload, sreg  # noqa: F401


@pytest.fixture
def people(make, county):  # noqa: F811
    users = {"police": make.user("department", county["police"]), "civil": make.user("department", county["civil"]),
             "other": make.user("department", county["other"]), "bureau": make.user("bureau"),
             "finance": make.user("finance")}
    return {k: make.token(u) for k, u in users.items()}


def refused(status, body):
    return status == 403 and body["error"]["__type"] == "Authorization Error"


def test_chain_from_finding_to_objection_answer_by_the_right_roles(client, county, people):  # noqa: F811
    t = people
    status, body = api(client, "sharing_contact_set", t["civil"], {"resource": county["people"]["id"],
                                                                   "contact_person": "冒名"})
    assert refused(status, body)
    status, _ = api(client, "sharing_contact_set", t["police"], {
        "resource": county["people"]["id"], "contact_person": "张警官", "contact_phone": PROVIDER_PHONE,
        "interface_address": PROVIDER_API})
    assert status == 200

    # The Bureau confirms the re-collection of 公民身份号码 by 民政局 (provider: 户政管理信息系统).
    _, found = api(client, "duplicate_list", t["bureau"], {"kind": "item", "rows": 100})
    finding = next(f for f in found["result"]["results"]
                   if f["element_name"] == "公民身份号码" and f["system_id"] == str(county["dibao"]["id"]))
    status, _ = api(client, "duplicate_review", t["bureau"], {"id": finding["id"], "decision": "confirm",
                                                               "must_reuse_from": county["hukou"]["id"]})
    assert status == 200

    # The finding proposes a request pre-filled with the matched items.
    for who in ("other", "finance", None):
        assert refused(*api(client, "sharing_request_propose_from_finding", t.get(who), {"id": finding["id"]}))
    status, body = api(client, "sharing_request_propose_from_finding", t["civil"], {"id": finding["id"]})
    draft = body["result"]
    assert status == 200 and draft["resource"] == str(county["people"]["id"])   # API ids are strings
    assert [i["name"] for i in draft["items"]] == ["公民身份号码"]
    assert draft["requester_system"] == str(county["dibao"]["id"]) and "第二十八条" in draft["basis"]

    data = {k: draft[k] for k in ("resource", "requester_system", "purpose", "basis", "sharing_method", "finding")}
    data.update(items=[i["id"] for i in draft["items"]], scenario="低保申请受理时核验身份", origin="finding")
    for who in ("other", "finance", "bureau", None):
        assert refused(*api(client, "sharing_request_create", t.get(who), data))
    status, body = api(client, "sharing_request_create", t["civil"], data)
    assert status == 200, body
    req = body["result"]
    assert req["status"] == "pending" and req["origin"] == "finding" and req["finding_id"] == finding["id"]
    assert req["answerer"] == "provider" and req["sharing_class"] == "conditional"

    # Provider's details hidden from the consumer until approved; visible to the provider.
    _, shown = api(client, "sharing_request_show", t["civil"], {"id": req["id"]})
    assert "provider_details" not in shown["result"] and PROVIDER_PHONE not in str(shown)
    _, shown = api(client, "sharing_request_show", t["police"], {"id": req["id"]})
    assert shown["result"]["provider_details"]["contact_phone"] == PROVIDER_PHONE
    assert refused(*api(client, "sharing_request_show", t["other"], {"id": req["id"]}))

    for who in ("civil", "other", "bureau", "finance", None):
        assert refused(*api(client, "sharing_request_answer", t.get(who), {"id": req["id"], "decision": "approve"}))
    status, body = api(client, "sharing_request_answer", t["police"], {"id": req["id"], "decision": "同意",
                                                                       "note": "请通过共享交换平台调用"})
    assert status == 200 and body["result"]["status"] == "approved"

    _, shown = api(client, "sharing_request_show", t["civil"], {"id": req["id"]})
    assert shown["result"]["provider_details"] == {"contact_person": "张警官", "contact_phone": PROVIDER_PHONE,
                                                   "interface_address": PROVIDER_API}
    record_id = shown["result"]["record_id"]
    _, records = api(client, "sharing_record_list", t["civil"], {"box": "consumed"})
    record = records["result"]["results"][0]
    assert record["id"] == record_id and record["status"] == "active"
    assert record["items"] == [{"item_id": data["items"][0], "name": "公民身份号码"}]
    assert record["consumer_system_id"] == str(county["dibao"]["id"]) and record["sharing_method"] == "platform"
    _, records = api(client, "sharing_record_list", t["other"], {})
    assert records["result"]["count"] == 0

    feedback = {"record": record_id, "period": "2026 年度", "usage": "核验低保申请人身份 1200 次", "calls": 1200}
    for who in ("police", "other", "bureau", None):
        assert refused(*api(client, "sharing_feedback_create", t.get(who), feedback))
    assert api(client, "sharing_feedback_create", t["civil"], feedback)[0] == 200

    objection = {"record": record_id, "item": data["items"][0], "kind": "数据过期", "description": "迁出人员仍显示在册"}
    for who in ("police", "other", "bureau", None):
        assert refused(*api(client, "sharing_objection_create", t.get(who), objection))
    status, body = api(client, "sharing_objection_create", t["civil"], objection)
    assert status == 200 and body["result"]["kind"] == "stale" and body["result"]["result"] is None
    objection_id = body["result"]["id"]

    answer = {"id": objection_id, "result": "已更正", "answer": "已同步迁出数据"}
    for who in ("civil", "other", "bureau", None):
        assert refused(*api(client, "sharing_objection_answer", t.get(who), answer))
    assert api(client, "sharing_objection_answer", t["police"], answer)[0] == 200

    for who in ("civil", "police", "bureau"):
        _, shown = api(client, "sharing_record_show", t[who], {"id": record_id})
        history = shown["result"]
        assert [f["usage"] for f in history["feedback"]] == ["核验低保申请人身份 1200 次"]
        assert history["objections"][0]["result_label"] == "已更正" and history["objections"][0]["kind_label"] == "数据过期"

    _, inbox = api(client, "inbox_list", t["police"], {})
    assert {m["kind"] for m in inbox["result"]["results"]} >= {"new_request", "feedback", "objection"}
    _, inbox = api(client, "inbox_list", t["civil"], {})
    assert {m["kind"] for m in inbox["result"]["results"]} >= {"answer", "objection_answer"}


def test_every_sharing_write_is_in_the_audit_log(sreg, make, county):  # noqa: F811
    police_user = make.user("department", county["police"])
    req = make.act("sharing_request_create", request_payload(county))
    make.act("sharing_request_answer", {"id": req["id"], "decision": "approve"}, police_user["id"])
    record = make.act("sharing_record_list", {})["results"][0]
    make.act("sharing_feedback_create", {"record": record["id"], "period": "2026", "usage": "核验"})
    obj = make.act("sharing_objection_create", {"record": record["id"], "item": record["items"][0]["item_id"],
                                                "kind": "wrong", "description": "号码错误"})
    make.act("sharing_objection_answer", {"id": obj["id"], "result": "explained", "answer": "核实无误"})
    make.act("sharing_record_revoke", {"id": record["id"], "reason": "系统停用"})
    with sreg.db.sessions() as session:
        logged = {a: (u, b, c) for a, u, b, c in session.execute(
            select(AuditLog.action, AuditLog.username, AuditLog.before, AuditLog.after)
            .where(AuditLog.entity_type.like("sharing%")))}
    assert set(logged) >= {"sharing_request_create", "sharing_request_answer", "sharing_record_create",
                           "sharing_feedback_create", "sharing_objection_create", "sharing_objection_answer",
                           "sharing_record_revoke"}
    assert logged["sharing_request_answer"][0] == police_user["username"]
    assert logged["sharing_request_answer"][1]["status"] == "pending"
    assert logged["sharing_request_answer"][2]["status"] == "approved"


def _counts(reg):
    with reg.db.sessions() as session:
        return (session.scalar(select(func.count()).select_from(SharingRequest)),
                session.scalar(select(func.count()).select_from(SharingRecord)),
                session.scalar(select(func.count()).select_from(AuditLog)))


@pytest.mark.parametrize("change, field, message", [
    ({"purpose": ""}, "purpose", "用途不能为空"),
    ({"scenario": None}, "scenario", "应用场景不能为空"),
    ({"items": []}, "items", "申请的信息项须选择"),
    ({"items": [999999]}, "items", "不属于信息资源"),
    ({"sharing_method": "快递"}, "sharing_method", "不是有效的共享方式"),
    ({"period_start": "2026-12-01", "period_end": "2026-11-01"}, "period_end", "截止日期不能早于起始日期"),
    ({"period_end": "明年"}, "period_end", "年-月-日"),
    ({"requester_system": "gaj-system-unknown"}, None, "不存在"),
])
def test_bad_request_input_gets_a_chinese_message_and_changes_nothing(client, county, people, sreg,  # noqa: F811
                                                                     change, field, message):
    before = _counts(sreg)
    status, body = api(client, "sharing_request_create", people["civil"], {**request_payload(county), **change})
    assert status in (404, 409) and message in body["error"]["message"]
    if field:
        assert field in body["error"]
    assert _counts(sreg) == before


def test_request_for_a_resource_not_shared_must_state_its_basis(sreg, make, county):  # noqa: F811
    from registry.core.errors import ValidationFailed
    make.act("item_patch", {"id": county["people"]["items"][1]["id"], "sharing_type": "不予共享"})
    with pytest.raises(ValidationFailed) as caught:
        make.act("sharing_request_create", request_payload(county, ("姓名",), basis=""))
    assert "申请不予共享的信息项须写明依据" in caught.value.message
    req = make.act("sharing_request_create", request_payload(county, ("姓名",)))
    assert req["sharing_class"] == "none" and req["answerer"] == "provider"


@pytest.mark.parametrize("answer, message", [
    ({"decision": "refuse"}, "不同意（或部分同意）须说明理由"),
    ({"decision": "refuse", "reason": "涉及个人隐私"}, "须给出法律法规或政策依据"),
    ({"decision": "partial", "reason": "r", "basis": "b"}, "部分同意须列出同意共享的信息项"),
    ({"decision": "批准"}, "不是有效的答复结论"),
])
def test_refusal_without_reason_or_basis_is_refused(sreg, make, county, answer, message):  # noqa: F811
    from registry.core.errors import ValidationFailed
    req = make.act("sharing_request_create", request_payload(county, ("公民身份号码", "姓名")))
    with pytest.raises(ValidationFailed) as caught:
        make.act("sharing_request_answer", {"id": req["id"], **answer})
    assert message in caught.value.message
    assert make.act("sharing_request_show", {"id": req["id"]})["status"] == "pending"


def test_partial_approval_shares_only_the_approved_items(sreg, make, county):  # noqa: F811
    req = make.act("sharing_request_create", request_payload(county, ("公民身份号码", "姓名")))
    keep = req["items"][0]["id"]
    result = make.act("sharing_request_answer", {"id": req["id"], "decision": "partial", "items": [keep],
                                                 "reason": "姓名单独提供无必要", "basis": "《个人信息保护法》第六条"})
    assert result["status"] == "partial"
    record = make.act("sharing_record_list", {})["results"][0]
    assert [i["item_id"] for i in record["items"]] == [keep]


def test_unconditional_request_goes_to_the_bureau_or_is_approved_automatically(app, sreg, make, county):  # noqa: F811
    from dataclasses import replace

    from registry.core.errors import NotAuthorized
    from registry.core.runtime import Registry
    make.act("package_patch", {"id": county["people"]["id"], "sharing_type": "无条件共享"})
    req = make.act("sharing_request_create", request_payload(county))
    assert req["answerer"] == "bureau" and req["status"] == "pending"
    police_user = make.user("department", county["police"])
    with pytest.raises(NotAuthorized):
        sreg.run_action("sharing_request_answer", police_user["id"], {"id": req["id"], "decision": "approve"})
    bureau = make.user("bureau")
    assert sreg.run_action("sharing_request_answer", bureau["id"], {"id": req["id"], "decision": "approve"})["status"] == "approved"
    auto = Registry(replace(sreg.settings, policy=replace(sreg.settings.policy, sharing_unconditional_review="auto")),
                    sreg.db, sreg.search)
    civil_user = make.user("department", county["civil"])
    other = auto.run_action("sharing_request_create", civil_user["id"], request_payload(county, ("姓名",)))
    assert other["status"] == "approved" and other["answered_by"] == "自动符合性审查"


def test_withdraw_only_by_the_requester_and_only_while_pending(sreg, make, county):  # noqa: F811
    from registry.core.errors import Conflict, NotAuthorized
    req = make.act("sharing_request_create", request_payload(county))
    police_user = make.user("department", county["police"])
    with pytest.raises(NotAuthorized):
        sreg.run_action("sharing_request_withdraw", police_user["id"], {"id": req["id"]})
    civil_user = make.user("department", county["civil"])
    assert sreg.run_action("sharing_request_withdraw", civil_user["id"], {"id": req["id"]})["status"] == "withdrawn"
    with pytest.raises(Conflict):
        sreg.run_action("sharing_request_withdraw", civil_user["id"], {"id": req["id"]})


def test_a_second_pending_request_for_the_same_resource_is_refused(sreg, make, county):  # noqa: F811
    from registry.core.errors import Conflict
    make.act("sharing_request_create", request_payload(county))
    with pytest.raises(Conflict) as caught:
        make.act("sharing_request_create", request_payload(county))
    assert "已有待答复的共享申请" in caught.value.message
