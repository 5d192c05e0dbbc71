"""A department user, in real headless Chromium, registers a resource with three items."""
import pytest

from registry.cli import CliActor
from tests.browser import browser  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_department_user_adds_a_resource_with_three_items_and_sees_it_listed(browser, make):  # noqa: F811
    unit = make.unit(name="云阳县民政局", code="yymzj")
    system = make.system(unit, name="低保救助管理信息系统")
    user = make.user("department", unit)
    browser.login(user["username"], PASSWORD)
    page = browser.page
    assert "云阳县民政局" in page.locator("h1").inner_text()
    page.get_by_role("link", name="低保救助管理信息系统").click()
    page.get_by_role("link", name="新增信息资源").click()
    page.get_by_label("信息资源名称 *").fill("低保对象信息")
    page.get_by_label("共享类型 *").select_option(label="有条件共享")
    page.get_by_label("共享方式").select_option(label="共享交换平台")
    page.get_by_label("数据更新周期").fill("每月")
    rows = [("姓名", "字符型C", "50"), ("身份证号", "字符型C", "18"), ("保障金额", "货币型Y", "12")]
    for index, (name, dtype, length) in enumerate(rows, start=1):
        page.get_by_label(f"信息项名称（第{index}行）").fill(name)
        page.get_by_label(f"数据类型（第{index}行）").fill(dtype)
        page.get_by_label(f"数据长度（第{index}行）").fill(length)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已登记信息资源“低保对象信息”（3 个信息项）" in page.locator(".flash").inner_text()
    page.get_by_role("link", name="低保对象信息").click()
    cells = page.locator("#items tbody tr td:nth-child(2)").all_inner_texts()
    assert cells == ["姓名", "身份证号", "保障金额"]
    assert "每月" in page.locator("dl.facts").inner_text()


def test_a_bad_value_is_shown_next_to_the_field_and_nothing_is_saved(browser, make, reg):  # noqa: F811
    unit = make.unit()
    system = make.system(unit)
    user = make.user("department", unit)
    browser.login(user["username"], PASSWORD)
    browser.goto(f"/systems/{system['code']}/resources/new")
    page = browser.page
    page.get_by_label("信息资源名称 *").fill("测试资源")
    page.get_by_label("共享类型 *").select_option(label="不予共享")
    page.get_by_label("信息项名称（第1行）").fill("金额")
    page.get_by_label("数据长度（第1行）").fill("很长")
    page.get_by_role("button", name="保存").click()
    assert "数据长度必须是整数" in page.locator(".field-error").first.inner_text()
    assert page.get_by_label("信息资源名称 *").input_value() == "测试资源"
    assert reg.run_action("package_search", CliActor(), {})["count"] == 0


def test_another_units_user_sees_no_edit_controls(browser, make):  # noqa: F811
    owner = make.unit()
    package = make.package(make.system(owner))
    outsider = make.user("department", make.unit())
    browser.login(outsider["username"], PASSWORD)
    browser.goto(f"/resources/{package['name']}")
    assert browser.page.get_by_role("link", name="编辑").count() == 0


def test_typing_an_item_another_unit_provides_shows_who_provides_it_and_how_many_others(browser, make):  # noqa: F811
    shared = {"sharing_type": "有条件共享", "sharing_method": "共享交换平台"}
    for code, name, title in (("an", "云阳县安监局", "从业人员名册"), ("bai", "云阳县白鹤街道办事处", "居民名册")):
        system = make.system(make.unit(code=code, name=name))
        make.act("package_create", {"system": system["id"], "title": title, **shared,
                                    "items": [{"name": "姓名", "data_type": "C", "data_length": 50}]})
    unit = make.unit(name="云阳县民政局", code="yymzj")
    system = make.system(unit, name="低保救助管理信息系统")
    user = make.user("department", unit)
    browser.login(user["username"], PASSWORD)
    browser.goto(f"/systems/{system['code']}/resources/new")
    page = browser.page
    page.get_by_label("信息项名称（第1行）").fill("姓名")
    page.get_by_label("信息项名称（第1行）").press("Tab")             # the change event asks the API
    hint = page.locator("#item-rows .provider-hint").first
    hint.wait_for(state="visible")
    page.wait_for_function("document.querySelector('#item-rows .provider-hint').textContent.length > 0")
    text = hint.inner_text()
    assert "云阳县安监局（" in text and "从业人员名册" in text and "请优先申请共享" in text
    assert "（另有 1 个提供方）" in text
