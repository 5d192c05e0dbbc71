"""One contract for every search backend, through the real actions (package_search, package_patch,
package_delete) on data created by the factories.

Each case runs twice: on the embedded backend (the suite's database, SQLite or PostgreSQL) and on
a real search engine: the node the suite starts (OpenSearch 2.19, tools/search-node; Elasticsearch
8.19 with REGISTRY_TEST_ENGINE=elasticsearch, tools/es8-analysis), or the cluster at
REGISTRY_ES_URL (OpenSearch or Elasticsearch, detected from `GET /`). Each run uses its own
index prefix and deletes its indexes afterwards. Without Java and Maven the engine cases skip and
say why; with REGISTRY_REQUIRE_SEARCH_ENGINE=1 (CI) they fail instead.
"""
from __future__ import annotations

import pytest

from registry.cli import CliActor
from tests.factories import Factory


@pytest.fixture(params=["embedded", pytest.param("engine", marks=pytest.mark.search_engine)])
def backend(request, app):
    """The registry to test, on a database the `app` fixture has just emptied."""
    if request.param == "embedded":
        return app.extensions["registry"]
    reg = request.getfixturevalue("engine_app").extensions["registry"]
    with reg.db.unit_of_work() as session:
        reg.search.reindex(session)  # a fresh, empty index for this test
    return reg


class Catalog:
    """Two units, one system each, four resources:

    | name    | unit (system)      | title          | items                         | sharing       |
    | alpha   | 测试公安局 (户籍)   | 常住人口信息     | 公民身份号码 姓名 户籍地址        | unconditional |
    | bravo   | 测试民政局 (低保)   | 低保对象名册     | 公民身份证号码 姓名 联系电话      | conditional   |
    | charlie | 测试民政局 (低保)   | 身份证遗失登记   | 办理日期 补办原因               | conditional   |
    | delta   | 测试公安局 (户籍)   | 企业登记信息     | 统一社会信用代码 企业名称         | unconditional |
    """

    def __init__(self, reg):
        self.reg = reg
        make = Factory(reg)
        self.gaj = make.unit(code="c-gaj", name="测试公安局")
        self.mzj = make.unit(code="c-mzj", name="测试民政局")
        self.hj = make.system(self.gaj, code="c-hjxt", name="户籍管理系统")
        self.db = make.system(self.mzj, code="c-dbxt", name="低保管理系统")
        self.res = {}
        for name, system, title, items, sharing in (
                ("alpha", self.hj, "常住人口信息", ("公民身份号码", "姓名", "户籍地址"), "unconditional"),
                ("bravo", self.db, "低保对象名册", ("公民身份证号码", "姓名", "联系电话"), "conditional"),
                ("charlie", self.db, "身份证遗失登记", ("办理日期", "补办原因"), "conditional"),
                ("delta", self.hj, "企业登记信息", ("统一社会信用代码", "企业名称"), "unconditional")):
            self.res[name] = make.package(system, items=items, name=name, title=title, sharing_type=sharing)

    def search(self, **params) -> dict:
        """As the terminal's operator: the whole catalog (anonymously: see `public`)."""
        return self.reg.run_action("package_search", CliActor(), params)

    def public(self, **params) -> dict:
        """Anonymously: only the resources open to the public (docs/security.md)."""
        return self.reg.run_action("package_search", None, {"rows": 100, **params})

    def names(self, **params) -> list[str]:
        return [r["name"] for r in self.search(**params)["results"]]

    def found(self, **params) -> set[str]:
        result = self.search(rows=100, **params)
        assert result["count"] == len(result["results"])
        return {r["name"] for r in result["results"]}


@pytest.fixture
def catalog(backend) -> Catalog:
    return Catalog(backend)


@pytest.mark.parametrize("q, expected", [
    ("民身份证号", {"bravo"}),            # 5 characters inside 公民身份证号码
    ("份证", {"bravo", "charlie"}),       # 2 characters, in an item name and in a title
    ("证", {"bravo", "charlie"}),         # 1 character
    ("公安", {"alpha", "delta"}),         # the unit's name is searchable
    ("户籍管理", {"alpha", "delta"}),     # the system's name is searchable
])
def test_a_term_matches_as_a_substring_of_titles_item_unit_and_system_names(catalog, q, expected):
    assert catalog.found(q=q) == expected


@pytest.mark.parametrize("q, expected", [
    ("低保", {"bravo", "charlie"}),
    ("低保 名册", {"bravo"}),
    ("人口 低保", set()),
])
def test_every_word_of_a_query_must_match(catalog, q, expected):
    assert catalog.found(q=q) == expected


def test_a_data_element_synonym_finds_items_named_otherwise_and_ranks_element_matches_first(catalog):
    # 身份证 is a synonym of 公民身份号码: alpha holds that element without the text 身份证 anywhere;
    # charlie only has it in the title.
    result = catalog.search(q="身份证")
    names = [r["name"] for r in result["results"]]
    assert result["count"] == 3
    assert set(names[:2]) == {"alpha", "bravo"}
    assert names[2] == "charlie"
    assert catalog.found(q="身份证号") == {"alpha", "bravo"}


def test_fq_filters_by_unit_system_sharing_type_and_data_element(catalog):
    table = [
        ("organization:c-gaj", {"alpha", "delta"}),
        (f"organization:{catalog.gaj['id']}", {"alpha", "delta"}),
        (f"owner_org:{catalog.mzj['id']}", {"bravo", "charlie"}),
        ("groups:c-dbxt", {"bravo", "charlie"}),
        (f"groups:{catalog.hj['id']}", {"alpha", "delta"}),
        ("sharing_type:unconditional", {"alpha", "delta"}),
        ("sharing_type:无条件共享", {"alpha", "delta"}),
        ("data_element:DE0001", {"alpha", "bravo"}),
        ("organization:c-gaj data_element:DE0001", {"alpha"}),
    ]
    for fq, expected in table:
        assert catalog.found(fq=fq) == expected, fq
    assert catalog.found(q="身份证", fq="organization:c-mzj") == {"bravo", "charlie"}


def test_facets_count_resources_and_carry_labels(catalog):
    result = catalog.search(**{"facet.field": ["organization", "groups", "sharing_type", "data_element"]})
    facets = result["facets"]
    assert facets["organization"] == {"c-gaj": 2, "c-mzj": 2}
    assert facets["groups"] == {"c-hjxt": 2, "c-dbxt": 2}
    assert facets["sharing_type"] == {"unconditional": 2, "conditional": 2}
    assert facets["data_element"]["DE0001"] == 2 and facets["data_element"]["DE0002"] == 2
    assert facets["data_element"]["DE0069"] == 1
    labels = {i["name"]: i["display_name"] for i in result["search_facets"]["organization"]["items"]}
    assert labels == {"c-gaj": "测试公安局", "c-mzj": "测试民政局"}
    labels = {i["name"]: i["display_name"] for i in result["search_facets"]["sharing_type"]["items"]}
    assert labels["unconditional"] == "无条件共享"

    assert catalog.search(**{"facet.field": ["data_element"], "facet.mincount": 2})["facets"] == {
        "data_element": {"DE0001": 2, "DE0002": 2}}
    top = catalog.search(**{"facet.field": ["data_element"], "facet.limit": 1})["facets"]["data_element"]
    assert len(top) == 1 and list(top.values()) == [2]
    assert len(catalog.search(**{"facet.field": ["data_element"], "facet.limit": -1})["facets"]["data_element"]) \
        == len(facets["data_element"])
    filtered = catalog.search(fq="organization:c-gaj", **{"facet.field": ["sharing_type"]})
    assert filtered["facets"]["sharing_type"] == {"unconditional": 2}


@pytest.mark.parametrize("q, rows, total", [("", 1, 4), ("", 3, 4), ("身份证", 2, 3)])
def test_pages_never_overlap_and_end_with_an_empty_page(catalog, q, rows, total):
    seen: list[str] = []
    start = 0
    while True:
        result = catalog.search(q=q, rows=rows, start=start)
        assert result["count"] == total
        page = [r["name"] for r in result["results"]]
        if not page:
            break
        assert len(page) <= rows
        seen.extend(page)
        start += rows
    assert len(seen) == len(set(seen)) == total


def test_sort_by_name_ascending_and_descending(catalog):
    assert catalog.names() == ["alpha", "bravo", "charlie", "delta"]           # default without q
    assert catalog.names(sort="name asc") == ["alpha", "bravo", "charlie", "delta"]
    assert catalog.names(sort="name desc") == ["delta", "charlie", "bravo", "alpha"]
    assert catalog.names(q="身份证", sort="name desc") == ["charlie", "bravo", "alpha"]


def test_rows_zero_returns_the_count_only(catalog):
    result = catalog.search(rows=0)
    assert result["count"] == 4 and result["results"] == []
    result = catalog.search(q="身份证", rows=0, **{"facet.field": ["organization"]})
    assert result["count"] == 3 and result["results"] == []
    assert result["facets"]["organization"] == {"c-gaj": 1, "c-mzj": 2}


def test_an_update_is_searchable_as_soon_as_the_action_returns(catalog):
    from registry.cli import CliActor
    catalog.reg.run_action("package_patch", CliActor(), {"id": catalog.res["charlie"]["id"], "title": "证件补办登记"})
    assert catalog.found(q="遗失") == set()
    assert catalog.found(q="补办登记") == {"charlie"}
    catalog.reg.run_action("package_patch", CliActor(), {
        "id": catalog.res["delta"]["id"],
        "items": [{"name": "统一社会信用代码", "data_type": "C", "data_length": 18},
                  {"name": "法定代表人身份证号", "data_type": "C", "data_length": 18}]})
    assert catalog.found(q="法定代表人") == {"delta"}
    assert catalog.found(q="企业名称") == set()


def test_a_deleted_resource_disappears_from_results_and_facets(catalog):
    from registry.cli import CliActor
    catalog.reg.run_action("package_delete", CliActor(), {"id": catalog.res["bravo"]["id"]})
    assert catalog.found(q="低保") == {"charlie"}
    result = catalog.search(**{"facet.field": ["data_element", "organization"]})
    assert result["count"] == 3
    assert result["facets"]["data_element"]["DE0001"] == 1
    assert result["facets"]["organization"] == {"c-gaj": 2, "c-mzj": 1}


def test_reindex_rebuilds_the_same_results(catalog):
    queries = [{}, {"q": "身份证"}, {"q": "低保"}, {"fq": "data_element:DE0002"},
               {"sort": "name desc", "facet.field": ["organization", "data_element"]}]

    def snapshot():
        out = []
        for params in queries:
            result = catalog.search(rows=100, **params)
            ranked = [r["name"] for r in result["results"]]
            # score ties may order differently after a rebuild; tiers and name order may not
            out.append((result["count"], ranked if "q" not in params else sorted(ranked), result["facets"]))
        return out

    before = snapshot()
    reg = catalog.reg
    with reg.db.unit_of_work() as session:
        assert reg.search.reindex(session) == 4
    assert snapshot() == before
    assert catalog.names(q="身份证")[-1] == "charlie"


def test_the_duplicate_key_list_names_the_elements_several_units_collect(catalog):
    """The duplicate-key aggregation (the engine's, or the embedded GROUP BY) behind duplicate_key_list."""
    from registry.cli import CliActor
    reg = catalog.reg
    bureau = Factory(reg).user("bureau")["id"]
    result = reg.run_action("duplicate_key_list", bureau, {})
    by_element = {r["data_element_name"]: r for r in result["results"]}
    assert set(by_element) == {"公民身份号码", "姓名"}        # alpha and bravo, in two units
    assert result["count"] == 2
    assert all(r["units"] == 2 and r["resources"] == 2 for r in result["results"])
    assert reg.run_action("duplicate_key_list", bureau, {"min_units": 3}) == {"count": 0, "results": []}
    reg.run_action("package_delete", CliActor(), {"id": catalog.res["bravo"]["id"]})
    assert reg.run_action("duplicate_key_list", bureau, {})["count"] == 0
def test_an_anonymous_search_finds_counts_and_facets_only_resources_open_to_the_public(catalog):
    for name in ("alpha", "charlie"):
        catalog.reg.run_action("package_patch", CliActor(), {"id": catalog.res[name]["id"], "open_to_public": True})
    everything = catalog.search(q="证", rows=100, **{"facet.field": '["organization", "sharing_type"]'})
    assert {r["name"] for r in everything["results"]} == {"bravo", "charlie"}
    public = catalog.public(q="证", **{"facet.field": '["organization", "sharing_type"]'})
    assert (public["count"], [r["name"] for r in public["results"]]) == (1, ["charlie"])
    assert public["facets"] == {"organization": {"c-mzj": 1}, "sharing_type": {"conditional": 1}}
    assert {r["name"] for r in catalog.public()["results"]} == {"alpha", "charlie"}
    assert catalog.public(fq="organization:c-gaj")["count"] == 1
    # an fq on the field cannot widen what an anonymous caller reads
    assert catalog.public(fq="open_to_public:false")["count"] == 0
    assert catalog.public(q="低保对象")["count"] == 0
    assert catalog.search(q="低保对象")["count"] == 1
    assert catalog.public(rows=0)["count"] == 2 and catalog.search(rows=0)["count"] == 4
    # closing a resource takes it out of the public catalog at once
    catalog.reg.run_action("package_patch", CliActor(), {"id": catalog.res["alpha"]["id"], "open_to_public": False})
    assert [r["name"] for r in catalog.public()["results"]] == ["charlie"]
