"""The three users' journeys on the demo county, in real headless Chromium (issue 7).

Each journey saves a 1366×768 screenshot of its last page and of its dashboard to docs/screenshots/.
The `browser` fixture fails the test if any page asked for a host other than the app's own.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from registry.demo_data import DEMO_PASSWORD
from tests.browser import browser  # noqa: F401  (fixture)
from tests.import_workbooks import write_xlsx

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
UNIT = "云阳县民政局"
SYSTEM = "困难群众救助一件事系统"
# (title, 分类, 类型, 共享类型, 共享方式, 是否开放, 开放条件, 更新周期, items)
GOOD = [("临时救助对象信息", "数据库类", "mysql", "有条件共享", "共享交换平台", "否", None, "每月",
         (("救助对象姓名", "字符型C", 50, None), ("救助金额", "货币型Y", 12, None), ("救助事由", "字符型C", 200, None))),
        ("救助审批记录", "电子表格", "xlsx", "无条件共享", "接口", "否", None, "每季度",
         (("审批日期", "日期型D", 8, None), ("审批意见", "字符型C", 200, None)))]

# (单位, 系统名称 as finance writes it, 元): two name variants the matcher only suggests (低保, 就业:
# a subject word missing), two it matches by itself (预算一体化: only 管理 missing; 交管平台: the
# registered alias), three systems the engine blocks (two matched, one not in the directory at all).
BUDGET = [("云阳县民政局", "低保系统", 260_000), ("云阳县人力资源和社会保障局", "就业服务系统", 180_000),
          ("云阳县财政局", "预算一体化", 210_000), ("云阳县公安局", "交管平台", 450_000),
          ("云阳县交通运输委员会", "道路运输管理系统", 300_000), ("市场监管局", "停车管理平台", 80_000)]


def shot(browser, name: str) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


@pytest.fixture
def demo(demo_loaded):
    return demo_loaded


def catalog_rows(resources):
    from tests.import_workbooks import form_rows
    rows, merges = form_rows(resources=resources, unit=UNIT, system_column=SYSTEM)
    return rows, merges


def test_department_user_fixes_two_flagged_cells_and_sees_its_resources(browser, demo, tmp_path):  # noqa: F811
    bad = [list(r) for r in GOOD]
    bad[0][3] = "看情况共享"                                         # 共享类型: not one of the three
    items = list(bad[1][8])
    items[0] = ("审批日期", "字符型C", "很长", None)                    # 数据长度: not a number
    bad[1][8] = tuple(items)
    broken = write_xlsx(tmp_path / "民政局目录.xlsx", {"目录": catalog_rows([tuple(r) for r in bad])})

    browser.login("yymzj", DEMO_PASSWORD)
    page = browser.page
    assert "民政局工作台" in page.locator("h1").inner_text()
    page.get_by_role("link", name="导入本单位目录 Excel").click()
    page.get_by_label("文件 *").set_input_files(str(broken))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_load_state()
    problems = page.locator("#problems tbody tr")
    assert problems.count() == 2
    text = page.locator("#problems").inner_text()
    assert "看情况共享" in text and "很长" in text

    with page.expect_download() as info:
        page.get_by_role("link", name="下载标注了问题的工作簿").click()
    annotated = tmp_path / "annotated.xlsx"
    info.value.save_as(annotated)
    book = openpyxl.load_workbook(annotated)
    flagged = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.comment is not None]
    assert {str(c.value) for c in flagged} >= {"看情况共享", "很长"}

    fixed = write_xlsx(tmp_path / "民政局目录（已改）.xlsx", {"目录": catalog_rows(GOOD)})
    page.get_by_role("link", name="修改后重新上传").click()
    page.get_by_label("文件 *").set_input_files(str(fixed))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_load_state()
    assert "导入完成" in page.locator(".flash-success").inner_text()

    page.get_by_role("link", name="本单位工作台").click()
    page.get_by_role("link", name=SYSTEM).click()
    listed = page.locator("main").inner_text()
    assert "临时救助对象信息" in listed and "救助审批记录" in listed
    shot(browser, "journey-1-department-resources")
    browser.goto("/dashboard/unit")
    shot(browser, "dashboard-unit")


def test_bureau_confirms_an_id_card_duplicate_and_the_heat_map_marks_it(browser, demo):  # noqa: F811
    browser.login("bureau", DEMO_PASSWORD)
    page = browser.page
    assert page.url.endswith("/dashboard/bureau")
    before = int(page.locator("#confirmed-total").inner_text())
    marks_before = page.locator("#heatmap polygon.confirmed").count()
    shot(browser, "dashboard-bureau")

    page.get_by_label("检索信息资源").fill("身份证")
    page.get_by_label("检索信息资源").press("Enter")
    page.wait_for_load_state()
    assert "身份证" in page.locator("main").inner_text()
    page.get_by_role("link", name="信息项检索").click()
    page.locator("main input[name=q]").fill("身份证")
    page.locator("main input[name=q]").press("Enter")
    page.wait_for_load_state()
    assert "公民身份号码" in page.locator("main").inner_text() or "身份证" in page.locator("main").inner_text()

    page.get_by_role("link", name="工作台").click()                # most re-collected element → its findings
    page.locator("#top-elements").get_by_role("link", name="公民身份号码").first.click()
    page.locator("#findings tbody tr", has_text="待审核").first.locator("a").first.click()
    page.wait_for_load_state()
    page.locator("#decision").select_option("confirm")
    page.locator("#reason").fill("公民身份号码应通过共享交换平台从公安局获取")
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="保存结论").click()
    page.wait_for_load_state()
    assert "已保存审核结论" in page.locator(".flash").inner_text()

    browser.goto("/dashboard/bureau")
    assert int(page.locator("#confirmed-total").inner_text()) == before + 1
    assert page.locator("#heatmap polygon.confirmed").count() >= max(marks_before, 1)
    browser.goto("/overlap")
    assert page.locator("#heatmap polygon.confirmed").count() >= 1
    shot(browser, "journey-2-bureau-heat-map")


def test_finance_uploads_a_budget_list_confirms_matches_and_downloads_the_blocked_report(browser, demo, tmp_path):  # noqa: F811
    from registry.funding.demo import DEMO_YEAR
    budget = tmp_path / "预算申报清单.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["单位名称", "系统名称", "申请金额（元）"])
    for row in BUDGET:
        book.active.append(list(row))
    book.save(budget)

    browser.login("finance", DEMO_PASSWORD)
    page = browser.page
    assert page.url.endswith("/dashboard/finance")
    assert int(page.locator("#kpi-blocked .kpi-num").inner_text()) > 0
    shot(browser, "dashboard-finance")

    page.get_by_role("link", name="上传预算申报清单并核对匹配").click()
    page.get_by_label("预算年度").fill(str(DEMO_YEAR))
    page.get_by_label("预算申报清单").set_input_files(str(budget))
    page.get_by_role("button", name="上传并匹配").click()
    page.wait_for_load_state()
    assert "请核对待确认的匹配" in page.locator(".flash").inner_text()

    page.on("dialog", lambda d: d.accept())
    pending = page.locator("#lines tbody tr", has=page.locator(".tag.warn"))
    assert pending.count() == 2                       # the two name variants wait for a person
    confirmed = 0
    while pending.count() and confirmed < 5:
        pending.first.get_by_role("button", name="确认").click()
        page.wait_for_load_state()
        assert "已保存匹配确认" in page.locator(".flash").inner_text()
        confirmed += 1
    assert confirmed == 2 and pending.count() == 0
    assert page.locator("#lines .tag", has_text="已确认").count() == 2

    with page.expect_download() as info:
        page.get_by_role("link", name="下载审核报告（Excel）").click()
    report = tmp_path / "report.xlsx"
    info.value.save_as(report)
    text = " ".join(str(c.value) for ws in openpyxl.load_workbook(report).worksheets
                    for row in ws.iter_rows() for c in row if c.value is not None)
    assert "不予安排" in text and "依据《管理办法》第" in text
    for blocked in ("公安交通管理综合应用平台", "道路运输管理信息系统", "停车管理平台"):
        assert blocked in text
    shot(browser, "journey-3-finance-budget-run")
