"""Every page a role reaches from its navigation (and one click further) on the demo county shows
Chinese: no English words outside the allow-list (product names, codes) and no Python repr."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from registry.catalog.models import InformationResource, InformationSystem, Unit
from registry.accounts.models import User
from tests.english import english_words, reprs

ROLES = ("bureau", "finance", "reviewer", "admin", "yygaj", "yymzj")
SKIP = re.compile(r"^/(static|api|logout|favicon)|\.(xlsx|csv|json|png|svg)$|/report\.xlsx|/export|/template")
PER_PATTERN = 2     # pages of one URL shape (digits replaced) to visit per role
MAX_PAGES = 120


class VisibleText(HTMLParser):
    """Text a person sees: text nodes outside script/style, and placeholder, title, value of buttons."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.nav_links: list[str] = []
        self._skip = 0
        self._nav = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "code"):
            self._skip += 1
        if tag == "nav":
            self._nav += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if self._nav:
                self.nav_links.append(a["href"])
        for name in ("placeholder", "title", "aria-label", "alt"):
            if a.get(name):
                self.parts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.parts.append(a["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1
        if tag == "nav" and self._nav:
            self._nav -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def parse(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


@pytest.fixture
def demo(demo_loaded):
    reg = demo_loaded
    with reg.db.unit_of_work() as s:
        codes = set(s.scalars(select(Unit.code))) | set(s.scalars(select(InformationSystem.code))) \
            | set(s.scalars(select(InformationResource.name))) | set(s.scalars(select(User.username)))
        users = {u.username: u.id for u in s.scalars(select(User))}
    return {"codes": {c for c in codes if c}, "users": users}


def crawl(client, start: str = "/"):
    seen_patterns: dict[str, int] = {}
    queue, visited, pages = [start], set(), []
    while queue and len(pages) < MAX_PAGES:
        url = urldefrag(queue.pop(0))[0]
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path) or url in visited:
            continue
        pattern = re.sub(r"\d+", "N", parts.path) + ("?" if parts.query else "")
        if seen_patterns.get(pattern, 0) >= PER_PATTERN:
            continue
        seen_patterns[pattern] = seen_patterns.get(pattern, 0) + 1
        visited.add(url)
        response = client.get(url, follow_redirects=True)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = parse(response.get_data(as_text=True))
        pages.append((url, " ".join(page.parts)))
        depth_ok = url == start or url in first_level
        if url == start:
            first_level.update(page.nav_links)
            queue = page.nav_links + queue
        elif depth_ok:
            queue.extend(page.links)
    return pages


first_level: set[str] = set()


def test_no_page_of_any_role_shows_english_or_a_repr(client, demo):
    findings, visited = [], {}
    for username in ROLES:
        with client.session_transaction() as session:
            session["user_id"] = demo["users"][username]
        first_level.clear()
        pages = crawl(client)
        assert len(pages) > 10, (username, [u for u, _ in pages])
        visited[username] = len(pages)
        for url, text in pages:
            words = english_words(text, demo["codes"])
            found = reprs(text)
            if words or found:
                at = text.find((words or found)[0])
                findings.append(f"{username} {url}: {words} {found} …{text[max(0, at - 60):at + 40]}…")
    assert findings == [], "\n".join(findings)
    print(visited)
