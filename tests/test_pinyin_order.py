"""Names are sorted by pinyin, not by code point: in Python, in SQL on both databases, on the units page."""
from __future__ import annotations

from registry.core.names import sort_by_name

NAMES = ["云阳县中医院", "云阳县交通运输委员会", "云阳县人民医院", "云阳县公安局", "云阳县大数据发展局"]
PINYIN_ORDER = ["云阳县大数据发展局", "云阳县公安局", "云阳县交通运输委员会", "云阳县人民医院", "云阳县中医院"]


def test_python_helper_sorts_by_pinyin():
    assert sorted(NAMES)[0] == "云阳县中医院"  # code point order: what users saw
    assert sort_by_name(NAMES) == PINYIN_ORDER


def test_units_list_and_page_sort_by_pinyin(client, make):
    for n, name in enumerate(NAMES):
        make.unit(code=f"u{n}", name=name)
    listed = make.act("organization_list", {"all_fields": True, "sort": "title asc"})
    assert [u["title"] for u in listed] == PINYIN_ORDER
    listed = make.act("organization_list", {"all_fields": True, "sort": "title desc", "limit": 2})
    assert [u["title"] for u in listed] == PINYIN_ORDER[::-1][:2]
    page = client.get("/units").get_data(as_text=True)
    positions = [page.index(name) for name in PINYIN_ORDER]
    assert positions == sorted(positions)


def test_a_units_systems_sort_by_pinyin(make):
    unit = make.unit(code="wjw", name="云阳县卫生健康委员会")
    for name in ("综合监管系统", "电子病历系统", "妇幼保健系统", "基层卫生系统"):
        make.system(unit, name=name)
    shown = make.act("organization_show", {"id": unit["id"]})
    names = [s.get("display_name") or s.get("title") for s in shown["systems"]]
    assert names == ["电子病历系统", "妇幼保健系统", "基层卫生系统", "综合监管系统"], names
