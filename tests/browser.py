"""Headless Debian Chromium driven by Playwright; refuses any request to a host but the app's."""
from __future__ import annotations

import os
import shutil
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("REGISTRY_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
               "--no-first-run", "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        if os.environ.get("CI") or os.environ.get("REGISTRY_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (.ci/run does)")
        pytest.skip(f"Chromium not found at {CHROMIUM}; browser tests need Debian's chromium")


def launch():
    """(playwright, a headless Chromium); stop both with `stop`."""
    from playwright.sync_api import sync_playwright
    require_chromium()
    pw = sync_playwright().start()
    try:
        return pw, pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
    except BaseException:
        pw.stop()
        raise


def stop(pw, chromium) -> None:
    try:
        chromium.close()
    finally:
        pw.stop()


class Browser:
    """One user's browser: a fresh context (own cookies, storage and cache) in `chromium`, the module's
    running Chromium (tests/conftest.py), or in a Chromium of its own when none is given."""

    def __init__(self, base_url: str, chromium=None):
        self.base_url = base_url
        self.foreign_requests: list[str] = []
        self._pw = None
        if chromium is None:
            self._pw, chromium = launch()
        self._browser = chromium
        self.context = self._browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                                 accept_downloads=True)
        self.context.route("**/*", self._only_own_host)
        self.page = self.context.new_page()

    def _only_own_host(self, route):
        own = urlparse(self.base_url).netloc
        if urlparse(route.request.url).netloc != own:
            self.foreign_requests.append(route.request.url)
            return route.abort()
        return route.continue_()

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def login(self, username: str, password: str) -> None:
        self.goto("/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state()

    def close(self) -> None:
        self.context.close()
        if self._pw is not None:
            stop(self._pw, self._browser)


@pytest.fixture
def browser(live_url, chromium):
    b = Browser(live_url, chromium)
    yield b
    b.close()
    assert b.foreign_requests == [], f"pages requested other hosts: {b.foreign_requests}"
