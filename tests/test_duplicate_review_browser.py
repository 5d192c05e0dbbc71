"""The Bureau's review pages in headless Chromium: bulk review with one reason, the provider picked by
name, the finding's explanation and every holder, and a review form that keeps what was chosen."""
from pathlib import Path

import pytest

from tests.browser import browser  # noqa: F401
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def _county(make, extra_units=3):
    police = make.unit(code="gaj", name="云阳县公安局")
    hukou = make.system(police, name="户政管理信息系统")
    make.act("package_create", {"system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享",
                                "sharing_method": "共享交换平台",
                                "items": [{"name": "公民身份号码", "data_type": "C", "data_length": 18}]})
    systems = []
    for n in range(extra_units):
        unit = make.unit(code=f"dw{n}", name=f"云阳县第{n}局")
        system = make.system(unit, name=f"第{n}局救助管理系统")
        make.act("package_create", {"system": system["id"], "title": f"救助对象信息{n}", "sharing_type": "不予共享",
                                    "items": [{"name": "身份证号", "data_type": "C", "data_length": 18},
                                              {"name": "证件号码", "data_type": "VARCHAR2(18)"}]})
        systems.append(system)
    return hukou, systems


def test_bureau_dismisses_a_batch_with_one_reason_and_the_ticks_survive_an_error(browser, make):  # noqa: F811
    _county(make)
    bureau = make.user("bureau")
    browser.login(bureau["username"], PASSWORD)
    browser.goto("/duplicates")
    page = browser.page
    assert page.locator("#findings tbody tr").count() == 3
    page.get_by_label("全选本页线索").check()
    page.get_by_label("结论").select_option(value="dismiss")
    page.get_by_role("button", name="保存勾选线索的结论").click()
    assert "排除线索须说明理由" in page.locator("body").inner_text()
    assert page.locator("input[name=ids]:checked").count() == 3          # what the Bureau ticked is kept
    assert page.get_by_label("结论").input_value() == "dismiss"
    page.get_by_label("理由（整批共用）").fill("口径不同")
    page.get_by_role("button", name="保存勾选线索的结论").click()
    assert "已批量保存 3 条线索的审核结论：已排除" in page.locator("body").inner_text()
    assert page.locator("#findings .tag", has_text="已排除").count() == 3


def _review_page(browser, make, bureau, system=None):
    """`bureau`'s review page of a finding: one of `system`'s, else the first listed."""
    finding = next(f for f in make.act("duplicate_list", {"rows": 100})["results"]
                   if system is None or f["system_id"] == system["id"])
    browser.login(bureau["username"], PASSWORD)
    browser.goto(f"/duplicates/{finding['id']}")
    return browser.page


def test_the_review_form_preselects_no_decision_and_the_provider_is_picked_by_name(browser, make):  # noqa: F811
    hukou, systems = _county(make)
    bureau = make.user("bureau")
    page = _review_page(browser, make, bureau, systems[0])
    assert page.get_by_label("结论").input_value() == ""                  # confirming blocks money: never preselected
    assert page.locator("#holders tbody tr").count() == 7                  # every holder: 4 units, 7 items
    assert "类型长度作证" in page.locator("#explanation").inner_text()
    page.get_by_label("应复用的提供方系统（确认时）：输入名称查找").fill("第2局")
    picker = page.get_by_label("应复用的提供方系统", exact=True)
    assert picker.input_value() == str(systems[2]["id"])
    assert page.locator("#must_reuse_from option:not([hidden])").count() == 2  # the blank choice and 第2局
    page.get_by_label("结论").select_option(value="confirm")
    page.get_by_role("button", name="保存结论").click()
    assert "应复用 第2局救助管理系统 的共享数据" in page.locator("#state").inner_text()


def test_a_review_error_comes_back_with_what_was_chosen(browser, make):  # noqa: F811
    hukou, systems = _county(make, extra_units=1)
    page = _review_page(browser, make, make.user("bureau"))
    page.get_by_label("结论").select_option(value="dismiss")
    page.get_by_role("button", name="保存结论").click()
    assert "排除线索须说明理由" in page.locator("body").inner_text()
    assert page.get_by_label("结论").input_value() == "dismiss"
    assert page.locator("#state").inner_text().startswith("待审核")


def test_a_refused_review_marks_the_field_and_keeps_the_provider_picked_by_name(browser, make):  # noqa: F811
    hukou, systems = _county(make)
    bureau = make.user("bureau")
    page = _review_page(browser, make, bureau, systems[0])
    assert "（建议提供方）" in page.locator("#must_reuse_from option:checked").inner_text()
    page.get_by_label("应复用的提供方系统（确认时）：输入名称查找").fill("第1局")
    page.get_by_label("结论").select_option(value="dismiss")
    page.get_by_role("button", name="保存结论").click()
    assert "排除线索须说明理由" in page.locator("#review-form .form-errors").inner_text()
    assert page.locator("#reason").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("应复用的提供方系统", exact=True).input_value() == str(systems[1]["id"])
    assert page.get_by_label("结论").input_value() == "dismiss"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#review-form").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "flow-duplicate-review-error.png"))
    page.locator("#reason").fill("口径不同")
    page.get_by_role("button", name="保存结论").click()
    assert page.locator("#state").inner_text().startswith("已排除")
    assert bureau["username"] in page.locator("#state").inner_text()   # the reviewer's name (a test account's is its login name)


def test_a_bulk_review_without_ticks_says_so_in_the_form(browser, make):  # noqa: F811
    _county(make, extra_units=1)
    browser.login(make.user("bureau")["username"], PASSWORD)
    browser.goto("/duplicates")
    page = browser.page
    page.get_by_label("结论").select_option(value="dismiss")
    page.get_by_label("理由（整批共用）").fill("口径不同")
    page.get_by_role("button", name="保存勾选线索的结论").click()
    assert page.locator("#bulk-review .form-errors").inner_text() == "未保存：请先勾选要审核的线索"
    assert page.get_by_label("理由（整批共用）").input_value() == "口径不同"


def test_the_bureaus_threshold_hides_less_confident_findings_and_stays_set(browser, make):  # noqa: F811
    hukou, systems = _county(make, extra_units=2)
    unit = make.unit(code="dwx", name="云阳县另一局")
    make.act("package_create", {"system": make.system(unit, name="另一局系统")["id"], "title": "人员信息",
                                "sharing_type": "不予共享",
                                "items": [{"name": "户籍所在地详细地址", "data_type": "C", "data_length": 200}]})
    make.act("package_create", {"system": systems[0]["id"], "title": "人员信息二", "sharing_type": "不予共享",
                                "items": [{"name": "户籍地址", "data_type": "C", "data_length": 200}]})
    bureau = make.user("bureau")
    browser.login(bureau["username"], PASSWORD)
    browser.goto("/duplicates")
    page = browser.page
    scores = [float(t) for t in page.locator("#findings tbody td.num").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and min(scores) < 0.95
    page.get_by_label("置信度不低于").fill("0.95")
    page.get_by_role("button", name="筛选").click()
    assert all(float(t) >= 0.95 for t in page.locator("#findings tbody td.num").all_inner_texts())
    browser.goto("/duplicates")                                  # set once: kept for this login
    assert page.get_by_label("置信度不低于").input_value() == "0.95"
    assert all(float(t) >= 0.95 for t in page.locator("#findings tbody td.num").all_inner_texts())
