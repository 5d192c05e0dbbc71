"""Everyday words for what the catalog calls by its standard names, and suggestions for a search
that finds nothing.

People search for 社保, 医保, 公积金, 营业执照, 身份证, 户口, 驾照 …; the catalog holds 社会保障号码,
医保个人编号, 住房公积金账号, 统一社会信用代码 … An everyday word names the data elements it covers,
so a search for it finds every resource and item holding one of them, whatever the unit called
the item (both backends: search.engines.embedded.query_elements). When a search still finds nothing, the
closest known terms (element names, their synonyms, these words) are suggested instead.
"""
from __future__ import annotations

from functools import lru_cache

# everyday word or abbreviation → the data elements it names (preferred names in data_elements.csv)
EVERYDAY: dict[str, tuple[str, ...]] = {
    "社保": ("社会保障号码", "社会保障卡号", "参保险种", "参保状态", "参保日期", "缴费基数", "缴费年限", "养老金"),
    "社会保险": ("社会保障号码", "参保险种", "参保状态", "参保日期", "缴费基数", "缴费年限"),
    "社保卡": ("社会保障卡号",),
    "养老保险": ("养老金", "参保险种", "缴费年限", "退休日期"),
    "医保": ("医保个人编号", "社会保障卡号", "参保险种", "统筹基金支付金额", "个人账户支付金额", "个人账户余额",
           "医疗费用总额", "参保地"),
    "医疗保险": ("医保个人编号", "参保险种", "统筹基金支付金额", "医疗费用总额"),
    "医保卡": ("社会保障卡号",),
    "公积金": ("住房公积金账号", "单位公积金账号", "缴存基数", "月缴存额", "公积金余额", "个人缴存比例", "单位缴存比例"),
    "住房公积金": ("住房公积金账号", "单位公积金账号", "缴存基数", "月缴存额", "公积金余额"),
    "营业执照": ("统一社会信用代码", "注册号", "单位名称", "企业类型", "经营范围", "住所", "成立日期", "注册资本",
             "登记机关", "登记状态"),
    "执照": ("统一社会信用代码", "注册号"),
    "工商": ("统一社会信用代码", "注册号", "企业类型", "登记机关", "登记状态"),
    "信用代码": ("统一社会信用代码",),
    "身份证": ("公民身份号码",),
    "身份证号": ("公民身份号码",),
    "户口": ("户籍地址", "户号", "与户主关系", "户口性质", "户别"),
    "户籍": ("户籍地址", "户号", "与户主关系", "户口性质"),
    "驾照": ("驾驶证号", "准驾车型", "初次领证日期", "驾驶证状态"),
    "驾驶证": ("驾驶证号", "准驾车型", "初次领证日期", "驾驶证状态"),
    "车牌": ("号牌号码", "号牌种类"),
    "行驶证": ("号牌号码", "车辆识别代号", "初次登记日期"),
    "房产证": ("不动产权证号", "坐落", "建筑面积"),
    "不动产": ("不动产权证号", "不动产单元号", "坐落"),
    "低保": ("救助类别", "救助金额", "低保证号", "保障人数"),
    "出生证": ("出生医学证明编号",),
    "死亡证明": ("死亡医学证明编号",),
    "结婚证": ("结婚证字号", "结婚登记日期"),
    "离婚证": ("离婚证字号", "离婚登记日期"),
    "残疾证": ("残疾人证号", "残疾类别", "残疾等级"),
    "学籍": ("学籍号",),
    "税号": ("纳税人识别号",),
    "纳税": ("纳税人识别号", "应纳税额", "实缴税额", "纳税信用等级"),
    "手机": ("联系电话",),
    "电话": ("联系电话", "固定电话"),
    "地址": ("现住址", "户籍地址", "通讯地址", "住所", "经营场所"),
    "法人": ("单位名称", "统一社会信用代码", "单位类型"),
    "企业": ("单位名称", "统一社会信用代码", "企业类型"),
    "许可证": ("许可证编号", "许可内容", "许可决定日期"),
    "资质": ("资质证书编号", "资质等级"),
    "退伍": ("退役日期", "退役军人类别", "优待证号"),
    "疫苗": ("疫苗名称", "接种日期", "疫苗批号"),
}
SUGGESTIONS = 5


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """(everyday word → element ids, known term → what to suggest for it)."""
    from catalog_schema.data_elements import load_elements
    from search.duplicates.normalize import index_key
    elements = load_elements()
    by_name = {e.name: e.id for e in elements}
    words = {}
    for word, names in EVERYDAY.items():
        missing = [n for n in names if n not in by_name]
        if missing:
            raise ValueError(f"日常用语“{word}”指向不存在的数据元：{'、'.join(missing)}")
        words[index_key(word)] = tuple(by_name[n] for n in names)
    terms = {word: word for word in EVERYDAY}
    for e in elements:
        terms.setdefault(e.name, e.name)
        for synonym in e.synonyms:
            if not synonym.isascii():
                terms.setdefault(synonym, e.name)
    return words, terms


def everyday_elements(term: str) -> tuple[str, ...]:
    """The data elements an everyday word or abbreviation names (社保 → 社会保障号码, 参保险种 …)."""
    from search.duplicates.normalize import index_key
    return _index()[0].get(index_key(term), ())


def suggest_terms(q: str, limit: int = SUGGESTIONS) -> list[str]:
    """The closest known terms to a query that found nothing: element names, their synonyms (shown
    as the element's name) and everyday words, by character similarity."""
    from rapidfuzz import process

    from catalog_schema.vocabularies import clean
    text = clean(q or "").strip()
    if not text:
        return []
    terms = _index()[1]
    found: list[str] = []
    pool = [t for t in terms if t != text]
    scored = process.extract(text, pool, scorer=_similarity, limit=limit * 8, score_cutoff=45)
    for term, score, _ in scored:
        shown = terms[term]
        if shown not in found and shown != text:
            found.append(shown)
        if len(found) == limit:
            break
    return found


def _similarity(a: str, b: str, **_) -> float:
    """Shared characters count most (Chinese terms are short): an order-aware ratio, helped by
    containment either way (社会保 ⊂ 社会保障号码)."""
    from rapidfuzz import fuzz
    if not a or not b:
        return 0.0
    common = len(set(a) & set(b)) / max(len(set(a)), 1)
    return max(fuzz.ratio(a, b), 0.9 * fuzz.partial_ratio(a, b) if min(len(a), len(b)) >= 2 else 0.0) * (0.5 + common / 2)
