"""Budget reconciliation: a real budget workbook with name variants and typos against the directory."""
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from registry.core.errors import ValidationFailed
from registry.funding.storage import LocalUpload
from tests.funding_support import compliant_system

COUNTY = {
    ("gaj", "云阳县公安局"): ["户政管理信息系统", "云阳县智慧公安综合管理平台", "公安交通管理综合应用平台"],
    ("mzj", "云阳县民政局"): ["低保救助管理信息系统", "婚姻登记管理信息系统", "殡葬管理服务系统", "城乡低保信息管理系统（旧版）"],
    ("rsj", "云阳县人力资源和社会保障局"): ["社会保险经办系统", "就业创业服务管理系统"],
    ("ybj", "云阳县医疗保障局"): ["医疗保障信息平台（云阳）"],
    ("scjgj", "云阳县市场监督管理局"): ["食品药品安全监管系统", "市场主体登记注册系统"],
    ("wjw", "云阳县卫生健康委员会"): ["云阳县全民健康信息平台", "全民健康信息平台（二期）", "基本公共卫生服务管理系统"],
    ("czj", "云阳县财政局"): ["政府采购管理交易系统", "预算管理一体化系统"],
}

# (unit as written, system as written, amount, the system it means or None)
LINES = [
    ("云阳县公安局", "户政管理系统（二期）", 380000, None),                           # no phase 2 in the directory
    ("县公安局", "云阳县智慧公安综合管理平台运维费", 1200000, "云阳县智慧公安综合管理平台"),
    ("公安局", "公安交通管理综合应用系统V2.0", 450000, "公安交通管理综合应用平台"),
    ("云阳县民政局", "低保救助系统", 260000, "低保救助管理信息系统"),
    ("民政局", "2027年婚姻登记管理平台", 120000, "婚姻登记管理信息系统"),
    ("云阳县民政局", "殡葬管理服物系统", 80000, "殡葬管理服务系统"),                 # typo 物/务
    ("云阳县民政局", "城乡低保信息管理系统", 90000, "城乡低保信息管理系统（旧版）"),    # merged
    ("人社局", "社保经办系统", 520000, "社会保险经办系统"),                           # 简称
    ("云阳县医疗保障局", "医保平台（运维）", 300000, "医疗保障信息平台（云阳）"),        # registered alias
    ("云阳县市场监督管理局", "食品药品安全监官系统", 150000, "食品药品安全监管系统"),     # typo 官/管
    ("卫健委", "全民健康信息平台（二期）", 800000, "全民健康信息平台（二期）"),        # phases are systems
    ("云阳县卫生健康委员会", "基本公卫服务管理系统", 200000, "基本公共卫生服务管理系统"),
    ("云阳县财政局", "政府采购管理交易平台", 210000, "政府采购管理交易系统"),
    ("云阳县市场监督管理局", "智慧停车管理平台", 180000, None),                       # exists nowhere
    ("云阳县文化和旅游发展委员会", "全域旅游大数据平台", 350000, None),               # exists nowhere
]


@pytest.fixture
def county(make):
    systems = {}
    for (code, unit_name), names in COUNTY.items():
        unit = make.unit(code=code, name=unit_name)
        for name in names:
            aliases = ["医保平台"] if name.startswith("医疗保障") else []
            systems[name] = compliant_system(make, unit, name=name, aliases=aliases)
    make.act("directory_merge", {"id": systems["城乡低保信息管理系统（旧版）"]["id"],
                                 "into": systems["低保救助管理信息系统"]["id"], "decided_on": "2026-06-30", "reason": "整合"})
    return systems


def budget_workbook(path: Path, lines=LINES, header=("序号", "申报单位", "系统名称", "申请金额（元）")) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "运维经费"
    ws.append(["云阳县2027年度政务信息系统运行维护经费预算申报汇总表"])
    ws.append([])
    ws.append(list(header))
    for n, line in enumerate(lines, start=1):
        ws.append([n, *line[:3]])
    ws.append(["合计", "", "", sum(line[2] for line in lines if isinstance(line[2], (int, float)))])
    wb.save(path)
    return path


def upload(make, path: Path, year=2027) -> dict:
    return make.act("budget_upload", {"year": year, "upload": LocalUpload(path, path.name)})


def test_fixture_budget_list_every_line_matches_right_and_the_two_unknown_are_flagged_art28(make, county, tmp_path):
    run = upload(make, budget_workbook(tmp_path / "budget.xlsx"))
    assert run["line_count"] == len(LINES)
    report = make.act("budget_report", {"run": run["id"], "as_of": "2026-11-01"})
    for line, (unit, written, amount, meant) in zip(report["lines"], LINES):
        if meant is None:
            assert line["state"] == "unmatched" and line["system_id"] is None, written
            assert not line["eligible"] and line["articles"] == [28]
            assert line["reasons"][0]["message"].startswith("依据《管理办法》第二十八条")
            assert "未纳入政务信息系统总目录" in line["reasons"][0]["message"]
            assert line["amount_blocked"] == amount
        else:
            assert line["system_id"] == county[meant]["id"], (written, line["candidates"])
            assert line["state"] in ("matched", "suggested")
    by_name = {l["system_text"]: l for l in report["lines"]}
    assert by_name["户政管理系统（二期）"]["state"] == "unmatched"
    assert "总目录中没有第2期" in str(by_name["户政管理系统（二期）"]["explanation"])
    hit = by_name["云阳县智慧公安综合管理平台运维费"]
    assert hit["state"] == "matched" and hit["eligible"]
    merged = by_name["城乡低保信息管理系统"]
    assert not merged["eligible"] and "整合并入“低保救助管理信息系统”" in merged["reasons"][0]["message"]
    summary = report["summary"]
    assert summary["total"]["blocked"]["count"] == 4
    assert summary["total"]["blocked"]["amount"] == 380000 + 180000 + 350000 + 90000
    assert summary["by_rule"][0]["rule"] == "not_in_directory" and summary["by_rule"][0]["article_text"] == "第二十八条"


def test_confirmation_persists_and_changes_the_decision(make, county, tmp_path):
    run = upload(make, budget_workbook(tmp_path / "b.xlsx", LINES[:2] + LINES[-2:]))
    lines = make.act("budget_report", {"run": run["id"]})["lines"]
    make.act("budget_confirm", {"line": lines[2]["id"], "system": county["市场主体登记注册系统"]["id"]})
    make.act("budget_confirm", {"line": lines[0]["id"], "not_in_directory": True})
    after = make.act("budget_report", {"run": run["id"], "as_of": "2026-11-01"})["lines"]
    assert after[2]["state"] == "confirmed" and after[2]["system_name"] == "市场主体登记注册系统" and after[2]["eligible"]
    assert after[0]["state"] == "rejected" and not after[0]["eligible"] and after[0]["articles"] == [28]
    with pytest.raises(ValidationFailed):
        make.act("budget_confirm", {"line": lines[1]["id"]})


def test_bad_cells_are_reported_in_chinese_with_row_and_column_and_nothing_is_stored(make, county, tmp_path):
    path = budget_workbook(tmp_path / "bad.xlsx", [("云阳县公安局", "户政管理信息系统", "三十万"),
                                                   ("云阳县公安局", "", 1000), ("云阳县公安局", "预算管理", -5)])
    with pytest.raises(ValidationFailed) as info:
        upload(make, path)
    problems = info.value.error_dict()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(4, "D"), (5, "C"), (6, "D")]
    assert "金额必须是不小于 0 的数字" in problems[0]["reason"] and problems[1]["reason"] == "系统名称不能为空"
    assert make.act("budget_run_list", {}) == []


def test_header_is_found_by_text_and_wan_yuan_amounts_are_scaled(make, county, tmp_path):
    path = budget_workbook(tmp_path / "wan.xlsx", [("云阳县财政局", "预算管理一体化系统", 12.5)],
                           header=("编号", "预算单位", "信息系统名称", "运维经费（万元）"))
    run = upload(make, path)
    line = make.act("budget_report", {"run": run["id"]})["lines"][0]
    assert line["amount"] == 125000 and line["system_name"] == "预算管理一体化系统"


def test_a_file_without_the_header_is_refused(make, tmp_path):
    wb = Workbook()
    wb.active.append(["甲", "乙"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(ValidationFailed) as info:
        upload(make, tmp_path / "x.xlsx")
    assert "未找到表头" in info.value.message


def test_budget_report_workbook_and_summary_for_finance(make, county, tmp_path, client):
    run = upload(make, budget_workbook(tmp_path / "b.xlsx"))
    with client.session_transaction() as session:
        session["user_id"] = make.user("finance")["id"]
    response = client.get(f"/funding/budget/{run['id']}/report.xlsx")
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[4] == "匹配的总目录系统" and header[11] == "不予安排金额（元）" and header[12] == "匹配依据"
    unknown = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[2] == "智慧停车管理平台"][0]
    assert unknown[4] == "（未匹配）" and unknown[8] == "不予安排运行维护经费"
    assert unknown[9] == "依据《管理办法》第二十八条" and unknown[11] == 180000
    assert unknown[12].startswith("总目录中没有相符的系统")
    summary = wb["汇总"]
    labels = [r[1] for r in summary.iter_rows(min_row=2, values_only=True)]
    assert "未纳入政务信息系统总目录（第二十八条）" in labels


def test_cli_funding_report_with_and_without_a_budget_list(reg, make, county, tmp_path, monkeypatch):
    from registry.cli import main
    monkeypatch.setattr("registry.cli.make_registry", lambda: reg)
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["funding-report", "--year", "2027", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == sum(len(v) for v in COUNTY.values())
    assert all(r[5] for r in rows if r[4] == "不予安排运行维护经费"), "every blocked row cites its articles"
    budget = budget_workbook(tmp_path / "b.xlsx")
    result = CliRunner().invoke(main, ["funding-report", "--year", "2027", "--budget", str(budget), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "未匹配 3" in result.output
    assert load_workbook(out).worksheets[0].max_row == len(LINES) + 1
