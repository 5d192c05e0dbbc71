"""Budget lines as finance writes them against a directory with phases and look-alikes (issue 16):
every class of error measured on the real set, each judgement explained, bulk confirmation."""
import json

import pytest
from click.testing import CliRunner

from registry.core.errors import ValidationFailed
from registry.funding import matching
from tests.test_funding_budget import budget_workbook, upload

DIRECTORY = {
    ("sthj", "云阳县生态环境局"): ["水环境质量自动监测系统", "大气环境质量监测系统"],
    ("zjw", "云阳县住房和城乡建设委员会"): ["燃气安全监管平台", "智慧工地监管平台"],
    ("gtj", "云阳县规划和自然资源局"): ["不动产统一登记平台", "不动产统一登记平台（二期）", "自然资源地理信息系统"],
    ("scj", "云阳县市场监督管理局"): ["智慧食品安全监管平台", "特种设备安全监管系统"],
    ("rmyy", "云阳县人民医院"): ["实验室信息管理系统", "医院信息系统"],
    ("gaj", "云阳县公安局"): ["校园一键报警系统", "户政管理信息系统"],
    ("dsj", "云阳县大数据应用发展管理中心"): ["政府门户网站", "政务数据共享交换平台"],
    ("ljz", "云阳县龙角镇人民政府"): ["网格化社会治理平台"],
    ("gly", "云阳县故陵镇人民政府"): ["网格化社会治理平台", "数字乡村平台"],
    ("hsz", "云阳县红狮镇人民政府"): ["网格化社会治理平台"],
}

# (unit as written, system as written, amount, (unit code, system meant) or None, the state expected)
LINES = [
    ("环境局", "水环境质量自动监测系统运维费", 100, ("sthj", "水环境质量自动监测系统"), "matched"),
    ("云阳县生态环境局", "声环境质量自动监测系统运维", 100, None, "unmatched"),          # another subject
    ("住建委", "燃汽安全监管平台维保", 100, ("zjw", "燃气安全监管平台"), "matched"),           # homophone typo
    ("规资局", "不动产统一登记平台（二期）运行维护费", 100, ("gtj", "不动产统一登记平台（二期）"), "matched"),
    ("规资局", "不动产统一登记平台运维", 100, ("gtj", "不动产统一登记平台"), "matched"),
    ("规资局", "不动产统一登记平台三期", 100, None, "unmatched"),                           # phase not held
    ("规资局", "自然资源GIS维保", 100, ("gtj", "自然资源地理信息系统"), "matched"),           # GIS
    ("市场监管局", "智慧食安监管平台等保测评", 100, ("scj", "智慧食品安全监管平台"), "matched"),  # 食安
    ("县人民医院", "LIS系统维保服务", 100, ("rmyy", "实验室信息管理系统"), "matched"),         # LIS
    ("县公安局", "校园一键报警终端维护", 100, ("gaj", "校园一键报警系统"), "matched"),        # service words
    ("县公安局", "户政管理系统（二期）", 100, None, "unmatched"),                            # phase not held
    ("大数据中心", "政府门户网站内容保障服务", 100, ("dsj", "政府门户网站"), "matched"),
    ("龙角镇", "数字乡村平台", 100, None, "unmatched"),                                     # another town's only
    ("渠马镇", "网格化社会治理平台运维", 100, None, "unmatched"),                            # unit holds none
]


@pytest.fixture
def directory(make):
    systems = {}
    for (code, unit_name), names in DIRECTORY.items():
        unit = make.unit(code=code, name=unit_name)
        for name in names:
            systems[(code, name)] = make.system(unit, name=name)
    make.unit(code="qmz", name="云阳县渠马镇人民政府")
    return systems


def test_each_class_of_error_seen_on_real_budget_lines_is_judged_right(make, directory, tmp_path):
    run = upload(make, budget_workbook(tmp_path / "b.xlsx", [line[:3] for line in LINES]))
    report = make.act("budget_report", {"run": run["id"]})
    for line, (unit, written, _, meant, state) in zip(report["lines"], LINES):
        assert line["state"] == state, (written, line["explanation"]["summary"])
        expected = directory[meant]["id"] if meant else None
        assert line["system_id"] == expected, (written, line["explanation"]["summary"])


def test_an_automatic_match_says_why_and_what_it_beat_by_how_much(make, directory, tmp_path):
    run = upload(make, budget_workbook(tmp_path / "b.xlsx", [LINES[3][:3], LINES[0][:3]]))
    phased, water = make.act("budget_report", {"run": run["id"]})["lines"]
    x = phased["explanation"]
    assert x["phase"] == 2 and {"kind": "service", "label": "经费/服务用语", "text": "运行维护费"} in x["line"]["removed"]
    assert x["summary"].startswith("自动匹配“不动产统一登记平台") and "期次一致（第2期）" in x["summary"]
    assert phased["system_id"] == directory[("gtj", "不动产统一登记平台（二期）")]["id"]
    chosen = [c for c in phased["candidates"] if c["verdict"] == "chosen"][0]
    assert any("期次一致" in s["text"] for s in chosen["steps"])
    rival = [c for c in phased["candidates"] if c["name"] == "不动产统一登记平台"][0]
    assert rival["verdict"] == "excluded" and "该系统未注明期次（总目录另有第2期）" in rival["why"]
    air = [c for c in water["candidates"] if c["name"] == "大气环境质量监测系统"][0]
    assert air["verdict"] == "excluded" and "主题词不一致" in air["why"]
    assert water["explanation"]["unit"]["how"].startswith("单位简称“环境局”")


def test_a_look_alike_of_another_subject_is_flagged_not_in_the_directory_with_the_reason(make, directory, tmp_path):
    run = upload(make, budget_workbook(tmp_path / "b.xlsx", [LINES[1][:3]]))
    line = make.act("budget_report", {"run": run["id"]})["lines"][0]
    assert line["state"] == "unmatched" and line["articles"] == [28]
    assert "主题词不一致：申报写“声”，该系统为“水”" in line["explanation"]["summary"]


def test_parse_takes_apart_what_finance_adds_and_keeps_the_phase():
    parsed = matching.parse("2027年度云阳县县发改委投资项目在线审批监管平台（二期）运维费", "云阳县发展和改革委员会")
    assert parsed.core == "投资项目在线审批" and parsed.phase == 2 and parsed.phase_kind == "期"
    assert [k for k, _ in parsed.steps][:2] == ["phase", "year"]
    assert matching.parse("残疾人服务管理系统V2.0", "云阳县残疾人联合会").version == 2
    assert matching.homophones("燃汽", "燃气") and not matching.homophones("声", "水")


def test_bulk_confirm_above_the_threshold_confirms_only_those_and_audits_each(make, directory, tmp_path, reg):
    lines = [("县人民医院", "医院信息平台", 100), ("环境局", "大气环境监测", 100), ("龙角镇", "网格化治理平台", 100),
             ("规资局", "不动产统一登记平台运维", 100)]
    run = upload(make, budget_workbook(tmp_path / "b.xlsx", lines))
    before = make.act("budget_report", {"run": run["id"]})["lines"]
    suggested = [l for l in before if l["state"] == "suggested"]
    assert len(suggested) >= 2, [(l["system_text"], l["state"], l["confidence"]) for l in before]
    threshold = int(sorted(l["confidence"] for l in suggested)[-1])
    result = make.act("budget_confirm_bulk", {"run": run["id"], "min_score": threshold, "reason": "已与财政局核对"})
    high = [l for l in suggested if l["confidence"] >= threshold]
    assert result["confirmed"] == len(high) and sorted(result["lines"]) == sorted(l["id"] for l in high)
    after = {l["id"]: l for l in make.act("budget_report", {"run": run["id"]})["lines"]}
    for line in before:
        if line in high:
            assert after[line["id"]]["state"] == "confirmed" and after[line["id"]]["system_id"] == line["system_id"]
        else:
            assert after[line["id"]]["state"] == line["state"]
    logged = make.act("audit_log_list", {"entity_type": "budget_line"})
    rows = logged["results"] if isinstance(logged, dict) else logged
    bulk = [r for r in rows if r["action"] == "budget_confirm_bulk"]
    assert len(bulk) == len(high) and all(r["after"]["reason"] == "已与财政局核对" for r in bulk)
    with pytest.raises(ValidationFailed):
        make.act("budget_confirm_bulk", {"run": run["id"], "min_score": 30})


def test_cli_funding_report_budget_json_carries_the_explanations(reg, make, directory, tmp_path, monkeypatch):
    from registry.cli import main
    monkeypatch.setattr("registry.cli.make_registry", lambda: reg)
    path = budget_workbook(tmp_path / "b.xlsx", [line[:3] for line in LINES[:3]])
    result = CliRunner().invoke(main, ["funding-report", "--year", "2027", "--budget", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    first = report["lines"][0]
    assert first["explanation"]["summary"].startswith("自动匹配“水环境质量自动监测系统”")
    assert {c["verdict"] for c in first["candidates"]} >= {"chosen"}
    assert report["lines"][1]["state"] == "unmatched"


def test_a_line_without_a_unit_is_matched_when_one_system_of_the_whole_directory_fits(make, directory, tmp_path):
    lines = [("", "燃汽安全监管平台维保", 100), ("", "网格化社会治理平台运维", 100), ("县里某局", "燃气安全监管平台", 100)]
    run = upload(make, budget_workbook(tmp_path / "b.xlsx", lines))
    gas, grid, unknown_unit = make.act("budget_report", {"run": run["id"]})["lines"]
    assert gas["state"] == "matched" and gas["system_id"] == directory[("zjw", "燃气安全监管平台")]["id"]
    assert grid["state"] == "suggested" and "只差0.0分" in grid["explanation"]["summary"]   # three towns hold it
    assert unknown_unit["state"] == "suggested" and "未能识别单位“县里某局”" in unknown_unit["explanation"]["summary"]


def test_a_homophone_typo_in_the_generic_tail_is_read_as_the_tail():
    typo = matching.parse("燃气安全监管平抬运维费", "云阳县住房和城乡建设委员会")
    assert typo.core == matching.parse("燃气安全监管平台", "云阳县住房和城乡建设委员会").core == "燃气安全"
    assert ("typo", "平抬（即“平台”）") in typo.steps


def test_phases_against_the_directory(make, tmp_path):
    unit = make.unit(code="tjj", name="云阳县统计局")
    only_first = make.system(unit, name="统计联网直报平台（一期）")
    first, second = make.system(unit, name="统计数据管理系统一期"), make.system(unit, name="统计数据管理系统二期")
    lines = [("统计局", "统计联网直报平台运维", 1), ("统计局", "统计数据管理系统二期运维费", 1),
             ("统计局", "统计数据管理系统", 1), ("统计局", "统计联网直报平台（三期）", 1)]
    run = upload(make, budget_workbook(tmp_path / "b.xlsx", lines))
    plain, phase2, unsaid, third = make.act("budget_report", {"run": run["id"]})["lines"]
    assert plain["state"] == "matched" and plain["system_id"] == only_first["id"]
    assert phase2["state"] == "matched" and phase2["system_id"] == second["id"]
    assert unsaid["state"] == "suggested" and "总目录中只有第" in unsaid["explanation"]["summary"]
    assert third["state"] == "unmatched" and "期次不同：申报为第3期，该系统为第1期" in third["explanation"]["summary"]
    assert first["id"] != second["id"]
