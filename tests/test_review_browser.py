"""Page-by-page review of every role in Chromium at 1366×768 and 1920×1080 on the demo county:
the navigation stays on one line, no request fails (the favicon included), what is visible is
Chinese, and each role's first page shows real work. Screenshots go to docs/screenshots/review-*.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from registry.demo_data import DEMO_PASSWORD
from tests.browser import browser  # noqa: F401  (fixture)
from tests.english import english_words, reprs

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# role → (login, pages to look at after the first one, text the first page must show)
ROLES = {
    "bureau": ("bureau", ["/sharing/queue", "/projects", "/sharing/calendar", "/funding/budget"], "大数据局工作台"),
    "finance": ("finance", ["/funding/budget", "/directory", "/projects"], "运维经费"),
    "reviewer": ("reviewer", ["/sharing/overview", "/projects"], "监督查阅工作台"),
    "department": ("yygaj", ["/sharing/queue", "/sharing", "/due", "/inbox"], "云阳县公安局工作台"),
}


@pytest.fixture
def demo(demo_loaded):
    return demo_loaded


def _look(page, codes=()) -> dict:
    tops = page.eval_on_selector_all("header.top nav a", "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
    nav_overflow = page.eval_on_selector("header.top nav", "n => n.scrollWidth - n.clientWidth")
    text = page.inner_text("body")
    return {"nav_rows": len(set(tops)), "nav_overflow": nav_overflow, "english": english_words(text, codes),
            "reprs": reprs(text), "text": text}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_reviewed_at_1366_and_1920(browser, demo, role):  # noqa: F811
    username, pages, first_text = ROLES[role]
    failed = []
    browser.page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    browser.login(username, DEMO_PASSWORD)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (1920, 1080)):
        browser.page.set_viewport_size({"width": width, "height": height})
        browser.goto("/")
        seen = _look(browser.page, {username})
        assert first_text in seen["text"]
        assert seen["nav_rows"] == 1 and seen["nav_overflow"] <= 0, (role, width, seen["nav_rows"])
        browser.page.screenshot(path=str(SHOTS / f"review-{role}-{width}.png"), full_page=False)
        for path in pages:
            browser.goto(path)
            seen = _look(browser.page, {username})
            assert seen["nav_rows"] == 1, (role, width, path)
            assert seen["english"] == [] and seen["reprs"] == [], (role, path, seen["english"], seen["reprs"])
    assert failed == [], failed


def test_first_logins_show_real_work(browser, demo):  # noqa: F811
    """The demo fills the menus: a provider's queue has an overdue request, the requester's list an
    approved one, the Bureau's project list projects at several stages, the review queue a request."""
    browser.login("yygaj", DEMO_PASSWORD)
    browser.goto("/sharing/queue")
    queue = browser.page.inner_text("main")
    assert "已超期" in queue and "待答复" in queue
    browser.login("yywjw", DEMO_PASSWORD)
    browser.goto("/sharing")
    assert "已同意" in browser.page.inner_text("main")
    browser.login("bureau", DEMO_PASSWORD)
    browser.goto("/projects")
    listed = browser.page.inner_text("main")
    for stage in ("申报", "技术审查", "项目决策", "建设", "竣工验收", "运维"):
        assert stage in listed
    browser.goto("/sharing/queue")
    assert "待答复" in browser.page.inner_text("main")
