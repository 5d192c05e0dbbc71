"""The weaker readings of an item name, tried when no synonym matches it exactly.

Each reading proposes a data element for a name that is not in the registry and accepts it
only when what separates the name from a registered synonym is provably meaningless:

- contained: a synonym sits inside the name among harmless words (户籍所在地详细地址);
- reordered: the same characters in another word order (成立登记日期 / 登记成立日期);
- fuzzy: rapidfuzz proposes near synonyms, and the character alignment (Indel opcodes) must
  show only harmless insertions and optional omissions. A substitution (出生→死亡,
  开始→结束, 名称→类型, 个人→单位) always rejects: that is what keeps hard negatives apart;
- unknown party: a party noun the lexicons lack (迁移人, 持卡人, 使用单位) in front of a synonym.

jieba splits an inserted segment into words, so 所在地详细 is judged word by word.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from catalog_schema.data_elements import DataElement
from search.duplicates.normalize import split_prefixes

# Words that may surround a synonym without changing which item it is.
HARMLESS = frozenset((
    "的", "信息", "数据", "所属", "所在", "详细", "具体", "实际", "本", "现", "有效", "全称", "中文",
    "汉字", "当前", "号", "所在地", "详址", "营业执照", "工商营业执照", "工商", "工商登记", "执照",
))
# Parts of a synonym a unit may leave out.
OPTIONAL = frozenset(("统一", "居民", "公民", "个人", "证", "书", "件", "信息", "详细", "现", "有效"))
# Suffixes that only change the representation of a coded attribute (性别代码 = 性别).
CODE_SUFFIXES = ("代码", "名称", "代号")
# Suffixes that repeat what a place element already is (经营场所地址 = 经营场所).
PLACE_SUFFIXES = ("地址", "详址", "地点", "位置")
PLACE_ENDINGS = ("地址", "住址", "住所", "场所", "坐落", "地", "地点")
# Suffixes that repeat that an organisation element is a name (登记机关名称 = 登记机关).
NAME_SUFFIXES = ("名称", "全称")
ORG_ENDINGS = ("机关", "单位", "部门", "机构", "银行", "学校", "医院", "企业", "院校")
# A subject designator followed by a bare head names the subject's own attribute:
# 学校地址 → 住所, 旅客姓名 → 姓名. (Not 类型/类别: 机构类别, 组织类型 and 企业类型 are different
# classifications of different registers.)
DESIGNATOR_HEADS = {
    "法人": {"名称": "单位名称", "全称": "单位名称", "地址": "住所", "住所": "住所"},
    "自然人": {"姓名": "姓名", "名称": "姓名", "名字": "姓名", "地址": "现住址"},
}
# A party noun the lexicons do not know, recognised by its ending as a person or an
# organisation. Known second parties are in the role lexicon, so an unknown one is taken as the
# record's own subject, unless it is itself an element (建设单位), which makes it a party.
PARTY_PATTERNS = (
    (re.compile(r"^[\u4e00-\u9fff]{1,5}(?:人|者|员|对象|师|生|工|士|客|民)$"), "自然人"),
    (re.compile(r"^(?!.*(?:场所|处所|住所)$)[\u4e00-\u9fff]{1,6}"
                r"(?:单位|企业|机构|公司|组织|银行|商|社|所|院|站|馆|厂|店|局|中心|集团|协会|商会|基金会|园|校|场)$"),
     "法人"),
)
SUBJECTS_FOR = {"自然人": frozenset(("自然人", "通用", "事项", "证照", "地理")),
                "法人": frozenset(("法人", "通用", "事项", "证照", "地理"))}

# element id, role class, method, confidence, and the registered spelling the name was read as
Reading = tuple[str, "str | None", str, float, str]
# Elements that identify an organisation: in front of them, an organisation the lexicons do not know
# says whose identifier it is.
ORG_IDENTIFIERS = frozenset(("统一社会信用代码", "组织机构代码", "注册号", "纳税人识别号"))
# Endings of a coded classification: its code and its label are one item (企业类型名称 = 企业类型).
CLASS_ENDINGS = ("类型", "类别", "状态", "性质", "种类", "等级", "级别", "方式", "形式", "行业", "门类", "类")
# Org-like nouns that name a place or a facility, never an organisation (公交站, 加油站, 场所 …).
PLACE_NOUN_ENDINGS = ("站", "站点", "场所", "广场", "停车场", "点", "区", "线", "路", "桥", "库", "口")


@lru_cache(maxsize=1)
def tokenizer():
    """One jieba tokenizer for the process (its dictionary loads once, about a second)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for word in (*HARMLESS, *OPTIONAL):
        tok.add_word(word, freq=100_000)
    return tok


class Readings:
    def __init__(self, alias: dict[str, str], elements: dict[str, DataElement]) -> None:
        self.alias = alias
        self.elements = elements
        self.by_name = {e.name: e.id for e in elements.values()}
        self.choices = list(alias)
        self.reordered = self._reorder_index()
        self.tokens = tokenizer()
        for word in self.choices:
            self.tokens.add_word(word, freq=50_000)

    def subject_fits(self, element_id: str, designated: list[str]) -> bool:
        subject = self.elements[element_id].subject
        return all(subject in SUBJECTS_FOR[d] for d in designated)

    def designator_head(self, designates: str | None, text: str) -> str | None:
        name = DESIGNATOR_HEADS.get(designates or "", {}).get(text)
        return self.by_name[name] if name else None

    def unknown_party(self, text: str) -> Reading | None:
        """迁移人姓名 → 姓名; 使用单位统一社会信用代码 → 统一社会信用代码; 取水权人名称 → 单位名称.

        An organisation the lexicons do not know, followed by 名称 (监督机构名称, 公交站名称,
        研究所名称), is *another* organisation's name, not the record's subject: no reading here
        (the matcher keeps it as a name of its own, `org_noun`, which the resource title may
        still show to be the subject's: see ElementMatcher.in_context)."""
        for k in range(2, min(9, len(text) - 1)):
            prefix, core = text[:k], text[k:]
            subject = next((s for pattern, s in PARTY_PATTERNS if pattern.match(prefix)), None)
            if subject is None:
                continue
            party = self.alias.get(prefix)
            if core in ("名称", "全称"):
                if party is not None:
                    return party, None, "party_element", 0.9, prefix   # 项目单位名称 is the 项目单位 element
                if subject == "法人":
                    return None  # another organisation's name
                subject = "法人"  # a 名称, not a 姓名: the party (取水权人) is an organisation
            element_id = self.alias.get(core) or self.designator_head(subject, core)
            if element_id is None:
                continue
            if party is not None:
                return element_id, self.elements[party].name, "unknown_party", 0.85, core
            if subject == "法人" and self.elements[element_id].name in ORG_IDENTIFIERS:
                # 监管单位统一社会信用代码: another organisation's code, kept apart under that party
                # (ElementMatcher.in_context makes it the subject's when the title is about it)
                return element_id, prefix, "other_party", 0.85, core
            if self.subject_fits(element_id, [subject]):
                return element_id, None, "unknown_party", 0.85, core
        return None

    @staticmethod
    def org_noun(text: str) -> str | None:
        """The organisation or place noun of `X名称` when X ends like one (科研机构名称 → 科研机构,
        场所名称 → 场所)."""
        for core in ("名称", "全称"):
            if text.endswith(core) and len(text) > len(core) + 1:
                noun = text[:-len(core)]
                if noun.endswith(PLACE_NOUN_ENDINGS) or PARTY_PATTERNS[1][0].match(noun):
                    return noun
        return None

    def contained(self, text: str) -> tuple[str, str, float, str] | None:
        """The longest synonym inside `text` whose surroundings are all harmless."""
        best: tuple[int, str, str] | None = None
        for i in range(len(text)):
            for j in range(len(text), i + 1, -1):
                if best is not None and j - i <= best[0]:
                    break
                element_id = self.alias.get(text[i:j])
                if element_id and self._surroundings_harmless(text[:i], text[j:], element_id):
                    best = (j - i, element_id, text[i:j])
                    break
        return (best[1], "contained", 0.93, best[2]) if best else None

    def fuzzy(self, text: str) -> tuple[str, str, float, str] | None:
        if len(text) < 3:
            return None
        if len(text) >= 4 and (reordered := self.reordered.get(_order_key(text))):
            return reordered, "reordered", 0.9, self.elements[reordered].name
        candidates = process.extract(text, self.choices, scorer=fuzz.ratio, limit=8, score_cutoff=60)
        accepted: list[tuple[float, str, bool, str]] = []
        for alias, score, _ in candidates:
            element_id = self.alias[alias]
            omits = self._alignment(text, alias, element_id)
            if omits is not None:
                accepted.append((score, element_id, omits, alias))
        if not accepted:
            return None
        accepted.sort(reverse=True)
        top_score, top_id, omits, alias = accepted[0]
        if any(eid != top_id and score >= top_score - 5 for score, eid, _, _ in accepted[1:]):
            return None  # two elements explain the name about equally well: do not guess
        return top_id, "fuzzy", 0.82 if omits else 0.88, alias

    def _reorder_index(self) -> dict[str, str]:
        index: dict[str, str | None] = {}
        for alias, element_id in self.alias.items():
            if len(alias) >= 4:
                key = _order_key(alias)
                index[key] = element_id if index.get(key, element_id) == element_id else None
        return {k: v for k, v in index.items() if v is not None}

    def _surroundings_harmless(self, before: str, after: str, element_id: str) -> bool:
        if before:
            prefixes, rest = split_prefixes(before)
            if rest and not self._harmless(rest, element_id):
                return False
            if any(p.role for p in prefixes):
                return False  # a role is a qualifier, handled by peeling, never ignored
            if not self.subject_fits(element_id, [p.designates for p in prefixes if p.designates]):
                return False
        return not after or self._harmless(after, element_id) or self._redundant_suffix(after, element_id)

    def _alignment(self, text: str, alias: str, element_id: str) -> bool | None:
        """None unless only harmless insertions and optional omissions separate the two;
        otherwise whether part of the synonym was omitted (weaker evidence)."""
        equal, omits = 0, False
        for op in Indel.opcodes(text, alias):
            if op.tag == "equal":
                equal += op.src_end - op.src_start
            elif op.tag == "delete":  # in the name, not in the synonym
                segment = text[op.src_start:op.src_end]
                at_end = op.src_end == len(text)
                if not (self._harmless(segment, element_id)
                        or (at_end and self._redundant_suffix(segment, element_id))):
                    return None
            elif alias[op.dest_start:op.dest_end] in OPTIONAL:
                omits = True
            else:
                return None
        return omits if equal >= max(2, 0.6 * len(alias)) else None

    def _harmless(self, segment: str, element_id: str) -> bool:
        """Noise words, or subject designators the element's subject agrees with."""
        if segment in HARMLESS:
            return True
        prefixes, rest = split_prefixes(segment)
        if prefixes and not rest and not any(p.role for p in prefixes):
            return self.subject_fits(element_id, [p.designates for p in prefixes])
        return all(w in HARMLESS for w in self.tokens.lcut(segment, HMM=False))

    def _redundant_suffix(self, segment: str, element_id: str) -> bool:
        """性别代码 / 民族名称: the code or the label of a coded attribute is the same item;
        经营场所地址, 登记机关名称: a suffix that repeats what the element is adds nothing."""
        element = self.elements[element_id]
        if segment in PLACE_SUFFIXES:
            return element.name.endswith(PLACE_ENDINGS)
        if segment in NAME_SUFFIXES and element.name.endswith(ORG_ENDINGS):
            return True
        coded = (element.data_type == "C" and element.length is not None and element.length <= 10
                 or element.name.endswith(CLASS_ENDINGS))
        return coded and segment in CODE_SUFFIXES


def _order_key(text: str) -> str:
    """Same head (last two characters) and same characters: a word-order variant."""
    return text[-2:] + "".join(sorted(text))
