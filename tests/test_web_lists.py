"""Every list page pages and sorts (in SQL) over real HTTP: page 2 shows other rows than page 1,
ascending and descending orders are right, and invalid ?page=&per_page=&sort=&dir= fall back to
the defaults instead of failing (issue 7).

One small county is built once for the module (through the actions); the tests only read it.
"""
from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from registry.funding.storage import LocalUpload
from registry.core.runtime import Registry
from tests.conftest import empty_database
from tests.factories import Factory
from tests.projects_support import declaration
from tests.test_funding_budget import LINES, budget_workbook

N = 5  # records per list: pages of 2 → 3 pages


class Rows(HTMLParser):
    """The body rows of one table, or the items of one list, found by id: [(cell texts, first link)].
    A row whose cell spans the table (尚无…) is not a record."""

    def __init__(self, element_id: str):
        super().__init__()
        self.element_id, self.tag, self.depth = element_id, None, 0
        self.in_body, self.row, self.cell, self.rows = False, None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0:
            if attrs.get("id") == self.element_id:
                self.tag, self.depth = tag, 1
            return
        if tag == self.tag:
            self.depth += 1
        if tag == "tbody":
            self.in_body = True
        if (self.tag == "table" and self.in_body and tag == "tr") or (self.tag == "ol" and tag == "li" and self.row is None):
            self.row = {"cells": [], "href": None, "spans": False}
            if self.tag == "ol":
                self.cell = []
        if self.row is not None and self.tag == "table" and tag == "td":
            self.cell = []
            self.row["spans"] |= "colspan" in attrs
        if self.row is not None and tag == "a" and self.row["href"] is None:
            self.row["href"] = attrs.get("href")

    def handle_endtag(self, tag):
        if self.depth == 0:
            return
        if tag == self.tag:
            self.depth -= 1
        if self.row is None:
            return
        if (self.tag == "table" and tag == "td") or (self.tag == "ol" and tag == "li"):
            self.row["cells"].append(re.sub(r"\s+", " ", "".join(self.cell or [])).strip())
            self.cell = None
        if (self.tag == "table" and tag == "tr") or (self.tag == "ol" and tag == "li"):
            if not self.row["spans"]:
                self.rows.append((self.row["cells"], self.row["href"]))
            self.row = None

    def handle_data(self, data):
        if self.depth and self.cell is not None:
            self.cell.append(data)


def rows_of(html: str, element_id: str) -> list[tuple[list[str], str | None]]:
    parser = Rows(element_id)
    parser.feed(html)
    return parser.rows


# ---- the county --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def county(session_app, tmp_path_factory):
    base = session_app.extensions["registry"]
    empty_database(base.db.engine)
    calendar = tmp_path_factory.mktemp("calendar") / "calendar.txt"   # deadlines near a year end
    calendar.write_text("2027-01-01 holiday\n2028-01-01 holiday\n", encoding="utf-8")
    reg = Registry(replace(base.settings, policy=replace(base.settings.policy, sharing_calendar_file=str(calendar))),
                   base.db, base.search)
    make = Factory(reg)
    units = [make.unit(code=f"lu{n:02}", name=f"列表单位{n:02}") for n in range(1, N + 1)]
    home = units[0]
    statuses = ["running", "building", "stopped", "running", "building"]
    systems = [make.system(home, name=f"列表系统{n:02}", status=statuses[n - 1]) for n in range(1, N + 1)]
    others = [make.system(u, name=f"列表系统{n + N:02}") for n, u in enumerate(units[1:], start=1)]
    kinds = ["字符型C", "数值型N", "日期型D", "字符型C", "货币型Y"]
    first = make.act("package_create", {
        "system": systems[0]["id"], "title": "列表资源01", "sharing_type": "有条件共享", "sharing_method": "共享交换平台",
        "items": [{"name": f"列表项{n:02}", "data_type": kinds[n - 1], "data_length": 10 * (N + 1 - n)}
                  for n in range(1, N + 1)]})
    resources = [first] + [make.package(systems[0], title=f"列表资源{n:02}") for n in range(2, N + 1)]
    for n, system in enumerate(others, start=N + 1):   # the same items elsewhere: duplicate findings
        make.package(system, title=f"列表资源{n:02}")

    for n in range(1, N + 1):
        make.act("project_create", declaration(units[n - 1]["id"], systems[0]["id"] if n == 1 else None,
                                               name=f"列表项目{n:02}", estimate_yuan=1_000_000 * n))
    folder = tmp_path_factory.mktemp("budget")
    runs = [make.act("budget_upload", {"year": 2027, "upload": LocalUpload(
        budget_workbook(folder / f"b{n}.xlsx", LINES[:N] if n == 1 else LINES[:1]), f"预算{n}.xlsx")})
        for n in range(1, 4)]

    provider = make.user("department", home, username="list-provider")
    requester = make.user("department", units[1], username="list-requester")
    requests = []
    for resource in resources:
        requests.append(make.act("sharing_request_create", {
            "resource": resource["id"], "items": [resource["items"][0]["id"]], "requester_system": others[0]["id"],
            "purpose": "核验", "scenario": "受理时核验", "basis": "《社会救助暂行办法》", "sharing_method": "接口"},
            actor=requester["id"]))
    for req in requests[:4]:
        make.act("sharing_request_answer", {"id": req["id"], "decision": "approve"}, actor=provider["id"])
    reader = make.user("reviewer")   # these resources are not open to the public: the catalog pages log in
    return {"units": units, "systems": systems, "resources": resources, "runs": runs, "requests": requests,
            "users": {"provider": provider, "requester": requester, "bureau": make.user("bureau"),
                      "finance": make.user("finance"), "reader": reader}, "reader_token": make.token(reader)}


@pytest.fixture
def web(session_app, county):
    """A test client on the module's county (the database is not emptied per test here)."""
    return session_app.test_client()


def login(client, user) -> None:
    with client.session_transaction() as session:
        session["user_id"] = user["id"]


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


# (page, who, path, element id, sort key, column of the key, key type, query prefix)
PAGES = [
    ("units", None, "/units", "units", "title", 0, str, ""),
    ("unit systems", None, "/units/lu01", "systems", "name", 0, str, ""),
    ("system resources", "reader", "/systems/{system}", "resources", "title", 0, str, ""),
    ("resource items", "reader", "/resources/{resource}", "items", "name", 1, str, ""),
    ("resource search", "reader", "/search?q=列表资源", "results", "title", 0, str, ""),
    ("item search", "reader", "/search/items?q=列表项", "item-results", "name", 0, str, ""),
    ("duplicate findings", "bureau", "/duplicates", "findings", "id", 0, number, ""),
    ("master directory", "bureau", "/directory", "directory", "name", 1, str, ""),
    ("budget runs", "finance", "/funding/budget", "runs", "id", 0, number, ""),
    ("budget lines", "finance", "/funding/budget/{run}", "lines", "row", 0, number, ""),
    ("projects", None, "/projects", "projects", "name", 1, str, ""),
    ("sharing requests", "bureau", "/sharing", "requests", "id", 0, number, "req_"),
    ("sharing records", "bureau", "/sharing", "records", "id", 0, number, "rec_"),
    ("queue requests", "provider", "/sharing/queue", "requests", "id", 0, number, "req_"),
    ("queue records", "provider", "/sharing/queue", "records", "id", 0, number, "rec_"),
    ("inbox", "provider", "/inbox", "inbox", "title", 2, str, ""),
]
IDS = [p[0] for p in PAGES]


def _open(web, county, who, path):
    if who:
        login(web, county["users"][who])
    return path.format(system=county["systems"][0]["code"], resource=county["resources"][0]["name"],
                       run=county["runs"][0]["id"])


def _get(web, path: str, **args) -> str:
    sep = "&" if "?" in path else "?"
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = web.get(path + (sep + query if query else ""))
    assert response.status_code == 200, (path, args, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("name, who, path, element, key, column, kind, prefix", PAGES, ids=IDS)
def test_page_two_shows_other_rows_than_page_one(web, county, name, who, path, element, key, column, kind, prefix):
    path = _open(web, county, who, path)
    one = _get(web, path, **{f"{prefix}per_page": 2})
    two = _get(web, path, **{f"{prefix}per_page": 2, f"{prefix}page": 2})
    first, second = rows_of(one, element), rows_of(two, element)
    assert len(first) == 2 and 1 <= len(second) <= 2, (first, second)
    assert not {tuple(r[0]) for r in first} & {tuple(r[0]) for r in second}
    assert "第 2 页，共" in two and "上一页" in two and 'rel="prev"' in two


@pytest.mark.parametrize("name, who, path, element, key, column, kind, prefix", PAGES, ids=IDS)
def test_ascending_and_descending_orders_are_right(web, county, name, who, path, element, key, column, kind, prefix):
    path = _open(web, county, who, path)
    up = [kind(r[0][column]) for r in rows_of(_get(web, path, **{f"{prefix}sort": key, f"{prefix}dir": "asc"}), element)]
    down = [kind(r[0][column]) for r in rows_of(_get(web, path, **{f"{prefix}sort": key, f"{prefix}dir": "desc"}),
                                                element)]
    assert len(up) >= 3 and up == sorted(up) and down == sorted(up, reverse=True), (up, down)
    html = _get(web, path, **{f"{prefix}sort": key, f"{prefix}dir": "desc"})
    if element != "results":
        assert re.search(rf'aria-sort="descending"><a class="sort sorted" href="[^"]*{prefix}dir=asc', html), \
            "the sorted header says so and its link turns the order around"


@pytest.mark.parametrize("name, who, path, element, key, column, kind, prefix", PAGES, ids=IDS)
def test_invalid_paging_parameters_fall_back_to_the_defaults(web, county, name, who, path, element, key, column,
                                                             kind, prefix):
    path = _open(web, county, who, path)
    plain = rows_of(_get(web, path), element)
    for bad in ({"page": "abc", "per_page": "-5", "sort": "title;drop%20table", "dir": "sideways"},
                {"page": "0", "per_page": "0", "sort": "", "dir": "desc"},
                {"page": "%C2%B2", "per_page": "99999999999", "sort": "password"}):
        shown = rows_of(_get(web, path, **{prefix + k: v for k, v in bad.items()}), element)
        assert [r[0] for r in shown] == [r[0] for r in plain][:len(shown)] and shown, bad
    first = _get(web, path, **{f"{prefix}per_page": 2})
    pages = int(re.search(r"，共 (\d+) 页", first[first.index(f'id="{element}"'):]).group(1))
    last = rows_of(_get(web, path, **{f"{prefix}per_page": 2, f"{prefix}page": pages}), element)
    beyond = _get(web, path, **{f"{prefix}per_page": 2, f"{prefix}page": 999})
    assert rows_of(beyond, element) == last and last, "a page past the end shows the last page"


def test_two_lists_on_one_page_page_independently(web, county):
    login(web, county["users"]["bureau"])
    html = _get(web, "/sharing", req_per_page=2, req_page=2, rec_per_page=2)
    assert len(rows_of(html, "requests")) == 2 and len(rows_of(html, "records")) == 2
    assert "req_page=2" in re.search(r'id="records".*', html, re.S).group(0), "the records pager keeps the other list's page"


def test_catalog_pages_show_the_unit_system_resource_trail(session_app, web, county):
    resource = county["resources"][0]
    login(web, county["users"]["reader"])
    html = _get(web, f"/resources/{resource['name']}")
    trail = re.search(r'<nav class="crumbs" aria-label="当前位置">(.*?)</nav>', html, re.S).group(1)
    texts = [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<li>(.*?)</li>", trail, re.S)]
    assert texts == ["首页", "单位与系统", "列表单位01", "列表系统01", "列表资源01"]
    assert 'aria-current="page">列表资源01' in trail and 'href="/units/lu01"' in trail
    edit = session_app.test_client().get(f"/resources/{resource['name']}/edit")
    assert edit.status_code in (302, 401)  # the form needs a login; its trail is checked in the browser test


def test_every_list_page_has_a_pager_in_chinese(web, county):
    login(web, county["users"]["bureau"])
    html = _get(web, "/directory", per_page=2)
    pager = re.search(r'<nav class="pager" aria-label="分页">(.*?)</nav>', html, re.S).group(1)
    assert "共 9 个系统" in pager and "第 1 页，共 5 页" in pager and "下一页" in pager
    assert 'aria-disabled="true">上一页' in pager


@pytest.mark.parametrize("args, expected", [
    ({}, (1, 20, "title", False)),
    ({"page": "3", "per_page": "50", "sort": "count", "dir": "desc"}, (3, 50, "count", True)),
    ({"sort": "count"}, (1, 20, "count", False)),                       # another column starts ascending
    ({"dir": "desc"}, (1, 20, "title", False)),                         # a direction without a column
    ({"page": "-1", "per_page": "100000", "sort": "id;--", "dir": "up"}, (1, 100, "title", False)),
    ({"page": "٣", "per_page": "²", "sort": "TITLE"}, (1, 20, "title", False)),   # non-ASCII digits, case
    ({"page": "99999999999"}, (1, 20, "title", False)),
    ({"page": "123456"}, (100_000, 20, "title", False)),               # clamped; the view shows the last page
])
def test_paging_parameters_are_parsed_or_fall_back(session_app, args, expected):
    from registry.web.paging import parse
    with session_app.test_request_context("/units", query_string=args):
        p = parse({"title": "名称", "count": "数量"}, "title")
        assert (p.page, p.per_page, p.sort, p.descending) == expected
        assert p.offset == (p.page - 1) * p.per_page


@pytest.mark.parametrize("name, data", [
    ("organization_list", {"sort": "password desc"}),
    ("organization_show", {"id": "lu01", "systems_sort": "name sideways"}),
    ("group_show", {"id": "{system}", "packages_rows": "many"}),
    ("package_show", {"id": "{resource}", "items_sort": "1; drop table"}),
    ("project_search", {"sort": "unit_id"}),
    ("item_search", {"sort": ["name"]}),
])
def test_the_api_refuses_an_unknown_sort_in_chinese(web, county, name, data):
    refs = {"{system}": county["systems"][0]["code"], "{resource}": county["resources"][0]["name"]}
    data = {k: refs.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    response = web.post(f"/api/3/action/{name}", json=data, headers={"Authorization": county["reader_token"]})
    body = response.get_json()
    assert response.status_code == 409 and body["error"]["__type"] == "Validation Error", body
    assert any("排序" in m or "sort" in m or "条数" in m for msgs in body["error"].values() if isinstance(msgs, list)
               for m in msgs), body
