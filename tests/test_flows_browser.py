"""The department's, the Bureau's and finance's daily flows in real headless Chromium (issue 19, "on
screen and in the flows"): every assertion is on what a person sees (visible text, the chosen options).

Screenshots (1366×768) of the pages these flows change go to docs/screenshots/flow-*.png.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.demo_data import DEMO_PASSWORD
from tests.browser import browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
LEAKED_KEYS = re.compile(r"\b(reason|basis|q|sharing_type|message|opinion|items|decision)：")


def shot(browser, name: str) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def main_text(browser) -> str:  # noqa: F811
    return browser.page.locator("main").inner_text()


def assert_clean(text: str) -> None:
    """No Python repr, no field key leaking into a message."""
    assert "built-in method" not in text and "<bound method" not in text and " object at 0x" not in text
    assert not LEAKED_KEYS.search(text), LEAKED_KEYS.search(text)


@pytest.fixture
def demo(demo_loaded):
    return demo_loaded


def user_id(reg, username: str) -> int:
    from registry.accounts.models import User
    with reg.db.sessions() as s:
        return s.scalar(select(User.id).where(User.username == username))


def unit_of(reg, code: str):
    from registry.catalog.models import Unit
    with reg.db.sessions() as s:
        return s.scalar(select(Unit.id).where(Unit.code == code))


def pending_request(reg, provider: str = "yygaj", requester: str = "yymzj") -> dict:
    """A 有条件共享 request from 民政局 to a 公安局 resource with at least two items (one the demo's own
    requests do not already ask for)."""
    from registry.catalog.models import InformationItem, InformationResource, InformationSystem
    from registry.sharing.models import SharingRequest
    with reg.db.sessions() as s:
        requested = set(s.scalars(select(SharingRequest.resource_id)))
        resource = next(r for r in s.scalars(select(InformationResource).where(
            InformationResource.unit_id == unit_of(reg, provider), InformationResource.sharing_type == "conditional")
            .order_by(InformationResource.id))
            if r.id not in requested
            and len(s.scalars(select(InformationItem.id).where(InformationItem.resource_id == r.id)).all()) >= 2)
        items = s.scalars(select(InformationItem.id).where(InformationItem.resource_id == resource.id)
                          .order_by(InformationItem.position, InformationItem.id)).all()[:3]
        system = s.scalar(select(InformationSystem.id).where(InformationSystem.unit_id == unit_of(reg, requester))
                          .order_by(InformationSystem.id))
    return reg.run_action("sharing_request_create", user_id(reg, requester), {
        "resource": resource.id, "items": list(items), "requester_system": system, "purpose": "低保对象户籍核验",
        "scenario": "受理低保申请时核验户籍", "sharing_method": "platform"})


def test_a_partial_answer_without_a_basis_comes_back_as_entered_and_the_answer_shows_names_and_contact(browser, demo):  # noqa: F811
    req = pending_request(demo)
    browser.login("yygaj", DEMO_PASSWORD)
    page = browser.page
    assert re.search(r"消息\s*\d+", page.locator("#nav-inbox").inner_text()), "the 消息 item shows the unread count"

    browser.goto("/due")                                                    # the provider's to-do list
    todo = page.locator("#sharing-to-answer").inner_text()
    assert f"#{req['id']}" in todo and "第二十八条" in todo
    page.locator("#sharing-to-answer").get_by_role("link", name=re.compile(f"#{req['id']}")).click()
    page.wait_for_load_state()
    assert page.locator("#decision").input_value() == "", "no pre-chosen answer"

    first_item = req["items"][0]["name"]
    page.locator("#decision").select_option("partial")
    page.locator("#answer").get_by_label(first_item).check()
    page.locator("#reason").fill("其余信息项涉及个人隐私")
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    text = main_text(browser)
    assert_clean(text)
    assert "不同意（或部分同意）须给出法律法规或政策依据" in page.locator("#answer .form-errors").inner_text()
    assert page.locator("#decision").input_value() == "partial"               # not back to 同意
    assert page.locator("#answer").get_by_label(first_item).is_checked()       # the tick kept
    assert page.locator("#reason").input_value() == "其余信息项涉及个人隐私"     # the reason kept
    shot(browser, "flow-sharing-answer-kept")

    page.locator("#basis_answer").fill("《中华人民共和国个人信息保护法》第十三条")
    page.locator("#contact_person").fill("张警官")
    page.locator("#contact_phone").fill("023-55551234")
    page.locator("#interface_address").fill("https://gx.yunyang.gov.cn/api/hukou")
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    assert "已保存答复" in page.locator(".flash").first.inner_text()
    browser.context.clear_cookies()

    browser.login("yymzj", DEMO_PASSWORD)
    browser.goto(f"/sharing/requests/{req['id']}")
    text = main_text(browser)
    assert "部分同意" in text and "yygaj" not in text and "公安局" in text   # signed with a name, not a login
    details = page.locator("#provider-details").inner_text()
    assert "张警官" in details and "023-55551234" in details and "https://gx.yunyang.gov.cn/api/hukou" in details
    assert "—" not in details


def test_a_refused_project_transition_keeps_the_typed_opinion_and_departments_see_no_review_forms(browser, demo):  # noqa: F811
    from tests.projects_support import declaration
    unit = unit_of(demo, "yymzj")
    dept = user_id(demo, "yymzj")
    project = demo.run_action("project_create", dept, declaration(unit, None, name="社会救助大数据平台"))
    demo.run_action("project_transition", dept, {"id": project["id"], "transition": "submit"})

    browser.login("yymzj", DEMO_PASSWORD)                                   # the department: no Bureau forms
    browser.goto(f"/projects/{project['id']}")
    page = browser.page
    assert page.get_by_role("button", name="技术审查通过").count() == 0
    assert page.get_by_role("button", name="退回修改").count() == 0
    assert "此步骤由" in main_text(browser)
    assert page.get_by_role("button", name=re.compile("撤回申报|删除未提交")).count() == 0  # already submitted
    browser.context.clear_cookies()

    browser.login("bureau", DEMO_PASSWORD)
    browser.goto(f"/projects/{project['id']}")
    checks = page.locator("#next-review_pass").inner_text()
    assert "信息资源目录（附件2）" in checks and "无前置条件" not in checks      # Art. 10: Attachments 1 and 2
    form = page.locator("#form-transition-review_pass")
    form.get_by_label("意见（专家审查意见或批复意见）").fill("建设必要性充分，同意通过技术审查")
    page.on("dialog", lambda d: d.accept())
    form.get_by_role("button", name="技术审查通过").click()
    page.wait_for_load_state()
    form = page.locator("#form-transition-review_pass")
    errors = form.locator(".form-errors").inner_text()
    assert "第十条" in errors and "信息资源目录（附件2）" in errors
    assert_clean(main_text(browser))
    assert form.get_by_label("意见（专家审查意见或批复意见）").input_value() == "建设必要性充分，同意通过技术审查"
    page.locator("#form-transition-review_pass").scroll_into_view_if_needed()
    shot(browser, "flow-project-opinion-kept")


def test_the_declaration_form_picks_systems_by_name_takes_a_date_and_marks_what_is_missing(browser, demo):  # noqa: F811
    from registry.catalog.models import InformationSystem
    with demo.db.sessions() as s:
        names = s.scalars(select(InformationSystem.name).where(InformationSystem.unit_id == unit_of(demo, "yymzj"))).all()
    browser.login("yymzj", DEMO_PASSWORD)
    browser.goto("/projects/new")
    page = browser.page
    options = page.locator("#f-systems option").all_inner_texts()
    assert sorted(options) == sorted(names) and len(options) >= 2               # by name, every system of the unit
    declared_on = page.locator("#f-declared_on")      # a date written 2026-12-06 whatever the browser's locale
    assert declared_on.get_attribute("inputmode") == "numeric" and declared_on.get_attribute("placeholder") == "如 2026-12-06"
    assert "编号或代码" not in main_text(browser)
    page.get_by_label("项目名称 *").fill("智慧民政一网通办")
    page.locator("#f-kind").select_option(label="新建")
    page.locator("#f-declared_on").fill("2026-11-20")
    page.locator("#f-systems").select_option(label=names[0])
    page.get_by_label("经费估算（元）").fill("很多钱")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "经费估算" in page.locator(".form-errors").inner_text()
    assert page.get_by_label("项目名称 *").input_value() == "智慧民政一网通办"
    assert page.locator("#f-declared_on").input_value() == "2026-11-20"
    assert page.locator("#f-systems option:checked").all_inner_texts() == [names[0]]
    assert page.locator("#f-kind option:checked").inner_text() == "新建"
    page.locator("#f-systems-filter").fill(names[1][:2])                        # the filter box narrows the list
    visible = [o for o in page.locator("#f-systems option").all() if o.is_visible() or not o.get_attribute("hidden")]
    assert visible
    page.locator("#f-systems").scroll_into_view_if_needed()
    shot(browser, "flow-declaration-form")

    page.get_by_label("经费估算（元）").fill("3000000")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已保存项目申报" in page.locator(".flash").first.inner_text()
    marked = page.locator("#declaration-complete").inner_text()
    assert "尚缺" in marked and "行政主管部门" in marked                       # not "complete" with blanks
    assert page.get_by_role("button", name="删除未提交的申报").count() == 1
    assert page.get_by_role("button", name="撤回申报").count() == 0


def test_department_dashboard_offers_only_sharing_links_that_work(browser, demo):  # noqa: F811
    from search.models import DuplicateFinding as F
    unit = unit_of(demo, "yymzj")
    with demo.db.sessions() as s:
        finding = s.scalars(select(F).where(F.unit_id == unit, F.role == "recollector", F.state == "open",
                                            F.active.is_(True), F.provider_system_id.is_not(None))
                            .order_by(F.id)).first()
    demo.run_action("duplicate_review", user_id(demo, "bureau"), {
        "id": finding.id, "decision": "confirm", "reason": "应通过共享获取"})
    browser.login("yymzj", DEMO_PASSWORD)
    page = browser.page
    links = page.locator("#recollected").get_by_role("link", name="申请共享")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs, "a confirmed finding offers 申请共享"
    assert "待大数据局审核" in page.locator("#recollected").inner_text()     # open findings: no dead link
    for href in hrefs:
        response = browser.goto(href)
        assert response.status == 200 and browser.page.locator("h1").inner_text().startswith("申请共享")
        assert browser.page.locator(".flash-error").count() == 0


def test_a_department_cannot_open_another_units_edit_form(browser, demo):  # noqa: F811
    from registry.catalog.models import InformationResource
    with demo.db.sessions() as s:
        other = s.scalar(select(InformationResource.name).where(InformationResource.unit_id == unit_of(demo, "yygaj"))
                         .order_by(InformationResource.id))
    browser.login("yymzj", DEMO_PASSWORD)
    browser.goto(f"/resources/{other}")
    assert browser.page.get_by_role("link", name=re.compile("编辑")).count() == 0
    response = browser.goto(f"/resources/{other}/edit")
    assert response.status == 403
    text = main_text(browser)
    assert "只能修改本单位的信息资源目录" in text and "请修改标出的内容" not in text


def test_bureau_dashboard_cites_article_28_for_the_master_directory(browser, demo):  # noqa: F811
    browser.login("bureau", DEMO_PASSWORD)
    text = main_text(browser)
    assert "第二十八条" in text and "第二十九条" not in text and "第三十条" not in text


def test_finance_dashboard_is_compact_writes_each_reason_once_and_cuts_no_chart_label(browser, demo):  # noqa: F811
    browser.login("finance", DEMO_PASSWORD)
    page = browser.page
    assert page.url.endswith("/dashboard/finance")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, height
    text = main_text(browser)
    assert "依据《管理办法》" not in page.locator("#blocked-systems").inner_text()   # no full sentence per row
    for label in page.locator("#rule-chart svg text[text-anchor=end]").all():
        box = label.bounding_box()
        chart = page.locator("#rule-chart svg").bounding_box()
        assert box["x"] >= chart["x"] - 1, label.text_content()                 # not cut at the left edge
    titles = page.locator("#rule-chart svg text[text-anchor=end]").all_text_contents()
    assert all(not t.endswith("…") for t in titles) and any(len(t) > 14 for t in titles)
    assert_clean(text)
    shot(browser, "flow-finance-dashboard")


def test_the_import_result_lists_each_unit_with_numbers_not_a_repr(browser, demo, tmp_path):  # noqa: F811
    from tests.test_journeys_browser import GOOD, catalog_rows
    from tests.import_workbooks import write_xlsx
    good = write_xlsx(tmp_path / "民政局目录.xlsx", {"目录": catalog_rows(GOOD)})
    browser.login("yymzj", DEMO_PASSWORD)
    browser.goto("/import/catalog")
    page = browser.page
    page.get_by_label("文件 *").set_input_files(str(good))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_load_state()
    text = main_text(browser)
    assert_clean(text)
    row = page.locator("table", has_text="信息项").last.locator("tbody tr").first.inner_text()
    assert "云阳县民政局" in row and re.search(r"\d+\s+\d+\s+\d+", row), row
    shot(browser, "flow-import-result")


def test_the_directory_decision_picks_the_target_system_by_name_and_keeps_input_after_an_error(browser, demo):  # noqa: F811
    from registry.catalog.models import InformationSystem
    with demo.db.sessions() as s:
        systems = s.execute(select(InformationSystem.code, InformationSystem.name)
                            .where(InformationSystem.unit_id == unit_of(demo, "yymzj"))
                            .order_by(InformationSystem.id)).all()
    browser.login("bureau", DEMO_PASSWORD)
    browser.goto(f"/funding/systems/{systems[0].code}")
    page = browser.page
    assert "系统代码" not in main_text(browser)
    names = page.locator("#dir-into option").all_inner_texts()
    assert systems[1].name in names and systems[0].name not in names            # the unit's other systems, by name
    page.locator("#dir-kind").select_option("merge")                             # no target chosen: refused
    page.locator("#dir-date").fill("2026-11-30")
    page.locator("#dir-reason").fill("并入新系统统一运维")
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "整合后的系统为必填项" in page.locator(".form-errors").inner_text()
    assert_clean(main_text(browser))
    assert page.locator("#dir-kind").input_value() == "merge"
    assert page.locator("#dir-date").input_value() == "2026-11-30"
    assert page.locator("#dir-reason").input_value() == "并入新系统统一运维"
    page.locator("#directory-form").scroll_into_view_if_needed()
    shot(browser, "flow-directory-merge-picker")
    page.locator("#dir-into").select_option(label=systems[1].name)
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "已整合" in page.locator(".flash").first.inner_text() or systems[1].name in main_text(browser)


def test_registering_a_system_with_a_taken_name_keeps_what_was_typed(browser, demo):  # noqa: F811
    from registry.catalog.models import InformationSystem
    with demo.db.sessions() as s:
        taken = s.scalar(select(InformationSystem.name).where(InformationSystem.unit_id == unit_of(demo, "yymzj"))
                         .order_by(InformationSystem.id))
    browser.login("yymzj", DEMO_PASSWORD)
    browser.goto("/units/yymzj")
    page = browser.page
    page.get_by_label("系统名称 *").fill(taken)
    page.locator("#sys-network").select_option(index=1)
    chosen = page.locator("#sys-network").input_value()
    page.get_by_label("系统说明").fill("与已有系统同名")
    page.get_by_role("button", name="登记系统").click()
    page.wait_for_load_state()
    assert f"本单位已有名为“{taken}”的信息系统" in page.locator(".form-errors").inner_text()
    assert page.get_by_label("系统名称 *").input_value() == taken
    assert page.locator("#sys-network").input_value() == chosen
    assert page.get_by_label("系统说明").input_value() == "与已有系统同名"
