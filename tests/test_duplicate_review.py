"""The Bureau's review of duplicate findings: explanations, every holder, confidence threshold, bulk
review with one reason, and one provider rule for the findings and the "already provided by" hint."""
import json

import pytest
from click.testing import CliRunner

from registry.core.errors import NotFound, ValidationFailed


def items(*specs):
    return [{"name": n, "data_type": t, "data_length": l} for n, t, l in specs]


@pytest.fixture
def county(make):
    police = make.unit(code="gaj", name="云阳县公安局")
    transport = make.unit(code="jtw", name="云阳县交通运输委员会")
    hukou = make.system(police, name="户政管理信息系统")
    yunzheng = make.system(transport, name="运政管理信息系统")
    make.act("package_create", {"system": hukou["id"], "title": "户籍人口信息", "sharing_type": "不予共享",
                                "items": items(("公民身份号码", "C", 18), ("姓名", "C", 50))})
    make.act("package_create", {"system": yunzheng["id"], "title": "驾驶员从业资格信息", "sharing_type": "有条件共享",
                                "sharing_method": "共享交换平台",
                                "items": items(("证件号码", "VARCHAR2(18)", None), ("姓名", "C", 50))})
    others = []
    for n in range(4):
        unit = make.unit(code=f"dw{n}", name=f"云阳县第{n}局")
        system = make.system(unit, name=f"第{n}局业务系统")
        make.act("package_create", {"system": system["id"], "title": f"服务对象信息{n}", "sharing_type": "不予共享",
                                    "items": items(("身份证号", "C", 18), ("居民身份证号码", "C", 18), ("手机号码", "C", 11))})
        others.append(system)
    return police, transport, hukou, yunzheng, others


def findings(make, **filters):
    return make.act("duplicate_list", {"rows": 1000, **filters})["results"]


def test_every_finding_explains_what_matched_with_the_score_of_each_step(make, county):
    finding = next(f for f in findings(make, kind="item", data_element="DE0001") if f["system_name"] == "运政管理信息系统")
    shown = make.act("duplicate_show", {"id": finding["id"]})
    steps = shown["explanation"]
    assert steps[0]["step"] == "同一数据项" and "公民身份号码" in steps[0]["detail"]
    assert any("类型长度作证" in s["step"] and "18" in s["detail"] for s in steps)  # 证件号码 at VARCHAR2(18)
    assert steps[-1]["step"].startswith("提供方") and "权威来源单位（公安）" in steps[-1]["detail"]
    assert all(isinstance(s["score"], float) for s in steps)
    assert shown["evidence"]["items"][0]["why"][0]["score"] == 1.0


def test_the_finding_lists_every_holder_not_three(make, county):
    finding = next(f for f in findings(make, kind="item", data_element="DE0001") if f["system_name"] == "第0局业务系统")
    shown = make.act("duplicate_show", {"id": finding["id"]})
    assert shown["evidence"]["other_count"] == 8 and len(shown["evidence"]["others"]) == 3
    holders = shown["holders"]
    assert len(holders) == 10 and len({h["unit"] for h in holders}) == 6
    assert [h["side"] for h in holders[:2]] == ["本系统", "本系统"] and holders[2]["side"] == "提供方"
    assert holders[2]["unit"] == "云阳县公安局" and all(h["why"] for h in holders)


def test_the_hint_and_the_findings_name_the_same_provider(make, county):
    police, transport, hukou, yunzheng, others = county
    hint = make.act("item_provider_lookup", {"name": "身份证号", "data_type": "C", "data_length": 18, "unit": "dw0"})
    assert hint["providers"][0]["unit"] == "云阳县公安局" and hint["providers"][0]["authority"]
    assert {p["unit"] for p in hint["providers"]} == {"云阳县公安局"}
    provider_names = {f["provider_system_name"] for f in findings(make, kind="item", data_element="DE0001")}
    assert provider_names == {"户政管理信息系统"}


def test_findings_are_ranked_by_confidence_above_the_bureaus_threshold(make, county):
    ranked = make.act("duplicate_list", {"rows": 1000, "sort": "score desc"})["results"]
    scores = [f["score"] for f in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(f["score"] >= 0.95 for f in findings(make, min_score=0.95))
    assert len(findings(make, min_score=0.95)) < len(ranked)
    with pytest.raises(ValidationFailed):
        findings(make, min_score=2)


def test_bulk_review_confirms_many_with_one_reason_and_each_keeps_its_provider(make, county):
    bureau = make.user("bureau")
    open_items = [f for f in findings(make, kind="item", data_element="DE0001") if f["role"] == "recollector"]
    result = make.act("duplicate_review_bulk", {"ids": [f["id"] for f in open_items], "decision": "confirm",
                                                "reason": "复用公安人口库"}, bureau["id"])
    assert result["count"] == len(open_items) >= 5
    after = findings(make, kind="item", data_element="DE0001", state="confirmed")
    assert {f["reason"] for f in after} == {"复用公安人口库"}
    assert {f["must_reuse_from_system_name"] for f in after} == {"户政管理信息系统"}
    log = make.act("audit_log_list", {"entity_type": "duplicate_finding"}, bureau["id"])
    assert sum(1 for e in log if e["action"] == "duplicate_review") >= len(open_items)


def test_bulk_dismiss_needs_a_reason_and_changes_nothing_without_one(make, county):
    bureau = make.user("bureau")
    ids = [f["id"] for f in findings(make, kind="item")][:3]
    with pytest.raises(ValidationFailed) as raised:
        make.act("duplicate_review_bulk", {"ids": ids, "decision": "dismiss"}, bureau["id"])
    assert "理由" in json.dumps(raised.value.errors, ensure_ascii=False)
    assert {f["state"] for f in findings(make)} == {"open"}
    with pytest.raises(NotFound):
        make.act("duplicate_review_bulk", {"ids": [999_999], "decision": "dismiss", "reason": "x"}, bureau["id"])


def test_bulk_confirm_of_an_undecided_finding_stops_the_batch_and_names_it(make, county):
    bureau = make.user("bureau")
    undecided = [f for f in findings(make, kind="item") if f["role"] == "undecided"]
    recollector = [f for f in findings(make, kind="item") if f["role"] == "recollector"]
    with pytest.raises(ValidationFailed) as raised:
        make.act("duplicate_review_bulk", {"ids": [recollector[0]["id"], undecided[0]["id"]], "decision": "confirm",
                                           "reason": "批量"}, bureau["id"])
    assert f"#{undecided[0]['id']}" in json.dumps(raised.value.errors, ensure_ascii=False)
    assert {f["state"] for f in findings(make)} == {"open"}


def test_department_cannot_bulk_review(make, county):
    from registry.core.errors import NotAuthorized
    police = county[0]
    user = make.user("department", police)
    with pytest.raises(NotAuthorized):
        make.act("duplicate_review_bulk", {"ids": [findings(make)[0]["id"]], "decision": "dismiss", "reason": "x"},
                 user["id"])


def test_json_export_lists_every_holder_with_its_explanation(make, county, app, monkeypatch):
    from registry.cli import main
    monkeypatch.setattr("registry.cli.make_registry", lambda: app.extensions["registry"])
    out = CliRunner().invoke(main, ["duplicates", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    person_id = [f for f in data if f["data_element"] == "DE0001"]
    assert all(len(f["rows"]) == 10 for f in person_id)
    assert all(f["explanation"] and all(r["why"] for r in f["rows"]) for f in person_id)
