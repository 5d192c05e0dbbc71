"""Accounts in real headless Chromium: an administrator adds a user, resets its password and deactivates
it; the user is made to change the password at the next login; a user changes its own password."""
import pytest

from tests.browser import Browser, browser  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


class OtherBrowser(Browser):
    """A second, separate browser (own cookies) driven by the same Playwright as `browser`."""

    def __init__(self, first: Browser):
        self.base_url, self.foreign_requests = first.base_url, first.foreign_requests
        self.context = first._browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        self.context.route("**/*", self._only_own_host)
        self.page = self.context.new_page()

    def close(self) -> None:
        self.context.close()


def test_admin_adds_a_user_resets_its_password_and_deactivates_it(browser, live_url, make):  # noqa: F811
    unit = make.unit(name="云阳县民政局", code="yymzj")
    admin = make.user("admin", username="county-admin")
    browser.login(admin["username"], PASSWORD)
    page = browser.page
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="系统管理").click()
    page.get_by_role("link", name="账号管理").click()
    page.get_by_label("用户名 *").fill("mzj-li")
    page.get_by_label("姓名", exact=True).fill("李科员")
    page.get_by_label("角色 *").select_option(label="部门用户")
    page.get_by_label("所属单位（部门用户必填）").select_option(label="云阳县民政局")
    page.get_by_label("初始密码 *（8–200 个字符）").fill("short")
    page.evaluate("document.getElementById('f-password').removeAttribute('minlength')")  # the server's rule
    page.get_by_role("button", name="新增账号").click()
    assert "密码须为 8–200 个字符" in page.locator(".field-error").first.inner_text()
    assert page.get_by_label("用户名 *").input_value() == "mzj-li"       # the form kept its input
    assert page.get_by_label("姓名", exact=True).input_value() == "李科员"
    page.get_by_label("初始密码 *（8–200 个字符）").fill("initial-pass-1")
    page.get_by_role("button", name="新增账号").click()
    page.wait_for_load_state()
    assert "已新增账号“mzj-li”" in page.locator(".flash").inner_text()
    assert "下次登录须修改密码" in page.locator("#user-state").inner_text()

    page.get_by_label("新密码（8–200 个字符）").fill("reset-pass-123")
    page.get_by_role("button", name="重置密码").click()
    page.wait_for_load_state()
    assert "已重置账号“mzj-li”的密码" in page.locator(".flash").inner_text()

    user = OtherBrowser(browser)  # the user, in another browser: must choose a new password first
    try:
        user.login("mzj-li", "reset-pass-123")
        assert user.page.url.endswith("/account/password")
        user.goto("/projects")
        assert user.page.url.endswith("/account/password")
        user.page.get_by_label("原密码").fill("reset-pass-123")
        user.page.get_by_label("新密码", exact=True).fill("li-own-secret-1")
        user.page.get_by_label("再次输入新密码").fill("li-own-secret-1")
        user.page.get_by_role("button", name="修改密码").click()
        user.page.wait_for_load_state()
        assert "密码已修改" in user.page.locator(".flash").inner_text()

        page.get_by_role("button", name="停用账号").click()
        page.wait_for_load_state()
        assert "已停用账号“mzj-li”" in page.locator(".flash").inner_text()
        assert page.locator("#user-state").inner_text() == "已停用"
        user.goto("/account/password")  # the user's session ended with the deactivation
        assert "/login" in user.page.url
        user.login("mzj-li", "li-own-secret-1")
        assert "该账号已停用" in user.page.locator(".flash-error").inner_text()
    finally:
        user.close()


def test_a_user_changes_its_password_and_its_other_browser_is_logged_out(browser, live_url, make):  # noqa: F811
    user = make.user("bureau", username="bureau-wang")
    other = OtherBrowser(browser)
    try:
        other.login(user["username"], PASSWORD)
        browser.login(user["username"], PASSWORD)
        page = browser.page
        page.locator(".who").get_by_role("link", name="修改密码").click()
        page.get_by_label("原密码").fill("wrong-old-pass")
        page.get_by_label("新密码", exact=True).fill("wang-new-pass-1")
        page.get_by_label("再次输入新密码").fill("wang-new-pass-1")
        page.get_by_role("button", name="修改密码").click()
        assert "原密码不正确" in page.locator(".field-error").first.inner_text()
        page.get_by_label("原密码").fill(PASSWORD)
        page.get_by_label("新密码", exact=True).fill("wang-new-pass-1")
        page.get_by_label("再次输入新密码").fill("wang-new-pass-1")
        page.get_by_role("button", name="修改密码").click()
        page.wait_for_load_state()
        assert "密码已修改" in page.locator(".flash").inner_text()
        assert "（大数据局）" in page.locator(".who").inner_text()  # this session goes on
        other.goto("/account/password")
        assert "/login" in other.page.url
        page.locator(".who").get_by_role("button", name="退出").click()
        page.wait_for_load_state()
        browser.login(user["username"], "wang-new-pass-1")
        assert "登录成功" in page.locator(".flash").first.inner_text()
    finally:
        other.close()
