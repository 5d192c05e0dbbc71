"""Everyday words and abbreviations find what they name; a search that finds nothing suggests the
closest terms (API and page)."""
import pytest

from search.engines.vocabulary import EVERYDAY, everyday_elements, suggest_terms


def items(*names):
    return [{"name": n, "data_type": "C", "data_length": 50} for n in names]


@pytest.fixture
def catalog(make):
    hr = make.system(make.unit(code="rsj", name="云阳县人力资源和社会保障局"), name="人社业务系统")
    market = make.system(make.unit(code="scjgj", name="云阳县市场监督管理局"), name="市场主体登记系统")
    fund = make.system(make.unit(code="gjj", name="云阳县住房公积金中心"), name="归集管理系统")
    health = make.system(make.unit(code="ybj", name="云阳县医疗保障局"), name="医保结算系统")
    make.act("package_create", {"system": hr["id"], "title": "参保人员信息", "sharing_type": "不予共享",
                                "items": items("姓名", "社会保障号码", "参加险种")})
    make.act("package_create", {"system": market["id"], "title": "企业登记信息", "sharing_type": "不予共享",
                                "items": items("统一社会信用代码", "企业名称", "住所")})
    make.act("package_create", {"system": fund["id"], "title": "职工缴存信息", "sharing_type": "不予共享",
                                "items": items("职工姓名", "缴存基数", "月缴存额")})
    make.act("package_create", {"system": health["id"], "title": "住院结算信息", "sharing_type": "不予共享",
                                "items": items("医疗保险个人编号", "统筹支付金额")})


@pytest.mark.parametrize("word, title", [("社保", "参保人员信息"), ("营业执照", "企业登记信息"),
                                         ("公积金", "职工缴存信息"), ("医保", "住院结算信息")])
def test_an_everyday_word_finds_the_resources_holding_what_it_names(make, catalog, word, title):
    found = make.act("package_search", {"q": word})
    assert title in [r["title"] for r in found["results"]]
    assert found["suggestions"] == []


def test_an_everyday_word_finds_the_items_it_names(make, catalog):
    names = {r["name"] for r in make.act("item_search", {"q": "社保"})["results"]}
    assert "社会保障号码" in names
    names = {r["name"] for r in make.act("item_search", {"q": "公积金"})["results"]}
    assert {"缴存基数", "月缴存额"} <= names
    names = {r["name"] for r in make.act("item_search", {"q": "身份证"})["results"]}
    assert names == set()


def test_a_search_that_finds_nothing_suggests_the_closest_terms(make, catalog):
    found = make.act("package_search", {"q": "医宝"})
    assert found["count"] == 0 and "医保" in found["suggestions"]
    found = make.act("item_search", {"q": "纳锐人识别"})
    assert found["count"] == 0 and found["suggestions"][0] == "纳税人识别号"


def test_the_search_pages_show_the_suggestions_as_links(client, make, catalog):
    with client.session_transaction() as session:   # (the catalog is not open to the public)
        session["user_id"] = make.user("reviewer")["id"]
    page = client.get("/search", query_string={"q": "医宝"}).get_data(as_text=True)
    assert "您是不是要找" in page and 'href="/search?q=%E5%8C%BB%E4%BF%9D' in page
    page = client.get("/search/items", query_string={"q": "缴存"}).get_data(as_text=True)
    assert "您是不是要找" not in page  # found: nothing to suggest
    page = client.get("/search/items", query_string={"q": "驾照号"}).get_data(as_text=True)
    assert "您是不是要找" in page and "驾驶证号" in page


def test_every_everyday_word_names_existing_elements():
    for word in EVERYDAY:
        assert everyday_elements(word), word
    assert suggest_terms("") == [] and suggest_terms("xyz") == []
