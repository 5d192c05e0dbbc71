"""The background job's status page in headless Chromium: a real scan started from /duplicates, watched
from its start to its result with the bar on screen; the screenshot docs/screenshots/job-status.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from registry.core import jobs
from tests.browser import browser  # noqa: F401
from tests.factories import PASSWORD
from tests.test_job_status import county

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def test_the_bureau_watches_a_real_scan_from_started_to_done_with_the_bar_visible(browser, make, reg):  # noqa: F811
    county(make)
    bureau = make.user("bureau")
    browser.login(bureau["username"], PASSWORD)
    browser.goto("/duplicates")
    page = browser.page
    hold = None
    if not reg.db.is_sqlite:
        # PostgreSQL: hold the scan lock, so the scan is seen running (it waits for the lock after
        # it has announced its stage and total), then let it go.
        hold = reg.db.engine.connect()
        hold.execute(text("SELECT pg_advisory_lock(8102, 0)"))
    try:
        page.get_by_role("button", name="重新扫描全部信息项").click()
        page.wait_for_url("**/jobs/*")
        assert page.locator("#job-bar").is_visible()
        assert page.locator("h1").inner_text() == "重复采集扫描"
        if hold is not None:
            expect(page.locator("#job-label")).to_have_text("映射信息项", timeout=60_000)  # polled by registry.js
            assert page.locator("#job-state").inner_text() == "进行中"
            assert page.locator("#job-total").inner_text() == "5"
            assert page.locator("#job-bar").is_visible()
    finally:
        if hold is not None:
            hold.execute(text("SELECT pg_advisory_unlock(8102, 0)"))
            hold.close()
    page.locator("#job-result").wait_for(timeout=120_000)   # registry.js reloads the page when it ends
    assert page.locator("#job-state").inner_text() == "已完成"
    assert "扫描完成：2 项信息资源，5 个信息项" in page.locator("#job-result").inner_text()
    assert page.locator("#job-bar").is_visible() and page.locator("#job-bar").get_attribute("value") == "100"
    assert "已完成 5 / 5，100%" in page.locator("#job-figures").inner_text()
    page.get_by_role("link", name="查看重复采集线索").click()
    assert page.locator("h1").inner_text().startswith("重复采集线索")


def test_the_status_page_follows_the_progress_as_it_is_written(browser, make, reg):  # noqa: F811
    bureau = make.user("bureau")
    token = reg.run_action("job_start", bureau["id"], {"action": "duplicate_scan"})["token"]
    progress = jobs.JobProgress(reg, token)   # the channel a running action writes to
    try:
        progress.start(12_480, "映射信息项")
        progress.advance(4_992)
        browser.login(bureau["username"], PASSWORD)
        browser.goto(f"/jobs/{token}")
        page = browser.page
        assert page.locator("#job-figures").inner_text() == "已完成 4992 / 12480，40%"
        page.screenshot(path=str(SHOTS / "job-status.png"), full_page=False)
        progress.advance(2_496)
        expect(page.locator("#job-done")).to_have_text("7488", timeout=60_000)  # polled by registry.js
        assert page.locator("#job-figures").inner_text() == "已完成 7488 / 12480，60%"
        assert page.locator("#job-bar").text_content() == "60%"
    finally:
        jobs._live.pop(token, None)
