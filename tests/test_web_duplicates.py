"""The Bureau's duplicate pages and the registration-time hint, in headless Chromium."""
import pytest

from tests.browser import browser  # noqa: F401
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _county(make):
    police = make.unit(code="gaj", name="云阳县公安局")
    civil = make.unit(code="mzj", name="云阳县民政局")
    hukou = make.system(police, name="户政管理信息系统")
    dibao = make.system(civil, name="低保救助管理信息系统")
    make.act("package_create", {"system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享",
                                "sharing_method": "共享交换平台",
                                "items": [{"name": "公民身份号码", "data_type": "C", "data_length": 18}]})
    return police, civil, hukou, dibao


def test_department_sees_already_provided_hint_before_saving(browser, make):  # noqa: F811
    police, civil, hukou, dibao = _county(make)
    user = make.user("department", civil)
    browser.login(user["username"], PASSWORD)
    browser.goto(f"/systems/{dibao['code']}/resources/new")
    page = browser.page
    page.get_by_label("信息项名称（第1行）").fill("身份证号")
    page.get_by_label("数据类型（第1行）").fill("字符型C")
    page.get_by_label("数据类型（第1行）").press("Tab")
    hint = page.locator(".provider-hint").first
    hint.wait_for(state="visible")
    page.wait_for_function("document.querySelector('.provider-hint').textContent.length > 0")
    assert "云阳县公安局" in hint.inner_text() and "共享交换平台" in hint.inner_text()


def test_bureau_confirms_a_finding_and_the_heat_map_shows_the_pair(browser, make):  # noqa: F811
    police, civil, hukou, dibao = _county(make)
    make.package(dibao, items=("身份证号码",))
    bureau = make.user("bureau")
    browser.login(bureau["username"], PASSWORD)
    browser.goto("/duplicates")
    page = browser.page
    page.get_by_role("link", name="公民身份号码").first.click()
    page.get_by_label("结论").select_option(value="confirm")
    page.get_by_role("button", name="保存结论").click()
    assert "已确认重复采集" in page.locator("#state").inner_text()
    assert "户政管理信息系统" in page.locator("#state").inner_text()
    browser.goto("/overlap")
    assert page.locator("#heatmap svg rect").count() == 4
    assert "公安局 × 民政局：1 个共同数据元" in page.locator("#heatmap").inner_html()
