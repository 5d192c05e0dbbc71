"""Finance reads why each budget line matched and confirms the sure ones at once, in headless Chromium."""
from __future__ import annotations

import pytest

from tests.browser import browser  # noqa: F401  (fixture)
from tests.factories import PASSWORD
from tests.test_budget_matching import directory  # noqa: F401  (fixture)
from tests.test_funding_budget import budget_workbook

pytestmark = pytest.mark.browser

LINES = [("规资局", "不动产统一登记平台（二期）运行维护费", 100_000),   # auto-matched, beats the first phase
         ("龙角镇", "网格化治理平台", 80_000),                           # suggested (社会 missing)
         ("环境局", "大气环境监测", 60_000),                             # suggested, lower score
         ("云阳县生态环境局", "声环境质量自动监测系统运维", 50_000)]      # not in the directory


def test_finance_reads_the_match_reasons_and_bulk_confirms_above_a_threshold(browser, make, directory, tmp_path):  # noqa: F811
    finance = make.user("finance")
    run = make.act("budget_upload", {"year": 2027, "upload": _upload(budget_workbook(tmp_path / "b.xlsx", LINES))})
    lines = make.act("budget_report", {"run": run["id"]})["lines"]
    suggested = sorted((l for l in lines if l["state"] == "suggested"), key=lambda l: -l["confidence"])
    assert len(suggested) == 2 and suggested[0]["confidence"] > suggested[1]["confidence"], \
        [(l["system_text"], l["state"], l["confidence"]) for l in lines]

    browser.login(finance["username"], PASSWORD)
    page = browser.page
    page.on("dialog", lambda d: d.accept())
    browser.goto(f"/funding/budget/{run['id']}")
    first = page.locator(f"#line-{lines[0]['id']}")
    first.get_by_text("匹配依据").click()
    why = first.locator("details.why")
    assert "自动匹配" in why.inner_text() and "期次一致（第2期）" in why.inner_text()
    assert why.locator("tr.cand-excluded", has_text="总目录另有第2期").count() == 1
    last = page.locator(f"#line-{lines[3]['id']}")
    last.get_by_text("匹配依据").click()
    assert "主题词不一致：申报写“声”，该系统为“水”" in last.locator("details.why").inner_text()

    threshold = int(suggested[0]["confidence"])
    page.get_by_label("批量确认：得分不低于").fill(str(threshold))
    page.get_by_label("确认说明").fill("已与财政局核对")
    page.get_by_role("button", name="批量确认").click()
    page.wait_for_load_state()
    assert f"已批量确认 1 行（得分不低于 {threshold}）" in page.locator(".flash").inner_text()
    assert page.get_by_label("批量确认：得分不低于").input_value() == str(threshold)
    confirmed = page.locator(f"#line-{suggested[0]['id']} .tag", has_text="已确认")
    assert confirmed.count() == 1
    assert page.locator(f"#line-{suggested[1]['id']} .tag.warn").count() == 1   # below the threshold: still waits


def _upload(path):
    from registry.funding.storage import LocalUpload
    return LocalUpload(path, path.name)
