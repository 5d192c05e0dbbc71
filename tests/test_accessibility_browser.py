"""Keyboard and screen-reader habits in real headless Chromium (issue 7): the skip link, sortable
headers and the pager reached with Tab and used with Enter, a visible focus ring, a label on every
form field, the unit → system → resource trail, and a confirmation before a delete."""
from __future__ import annotations

import pytest

from tests.browser import browser  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(e => !['hidden', 'submit', 'button', 'reset', 'image'].includes(e.type))
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML.slice(0, 160))"""
FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return {tag: e.tagName, text: (e.textContent || '').trim(), sort: e.dataset.sort || null, page: e.dataset.page || null,
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""


@pytest.fixture
def county(make):
    units = [make.unit(code=f"ax{n}", name=f"无障碍单位{n}") for n in range(1, 6)]
    system = make.system(units[0], name="无障碍系统")
    resource = make.package(system, title="无障碍资源", items=("姓名", "公民身份号码", "联系电话"))
    other = make.package(make.system(units[1], name="他单位系统"), title="他单位资源")
    return {"units": units, "system": system, "resource": resource, "other": other,
            "owner": make.user("department", units[0]), "admin": make.user("admin"),
            "neighbour": make.user("department", units[1])}


def tab_until(page, wanted, limit: int = 80) -> dict:
    """Press Tab until the focused element matches `wanted` (a predicate on FOCUSED)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"not reached by keyboard within {limit} Tab presses; last focus: {focused}")


def test_keyboard_reaches_the_skip_link_a_sort_header_and_the_pager(browser, county):  # noqa: F811
    page = browser.page
    browser.goto("/units?per_page=2")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["text"] == "跳到主要内容" and first["outline"] != "none" and first["width"] >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    header = tab_until(page, lambda f: f["sort"] == "package_count")
    assert header["outline"] != "none", "the focused header shows a focus ring"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=package_count" in page.url
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"

    tab_until(page, lambda f: f["page"] == "next")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "page=2" in page.url and "sort=package_count" in page.url, "the pager keeps the chosen order"
    assert "第 2 页，共 3 页" in page.locator("nav.pager").inner_text()
    assert page.locator("#units tbody tr").count() == 2
    tab_until(page, lambda f: f["page"] == "prev")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "第 1 页，共 3 页" in page.locator("nav.pager").inner_text()


def test_every_form_field_has_a_label(browser, county, reg, make, tmp_path):  # noqa: F811
    from registry.funding.storage import LocalUpload
    from tests.projects_support import declaration
    from tests.test_funding_budget import LINES, budget_workbook
    finding = reg.run_action("duplicate_list", county["admin"]["id"], {})["results"]
    project = make.act("project_create", declaration(county["units"][0]["id"], county["system"]["id"]))
    run = make.act("budget_upload", {"year": 2027, "upload": LocalUpload(
        budget_workbook(tmp_path / "b.xlsx", LINES[:3]), "b.xlsx")})
    pages = [
        (None, ["/login", "/units", "/search?q=姓名", "/search/items?q=姓名", "/projects", "/overlap"]),
        (county["owner"], ["/dashboard/unit", f"/units/{county['units'][0]['code']}",
                          f"/systems/{county['system']['code']}/resources/new",
                          f"/resources/{county['resource']['name']}/edit", "/import/catalog", "/projects/new",
                          "/projects/import", "/due", "/inbox", "/sharing",
                          f"/sharing/contact/{county['resource']['name']}"]),
        (county["neighbour"], [f"/sharing/new?resource={county['resource']['name']}"]),
        (county["admin"], ["/dashboard/bureau", "/dashboard/finance", "/duplicates", "/directory", "/funding/budget",
                          f"/funding/systems/{county['system']['code']}", "/sharing/overview", "/sharing/queue",
                          f"/funding/budget/{run['id']}", f"/projects/{project['id']}", f"/projects/{project['id']}/edit",
                          *([f"/duplicates/{finding[0]['id']}"] if finding else []),
                          "/account/password", "/account/tokens", "/admin/", "/admin/users", "/admin/units",
                          f"/admin/users/{county['owner']['id']}"]),
    ]
    missing = {}
    for user, paths in pages:
        if user is not None:
            browser.context.clear_cookies()
            browser.login(user["username"], PASSWORD)
        for path in paths:
            response = browser.goto(path)
            assert response.status == 200, path
            unlabelled = browser.page.evaluate(UNLABELLED)
            if unlabelled:
                missing[path] = unlabelled
    assert missing == {}


def test_an_items_resource_page_shows_the_unit_system_resource_trail(browser, county):  # noqa: F811
    page = browser.page
    browser.login(county["owner"]["username"], PASSWORD)
    browser.goto("/search/items?q=公民身份号码")
    page.locator("#item-results tbody tr", has_text="无障碍单位1").get_by_role("link", name="无障碍资源").click()
    page.wait_for_load_state()
    crumbs = page.get_by_role("navigation", name="当前位置")
    assert crumbs.locator("li").all_inner_texts() == ["首页", "单位与系统", "无障碍单位1", "无障碍系统", "无障碍资源"]
    assert crumbs.locator("[aria-current=page]").inner_text() == "无障碍资源"
    assert page.locator("#items tbody tr", has_text="公民身份号码").count() == 1

    page.get_by_role("link", name="编辑").click()
    page.wait_for_load_state()
    assert crumbs.locator("li").all_inner_texts()[-2:] == ["无障碍资源", "编辑信息资源和信息项"]
    crumbs.get_by_role("link", name="无障碍系统").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "无障碍系统"


def test_deleting_a_resource_asks_first_and_cancelling_keeps_it(browser, county, reg):  # noqa: F811
    page = browser.page
    browser.login(county["owner"]["username"], PASSWORD)
    browser.goto(f"/resources/{county['resource']['name']}")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_role("button", name="删除").click()
    assert asked and "不可撤销" in asked[0]
    assert page.locator("h1").inner_text() == "无障碍资源"
    assert reg.run_action("package_show", county["owner"]["id"], {"id": county["resource"]["id"]})["title"] == "无障碍资源"
