"""The embedded backend's text indexes and result cache give exactly the answers a scan would.

Every term length has its own index (trigram for three or more characters, grams for one or two,
LIKE where a term holds a gram separator), so the answers are checked against a plain Python
substring scan of the stored search texts, for every short substring of the catalog and for the
awkward characters. The cache is checked the way it can go wrong: a write from another process, a
write transaction searching its own uncommitted change, pages beyond the cached ids.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from registry.cli import CliActor
from search.engines.documents import search_text
from search.engines.embedded import query_elements
from search.models import ItemElement, SearchDocument, SearchName

ROOT = Path(__file__).resolve().parent.parent
AWKWARD = ['"', "'", "%", "_", "\\", "(", ")", "a b", '"身', "o'", "证'", "税", "号)", "(身", "x", "X", "-",
           "%号", "_码", "a_b", "A-1", "码(", "不存在的词"]


@pytest.fixture
def catalog(make):
    unit = make.unit(code="ix-gaj", name="索引测试公安局")
    system = make.system(unit, code="ix-hjxt", name="户籍管理系统(二期)")
    other = make.system(make.unit(code="ix-swj", name="索引测试税务局"), code="ix-swxt", name="税务征管系统")
    packages = {
        "alpha": make.package(system, name="alpha", title="常住人口信息",
                              items=("公民身份号码", "姓名", "户籍地址", "证件号码(身份证)")),
        "bravo": make.package(system, name="bravo", title="O'Brien 外籍人员登记",
                              items=("护照号", "姓名(英文)", 'ABC-1 "编号"', "a_b 备注")),
        "charlie": make.package(other, name="charlie", title="纳税人信息",
                                items=("统一社会信用代码", "纳税人名称", "税", "100%完税证明")),
        "delta": make.package(other, name="delta", title="税务登记", description="逐户登记\\备查",
                              items=("登记日期", "企业名称")),
    }
    return packages


def _documents(reg) -> dict[int, str]:
    with reg.db.unit_of_work() as session:
        return dict(session.execute(select(SearchDocument.resource_id, SearchDocument.body)).all())


def _expected_packages(reg, q: str) -> set[int]:
    """What package_search must find: every word in the stored text, or an element the query names."""
    words = [search_text(w) for w in q.split()]
    found = {r for r, body in _documents(reg).items() if all(w in body for w in words)}
    elements = query_elements(q)
    if elements:
        with reg.db.unit_of_work() as session:
            found |= set(session.scalars(select(ItemElement.resource_id).where(ItemElement.element_id.in_(elements))))
    return found


def _expected_items(reg, q: str) -> set[int]:
    folded, elements = search_text(q), query_elements(q)
    with reg.db.unit_of_work() as session:
        rows = session.execute(select(ItemElement.item_id, ItemElement.name, ItemElement.element_id)).all()
    return {i for i, name, element in rows if folded in name or element in elements}


def _packages(reg, **params) -> tuple[int, set[int]]:
    result = reg.run_action("package_search", CliActor(), {"rows": 1000, **params})
    return result["count"], {r["id"] for r in result["results"]}


def _items(reg, q: str) -> tuple[int, set[int]]:
    result = reg.run_action("item_search", CliActor(), {"q": q, "rows": 1000})
    return result["count"], {r["id"] for r in result["results"]}


def test_every_substring_of_up_to_three_characters_finds_exactly_what_a_scan_finds(reg, catalog):
    terms = set(AWKWARD)
    for body in _documents(reg).values():
        for size in (1, 2, 3):
            terms.update(body[i:i + size].strip() for i in range(len(body) - size + 1))
    terms.discard("")
    assert len(terms) > 200
    for term in sorted(terms):
        expected = _expected_packages(reg, term)
        assert _packages(reg, q=term) == (len(expected), expected), term


def test_item_search_finds_exactly_the_items_whose_name_contains_the_query(reg, catalog):
    with reg.db.unit_of_work() as session:
        names = list(session.scalars(select(ItemElement.name)))
    terms = set(AWKWARD) | {"身份证", "姓名", "号码", "证件号码(身份证)", "abc-1", "ABC", "100%", "a_b 备注"}
    for name in names:
        terms.update(name[i:i + size] for size in (1, 2, 4) for i in range(len(name) - size + 1))
    terms = {t.strip() for t in terms} - {""}
    for term in sorted(terms):
        expected = _expected_items(reg, term)
        assert _items(reg, term) == (len(expected), expected), term


def test_a_renamed_item_is_found_by_its_new_name_only_and_old_names_are_dropped_by_a_reindex(reg, catalog):
    reg.run_action("package_patch", CliActor(), {
        "id": catalog["delta"]["id"],
        "items": [{"name": "注销日期", "data_type": "D", "data_length": 8},
                  {"name": "企业名称", "data_type": "C", "data_length": 100}]})
    assert _items(reg, "登记日期")[0] == 0
    assert _items(reg, "注销")[0] == 1
    with reg.db.unit_of_work() as session:
        assert "登记日期" in set(session.scalars(select(SearchName.name)))  # unused, harmless
        reg.search.reindex(session)
    with reg.db.unit_of_work() as session:
        assert "登记日期" not in set(session.scalars(select(SearchName.name)))
    assert _items(reg, "注销")[0] == 1


def test_deleting_a_system_removes_its_items_from_item_search(reg, catalog):
    assert _items(reg, "纳税人")[0] == 1
    reg.run_action("system_delete", CliActor(), {"id": "ix-swxt"})
    assert _items(reg, "纳税人") == (0, set())
    assert _packages(reg, q="税务登记") == (0, set())
    with reg.db.unit_of_work() as session:
        assert not session.scalars(select(ItemElement.item_id).where(
            ItemElement.resource_id == catalog["charlie"]["id"])).all()


def test_a_write_from_another_process_invalidates_cached_results(reg, catalog):
    assert _packages(reg, q="纳税人") == (1, {catalog["charlie"]["id"]})
    assert _items(reg, "完税证")[0] == 1
    # answered from the cache: a change made behind the index's back (no version change) is not seen
    with reg.db.unit_of_work(write=True) as session:
        session.execute(text("UPDATE search_document SET body = replace(body, '纳税人', '纳 税 人')"))
    assert _packages(reg, q="纳税人") == (1, {catalog["charlie"]["id"]})
    script = ("import sys\n"
              "from registry.cli import CliActor\n"
              "from registry.core.config import Settings\n"
              "from registry.core.runtime import Registry\n"
              "settings = Settings.from_env({}, database_url=sys.argv[1], instance_path=sys.argv[2])\n"
              "reg = Registry.from_settings(settings)\n"
              "reg.run_action('package_patch', CliActor(), {'id': int(sys.argv[3]), 'title': '完税证明',\n"
              "    'items': [{'name': '缴款人名称', 'data_type': 'C', 'data_length': 100}]})\n")
    subprocess.run([sys.executable, "-c", script, reg.settings.resolved_database_url(), reg.settings.instance_path,
                    str(catalog["charlie"]["id"])], cwd=ROOT, check=True, timeout=120)
    assert _packages(reg, q="纳税人") == (0, set())
    assert _items(reg, "完税证") == (0, set())
    assert _packages(reg, q="缴款人") == (1, {catalog["charlie"]["id"]})


def test_a_filter_column_change_alone_invalidates_cached_results(reg, catalog):
    assert _packages(reg, fq="update_cycle:monthly")[0] == 0
    reg.run_action("package_patch", CliActor(), {"id": catalog["delta"]["id"], "update_cycle": "monthly"})
    assert _packages(reg, fq="update_cycle:monthly") == (1, {catalog["delta"]["id"]})


def test_a_write_transaction_sees_its_own_change_and_never_caches_it(reg, catalog):
    from search.engines.query import parse_search
    with pytest.raises(RuntimeError):
        with reg.db.unit_of_work(write=True) as session:
            ctx = reg.context(session, CliActor())
            from registry.core.actions import call_action
            call_action("package_patch", ctx, {"id": catalog["alpha"]["id"], "title": "流动人口信息"})
            reg.search.index_resources(session, ctx.changed_resources)
            assert reg.search.search_packages(session, parse_search({"q": "流动人口"})).count == 1
            raise RuntimeError("roll back")
    assert _packages(reg, q="流动人口") == (0, set())
    assert _packages(reg, q="常住人口")[0] == 1


@pytest.mark.parametrize("prefix, deepest", [(2, 3), (1, 1)])
def test_pages_beyond_the_cached_ids_match_one_full_listing(reg, catalog, monkeypatch, prefix, deepest):
    import search.engines.result_cache as result_cache
    monkeypatch.setattr(result_cache, "PREFIX_ROWS", prefix)
    monkeypatch.setattr(result_cache, "MAX_PREFIX", deepest)
    for params in ({"q": "登记"}, {}, {"sort": "name desc"}, {"q": "号"}):
        full = reg.run_action("package_search", CliActor(), {"rows": 1000, **params})
        everything = [r["name"] for r in full["results"]]
        for rows in (1, 2, 3):
            pages = []
            for start in range(0, len(everything) + 2, rows):
                page = reg.run_action("package_search", CliActor(), {"rows": rows, "start": start, **params})
                assert page["count"] == full["count"]
                pages.extend(r["name"] for r in page["results"])
            assert pages == everything, (params, rows)
    items = reg.run_action("item_search", CliActor(), {"q": "号", "rows": 1000})["results"]
    paged = [r for start in range(0, len(items) + 1, 2)
             for r in reg.run_action("item_search", CliActor(), {"q": "号", "rows": 2, "start": start})["results"]]
    assert [r["id"] for r in paged] == [r["id"] for r in items]


def test_cached_package_and_item_dicts_follow_every_change_they_show(reg, catalog):
    def alpha() -> dict:
        result = reg.run_action("package_search", CliActor(), {"q": "常住人口"})
        assert result["count"] == 1
        return result["results"][0]

    def address() -> dict:
        result = reg.run_action("item_search", CliActor(), {"q": "户籍地址"})
        assert result["count"] == 1
        return result["results"][0]

    first = alpha()
    assert (first["unit_name"], first["groups"][0]["title"]) == ("索引测试公安局", "户籍管理系统(二期)")
    assert alpha() == first and address() == address()
    unit, system = first["organization"]["id"], first["groups"][0]["id"]
    item = next(i for i in first["items"] if i["name"] == "户籍地址")
    steps = [  # (a write, what the package then shows, what the item row then shows)
        ("unit_patch", {"id": unit, "name": "索引测试公安分局"}, lambda p: p["unit_name"] == "索引测试公安分局",
         lambda i: i["unit_name"] == "索引测试公安分局"),
        ("system_patch", {"id": system, "name": "户籍管理系统(三期)"},
         lambda p: p["groups"][0]["title"] == "户籍管理系统(三期)", lambda i: i["system_name"] == "户籍管理系统(三期)"),
        ("item_patch", {"id": item["id"], "data_length": 300},
         lambda p: next(i for i in p["items"] if i["id"] == item["id"])["data_length"] == 300,
         lambda i: i["data_length"] == 300),
        ("package_patch", {"id": first["id"], "title": "常住人口信息表", "sharing_type": "unconditional"},
         lambda p: p["title"] == "常住人口信息表", lambda i: i["sharing_type"] == "unconditional"),
    ]
    for action, data, package_shows, item_shows in steps:
        reg.run_action(action, CliActor(), data)
        assert package_shows(alpha()), action
        assert item_shows(address()), action
